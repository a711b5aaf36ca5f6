// CloudWatch Logs handlers through the dispatcher, without HTTP: responses are checked against
// the operation's output shape and error codes against its model (plus ValidationException,
// which AWS answers for mutually exclusive parameters without listing it).
#include <doctest/doctest.h>

#include "dispatch_harness.h"

#include <filesystem>
#include <set>

#include "api/dispatcher.h"
#include "api/services.h"
#include "api/validator.h"
#include "state/logs_store.h"

using namespace berth;
using namespace berth::api;
namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kStart = 1'700'000'000'000;
constexpr std::int64_t kDay = 86'400'000;

struct LogsHarness : berth::test::DispatchHarness {
  LogsHarness() : DispatchHarness("Logs_20140328", {"SerializationException", "ValidationException"}, kStart) {
    // AWS answers an untagged group with "tags": {}, below the model's minimum map size.
    tolerated_shape_error = [](const std::string& m) {
      return m.find("at 'tags' failed to satisfy constraint: Member must have length greater") != std::string::npos;
    };
  }

  void put(const std::string& group, const std::string& stream, std::int64_t first_ts, int n,
           const std::string& prefix = "msg") {
    std::string events;
    for (int i = 0; i < n; ++i)
      events += (i ? "," : "") + std::string(R"({"timestamp":)") + std::to_string(first_ts + i) +
                R"(,"message":")" + prefix + " " + std::to_string(i) + "\"}";
    ok("PutLogEvents", R"({"logGroupName":")" + group + R"(","logStreamName":")" + stream +
                           R"(","logEvents":[)" + events + "]}");
  }

  void group_and_stream(const std::string& group = "/g", const std::string& stream = "s") {
    ok("CreateLogGroup", R"({"logGroupName":")" + group + "\"}");
    ok("CreateLogStream", R"({"logGroupName":")" + group + R"(","logStreamName":")" + stream + "\"}");
  }
};

std::string str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }
}  // namespace

TEST_CASE("log groups: create, describe, duplicate, delete") {
  LogsHarness h;
  h.ok("CreateLogGroup", R"({"logGroupName":"/ecs/web","kmsKeyId":"arn:aws:kms:us-east-1:000000000000:key/k","tags":{"team":"a"}})");
  h.ok("CreateLogGroup", R"({"logGroupName":"/ecs/worker"})");
  h.ok("CreateLogGroup", R"({"logGroupName":"/other"})");
  auto dup = h.call("CreateLogGroup", R"({"logGroupName":"/ecs/web"})");
  CHECK(dup.code() == "ResourceAlreadyExistsException");
  CHECK(dup.message() == "The specified log group already exists");

  auto d = h.ok("DescribeLogGroups", R"({"logGroupNamePrefix":"/ecs/"})");
  REQUIRE(d.body["logGroups"].Size() == 2);
  auto& g = d.body["logGroups"][0];
  CHECK(str(g["logGroupName"]) == "/ecs/web");
  CHECK(str(g["arn"]) == "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web:*");
  CHECK(str(g["logGroupArn"]) == "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web");
  CHECK(g["creationTime"].GetInt64() == kStart);
  CHECK(g["storedBytes"].GetInt64() == 0);
  CHECK(g["metricFilterCount"].GetInt() == 0);
  CHECK(str(g["logGroupClass"]) == "STANDARD");
  CHECK(str(g["kmsKeyId"]) == "arn:aws:kms:us-east-1:000000000000:key/k");
  CHECK_FALSE(g.HasMember("retentionInDays"));
  CHECK_FALSE(d.body.HasMember("nextToken"));

  auto pattern = h.ok("DescribeLogGroups", R"({"logGroupNamePattern":"work"})");
  REQUIRE(pattern.body["logGroups"].Size() == 1);
  CHECK(str(pattern.body["logGroups"][0]["logGroupName"]) == "/ecs/worker");
  auto both = h.call("DescribeLogGroups", R"({"logGroupNamePrefix":"/a","logGroupNamePattern":"b"})");
  CHECK(both.message() == "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");

  auto page1 = h.ok("DescribeLogGroups", R"({"limit":2})");
  REQUIRE(page1.body["logGroups"].Size() == 2);
  std::string token = str(page1.body["nextToken"]);
  auto page2 = h.ok("DescribeLogGroups", R"({"limit":2,"nextToken":")" + token + "\"}");
  REQUIRE(page2.body["logGroups"].Size() == 1);
  CHECK(str(page2.body["logGroups"][0]["logGroupName"]) == "/other");
  // The token is the last name returned; an unknown name lists what follows it.
  CHECK(token == str(page1.body["logGroups"][1]["logGroupName"]));
  auto after = h.ok("DescribeLogGroups", R"({"nextToken":"/ecs/x"})");
  REQUIRE(after.body["logGroups"].Size() == 1);
  CHECK(str(after.body["logGroups"][0]["logGroupName"]) == "/other");

  h.ok("DeleteLogGroup", R"({"logGroupName":"/ecs/web"})");
  auto gone = h.call("DeleteLogGroup", R"({"logGroupName":"/ecs/web"})");
  CHECK(gone.code() == "ResourceNotFoundException");
  CHECK(gone.message() == "The specified log group does not exist.");
  // A re-created group starts without the old one's tags.
  h.ok("CreateLogGroup", R"({"logGroupName":"/ecs/web"})");
  CHECK(h.ok("ListTagsLogGroup", R"({"logGroupName":"/ecs/web"})").body["tags"].MemberCount() == 0);
}

TEST_CASE("log streams: create, describe with order and pages, delete") {
  LogsHarness h;
  auto missing = h.call("CreateLogStream", R"({"logGroupName":"/none","logStreamName":"s"})");
  CHECK(missing.message() == "The specified log group does not exist.");
  h.group_and_stream("/g", "b");
  h.ok("CreateLogStream", R"({"logGroupName":"/g","logStreamName":"a"})");
  h.ok("CreateLogStream", R"({"logGroupName":"/g","logStreamName":"c"})");
  CHECK(h.call("CreateLogStream", R"({"logGroupName":"/g","logStreamName":"a"})").message() ==
        "The specified log stream already exists");
  h.put("/g", "c", kStart - 5000, 1);
  h.put("/g", "a", kStart - 1000, 2);

  auto all = h.ok("DescribeLogStreams", R"({"logGroupName":"/g"})");
  REQUIRE(all.body["logStreams"].Size() == 3);
  auto& a = all.body["logStreams"][0];
  CHECK(str(a["logStreamName"]) == "a");
  CHECK(str(a["arn"]) == "arn:aws:logs:us-east-1:000000000000:log-group:/g:log-stream:a");
  CHECK(a["firstEventTimestamp"].GetInt64() == kStart - 1000);
  CHECK(a["lastEventTimestamp"].GetInt64() == kStart - 999);
  CHECK(a["lastIngestionTime"].GetInt64() == kStart);
  CHECK(a["storedBytes"].GetInt64() == 0);
  CHECK(a.HasMember("uploadSequenceToken"));
  CHECK_FALSE(all.body["logStreams"][1].HasMember("firstEventTimestamp"));

  auto by_time = h.ok("DescribeLogStreams", R"({"logGroupName":"/g","orderBy":"LastEventTime","descending":true,"limit":2})");
  REQUIRE(by_time.body["logStreams"].Size() == 2);
  CHECK(str(by_time.body["logStreams"][0]["logStreamName"]) == "a");
  CHECK(str(by_time.body["logStreams"][1]["logStreamName"]) == "c");
  std::string token = str(by_time.body["nextToken"]);
  auto rest = h.ok("DescribeLogStreams", R"({"logGroupName":"/g","orderBy":"LastEventTime","descending":true,"nextToken":")" + token + "\"}");
  REQUIRE(rest.body["logStreams"].Size() == 1);
  CHECK(str(rest.body["logStreams"][0]["logStreamName"]) == "b");
  CHECK_FALSE(rest.body.HasMember("nextToken"));

  CHECK(h.call("DescribeLogStreams", R"({"logGroupName":"/g","orderBy":"LastEventTime","logStreamNamePrefix":"a"})").message() ==
        "Cannot order by LastEventTime with a logStreamNamePrefix.");
  auto prefixed = h.ok("DescribeLogStreams", R"({"logGroupIdentifier":"arn:aws:logs:us-east-1:000000000000:log-group:/g","logStreamNamePrefix":"c"})");
  CHECK(prefixed.body["logStreams"].Size() == 1);
  auto both = h.call("DescribeLogStreams", R"({"logGroupName":"/g","logGroupIdentifier":"/g"})");
  CHECK(both.code() == "ValidationException");
  CHECK(both.message() == "LogGroup name and LogGroup ARN are mutually exclusive parameters.");

  h.ok("DeleteLogStream", R"({"logGroupName":"/g","logStreamName":"a"})");
  CHECK(h.call("DeleteLogStream", R"({"logGroupName":"/g","logStreamName":"a"})").message() ==
        "The specified log stream does not exist.");
  auto after = h.ok("DescribeLogGroups", "{}");
  CHECK(after.body["logGroups"][0]["storedBytes"].GetInt64() == 5);  // "msg 0" left in c
}

TEST_CASE("PutLogEvents: sequence tokens, rejected events, batch errors") {
  LogsHarness h;
  h.group_and_stream();
  auto first = h.ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"s","sequenceToken":"whatever",
      "logEvents":[{"timestamp":1700000000000,"message":"hello"}]})");
  std::string t1 = str(first.body["nextSequenceToken"]);
  CHECK_FALSE(first.body.HasMember("rejectedLogEventsInfo"));
  auto second = h.ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"s",
      "logEvents":[{"timestamp":1700000000001,"message":"again"}]})");
  CHECK(str(second.body["nextSequenceToken"]) != t1);

  auto old = h.ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"s",
      "logEvents":[{"timestamp":)" + std::to_string(kStart - 15 * kDay) + R"(,"message":"old"}]})");
  CHECK(old.body["rejectedLogEventsInfo"]["tooOldLogEventEndIndex"].GetInt() == 1);
  auto future = h.ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"s",
      "logEvents":[{"timestamp":)" + std::to_string(kStart) + R"(,"message":"now"},{"timestamp":)" +
      std::to_string(kStart + 3 * 3600000) + R"(,"message":"future"}]})");
  CHECK(future.body["rejectedLogEventsInfo"]["tooNewLogEventStartIndex"].GetInt() == 1);

  auto order = h.call("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"s",
      "logEvents":[{"timestamp":1700000000005,"message":"b"},{"timestamp":1700000000004,"message":"a"}]})");
  CHECK(order.code() == "InvalidParameterException");
  CHECK(order.message() == "Log events in a single PutLogEvents request must be in chronological order.");
  CHECK(h.call("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"nope","logEvents":[{"timestamp":1,"message":"x"}]})")
            .message() == "The specified log stream does not exist.");

  // hello, again, now: the rejected events were not stored.
  auto events = h.ok("GetLogEvents", R"({"logGroupName":"/g","logStreamName":"s","startFromHead":true})");
  CHECK(events.body["events"].Size() == 3);
}

TEST_CASE("GetLogEvents pages both ways and hands back the same token at either end") {
  LogsHarness h;
  h.group_and_stream();
  h.put("/g", "s", kStart - 100, 25);

  // Tail first: the last 10, ascending.
  auto tail = h.ok("GetLogEvents", R"({"logGroupName":"/g","logStreamName":"s","limit":10})");
  REQUIRE(tail.body["events"].Size() == 10);
  CHECK(str(tail.body["events"][0]["message"]) == "msg 15");
  CHECK(str(tail.body["events"][9]["message"]) == "msg 24");
  CHECK(tail.body["events"][0]["ingestionTime"].GetInt64() == kStart);

  // Forward from the tail: nothing new, the same token back.
  std::string fwd = str(tail.body["nextForwardToken"]);
  auto none = h.ok("GetLogEvents", R"({"logGroupName":"/g","logStreamName":"s","nextToken":")" + fwd + "\"}");
  CHECK(none.body["events"].Size() == 0);
  CHECK(str(none.body["nextForwardToken"]) == fwd);

  // Backward: 5-14, then 0-4, then nothing and the same backward token.
  std::string back = str(tail.body["nextBackwardToken"]);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto r = h.ok("GetLogEvents", R"({"logGroupName":"/g","logStreamName":"s","limit":10,"nextToken":")" + back + "\"}");
    std::string next = str(r.body["nextBackwardToken"]);
    if (r.body["events"].Size() == 0) {
      CHECK(next == back);
      break;
    }
    CHECK(str(r.body["events"][r.body["events"].Size() - 1]["message"]) ==
          "msg " + std::to_string(14 - 10 * page));
    seen.push_back(str(r.body["events"][0]["message"]));
    back = next;
  }
  CHECK(seen == std::vector<std::string>{"msg 5", "msg 0"});

  // New events appear on the forward token.
  h.put("/g", "s", kStart, 2, "new");
  auto more = h.ok("GetLogEvents", R"({"logGroupName":"/g","logStreamName":"s","nextToken":")" + fwd + "\"}");
  REQUIRE(more.body["events"].Size() == 2);
  CHECK(str(more.body["events"][0]["message"]) == "new 0");

  // From the head, forward pages until the token repeats.
  std::string token;
  int total = 0;
  for (int i = 0; i < 10; ++i) {
    std::string body = R"({"logGroupIdentifier":"/g","logStreamName":"s","startFromHead":true,"limit":7)";
    if (!token.empty()) body += R"(,"nextToken":")" + token + "\"";
    auto r = h.ok("GetLogEvents", body + "}");
    total += static_cast<int>(r.body["events"].Size());
    std::string next = str(r.body["nextForwardToken"]);
    if (next == token) break;
    token = next;
  }
  CHECK(total == 27);

  auto window = h.ok("GetLogEvents", R"({"logGroupName":"/g","logStreamName":"s","startTime":1699999999910,"endTime":1699999999912,"startFromHead":true})");
  REQUIRE(window.body["events"].Size() == 2);  // endTime is exclusive
  CHECK(str(window.body["events"][0]["message"]) == "msg 10");
  CHECK(h.call("GetLogEvents", R"({"logGroupName":"/g","logStreamName":"s","nextToken":"invalid-token"})").message() ==
        "The specified nextToken is invalid.");
  CHECK(h.call("GetLogEvents", R"({"logGroupName":"/nope","logStreamName":"s"})").message() ==
        "The specified log group does not exist.");
}

TEST_CASE("FilterLogEvents: patterns, streams, time range, pages") {
  LogsHarness h;
  h.group_and_stream("/g", "web-1");
  h.ok("CreateLogStream", R"({"logGroupName":"/g","logStreamName":"web-2"})");
  h.ok("CreateLogStream", R"({"logGroupName":"/g","logStreamName":"db"})");
  h.ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"web-1","logEvents":[
      {"timestamp":1700000000000,"message":"GET / 200"},{"timestamp":1700000000002,"message":"GET /health 200"},
      {"timestamp":1700000000004,"message":"{\"level\":\"error\",\"latency\":150}"}]})");
  h.ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"web-2","logEvents":[
      {"timestamp":1700000000001,"message":"GET / 500"},{"timestamp":1700000000003,"message":"10.0.0.1 bob GET /x 503 2048"}]})");
  h.ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"db","logEvents":[{"timestamp":1700000000001,"message":"ERROR deadlock"}]})");

  auto all = h.ok("FilterLogEvents", R"({"logGroupName":"/g"})");
  REQUIRE(all.body["events"].Size() == 6);
  CHECK(str(all.body["events"][0]["logStreamName"]) == "web-1");  // interleaved by time
  CHECK(all.body["events"][1]["timestamp"].GetInt64() == 1700000000001);
  CHECK(str(all.body["events"][0]["eventId"]).size() == 56);
  CHECK(all.body["searchedLogStreams"].Size() == 0);

  auto get = h.ok("FilterLogEvents", R"({"logGroupName":"/g","filterPattern":"\"GET /\" -health"})");
  CHECK(get.body["events"].Size() == 3);
  auto json = h.ok("FilterLogEvents", R"({"logGroupName":"/g","filterPattern":"{ $.level = \"error\" && $.latency > 100 }"})");
  REQUIRE(json.body["events"].Size() == 1);
  auto delimited = h.ok("FilterLogEvents", R"({"logGroupName":"/g","filterPattern":"[ip, user, ..., status = 5*, size > 1000]"})");
  REQUIRE(delimited.body["events"].Size() == 1);
  CHECK(str(delimited.body["events"][0]["logStreamName"]) == "web-2");

  auto named = h.ok("FilterLogEvents", R"({"logGroupName":"/g","logStreamNames":["db","ghost"]})");
  CHECK(named.body["events"].Size() == 1);
  auto prefixed = h.ok("FilterLogEvents", R"({"logGroupName":"/g","logStreamNamePrefix":"web-"})");
  CHECK(prefixed.body["events"].Size() == 5);
  auto none = h.ok("FilterLogEvents", R"({"logGroupName":"/g","logStreamNamePrefix":"zzz"})");
  CHECK(none.body["events"].Size() == 0);
  auto timed = h.ok("FilterLogEvents", R"({"logGroupName":"/g","startTime":1700000000002,"endTime":1700000000003})");
  CHECK(timed.body["events"].Size() == 2);
  CHECK(h.call("FilterLogEvents", R"({"logGroupName":"/g","logStreamNames":["a"],"logStreamNamePrefix":"a"})").code() ==
        "InvalidParameterException");
  CHECK(h.call("FilterLogEvents", R"({"logGroupName":"/g","filterPattern":"{ $.a = "})").code() == "InvalidParameterException");

  // Pages of 4: the token continues where the page stopped; the last page has no token.
  auto p1 = h.ok("FilterLogEvents", R"({"logGroupName":"/g","limit":4})");
  REQUIRE(p1.body["events"].Size() == 4);
  std::string token = str(p1.body["nextToken"]);
  auto p2 = h.ok("FilterLogEvents", R"({"logGroupName":"/g","limit":4,"nextToken":")" + token + "\"}");
  CHECK(p2.body["events"].Size() == 2);
  CHECK_FALSE(p2.body.HasMember("nextToken"));
  CHECK(h.call("FilterLogEvents", R"({"logGroupName":"/g","nextToken":"bogus"})").message() ==
        "The specified nextToken is invalid.");
}

TEST_CASE("retention: expired events disappear from reads at once and from storage on write or sweep") {
  LogsHarness h;
  h.group_and_stream();
  h.put("/g", "s", kStart - 10 * kDay, 3, "ten days");  // 10 bytes each
  h.put("/g", "s", kStart - 2 * kDay, 2, "two days");   // 10 bytes each
  CHECK(h.ok("DescribeLogGroups", "{}").body["logGroups"][0]["storedBytes"].GetInt64() == 50);

  auto bad = h.call("PutRetentionPolicy", R"({"logGroupName":"/g","retentionInDays":2})");
  CHECK(bad.code() == "InvalidParameterException");
  CHECK(bad.message().find("Member must satisfy enum value set: [1, 3, 5, 7, 14") != std::string::npos);

  h.ok("PutRetentionPolicy", R"({"logGroupName":"/g","retentionInDays":7})");
  auto g = h.ok("DescribeLogGroups", "{}");
  CHECK(g.body["logGroups"][0]["retentionInDays"].GetInt() == 7);
  CHECK(g.body["logGroups"][0]["storedBytes"].GetInt64() == 20);
  CHECK(h.ok("GetLogEvents", R"({"logGroupName":"/g","logStreamName":"s"})").body["events"].Size() == 2);

  // Time passes: the two-day-old events expire for reads before any sweep deletes them.
  h.clock.advance(6 * kDay);
  CHECK(h.ok("FilterLogEvents", R"({"logGroupName":"/g"})").body["events"].Size() == 0);
  CHECK(h.ok("DescribeLogGroups", "{}").body["logGroups"][0]["storedBytes"].GetInt64() == 0);
  h.db->write([&](state::Connection& c) {
    CHECK(state::expire_log_events(c, h.clock.now_millis()) == 2);
    return true;
  });
  auto late = h.ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"s","logEvents":[{"timestamp":)" +
                                       std::to_string(kStart - 2 * kDay) + R"(,"message":"eight days"}]})");
  CHECK(late.body["rejectedLogEventsInfo"]["expiredLogEventEndIndex"].GetInt() == 1);

  h.ok("DeleteRetentionPolicy", R"({"logGroupName":"/g"})");
  CHECK_FALSE(h.ok("DescribeLogGroups", "{}").body["logGroups"][0].HasMember("retentionInDays"));
}

TEST_CASE("tags by ARN and by group name share one list") {
  LogsHarness h;
  h.ok("CreateLogGroup", R"({"logGroupName":"/t","tags":{"env":"testing1"}})");
  const std::string arn = "arn:aws:logs:us-east-1:000000000000:log-group:/t";
  h.ok("TagResource", R"({"resourceArn":")" + arn + R"(","tags":{"test1":"val1","test2":"val2"}})");
  h.ok("TagLogGroup", R"({"logGroupName":"/t","tags":{"test3":"val3"}})");
  auto listed = h.ok("ListTagsForResource", R"({"resourceArn":")" + arn + "\"}");
  CHECK(listed.body["tags"].MemberCount() == 4);
  h.ok("UntagResource", R"({"resourceArn":")" + arn + R"(","tagKeys":["env","test1"]})");
  h.ok("UntagLogGroup", R"({"logGroupName":"/t","tags":["test3"]})");
  auto left = h.ok("ListTagsLogGroup", R"({"logGroupName":"/t"})");
  REQUIRE(left.body["tags"].MemberCount() == 1);
  CHECK(str(left.body["tags"]["test2"]) == "val2");
  CHECK(h.call("ListTagsForResource", R"({"resourceArn":"arn:aws:logs:us-east-1:000000000000:log-group:/nope"})").code() ==
        "ResourceNotFoundException");
  CHECK(h.call("ListTagsLogGroup", R"({"logGroupName":"/nope"})").code() == "ResourceNotFoundException");
}
