#pragma once
// A target's health as ELBv2 reports it, advanced by one health-check result at a time. Pure:
// the checker feeds results; the caller writes a transition only when the view changes.
//
//   registered -> initial (Elb.RegistrationInProgress)
//   first check starts -> initial (Elb.InitialHealthChecking)
//   initial: one success -> healthy; UnhealthyThreshold failures in a row -> unhealthy
//   healthy: UnhealthyThreshold failures in a row -> unhealthy (reason of the last failure)
//   unhealthy: HealthyThreshold successes in a row -> healthy
#include <optional>
#include <string>

namespace berth::elb {

struct HealthView {
  std::string state;  // initial | healthy | unhealthy
  std::optional<std::string> reason, description;
  bool operator==(const HealthView&) const = default;
};

struct CheckResult {
  enum class Kind { Success, CodeMismatch, Timeout, Failed } kind = Kind::Success;
  int status = 0;  // the HTTP status for CodeMismatch
};

struct HealthCounters {
  int successes = 0;  // consecutive
  int failures = 0;
};

HealthView initial_checking();  // what a target shows once its first check has started
// The view after one more result; counters carry the runs between calls.
HealthView advance(const HealthView& current, HealthCounters& counters, const CheckResult& result,
                   int healthy_threshold, int unhealthy_threshold);

// Whether an HTTP status satisfies a matcher ("200", "200,202", "200-299").
bool status_matches(std::string_view matcher, int status);

}  // namespace berth::elb
