#pragma once
// Where the runtime pulls an image from. ECR-style references (ACCOUNT.dkr.ecr.REGION.
// amazonaws.com/NAME) and references to berth's own registry host are pulled from berth's
// registry with a token for the task's account; anything else goes to Docker as written.
#include <functional>
#include <string>

#include "runtime/task_engine.h"

namespace berth::runtime {

// `token_for(account, region)` mints a registry password; `registry_host` is host:port of
// berth's registry as the Docker daemon reaches it.
PullPlanner berth_registry_planner(std::string registry_host,
                                   std::function<std::string(const std::string&, const std::string&)> token_for);

}  // namespace berth::runtime
