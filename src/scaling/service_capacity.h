#pragma once
// How scaling reaches the ECS services it scales: a narrow interface main.cpp fills from the
// ECS service store and scheduler, so src/scaling does not know ECS's tables.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "state/db.h"
#include "state/scope.h"

namespace berth::scaling {

struct ServiceCapacity {
  struct Now {
    std::int64_t desired = 0;
    bool deploying = false;  // a deployment is in progress: scale-in waits (as ECS)
  };
  // The ACTIVE service a ResourceId (service/CLUSTER/SERVICE) names, in the caller's
  // transaction; nullopt when there is none.
  std::function<std::optional<Now>(state::Connection&, const state::Scope&, const std::string& resource_id)> read;
  // Sets its desiredCount, in the caller's transaction.
  std::function<void(state::Connection&, const state::Scope&, const std::string& resource_id, std::int64_t)> set_desired;
  // After the transaction committed: the scheduler looks at the service now.
  std::function<void(const state::Scope&, const std::string& resource_id)> wake;
};

}  // namespace berth::scaling
