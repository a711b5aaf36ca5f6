#include "scaling/capacity_bounds.h"

#include <spdlog/spdlog.h>

#include <string>

#include "common/ids.h"
#include "scaling/capacity.h"

namespace berth::scaling {

std::optional<std::int64_t> enforce_bounds(state::Connection& c, const state::Scope& scope,
                                           const ServiceCapacity& capacity, state::ScalingStore& store,
                                           const state::TargetKey& key, std::int64_t min, std::int64_t max,
                                           std::int64_t now) {
  auto service = capacity.read ? capacity.read(c, scope, key.resource_id) : std::nullopt;
  if (!service || !capacity.set_desired) return std::nullopt;
  auto next = clamp(service->desired, min, max);
  if (next == service->desired) return std::nullopt;
  capacity.set_desired(c, scope, key.resource_id, next);
  auto n = std::to_string(next);
  store.add_activity({0, ids::uuid_v4(), key, "Setting desired count to " + n + ".",
                      std::string(next < service->desired ? "maximum" : "minimum") + " capacity was set to " + n, now,
                      now, "Successful", "Successfully set desired count to " + n + ". Change successfully fulfilled by ecs."});
  spdlog::info("{}: desired count {} -> {} (capacity bounds {}..{})", key.resource_id, service->desired, next, min, max);
  return next;
}

}  // namespace berth::scaling
