#pragma once
// An alarm's change of state as CloudWatch records it: the new state and reason on the alarm,
// a StateUpdate history item, and (when actions are enabled) the actions of the new state,
// returned for the caller to run once its transaction has committed.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/metrics_store.h"

namespace berth::metrics {

struct FiredActions {
  state::Scope scope;
  std::string alarm_name;
  std::string state;  // the new state
  std::vector<std::string> actions;  // ARNs from the alarm's OKActions/AlarmActions/InsufficientDataActions
};

// Sets the alarm's state; records history when it changed. Returns the actions to run (none
// when the state stayed, or actions are disabled).
std::optional<FiredActions> transition(state::MetricsStore& store, const state::Scope& scope,
                                       const state::MetricAlarmRow& alarm, const std::string& new_state,
                                       const std::string& reason, const std::optional<std::string>& reason_data,
                                       std::int64_t now);

}  // namespace berth::metrics
