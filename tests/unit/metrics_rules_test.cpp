// The pure CloudWatch rules: statistics and percentiles, period rules, metric math, alarm rules.
#include <doctest/doctest.h>

#include <cmath>

#include "metrics/alarm_rules.h"
#include "metrics/metric_math.h"
#include "metrics/periods.h"
#include "metrics/statistics.h"

using namespace berth::metrics;

TEST_CASE("statistics merge values and statistic sets") {
  Aggregate a;
  for (double v : {1.0, 2.0, 3.0, 4.0}) a.add(Sample::of(v));
  a.add({10, 100, 5, 20, std::nullopt});  // a statistic set of 10 observations
  CHECK(*compute(a, "SampleCount") == 14);
  CHECK(*compute(a, "Sum") == 110);
  CHECK(*compute(a, "Average") == doctest::Approx(110.0 / 14));
  CHECK(*compute(a, "Minimum") == 1);
  CHECK(*compute(a, "Maximum") == 20);
  CHECK_FALSE(compute(Aggregate{}, "Sum"));
}

TEST_CASE("percentiles by nearest rank, with repeat counts") {
  Aggregate a;
  for (int i = 1; i <= 100; ++i) a.add(Sample::of(i));
  CHECK(*compute(a, "p50") == 50);
  CHECK(*compute(a, "p90") == 90);
  CHECK(*compute(a, "p99") == 99);
  CHECK(*compute(a, "p99.9") == 100);
  CHECK(*compute(a, "p0") == 1);
  Aggregate w;
  w.add(Sample::of(1, 9));  // Values [1, 50] Counts [9, 1]
  w.add(Sample::of(50, 1));
  CHECK(*compute(w, "p90") == 1);
  CHECK(*compute(w, "p91") == 50);
  CHECK(percentile_of("p99.99") == doctest::Approx(99.99));
  CHECK_FALSE(percentile_of("p101"));
  CHECK_FALSE(percentile_of("p99.999"));
  CHECK_FALSE(percentile_of("tm99"));
  CHECK_FALSE(percentile_of("p"));
  Aggregate sets;
  sets.add({3, 30, 5, 15, std::nullopt});
  CHECK_FALSE(compute(sets, "p50"));  // no single values to rank
}

TEST_CASE("period rules follow the data's age") {
  const std::int64_t now = 1'800'000'000'000;
  CHECK(valid_period(1));
  CHECK(valid_period(30));
  CHECK(valid_period(120));
  CHECK_FALSE(valid_period(90));
  CHECK_FALSE(valid_period(0));
  CHECK_FALSE(period_error(10, now - 3'600'000, now));
  CHECK(period_error(10, now - 5 * 3'600'000, now));  // sub-minute data is gone after 3 hours
  CHECK_FALSE(period_error(60, now - 10 * kDay, now));
  CHECK(*period_error(60, now - 20 * kDay, now) == "The parameter Period must be a multiple of 300 for data older than 15 days.");
  CHECK_FALSE(period_error(300, now - 20 * kDay, now));
  CHECK(period_error(300, now - 100 * kDay, now));
  CHECK(aligned_start(now - 10 * kDay + 12'345, 60, now) % 60'000 == 0);
  CHECK(*datapoint_limit_error(0, 2 * kDay, 60, 1) ==
        "You have requested up to 2,880 datapoints, which exceeds the limit of 1,440. You may reduce the datapoints "
        "requested by increasing Period, or decreasing the time range.");
  CHECK_FALSE(datapoint_limit_error(0, kDay, 60, 1));
  CHECK(datapoint_limit_error(0, kDay, 60, 2));
}

namespace {
MathScope scope_of() {
  MathScope s;
  s.times = {0, 60'000, 120'000};
  Series a{"a", "ALabel", {1.0, 2.0, std::nullopt}};
  Series b{"b", "BLabel", {10.0, std::nullopt, 30.0}};
  s.metrics = {a, b};
  s.by_id["a"] = {a};
  s.by_id["b"] = {b};
  return s;
}
std::vector<Series> run(std::string_view e) {
  auto r = evaluate_math(e, scope_of());
  REQUIRE_MESSAGE(std::holds_alternative<std::vector<Series>>(r), std::get<std::string>(r));
  return std::get<std::vector<Series>>(r);
}
}  // namespace

TEST_CASE("metric math: arithmetic, functions, errors") {
  auto sum = run("a + b");
  REQUIRE(sum.size() == 1);
  CHECK(sum[0].values[0] == 11.0);
  CHECK_FALSE(sum[0].values[1]);
  CHECK(run("a * 2 + 1")[0].values[1] == 5.0);
  CHECK(run("(a + 1) / 2")[0].values[0] == 1.0);
  CHECK(run("-a")[0].values[0] == -1.0);
  CHECK(run("SUM(METRICS())")[0].values[0] == 11.0);
  CHECK(run("SUM(METRICS())")[0].values[1] == 2.0);
  CHECK(run("AVG([a, b])")[0].values[2] == 30.0);
  CHECK(run("MAX(METRICS('BL'))")[0].values[0] == 10.0);
  CHECK(run("SUM(a)")[0].values[2] == 3.0);  // one series: a number over the whole range
  CHECK(run("MIN(b)")[0].values[0] == 10.0);
  CHECK(run("FILL(a, 0)")[0].values[2] == 0.0);
  CHECK(run("FILL(b, REPEAT)")[0].values[1] == 10.0);
  auto rate = run("RATE(a)")[0];
  CHECK_FALSE(rate.values[0]);
  CHECK(*rate.values[1] == doctest::Approx(1.0 / 60));
  CHECK(run("METRICS()").size() == 2);
  CHECK(run("METRICS() * 2")[1].values[2] == 60.0);
  CHECK_FALSE(run("a / 0")[0].values[0]);
  CHECK(std::get<std::string>(evaluate_math("SEARCH('{AWS/EC2} CPU', 'Average', 300)", scope_of())).find("not supported") !=
        std::string::npos);
  CHECK(std::holds_alternative<std::string>(evaluate_math("a +", scope_of())));
  CHECK(std::holds_alternative<std::string>(evaluate_math("zz", scope_of())));
  CHECK(std::holds_alternative<std::string>(evaluate_math("ANOMALY_DETECTION_BAND(a)", scope_of())));
  CHECK(referenced_ids("SUM([a, b]) + FILL(c, REPEAT) * METRICS('x')") == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("alarm rules: M out of N and missing data") {
  AlarmRule r{"GreaterThanThreshold", 50, 3, 2, "missing"};
  using S = AlarmState;
  CHECK(evaluate(r, {60.0, 10.0, 70.0}, S::Ok) == S::Alarm);
  CHECK(evaluate(r, {60.0, 10.0, 20.0}, S::Alarm) == S::Ok);
  CHECK(evaluate(r, {50.0, 50.0, 50.0}, S::Ok) == S::Ok);  // equal is not greater
  CHECK(evaluate(r, {std::nullopt, std::nullopt, std::nullopt}, S::Ok) == S::InsufficientData);
  CHECK(evaluate(r, {std::nullopt, 60.0, 70.0}, S::Ok) == S::Alarm);
  CHECK(evaluate(r, {std::nullopt, std::nullopt, 70.0}, S::Ok) == S::Ok);
  r.treat_missing = "ignore";
  CHECK(evaluate(r, {std::nullopt, std::nullopt, std::nullopt}, S::Alarm) == S::Alarm);
  r.treat_missing = "breaching";
  CHECK(evaluate(r, {std::nullopt, std::nullopt, 10.0}, S::Ok) == S::Alarm);
  CHECK(evaluate(r, {std::nullopt, std::nullopt, std::nullopt}, S::Ok) == S::Alarm);
  r.treat_missing = "notBreaching";
  CHECK(evaluate(r, {std::nullopt, 60.0, std::nullopt}, S::Alarm) == S::Ok);
  CHECK(evaluate(r, {std::nullopt, std::nullopt, std::nullopt}, S::InsufficientData) == S::Ok);
  AlarmRule low{"LessThanOrEqualToThreshold", 5, 1, 1, "missing"};
  CHECK(evaluate(low, {5.0}, S::Ok) == S::Alarm);
  CHECK(state_reason(low, {5.0}, S::Ok, S::Alarm) ==
        "Threshold Crossed: 1 out of the last 1 datapoints [5] were less than or equal to the threshold (5.0) "
        "(minimum 1 datapoint for OK -> ALARM transition).");
}

TEST_CASE("alarm evaluation range: the most recent N real datapoints, else the last N periods") {
  using V = std::vector<std::optional<double>>;
  const auto none = std::nullopt;
  // Gaps in the range are skipped when it holds N real datapoints.
  CHECK(evaluation_window(V{1.0, 2.0, none, 3.0, none, 4.0}, 3) == V{2.0, 3.0, 4.0});
  CHECK(evaluation_window(V{1.0, 2.0, 3.0, 4.0}, 2) == V{3.0, 4.0});
  // Fewer than N real ones: the last N periods, gaps kept for TreatMissingData.
  CHECK(evaluation_window(V{none, none, 5.0, none}, 3) == V{none, 5.0, none});
  CHECK(evaluation_window(V{none, 1.0}, 3) == V{none, 1.0});
  // So a 3-of-3 alarm with one late datapoint still fires on three breaching minutes.
  AlarmRule r{"GreaterThanThreshold", 50, 3, 3, "missing"};
  CHECK(evaluate(r, evaluation_window(V{60.0, 70.0, none, 80.0, none}, 3), AlarmState::Ok) == AlarmState::Alarm);
}

#include "metrics/ecs_metrics.h"

TEST_CASE("AWS/ECS maths on recorded Docker stats documents (cgroup v1 and v2)") {
  // Trimmed from `docker stats` on this machine (cgroup v1: memory_stats.stats.cache).
  const char* v1_a = R"({"read":"2026-11-30T01:00:00Z","cpu_stats":{"cpu_usage":{"total_usage":1000000000},"online_cpus":2},
    "memory_stats":{"usage":104857600,"stats":{"cache":52428800}},
    "networks":{"eth0":{"rx_bytes":1000,"tx_bytes":500}},
    "blkio_stats":{"io_service_bytes_recursive":[{"major":8,"minor":0,"op":"Read","value":4096},{"major":8,"minor":0,"op":"Write","value":8192}]}})";
  const char* v1_b = R"({"cpu_stats":{"cpu_usage":{"total_usage":1500000000},"online_cpus":2},
    "memory_stats":{"usage":115343360,"stats":{"cache":52428800}}})";
  auto a = parse_docker_stats(v1_a, 10'000);
  auto b = parse_docker_stats(v1_b, 11'000);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->memory_mib == doctest::Approx(50.0));  // 100 MiB used, 50 of it cache
  CHECK(b->memory_mib == doctest::Approx(60.0));
  CHECK(a->rx_bytes == 1000);
  CHECK(a->write_bytes == 8192);
  // Half a CPU-second in one second: 0.5 vCPU = 512 units.
  CHECK(cpu_units_used(*a, *b) == doctest::Approx(512.0));
  CHECK(*utilization(512, 256) == doctest::Approx(200.0));  // a 256-unit task using half a vCPU
  CHECK_FALSE(utilization(1, 0));
  // cgroup v2: inactive_file is the cache.
  auto v2 = parse_docker_stats(R"({"cpu_stats":{"cpu_usage":{"total_usage":5}},"memory_stats":{"usage":20971520,
    "stats":{"inactive_file":10485760,"file":15728640}}})", 0);
  REQUIRE(v2);
  CHECK(v2->memory_mib == doctest::Approx(10.0));
  CHECK_FALSE(parse_docker_stats(R"({"cpu_stats":{},"memory_stats":{}})", 0));  // a stopped container
  CHECK(cpu_units_used(*b, *a) == 0);  // time going backwards
}
