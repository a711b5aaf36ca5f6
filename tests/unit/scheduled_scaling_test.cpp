// Scheduled actions: schedule parsing and next times (at, rate, cron; time zones, StartTime and
// EndTime), the API, and the runner applying min/max and the desired count under a manual clock.
#include <doctest/doctest.h>

#include <map>

#include "dispatch_harness.h"
#include "scaling/schedule.h"
#include "scaling/scheduled_scaling.h"
#include "scaling/time_zone.h"

using berth::test::DispatchHarness;
namespace json = berth::json;
using namespace berth;
using namespace berth::scaling;

namespace {
// Epoch milliseconds of a UTC wall time.
std::int64_t utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000;
}
std::optional<std::int64_t> next(std::string_view schedule, std::int64_t after, const TimeZone& tz = TimeZone::utc(),
                                 ScheduleWindow w = {}) {
  auto s = parse_schedule(schedule);
  REQUIRE(s);
  return next_fire(*s, tz, w, after);
}
}  // namespace

TEST_CASE("schedules: what parses") {
  for (const char* ok : {"at(2026-12-01T08:00:00)", "rate(1 minute)", "rate(5 minutes)", "rate(2 hours)", "rate(1 day)",
                         "cron(0 8 * * ? *)", "cron(0/15 9-17 ? * MON-FRI *)", "cron(30 6 L * ? 2027)",
                         "cron(0 12 ? * 2#1 *)", "cron(0 0 15W * ? *)", "cron(0 0 ? JAN,JUL 6L *)", "cron(5,35 * * * ? *)"})
    CHECK_MESSAGE(parse_schedule(ok), ok);
  for (const char* bad : {"", "at(2026-02-30T08:00:00)", "at(2026-12-01 08:00:00)", "rate(1 minutes)", "rate(5 minute)",
                          "rate(0 minutes)", "rate(5 seconds)", "cron(0 8 * * ?)", "cron(0 8 1 * MON *)",
                          "cron(60 8 * * ? *)", "cron(0 24 * * ? *)", "cron(0 8 * 13 ? *)", "cron(0 8 ? * 8 *)",
                          "cron(0 8 * * ? 1969)", "0 8 * * ? *", "every(5 minutes)", "cron(0 8 ? * 2#6 *)"})
    CHECK_FALSE_MESSAGE(parse_schedule(bad), bad);
}

TEST_CASE("schedules: next times in UTC") {
  const auto t0 = utc(2026, 11, 30, 3, 10, 20);  // a Monday
  CHECK(next("at(2026-11-30T03:10:25)", t0) == utc(2026, 11, 30, 3, 10, 25));
  CHECK_FALSE(next("at(2026-11-30T03:10:00)", t0));  // past: never
  CHECK(next("cron(0 8 * * ? *)", t0) == utc(2026, 11, 30, 8));
  CHECK(next("cron(0 8 * * ? *)", utc(2026, 11, 30, 8)) == utc(2026, 12, 1, 8));  // strictly after
  CHECK(next("cron(0/15 * * * ? *)", t0) == utc(2026, 11, 30, 3, 15));
  CHECK(next("cron(0 9 ? * SAT *)", t0) == utc(2026, 12, 5, 9));
  CHECK(next("cron(0 9 ? * 2-6 *)", utc(2026, 12, 5, 10)) == utc(2026, 12, 7, 9));  // Saturday -> Monday
  CHECK(next("cron(30 6 L * ? *)", t0) == utc(2026, 11, 30, 6, 30));
  CHECK(next("cron(30 6 L * ? *)", utc(2027, 2, 1)) == utc(2027, 2, 28, 6, 30));
  CHECK(next("cron(0 12 ? * 2#1 *)", t0) == utc(2026, 12, 7, 12));  // first Monday of December
  CHECK(next("cron(0 12 ? * 6L *)", t0) == utc(2026, 12, 25, 12));  // last Friday
  CHECK(next("cron(0 0 1W * ? *)", utc(2027, 4, 15)) == utc(2027, 5, 3));  // 1 May 2027 is a Saturday
  CHECK(next("cron(0 0 29 2 ? *)", t0) == utc(2028, 2, 29));
  CHECK(next("cron(0 0 1 1 ? 2027)", t0) == utc(2027, 1, 1));
  CHECK_FALSE(next("cron(0 0 1 1 ? 2025)", t0));
  // rate(): from the creation (or StartTime) on.
  CHECK(next("rate(5 minutes)", t0, TimeZone::utc(), {t0 - 60'000, {}, {}}) == t0 + 4 * 60'000);
  CHECK(next("rate(1 hour)", t0, TimeZone::utc(), {t0, t0 + 3'600'000, {}}) == t0 + 7'200'000);
  // StartTime and EndTime bound every form.
  CHECK(next("cron(0 8 * * ? *)", t0, TimeZone::utc(), {0, utc(2026, 12, 3), {}}) == utc(2026, 12, 3, 8));
  CHECK_FALSE(next("cron(0 8 * * ? *)", t0, TimeZone::utc(), {0, {}, utc(2026, 11, 30, 7)}));
}

TEST_CASE("schedules: time zones from the system's zone files") {
  auto ny = TimeZone::load("America/New_York");
  REQUIRE(ny);
  CHECK(ny->offset_at(utc(2026, 7, 1) / 1000) == -4 * 3600);
  CHECK(ny->offset_at(utc(2026, 12, 1) / 1000) == -5 * 3600);
  // 08:00 in New York is 13:00 UTC in winter, 12:00 in summer.
  CHECK(next("cron(0 8 * * ? *)", utc(2026, 12, 1), *ny) == utc(2026, 12, 1, 13));
  CHECK(next("cron(0 8 * * ? *)", utc(2026, 7, 1), *ny) == utc(2026, 7, 1, 12));
  CHECK(next("at(2026-12-01T08:00:00)", utc(2026, 11, 1), *ny) == utc(2026, 12, 1, 13));
  // Across the spring-forward night (8 March 2026) the daily 09:00 keeps its wall time.
  CHECK(next("cron(0 9 * * ? *)", utc(2026, 3, 7, 15), *ny) == utc(2026, 3, 8, 13));
  CHECK(TimeZone::load("Europe/Berlin")->offset_at(utc(2026, 7, 1) / 1000) == 2 * 3600);
  CHECK(TimeZone::load("UTC"));
  CHECK_FALSE(TimeZone::load("Mars/Olympus"));
  CHECK_FALSE(TimeZone::load("../../etc/passwd"));
  CHECK_FALSE(TimeZone::load("/etc/localtime"));
}

namespace {
constexpr std::int64_t kStart = 1'800'000'000'000;
const char* kTarget = R"("ServiceNamespace":"ecs","ResourceId":"service/demo/web","ScalableDimension":"ecs:service:DesiredCount")";

struct FakeServices {
  std::map<std::string, std::int64_t> desired;
  std::vector<std::string> woken;
  ServiceCapacity capacity() {
    return {[this](state::Connection&, const state::Scope&, const std::string& id) -> std::optional<ServiceCapacity::Now> {
              if (!desired.count(id)) return std::nullopt;
              return ServiceCapacity::Now{desired[id], false};
            },
            [this](state::Connection&, const state::Scope&, const std::string& id, std::int64_t n) { desired[id] = n; },
            [this](const state::Scope&, const std::string& id) { woken.push_back(id); }};
  }
};

std::string iso_at(std::int64_t ms) {
  int y, m, d;
  civil_from_days(ms / 86'400'000, y, m, d);
  std::int64_t s = (ms / 1000) % 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, static_cast<int>(s / 3600),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return buf;
}
}  // namespace

TEST_CASE("scheduled actions: API, validation and the runner") {
  DispatchHarness as("application-autoscaling", {}, kStart);
  auto put = [&](const std::string& rest) {
    return as.call("PutScheduledAction", std::string("{") + kTarget + "," + rest + "}");
  };
  auto none = put(R"j("ScheduledActionName":"up","Schedule":"rate(1 minute)","ScalableTargetAction":{"MinCapacity":3})j");
  CHECK(none.code() == "ObjectNotFoundException");
  as.ok("RegisterScalableTarget", std::string("{") + kTarget + R"j(,"MinCapacity":1,"MaxCapacity":4})j");
  CHECK(put(R"j("ScheduledActionName":"up","Schedule":"rate(1 minutes)","ScalableTargetAction":{"MinCapacity":3})j").message() ==
        "Invalid schedule expression: rate(1 minutes)");
  CHECK(put(R"j("ScheduledActionName":"up","ScalableTargetAction":{"MinCapacity":3})j").code() == "ValidationException");
  CHECK(put(R"j("ScheduledActionName":"up","Schedule":"rate(1 minute)","Timezone":"Nowhere/Town","ScalableTargetAction":{"MinCapacity":3})j")
            .code() == "ValidationException");
  CHECK(put(R"j("ScheduledActionName":"up","Schedule":"rate(1 minute)","ScalableTargetAction":{"MinCapacity":5,"MaxCapacity":2})j")
            .message() == "Minimum capacity cannot be greater than maximum capacity");
  CHECK(put(R"j("ScheduledActionName":"up","Schedule":"rate(1 minute)","StartTime":1800000100,"EndTime":1800000000,"ScalableTargetAction":{"MinCapacity":3})j")
            .code() == "ValidationException");
  CHECK(as.ok("DescribeScheduledActions", R"j({"ServiceNamespace":"ecs"})j").body["ScheduledActions"].Size() == 0);

  // A one-time action 5 s from now raising the minimum, and a recurring one lowering the maximum.
  REQUIRE(put(R"j("ScheduledActionName":"up","Schedule":"at()j" + iso_at(kStart + 5'000) +
              R"j()","ScalableTargetAction":{"MinCapacity":3,"MaxCapacity":6})j").status == 200);
  REQUIRE(put(R"j("ScheduledActionName":"night","Schedule":"rate(1 hour)","StartTime":1800000000,"ScalableTargetAction":{"MaxCapacity":2})j")
              .status == 200);
  auto listed = as.ok("DescribeScheduledActions", R"j({"ServiceNamespace":"ecs","ScheduledActionNames":["up"]})j");
  REQUIRE(listed.body["ScheduledActions"].Size() == 1);
  const auto& up = listed.body["ScheduledActions"][0];
  CHECK(std::string(json::view(up["ScheduledActionARN"])).starts_with("arn:aws:autoscaling:us-east-1:000000000000:scheduledAction:"));
  CHECK(std::string(json::view(up["ScheduledActionARN"])).ends_with(":resource/ecs/service/demo/web:scheduledActionName/up"));
  CHECK(up["ScalableTargetAction"]["MinCapacity"].GetInt() == 3);
  CHECK(up["CreationTime"].GetDouble() == kStart / 1000.0);

  FakeServices svc;
  svc.desired["service/demo/web"] = 1;
  ScheduledScaling runner(*as.db, as.clock, svc.capacity());
  CHECK(runner.run_due() == 0);
  as.clock.advance(5'000);
  CHECK(runner.run_due() == 1);
  CHECK(svc.desired["service/demo/web"] == 3);
  CHECK(svc.woken == std::vector<std::string>{"service/demo/web"});
  auto targets = as.ok("DescribeScalableTargets", R"j({"ServiceNamespace":"ecs"})j");
  CHECK(targets.body["ScalableTargets"][0]["MinCapacity"].GetInt() == 3);
  CHECK(targets.body["ScalableTargets"][0]["MaxCapacity"].GetInt() == 6);
  auto acts = as.ok("DescribeScalingActivities", R"j({"ServiceNamespace":"ecs"})j");
  REQUIRE(acts.body["ScalingActivities"].Size() == 2);
  CHECK(json::view(acts.body["ScalingActivities"][0]["Description"]) == "Setting desired count to 3.");
  CHECK(json::view(acts.body["ScalingActivities"][0]["Cause"]) == "minimum capacity was set to 3");
  CHECK(json::view(acts.body["ScalingActivities"][1]["Description"]) == "Setting min capacity to 3 and max capacity to 6");
  CHECK(json::view(acts.body["ScalingActivities"][1]["Cause"]) == "scheduled action name up was triggered");
  CHECK(json::view(acts.body["ScalingActivities"][1]["StatusMessage"]) == "Successfully set min capacity to 3 and max capacity to 6");
  as.clock.advance(60'000);
  CHECK(runner.run_due() == 0);  // at() runs once

  // The hourly one: max 2 is below the new min 3, so it fails and changes nothing.
  as.clock.advance(3'600'000);
  CHECK(runner.run_due() == 1);
  acts = as.ok("DescribeScalingActivities", R"j({"ServiceNamespace":"ecs"})j");
  CHECK(json::view(acts.body["ScalingActivities"][0]["StatusCode"]) == "Failed");
  CHECK(svc.desired["service/demo/web"] == 3);
  // Updated to also lower the minimum, it scales in at the next hour.
  REQUIRE(put(R"j("ScheduledActionName":"night","ScalableTargetAction":{"MinCapacity":1,"MaxCapacity":2})j").status == 200);
  CHECK(as.ok("DescribeScheduledActions", R"j({"ServiceNamespace":"ecs","ScheduledActionNames":["night"]})j")
            .body["ScheduledActions"][0]["Schedule"] == "rate(1 hour)");
  as.clock.advance(3'600'000);
  CHECK(runner.run_due() == 1);
  CHECK(svc.desired["service/demo/web"] == 2);
  acts = as.ok("DescribeScalingActivities", R"j({"ServiceNamespace":"ecs"})j");
  CHECK(json::view(acts.body["ScalingActivities"][0]["Cause"]) == "maximum capacity was set to 2");

  // ScheduledScalingSuspended: the action's time passes without a change.
  as.ok("RegisterScalableTarget", std::string("{") + kTarget + R"j(,"SuspendedState":{"ScheduledScalingSuspended":true}})j");
  REQUIRE(put(R"j("ScheduledActionName":"night","ScalableTargetAction":{"MinCapacity":4,"MaxCapacity":4})j").status == 200);
  as.clock.advance(3'600'000);
  CHECK(runner.run_due() == 0);
  CHECK(svc.desired["service/demo/web"] == 2);

  REQUIRE(as.call("DeleteScheduledAction", std::string("{") + kTarget + R"j(,"ScheduledActionName":"night"})j").status == 200);
  auto gone = as.call("DeleteScheduledAction", std::string("{") + kTarget + R"j(,"ScheduledActionName":"night"})j");
  CHECK(gone.code() == "ObjectNotFoundException");
  CHECK(gone.message() == "No scheduled action found for service namespace: ecs, resource ID: service/demo/web, "
                          "scalable dimension: ecs:service:DesiredCount, scheduled action name: night");
  // Deregistering the target takes its scheduled actions along.
  as.ok("DeregisterScalableTarget", std::string("{") + kTarget + "}");
  CHECK(as.ok("DescribeScheduledActions", R"j({"ServiceNamespace":"ecs"})j").body["ScheduledActions"].Size() == 0);
}
