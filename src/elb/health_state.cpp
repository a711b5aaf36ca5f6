#include "elb/health_state.h"

#include <cstdlib>

namespace berth::elb {
namespace {
HealthView unhealthy_for(const CheckResult& r) {
  switch (r.kind) {
    case CheckResult::Kind::CodeMismatch:
      return {"unhealthy", "Target.ResponseCodeMismatch",
              "Health checks failed with these codes: [" + std::to_string(r.status) + "]"};
    case CheckResult::Kind::Timeout:
      return {"unhealthy", "Target.Timeout", "Request timed out"};
    default:
      return {"unhealthy", "Target.FailedHealthChecks", "Health checks failed"};
  }
}
}  // namespace

HealthView initial_checking() { return {"initial", "Elb.InitialHealthChecking", "Initial health checks in progress"}; }

HealthView advance(const HealthView& current, HealthCounters& c, const CheckResult& result, int healthy_threshold,
                   int unhealthy_threshold) {
  bool ok = result.kind == CheckResult::Kind::Success;
  if (ok) {
    ++c.successes;
    c.failures = 0;
  } else {
    ++c.failures;
    c.successes = 0;
  }
  const HealthView healthy{"healthy", std::nullopt, std::nullopt};
  if (current.state == "initial") {
    if (ok) return healthy;  // "must pass one health check to be considered healthy"
    if (c.failures >= unhealthy_threshold) return unhealthy_for(result);
    return current.reason == "Elb.RegistrationInProgress" ? initial_checking() : current;
  }
  if (current.state == "healthy") return !ok && c.failures >= unhealthy_threshold ? unhealthy_for(result) : current;
  // unhealthy: back after a run of successes; while failing, the reason follows the last failure.
  if (ok) return c.successes >= healthy_threshold ? healthy : current;
  return unhealthy_for(result);
}

bool status_matches(std::string_view matcher, int status) {
  while (!matcher.empty()) {
    auto comma = matcher.find(',');
    auto part = matcher.substr(0, comma);
    auto dash = part.find('-');
    int lo = std::atoi(std::string(part.substr(0, dash)).c_str());
    int hi = dash == std::string_view::npos ? lo : std::atoi(std::string(part.substr(dash + 1)).c_str());
    if (status >= lo && status <= hi) return true;
    if (comma == std::string_view::npos) break;
    matcher.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace berth::elb
