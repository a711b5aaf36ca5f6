// CloudWatch metrics and alarms through the dispatcher, over JSON 1.0, CBOR and query.
#include <doctest/doctest.h>

#include <zlib.h>

#include "dispatch_harness.h"
#include "metrics/alarm_evaluator.h"

using berth::test::DispatchHarness;
namespace json = berth::json;

namespace {
constexpr std::int64_t kStart = 1'800'000'000'000;  // a whole minute
// Codes CloudWatch answers that its model lists nowhere (query-compatible ValidationError).
const std::set<std::string> kCommon = {"ValidationError", "InvalidParameterValue", "MissingParameter",
                                       "InvalidParameterCombination", "InvalidParameterValueException",
                                       "MissingRequiredParameterException", "InvalidParameterCombinationException"};

std::string secs(std::int64_t millis) { return std::to_string(millis / 1000); }

double stat_of(const rapidjson::Value& dp, const char* name) { return dp[name].GetDouble(); }
}  // namespace

TEST_CASE("CloudWatch metrics over every wire: put, list, statistics, metric data") {
  for (auto wire : {DispatchHarness::Wire::Json, DispatchHarness::Wire::Cbor, DispatchHarness::Wire::Query}) {
    CAPTURE(static_cast<int>(wire));
    DispatchHarness cw("cloudwatch", kCommon, kStart + 600'000);
    cw.wire = wire;
    auto put = [&](const std::string& data) {
      return cw.call("PutMetricData", R"({"Namespace":"App","MetricData":[)" + data + "]}");
    };
    // Minute 0: 1,2,3,4 (values); minute 1: a statistic set; minute 2: Values/Counts.
    REQUIRE(put(R"({"MetricName":"Latency","Dimensions":[{"Name":"Svc","Value":"web"},{"Name":"Az","Value":"a"}],"Timestamp":)" +
                secs(kStart) + R"(,"Value":1,"Unit":"Milliseconds"},
                {"MetricName":"Latency","Dimensions":[{"Name":"Az","Value":"a"},{"Name":"Svc","Value":"web"}],"Timestamp":)" +
                secs(kStart + 10'000) + R"(,"Values":[2,3,4],"Unit":"Milliseconds"})")
                .status == 200);
    REQUIRE(put(R"({"MetricName":"Latency","Dimensions":[{"Name":"Svc","Value":"web"},{"Name":"Az","Value":"a"}],"Timestamp":)" +
                secs(kStart + 60'000) +
                R"(,"StatisticValues":{"SampleCount":4,"Sum":40,"Minimum":5,"Maximum":15},"Unit":"Milliseconds"})")
                .status == 200);
    REQUIRE(put(R"({"MetricName":"Latency","Dimensions":[{"Name":"Svc","Value":"web"},{"Name":"Az","Value":"a"}],"Timestamp":)" +
                secs(kStart + 120'000) + R"(,"Values":[1,100],"Counts":[99,1],"Unit":"Milliseconds"})")
                .status == 200);
    REQUIRE(put(R"({"MetricName":"Errors","Value":3})").status == 200);

    auto listed = cw.ok("ListMetrics", R"({"Namespace":"App"})");
    REQUIRE(listed.body["Metrics"].Size() == 2);
    auto filtered = cw.ok("ListMetrics", R"({"Dimensions":[{"Name":"Svc","Value":"web"}]})");
    REQUIRE(filtered.body["Metrics"].Size() == 1);
    CHECK(json::view(filtered.body["Metrics"][0]["MetricName"]) == "Latency");
    CHECK(filtered.body["Metrics"][0]["Dimensions"].Size() == 2);  // one series for both orders
    CHECK(cw.ok("ListMetrics", R"({"Dimensions":[{"Name":"Svc","Value":"api"}]})").body["Metrics"].Size() == 0);

    auto stats = cw.ok("GetMetricStatistics",
                       R"({"Namespace":"App","MetricName":"Latency","Dimensions":[{"Name":"Az","Value":"a"},{"Name":"Svc","Value":"web"}],"StartTime":)" +
                           secs(kStart) + R"(,"EndTime":)" + secs(kStart + 180'000) +
                           R"(,"Period":60,"Statistics":["Average","Sum","SampleCount","Minimum","Maximum"]})");
    const auto& dps = stats.body["Datapoints"];
    REQUIRE(dps.Size() == 3);
    CHECK(stat_of(dps[0], "Average") == 2.5);
    CHECK(stat_of(dps[0], "SampleCount") == 4);
    CHECK(stat_of(dps[1], "Sum") == 40);
    CHECK(stat_of(dps[1], "Maximum") == 15);
    CHECK(stat_of(dps[2], "SampleCount") == 100);
    CHECK(json::view(dps[0]["Unit"]) == "Milliseconds");
    auto pct = cw.ok("GetMetricStatistics",
                     R"({"Namespace":"App","MetricName":"Latency","Dimensions":[{"Name":"Az","Value":"a"},{"Name":"Svc","Value":"web"}],"StartTime":)" +
                         secs(kStart) + R"(,"EndTime":)" + secs(kStart + 180'000) + R"(,"Period":180,"ExtendedStatistics":["p99","p50"]})");
    REQUIRE(pct.body["Datapoints"].Size() == 1);
    CHECK(pct.body["Datapoints"][0]["ExtendedStatistics"]["p50"].GetDouble() == 1);

    auto too_many = cw.call("GetMetricStatistics", R"({"Namespace":"App","MetricName":"Latency","StartTime":)" + secs(kStart - 86'400'000) +
                                                        R"(,"EndTime":)" + secs(kStart + 86'400'000) + R"(,"Period":60,"Statistics":["Sum"]})");
    CHECK(too_many.status == 400);
    CHECK(too_many.code().starts_with("InvalidParameterCombination"));
    CHECK(too_many.message().find("2,880 datapoints, which exceeds the limit of 1,440") != std::string::npos);
    auto bad_period = cw.call("GetMetricStatistics", R"({"Namespace":"App","MetricName":"Latency","StartTime":)" + secs(kStart) +
                                                         R"(,"EndTime":)" + secs(kStart + 60'000) + R"(,"Period":90,"Statistics":["Sum"]})");
    CHECK(bad_period.code().starts_with("InvalidParameterValue"));

    auto data = cw.ok("GetMetricData", R"({"StartTime":)" + secs(kStart) + R"(,"EndTime":)" + secs(kStart + 180'000) +
                                           R"J(,"ScanBy":"TimestampAscending","MetricDataQueries":[
      {"Id":"m1","MetricStat":{"Metric":{"Namespace":"App","MetricName":"Latency","Dimensions":[{"Name":"Svc","Value":"web"},{"Name":"Az","Value":"a"}]},"Period":60,"Stat":"Sum"},"ReturnData":false},
      {"Id":"e1","Expression":"m1 * 2","Label":"Doubled"},
      {"Id":"e2","Expression":"SUM(m1)"}]})J");
    const auto& results = data.body["MetricDataResults"];
    REQUIRE(results.Size() == 2);
    CHECK(json::view(results[0]["Label"]) == "Doubled");
    REQUIRE(results[0]["Values"].Size() == 3);
    CHECK(results[0]["Values"][0].GetDouble() == 20);
    CHECK(results[0]["Values"][1].GetDouble() == 80);
    CHECK(results[1]["Values"][0].GetDouble() == 10 + 40 + 199);
    CHECK(json::view(results[0]["StatusCode"]) == "Complete");

    auto paged = cw.ok("GetMetricData", R"({"StartTime":)" + secs(kStart) + R"(,"EndTime":)" + secs(kStart + 180'000) +
                                            R"(,"MaxDatapoints":2,"MetricDataQueries":[
      {"Id":"m1","MetricStat":{"Metric":{"Namespace":"App","MetricName":"Latency","Dimensions":[{"Name":"Svc","Value":"web"},{"Name":"Az","Value":"a"}]},"Period":60,"Stat":"Average"}}]})");
    REQUIRE(paged.body["MetricDataResults"][0]["Values"].Size() == 2);
    CHECK(paged.body["MetricDataResults"][0]["Values"][0].GetDouble() == 1.99);  // newest first
    REQUIRE(paged.body.HasMember("NextToken"));
    auto search = cw.call("GetMetricData", R"({"StartTime":)" + secs(kStart) + R"(,"EndTime":)" + secs(kStart + 180'000) +
                                               R"J(,"MetricDataQueries":[{"Id":"s","Expression":"SEARCH('{App} Latency', 'Sum', 60)","Period":60}]})J");
    CHECK(search.status == 400);
    CHECK(search.message().find("not supported") != std::string::npos);

    auto aws_ns = put(R"({"MetricName":"CPUUtilization","Value":1})");
    (void)aws_ns;
    auto reserved = cw.call("PutMetricData", R"({"Namespace":"AWS/ECS","MetricData":[{"MetricName":"X","Value":1}]})");
    CHECK(reserved.code().starts_with("InvalidParameterValue"));
    auto both = put(R"({"MetricName":"X","Value":1,"StatisticValues":{"SampleCount":1,"Sum":1,"Minimum":1,"Maximum":1}})");
    CHECK(both.code().starts_with("InvalidParameterCombination"));
    auto old = put(R"({"MetricName":"X","Value":1,"Timestamp":)" + secs(kStart - 15 * 86'400'000LL) + "}");
    CHECK(old.code().starts_with("InvalidParameterValue"));
    CHECK(cw.ok("ListMetrics", R"({"MetricName":"X"})").body["Metrics"].Size() == 0);  // nothing half-written
  }
}

TEST_CASE("CloudWatch alarms: put, describe, state, history, tags, delete") {
  for (auto wire : {DispatchHarness::Wire::Json, DispatchHarness::Wire::Query}) {
    DispatchHarness cw("cloudwatch", kCommon, kStart);
    cw.wire = wire;
    REQUIRE(cw.call("PutMetricAlarm", R"({"AlarmName":"high-cpu","Namespace":"App","MetricName":"Cpu","Statistic":"Average",
      "Dimensions":[{"Name":"Svc","Value":"web"}],"Period":60,"EvaluationPeriods":3,"DatapointsToAlarm":2,"Threshold":50,
      "ComparisonOperator":"GreaterThanThreshold","AlarmActions":["arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:x"],
      "Tags":[{"Key":"team","Value":"a"}]})")
                .status == 200);
    REQUIRE(cw.call("PutMetricAlarm", R"({"AlarmName":"low","Namespace":"App","MetricName":"Cpu","Statistic":"Average",
      "Period":60,"EvaluationPeriods":1,"Threshold":5,"ComparisonOperator":"LessThanThreshold"})")
                .status == 200);
    auto all = cw.ok("DescribeAlarms", "{}");
    REQUIRE(all.body["MetricAlarms"].Size() == 2);
    const auto& a = all.body["MetricAlarms"][0];
    CHECK(json::view(a["AlarmName"]) == "high-cpu");
    CHECK(json::view(a["AlarmArn"]) == "arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-cpu");
    CHECK(json::view(a["StateValue"]) == "INSUFFICIENT_DATA");
    CHECK(json::view(a["StateReason"]) == "Unchecked: Initial alarm creation");
    CHECK(a["DatapointsToAlarm"].GetInt() == 2);
    CHECK(a["AlarmActions"].Size() == 1);
    CHECK(cw.ok("DescribeAlarms", R"({"AlarmNamePrefix":"hi"})").body["MetricAlarms"].Size() == 1);
    CHECK(cw.ok("DescribeAlarms", R"({"AlarmNames":["low"]})").body["MetricAlarms"].Size() == 1);
    CHECK(cw.ok("DescribeAlarms", R"({"StateValue":"ALARM"})").body["MetricAlarms"].Size() == 0);
    CHECK(cw.ok("DescribeAlarms", R"({"AlarmTypes":["CompositeAlarm"]})").body["MetricAlarms"].Size() == 0);
    // ActionPrefix looks at the actions only, not at names or descriptions that start alike.
    CHECK(cw.ok("DescribeAlarms", R"({"ActionPrefix":"arn:aws:autoscaling:"})").body["MetricAlarms"].Size() == 1);
    CHECK(cw.ok("DescribeAlarms", R"({"ActionPrefix":"hi"})").body["MetricAlarms"].Size() == 0);
    CHECK(cw.ok("DescribeAlarms", R"({"ActionPrefix":"arn:aws:sns:"})").body["MetricAlarms"].Size() == 0);
    auto page = cw.ok("DescribeAlarms", R"({"MaxRecords":1})");
    REQUIRE(page.body.HasMember("NextToken"));
    auto next = cw.ok("DescribeAlarms", std::string(R"({"MaxRecords":1,"NextToken":")") + page.body["NextToken"].GetString() + "\"}");
    CHECK(json::view(next.body["MetricAlarms"][0]["AlarmName"]) == "low");
    CHECK(cw.ok("DescribeAlarmsForMetric", R"({"Namespace":"App","MetricName":"Cpu","Dimensions":[{"Name":"Svc","Value":"web"}]})")
              .body["MetricAlarms"].Size() == 1);

    REQUIRE(cw.call("SetAlarmState", R"({"AlarmName":"high-cpu","StateValue":"ALARM","StateReason":"testing"})").status == 200);
    auto after = cw.ok("DescribeAlarms", R"({"StateValue":"ALARM"})");
    REQUIRE(after.body["MetricAlarms"].Size() == 1);
    CHECK(json::view(after.body["MetricAlarms"][0]["StateReason"]) == "testing");
    auto history = cw.ok("DescribeAlarmHistory", R"({"AlarmName":"high-cpu"})");
    REQUIRE(history.body["AlarmHistoryItems"].Size() == 2);
    CHECK(json::view(history.body["AlarmHistoryItems"][0]["HistorySummary"]) == "Alarm updated from INSUFFICIENT_DATA to ALARM");
    CHECK(json::view(history.body["AlarmHistoryItems"][1]["HistorySummary"]) == "Alarm \"high-cpu\" created");
    CHECK(cw.ok("DescribeAlarmHistory", R"({"HistoryItemType":"StateUpdate"})").body["AlarmHistoryItems"].Size() == 1);
    CHECK(cw.call("SetAlarmState", R"({"AlarmName":"nope","StateValue":"OK","StateReason":"x"})").status == 404);
    CHECK(cw.call("SetAlarmState", R"({"AlarmName":"low","StateValue":"OK","StateReason":"x","StateReasonData":"{bad"})").status == 400);

    REQUIRE(cw.call("DisableAlarmActions", R"({"AlarmNames":["high-cpu"]})").status == 200);
    CHECK_FALSE(cw.ok("DescribeAlarms", R"({"AlarmNames":["high-cpu"]})").body["MetricAlarms"][0]["ActionsEnabled"].GetBool());

    std::string arn = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-cpu";
    REQUIRE(cw.call("TagResource", R"({"ResourceARN":")" + arn + R"(","Tags":[{"Key":"env","Value":"dev"}]})").status == 200);
    CHECK(cw.ok("ListTagsForResource", R"({"ResourceARN":")" + arn + R"("})").body["Tags"].Size() == 2);
    REQUIRE(cw.call("UntagResource", R"({"ResourceARN":")" + arn + R"(","TagKeys":["team"]})").status == 200);
    CHECK(cw.ok("ListTagsForResource", R"({"ResourceARN":")" + arn + R"("})").body["Tags"].Size() == 1);
    CHECK(cw.call("ListTagsForResource", R"({"ResourceARN":"arn:aws:cloudwatch:us-east-1:000000000000:alarm:gone"})").status == 404);

    auto both = cw.call("PutMetricAlarm", R"({"AlarmName":"bad","Namespace":"App","MetricName":"Cpu","Statistic":"Average",
      "Period":60,"EvaluationPeriods":1,"DatapointsToAlarm":2,"Threshold":5,"ComparisonOperator":"LessThanThreshold"})");
    CHECK(both.status == 400);
    CHECK(cw.call("DeleteAlarms", R"({"AlarmNames":["high-cpu","gone"]})").status == 404);
    CHECK(cw.ok("DescribeAlarms", "{}").body["MetricAlarms"].Size() == 2);  // nothing deleted
    REQUIRE(cw.call("DeleteAlarms", R"({"AlarmNames":["high-cpu","low"]})").status == 200);
    CHECK(cw.ok("DescribeAlarms", "{}").body["MetricAlarms"].Size() == 0);
  }
}

TEST_CASE("the alarm evaluator moves alarms on stored data and hands over their actions once") {
  DispatchHarness cw("cloudwatch", kCommon, kStart + 10 * 60'000 + 5'000);
  REQUIRE(cw.call("PutMetricAlarm", R"({"AlarmName":"busy","Namespace":"App","MetricName":"Cpu","Statistic":"Average",
    "Period":60,"EvaluationPeriods":3,"DatapointsToAlarm":2,"Threshold":50,"ComparisonOperator":"GreaterThanThreshold",
    "AlarmActions":["arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:p"],"OKActions":["arn:ok"]})")
            .status == 200);
  std::vector<berth::metrics::FiredActions> sunk;
  berth::metrics::AlarmEvaluator evaluator(*cw.db, cw.clock, std::chrono::seconds(60),
                                           [&](const berth::metrics::FiredActions& f) { sunk.push_back(f); });
  // Nothing stored: INSUFFICIENT_DATA stays, nothing fires.
  CHECK(evaluator.evaluate_all().empty());
  // Backdated datapoints in two of the last three complete minutes (7, 8, 9).
  REQUIRE(cw.call("PutMetricData", R"({"Namespace":"App","MetricData":[
    {"MetricName":"Cpu","Value":80,"Timestamp":)" + secs(kStart + 7 * 60'000) + R"(},
    {"MetricName":"Cpu","Value":90,"Timestamp":)" + secs(kStart + 9 * 60'000 + 30'000) + R"(}]})").status == 200);
  auto fired = evaluator.evaluate_all();
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].state == "ALARM");
  CHECK(fired[0].actions == std::vector<std::string>{"arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:p"});
  CHECK(sunk.size() == 1);
  auto described = cw.ok("DescribeAlarms", "{}");  // alive while `alarm` looks into it
  auto alarm = described.body["MetricAlarms"][0].GetObject();
  CHECK(json::view(alarm["StateValue"]) == "ALARM");
  CHECK(std::string(json::view(alarm["StateReason"])).starts_with("Threshold Crossed: 2 out of the last 3 datapoints"));
  CHECK(evaluator.evaluate_all().size() == 1);  // still ALARM: Auto Scaling actions repeat at each pass
  // Three minutes later the data is old: missing -> INSUFFICIENT_DATA, which has no actions.
  cw.clock.advance(3 * 60'000);
  CHECK(evaluator.evaluate_all().empty());
  CHECK(json::view(cw.ok("DescribeAlarms", "{}").body["MetricAlarms"][0]["StateValue"]) == "INSUFFICIENT_DATA");
  // SetAlarmState's change acts at the next pass.
  REQUIRE(cw.call("SetAlarmState", R"({"AlarmName":"busy","StateValue":"OK","StateReason":"by hand"})").status == 200);
  // Two quiet minutes: with the older datapoints of the evaluation range, 1 of the last 3 breaches.
  REQUIRE(cw.call("PutMetricData", R"({"Namespace":"App","MetricData":[{"MetricName":"Cpu","Value":1,"Timestamp":)" +
                                       secs(kStart + 11 * 60'000) + R"(},{"MetricName":"Cpu","Value":1,"Timestamp":)" +
                                       secs(kStart + 12 * 60'000) + "}]}").status == 200);
  fired = evaluator.evaluate_all();
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].actions == std::vector<std::string>{"arn:ok"});
}

TEST_CASE("gzip request bodies are inflated before routing") {
  DispatchHarness cw("cloudwatch", kCommon, kStart);
  std::string body = R"({"Namespace":"App","MetricData":[{"MetricName":"Zipped","Value":1}]})";
  auto req = cw.request("PutMetricData", body, "");
  z_stream z{};
  REQUIRE(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(compressBound(static_cast<uLong>(req.body.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(req.body.data());
  z.avail_in = static_cast<uInt>(req.body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  req.body = out;
  req.headers.emplace_back("Content-Encoding", "gzip");
  CHECK(cw.dispatcher->handle(req).status == 200);
  CHECK(cw.ok("ListMetrics", "{}").body["Metrics"].Size() == 1);
  req.body = "not gzip";
  CHECK(cw.dispatcher->handle(req).status == 400);
}
