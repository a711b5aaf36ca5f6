#include "api/logs/identifiers.h"

#include "api/logs/errors.h"
#include "logs/retention.h"

namespace berth::api::logs {

std::optional<std::string> group_name_of_arn(const OpContext& ctx, std::string_view text) {
  auto arn = Arn::parse(text);
  if (!arn || arn->service != "logs" || arn->resource_type() != "log-group" || arn->account != ctx.account ||
      arn->region != ctx.region)
    return std::nullopt;
  std::string_view name = arn->resource_id();
  if (name.ends_with(":*")) name.remove_suffix(2);
  if (name.empty() || name.find(':') != std::string_view::npos) return std::nullopt;
  return std::string(name);
}

std::variant<state::LogGroupRow, AwsError> requested_group(OpContext& ctx, state::LogsStore& store,
                                                            const json::Value& in) {
  auto name = json::get_string(in, "logGroupName");
  auto identifier = json::get_string(in, "logGroupIdentifier");
  if (name && identifier)
    return errors::validation("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  if (!name && !identifier)
    return errors::invalid_parameter("Should provide either name or ARN of the log group.");
  std::string group_name(name ? *name : *identifier);
  if (!name && identifier->starts_with("arn:")) {
    auto from_arn = group_name_of_arn(ctx, *identifier);
    if (!from_arn) return errors::group_not_found();
    group_name = *from_arn;
  }
  auto row = store.group(group_name);
  if (!row) return errors::group_not_found();
  return std::move(*row);
}

std::int64_t cutoff_of(const OpContext& ctx, const state::LogGroupRow& group) {
  return berth::logs::retention_cutoff(ctx.clock.now_millis(), group.retention_days);
}

}  // namespace berth::api::logs
