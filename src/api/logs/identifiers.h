#pragma once
// How CloudWatch Logs requests name a log group: logGroupName, or logGroupIdentifier holding a
// name or an ARN of the caller's account and region (with or without the trailing ":*").
#include <optional>
#include <string>
#include <variant>

#include "api/context.h"
#include "state/logs_store.h"

namespace berth::api::logs {

// The group name an ARN names; nullopt when it is not a log group ARN of this account/region.
std::optional<std::string> group_name_of_arn(const OpContext& ctx, std::string_view arn);

// The existing group a request names through `logGroupName` (and `logGroupIdentifier` when the
// operation has it), or the error to answer.
std::variant<state::LogGroupRow, AwsError> requested_group(OpContext& ctx, state::LogsStore& store,
                                                            const json::Value& in);

// The events of a group older than this are past its retention now.
std::int64_t cutoff_of(const OpContext& ctx, const state::LogGroupRow& group);

}  // namespace berth::api::logs
