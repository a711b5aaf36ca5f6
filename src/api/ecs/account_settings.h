#pragma once
#include <string>

#include "api/context.h"

namespace berth::api::ecs {
// The value of an account setting for the caller: their own, else the account default, else
// ECS's built-in default.
std::string effective_account_setting(OpContext& ctx, std::string_view name);
}  // namespace berth::api::ecs
