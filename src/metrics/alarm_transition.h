#pragma once
// An alarm's change of state as CloudWatch records it: the new state and reason on the alarm,
// a StateUpdate history item, and (when actions are enabled) the actions of the new state
// kept pending on the alarm until the evaluator thread runs them (take_fired).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "state/metrics_store.h"

namespace berth::metrics {

// The actions of one state change, run after the change has committed.
struct FiredActions {
  state::Scope scope;
  std::string alarm_name;
  std::string state;                 // the new state
  std::vector<std::string> actions;  // ARNs from OKActions / AlarmActions / InsufficientDataActions
};
using AlarmActionSink = std::function<void(const FiredActions&)>;

// Sets the alarm's state; when it changed, records history and the pending actions. Returns
// whether the state changed.
bool transition(state::MetricsStore& store, const state::MetricAlarmRow& alarm, const std::string& new_state,
                const std::string& reason, const std::optional<std::string>& reason_data, std::int64_t now);
// Every alarm's pending actions, cleared (inside the caller's transaction).
std::vector<FiredActions> take_fired(state::Connection& c);

}  // namespace berth::metrics
