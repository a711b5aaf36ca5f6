#include "api/logs/filter_put.h"

#include <algorithm>

#include "api/logs/errors.h"
#include "logs/filter_pattern.h"

namespace berth::api::logs {

std::variant<state::LogGroupRow, AwsError> filter_put_group(state::LogsStore& store, const json::Value& in) {
  auto group = store.group(json::view(in["logGroupName"]));
  if (!group) return errors::group_not_found();
  std::string error;
  if (!berth::logs::FilterPattern::parse(json::view(in["filterPattern"]), error))
    return errors::invalid_parameter(error);
  return std::move(*group);
}

std::optional<AwsError> filter_limit_error(state::LogsStore& store, std::int64_t group_id, std::string_view kind,
                                           std::string_view name, int limit) {
  auto existing = store.filters(group_id, kind, "");
  bool replaces = std::any_of(existing.begin(), existing.end(), [&](const auto& f) { return f.name == name; });
  if (!replaces && static_cast<int>(existing.size()) >= limit)
    return AwsError::client("LimitExceededException", "Resource limit exceeded.");
  return std::nullopt;
}

void store_filter(OpContext& ctx, state::LogsStore& store, std::int64_t group_id, std::string_view kind,
                  const json::Value& in, std::string doc) {
  store.put_filter(group_id, {std::string(kind), std::string(json::view(in["filterName"])), ctx.clock.now_millis(),
                              std::string(json::view(in["filterPattern"])), std::move(doc)});
}

}  // namespace berth::api::logs
