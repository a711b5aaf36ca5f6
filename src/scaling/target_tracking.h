#pragma once
// The two CloudWatch alarms a target tracking policy owns, named and shaped as AWS makes them:
// TargetTracking-RESOURCE-AlarmHigh-UUID (metric above the target for 3 of 3 minutes) and
// -AlarmLow-UUID (below 90% of it for 15 of 15), both acting on the policy. Their periods are a
// minute, or `period_seconds` under --scaling-time-scale (tests).
#include <string>
#include <variant>
#include <vector>

#include "common/json.h"
#include "state/metrics_store.h"

namespace berth::scaling {

// The alarms of a policy; the error text when its metric specification is unusable.
std::variant<std::vector<state::MetricAlarmRow>, std::string> target_tracking_alarms(
    const std::string& policy_arn, const std::string& resource_id, const std::string& uuid, const json::Value& config,
    std::int64_t now, std::int64_t period_seconds = 60);

}  // namespace berth::scaling
