// PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting, ListAccountSettings.
#include "api/ecs/account_settings.h"

#include <algorithm>

#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/pagination.h"
#include "api/services.h"
#include "state/ecs_account_store.h"

namespace berth::api::ecs {
namespace {
struct SettingRule {
  std::string_view name;
  std::string_view default_value;
  std::vector<std::string_view> values;
  bool read_only = false;
};

// Every setting name of the model, with the values ECS accepts and a new account's default.
const std::vector<SettingRule>& rules() {
  static const std::vector<SettingRule> r = {
      {"awsvpcTrunking", "disabled", {"enabled", "disabled"}},
      {"containerInsights", "disabled", {"enabled", "disabled", "enhanced"}},
      {"containerInstanceLongArnFormat", "enabled", {"enabled", "disabled"}},
      {"defaultLogDriverMode", "non-blocking", {"blocking", "non-blocking"}},
      {"fargateEventWindows", "disabled", {"enabled", "disabled"}},
      {"fargateFIPSMode", "disabled", {"enabled", "disabled"}},
      {"fargateTaskRetirementWaitPeriod", "7", {"0", "7", "14"}},
      {"guardDutyActivate", "off", {"on", "off"}, true},
      {"serviceLongArnFormat", "enabled", {"enabled", "disabled"}},
      {"tagResourceAuthorization", "on", {"on", "off"}},
      {"taskLongArnFormat", "enabled", {"enabled", "disabled"}},
  };
  return r;
}

const SettingRule* rule_of(std::string_view name) {
  for (const auto& r : rules())
    if (r.name == name) return &r;
  return nullptr;
}

std::optional<AwsError> check_value(const SettingRule& rule, std::string_view value) {
  if (rule.read_only)
    return errors::invalid_parameter("The " + std::string(rule.name) + " setting is managed by AWS and cannot be changed.");
  if (std::find(rule.values.begin(), rule.values.end(), value) == rule.values.end()) {
    std::string allowed;
    for (auto v : rule.values) allowed += (allowed.empty() ? "" : ", ") + std::string(v);
    return errors::invalid_parameter("The value '" + std::string(value) + "' is not valid for the " +
                                     std::string(rule.name) + " setting. Valid values are: " + allowed + ".");
  }
  return std::nullopt;
}

void write_setting(json::Writer& w, std::string_view name, std::string_view value, std::string_view principal,
                   const SettingRule* rule) {
  w.StartObject();
  json::kv(w, "name", name);
  json::kv(w, "value", value);
  json::kv(w, "principalArn", principal);
  json::kv(w, "type", rule && rule->read_only ? "aws_managed" : "user");
  w.EndObject();
}

std::optional<AwsError> check_principal(std::string_view principal) {
  auto arn = Arn::parse(principal);
  if (!arn || arn->service != "iam") return errors::invalid_parameter("The ARN provided is invalid.");
  return std::nullopt;
}

Outcome put_setting(OpContext& ctx, const json::Value& in, std::string principal) {
  std::string_view name = json::view(in["name"]);
  std::string_view value = json::view(in["value"]);
  const SettingRule* rule = rule_of(name);
  if (!rule) return errors::invalid_parameter("Unknown account setting name " + std::string(name) + ".");
  if (auto e = check_value(*rule, value)) return *e;
  state::AccountSettingStore(ctx.db, ctx.scope()).put(principal, name, value);
  Body b;
  b.w.StartObject();
  b.w.Key("setting");
  write_setting(b.w, name, value, principal, rule);
  b.w.EndObject();
  return b.done();
}

Outcome put_account_setting(OpContext& ctx, const json::Value& in) {
  std::string principal(json::get_string(in, "principalArn").value_or(ctx.principal_arn()));
  if (auto e = check_principal(principal)) return *e;
  return put_setting(ctx, in, principal);
}

// The account default is what the root principal has set.
Outcome put_account_setting_default(OpContext& ctx, const json::Value& in) {
  return put_setting(ctx, in, ctx.principal_arn());
}

Outcome delete_account_setting(OpContext& ctx, const json::Value& in) {
  std::string principal(json::get_string(in, "principalArn").value_or(ctx.principal_arn()));
  if (auto e = check_principal(principal)) return *e;
  std::string_view name = json::view(in["name"]);
  const SettingRule* rule = rule_of(name);
  if (!rule) return errors::invalid_parameter("Unknown account setting name " + std::string(name) + ".");
  state::AccountSettingStore store(ctx.db, ctx.scope());
  auto value = store.get(principal, name);
  if (!value) return errors::invalid_parameter("The account setting " + std::string(name) + " is not set for " + principal + ".");
  store.remove(principal, name);
  Body b;
  b.w.StartObject();
  b.w.Key("setting");
  write_setting(b.w, name, *value, principal, rule);
  b.w.EndObject();
  return b.done();
}

Outcome list_account_settings(OpContext& ctx, const json::Value& in) {
  auto page = page_of(in, 10, 10);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  std::string principal(json::get_string(in, "principalArn").value_or(ctx.principal_arn()));
  if (auto e = check_principal(principal)) return *e;
  auto name_filter = json::get_string(in, "name");
  auto value_filter = json::get_string(in, "value");
  bool effective = json::get_bool(in, "effectiveSettings").value_or(false);

  struct Entry {
    std::string name, value, principal;
  };
  std::vector<Entry> entries;
  state::AccountSettingStore store(ctx.db, ctx.scope());
  std::string root = ctx.principal_arn();
  for (const auto& rule : rules()) {
    std::string name(rule.name);
    if (auto v = store.get(principal, name))
      entries.push_back({name, *v, principal});
    else if (!effective)
      continue;
    else if (auto d = store.get(root, name))
      entries.push_back({name, *d, root});
    else
      entries.push_back({name, std::string(rule.default_value), root});
  }
  std::erase_if(entries, [&](const Entry& e) {
    return (name_filter && e.name != *name_filter) || (value_filter && e.value != *value_filter);
  });
  std::size_t start = 0;
  if (!p.cursor.empty()) {
    while (start < entries.size() && entries[start].name <= p.cursor) ++start;
  }
  std::size_t end = std::min(entries.size(), start + static_cast<std::size_t>(p.limit));
  Body b;
  b.w.StartObject();
  b.w.Key("settings");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i)
    write_setting(b.w, entries[i].name, entries[i].value, entries[i].principal, rule_of(entries[i].name));
  b.w.EndArray();
  if (end < entries.size()) json::kv(b.w, "nextToken", pagination::encode(entries[end - 1].name));
  b.w.EndObject();
  return b.done();
}
}  // namespace

std::string effective_account_setting(OpContext& ctx, std::string_view name) {
  state::AccountSettingStore store(ctx.db, ctx.scope());
  if (auto v = store.get(ctx.principal_arn(), name)) return *v;
  const SettingRule* rule = rule_of(name);
  return rule ? std::string(rule->default_value) : std::string();
}

void register_account_settings(OperationTable& t) {
  t.add("ecs", "PutAccountSetting", put_account_setting, Access::Write);
  t.add("ecs", "PutAccountSettingDefault", put_account_setting_default, Access::Write);
  t.add("ecs", "DeleteAccountSetting", delete_account_setting, Access::Write);
  t.add("ecs", "ListAccountSettings", list_account_settings, Access::Read);
}

}  // namespace berth::api::ecs
