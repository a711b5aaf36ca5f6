#pragma once
// What happens when an alarm acting on a scaling policy changes state: the policy's new
// capacity, within the target's bounds and cooldowns, set on the service, recorded as a
// scaling activity with AWS's texts, and the scheduler woken once that has committed.
#include "common/clock.h"
#include "metrics/alarm_transition.h"
#include "scaling/service_capacity.h"
#include "state/db.h"

namespace berth::scaling {

// Cooldowns when a policy gives none (Application Auto Scaling's default for ECS).
constexpr std::int64_t kDefaultCooldownSeconds = 300;

class ScalingActions {
 public:
  // `time_scale` shortens the default cooldowns (--scaling-time-scale).
  ScalingActions(state::Database& db, const Clock& clock, ServiceCapacity capacity, double time_scale = 1.0)
      : db_(db), clock_(clock), capacity_(std::move(capacity)), time_scale_(time_scale) {}
  // The alarm evaluator's sink: runs the scaling policies among the actions.
  void on_alarm(const metrics::FiredActions& fired);

 private:
  state::Database& db_;
  const Clock& clock_;
  ServiceCapacity capacity_;
  double time_scale_;
};

}  // namespace berth::scaling
