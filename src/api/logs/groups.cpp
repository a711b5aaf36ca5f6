// CreateLogGroup, DeleteLogGroup (refused while deletion protection is on), DescribeLogGroups,
// PutRetentionPolicy, DeleteRetentionPolicy, PutLogGroupDeletionProtection.
#include <algorithm>

#include "api/logs/errors.h"
#include "api/logs/identifiers.h"
#include "api/logs/tags.h"
#include "api/pagination.h"
#include "api/services.h"
#include "logs/retention.h"
#include "state/logs_store.h"
#include "state/tags_store.h"

namespace berth::api::logs {
namespace {
using state::LogGroupRow;
using state::LogsStore;

constexpr int kDefaultDescribeLimit = 50;

void write_group(OpContext& ctx, LogsStore& store, json::Writer& w, const LogGroupRow& g) {
  std::string arn = arns::log_group(ctx.region, ctx.account, g.name);
  w.StartObject();
  json::kv(w, "logGroupName", g.name);
  w.Key("creationTime");
  w.Int64(g.created_at);
  if (g.retention_days) {
    w.Key("retentionInDays");
    w.Int(*g.retention_days);
  }
  w.Key("metricFilterCount");
  w.Int(store.filter_count(g.id, "metric"));
  json::kv(w, "arn", arn + ":*");
  w.Key("storedBytes");
  w.Int64(store.stored_bytes(g.id, cutoff_of(ctx, g)));
  if (g.kms_key_id) json::kv(w, "kmsKeyId", *g.kms_key_id);
  json::kv(w, "logGroupClass", g.log_group_class);
  json::kv(w, "logGroupArn", arn);
  w.Key("deletionProtectionEnabled");
  w.Bool(g.deletion_protection);
  w.EndObject();
}

Outcome create_log_group(OpContext& ctx, const json::Value& in) {
  LogGroupRow row;
  row.name = std::string(json::get_string(in, "logGroupName").value_or(""));
  row.created_at = ctx.clock.now_millis();
  if (auto k = json::get_string(in, "kmsKeyId")) row.kms_key_id = std::string(*k);
  row.log_group_class = std::string(json::get_string(in, "logGroupClass").value_or("STANDARD"));
  row.deletion_protection = json::get_bool(in, "deletionProtectionEnabled").value_or(false);
  auto tags = tags_of(in, "tags");
  if (auto e = check_tags(tags)) return *e;
  LogsStore store(ctx.db, ctx.scope());
  if (!store.create_group(row)) return errors::group_exists();
  std::string arn = arns::log_group(ctx.region, ctx.account, row.name);
  state::TagsStore tags_store(ctx.db);
  tags_store.remove_all(arn);  // a re-created group starts without the old one's tags
  tags_store.put(arn, tags);
  return Outcome::ok("{}");
}

Outcome delete_log_group(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto row = store.group(json::view(in["logGroupName"]));
  if (!row) return errors::group_not_found();
  if (row->deletion_protection)
    return errors::validation("Cannot delete log group with deletion protection enabled. Disable deletion protection first.");
  store.delete_group(row->id);
  state::TagsStore(ctx.db).remove_all(arns::log_group(ctx.region, ctx.account, row->name));
  return Outcome::ok("{}");
}

Outcome describe_log_groups(OpContext& ctx, const json::Value& in) {
  auto prefix = json::get_string(in, "logGroupNamePrefix");
  auto pattern = json::get_string(in, "logGroupNamePattern");
  if (prefix && pattern)
    return errors::invalid_parameter(
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  int limit = static_cast<int>(json::get_int(in, "limit").value_or(kDefaultDescribeLimit));
  // The token is the last group name returned, as AWS documents: any text is a name to list
  // after, so an unknown one gives the groups that follow it in name order.
  std::string after(json::get_string(in, "nextToken").value_or(""));

  LogsStore store(ctx.db, ctx.scope());
  std::vector<LogGroupRow> rows;
  if (const json::Value* ids = json::member(in, "logGroupIdentifiers")) {
    // Named groups: those that exist, by name, then the usual page.
    for (const auto& id : ids->GetArray()) {
      std::string_view text = json::view(id);
      auto name = text.starts_with("arn:") ? group_name_of_arn(ctx, text) : std::optional<std::string>(text);
      if (!name || *name <= after) continue;
      if (auto row = store.group(*name)) rows.push_back(std::move(*row));
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    rows.erase(std::unique(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.name == b.name; }),
               rows.end());
    if (rows.size() > static_cast<std::size_t>(limit) + 1) rows.resize(limit + 1);
  } else {
    rows = store.list_groups(prefix.value_or(""), pattern.value_or(""), after, limit + 1);
  }

  Body b;
  b.w.StartObject();
  b.w.Key("logGroups");
  b.w.StartArray();
  for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i)
    write_group(ctx, store, b.w, rows[i]);
  b.w.EndArray();
  if (rows.size() > static_cast<std::size_t>(limit)) json::kv(b.w, "nextToken", rows[limit - 1].name);
  b.w.EndObject();
  return b.done();
}

Outcome put_retention_policy(OpContext& ctx, const json::Value& in) {
  std::int64_t days = in["retentionInDays"].GetInt64();
  if (!berth::logs::valid_retention(days))
    return errors::invalid_parameter("1 validation error detected: Value '" + std::to_string(days) +
                                     "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy "
                                     "enum value set: " + berth::logs::retention_values_text());
  LogsStore store(ctx.db, ctx.scope());
  auto row = store.group(json::view(in["logGroupName"]));
  if (!row) return errors::group_not_found();
  row->retention_days = static_cast<int>(days);
  store.set_retention(row->id, row->retention_days);
  store.expire(row->id, cutoff_of(ctx, *row));
  return Outcome::ok("{}");
}

Outcome put_log_group_deletion_protection(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto found = requested_group(ctx, store, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  store.set_deletion_protection(std::get<LogGroupRow>(found).id, in["deletionProtectionEnabled"].GetBool());
  return Outcome::ok("{}");
}

Outcome delete_retention_policy(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto row = store.group(json::view(in["logGroupName"]));
  if (!row) return errors::group_not_found();
  store.set_retention(row->id, std::nullopt);
  return Outcome::ok("{}");
}
}  // namespace

void register_groups(OperationTable& t) {
  t.add("logs", "CreateLogGroup", create_log_group, Access::Write);
  t.add("logs", "DeleteLogGroup", delete_log_group, Access::Write);
  t.add("logs", "DescribeLogGroups", describe_log_groups, Access::Read);
  t.add("logs", "PutRetentionPolicy", put_retention_policy, Access::Write);
  t.add("logs", "DeleteRetentionPolicy", delete_retention_policy, Access::Write);
  t.add("logs", "PutLogGroupDeletionProtection", put_log_group_deletion_protection, Access::Write);
}

}  // namespace berth::api::logs
