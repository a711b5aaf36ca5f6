#pragma once
// What PutMetricFilter and PutSubscriptionFilter share: the opening checks (the group exists,
// the pattern parses), the per-group limit of filters of a kind, and the write.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/context.h"
#include "state/logs_store.h"

namespace berth::api::logs {

// The group named by logGroupName when it exists and filterPattern parses, else the error.
std::variant<state::LogGroupRow, AwsError> filter_put_group(state::LogsStore& store, const json::Value& in);

// LimitExceededException when a filter named `name` would be a new one past `limit` filters of
// `kind` ("metric" or "subscription") in the group; a filter replacing one of its name never is.
std::optional<AwsError> filter_limit_error(state::LogsStore& store, std::int64_t group_id, std::string_view kind,
                                           std::string_view name, int limit);

// Stores the request's filter (filterName, filterPattern) with the shown document `doc`.
void store_filter(OpContext& ctx, state::LogsStore& store, std::int64_t group_id, std::string_view kind,
                  const json::Value& in, std::string doc);

}  // namespace berth::api::logs
