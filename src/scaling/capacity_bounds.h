#pragma once
// Keeping a service's desired count within its scalable target's bounds. Application Auto
// Scaling does this whenever the bounds change (RegisterScalableTarget, a scheduled action): a
// desired count below the new minimum is raised to it, one above the new maximum lowered to it,
// and the change is recorded as a scaling activity with AWS's texts ("Setting desired count to
// N.", cause "minimum capacity was set to N" or "maximum capacity was set to N"). A service that
// is not ACTIVE is left alone, as AWS leaves a resource that is not active.
#include <cstdint>
#include <optional>

#include "scaling/service_capacity.h"
#include "state/scaling_store.h"

namespace berth::scaling {

// In the caller's transaction; the new desired count when it changed (the caller wakes the
// service through capacity.wake once its transaction has committed).
std::optional<std::int64_t> enforce_bounds(state::Connection& c, const state::Scope& scope,
                                           const ServiceCapacity& capacity, state::ScalingStore& store,
                                           const state::TargetKey& key, std::int64_t min, std::int64_t max,
                                           std::int64_t now);

}  // namespace berth::scaling
