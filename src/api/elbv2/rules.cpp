// CreateRule, DescribeRules, ModifyRule, DeleteRule, SetRulePriorities. Priority is an integer
// (1-50000) in requests and a string ("10", "default") in responses.
#include <map>

#include "api/elbv2/actions.h"
#include "api/elbv2/errors.h"
#include "api/elbv2/shapes.h"
#include "api/services.h"

namespace berth::api::elbv2 {
namespace {
using state::Elbv2Store;
using state::RuleRow;

Outcome reply_with(const std::vector<RuleRow>& rows, const std::optional<std::string>& marker = std::nullopt) {
  Body b;
  b.w.StartObject();
  b.w.Key("Rules");
  b.w.StartArray();
  for (const auto& r : rows) write_rule(b.w, r);
  b.w.EndArray();
  if (marker) json::kv(b.w, "NextMarker", *marker);
  b.w.EndObject();
  return b.done();
}

Outcome create_rule(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  auto listener = store.listener(json::get_string(in, "ListenerArn").value_or(""));
  if (!listener) return errors::listener_not_found();
  if (listener->protocol != "HTTP" && listener->protocol != "HTTPS")
    return errors::validation("Rules can only be added to listeners with the HTTP or HTTPS protocol");
  int priority = static_cast<int>(json::get_int(in, "Priority").value_or(0));
  auto tags = tags_of(json::member(in, "Tags"));
  if (auto* e = std::get_if<AwsError>(&tags)) return *e;
  if (in["Conditions"].Empty()) return errors::validation("A rule must have at least one condition");

  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto conditions = check_conditions(in["Conditions"], a);
  if (auto* e = std::get_if<AwsError>(&conditions)) return *e;
  auto actions = check_actions(store, in["Actions"], listener->protocol, a);
  if (auto* e = std::get_if<AwsError>(&actions)) return *e;
  auto rules = store.rules_of(listener->arn);
  for (const auto& r : rules)
    if (r.priority == priority) return errors::priority_in_use(priority);
  if (rules.size() > 100) return AwsError::client("TooManyRules", "You have reached the limit on the number of rules per listener (100)");
  auto& ok = std::get<CheckedActions>(actions);
  doc.AddMember("Conditions", std::move(std::get<rapidjson::Value>(conditions)), a);
  doc.AddMember("Actions", ok.actions, a);
  RuleRow row{rule_arn(listener->arn), listener->arn, priority, json::dump(doc)};
  store.put_rule(row, ok.target_groups);
  state::TagsStore(ctx.db).put(row.arn, std::get<std::vector<state::Tag>>(tags));
  notify_data_plane(ctx);
  return reply_with({row});
}

Outcome describe_rules(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  auto listener = json::get_string(in, "ListenerArn");
  auto* arns = json::member(in, "RuleArns");
  if (arns && !arns->Empty()) {
    if (listener) return errors::validation("Rule ARNs and a listener ARN cannot be specified at the same time");
    std::vector<RuleRow> rows;
    for (const auto& v : arns->GetArray()) {
      auto r = store.rule(json::view(v));
      if (!r) return errors::rule_not_found();
      rows.push_back(*r);
    }
    return reply_with(rows);
  }
  if (!listener) return errors::validation("You must specify either listener ARN or rule ARNs");
  if (!store.listener(*listener)) return errors::listener_not_found();
  auto rows = store.rules_of(*listener);
  std::vector<std::string> keys;
  char buf[16];
  for (const auto& r : rows) {
    std::snprintf(buf, sizeof buf, "%05d", r.priority.value_or(99999));  // the default rule last
    keys.emplace_back(buf);
  }
  auto page = page_of(in, keys);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  return reply_with({rows.begin() + p.begin, rows.begin() + p.end}, p.next_marker);
}

Outcome modify_rule(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  auto row = store.rule(json::get_string(in, "RuleArn").value_or(""));
  if (!row) return errors::rule_not_found();
  auto listener = store.listener(row->listener_arn);
  auto doc = parse_doc(row->doc);
  auto& a = doc.GetAllocator();
  if (auto* c = json::member(in, "Conditions")) {
    if (row->is_default() && !c->Empty()) return errors::operation_not_permitted("The default rule cannot have conditions");
    if (!row->is_default() && c->Empty()) return errors::validation("A rule must have at least one condition");
    auto conditions = check_conditions(*c, a);
    if (auto* e = std::get_if<AwsError>(&conditions)) return *e;
    doc["Conditions"] = std::move(std::get<rapidjson::Value>(conditions));
  }
  rapidjson::Value actions_in(json::member(in, "Actions") ? in["Actions"] : doc["Actions"], a);
  auto actions = check_actions(store, actions_in, listener->protocol, a);
  if (auto* e = std::get_if<AwsError>(&actions)) return *e;
  auto& ok = std::get<CheckedActions>(actions);
  doc["Actions"] = ok.actions;
  row->doc = json::dump(doc);
  store.put_rule(*row, ok.target_groups);
  if (row->is_default()) {  // the listener echoes its default rule's actions
    auto ld = parse_doc(listener->doc);
    ld["DefaultActions"].CopyFrom(doc["Actions"], ld.GetAllocator());
    listener->doc = json::dump(ld);
    store.put_listener(*listener);
  }
  notify_data_plane(ctx);
  return reply_with({*row});
}

Outcome delete_rule(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  std::string arn(json::get_string(in, "RuleArn").value_or(""));
  auto row = store.rule(arn);
  if (!row) return errors::rule_not_found();
  if (row->is_default()) return errors::operation_not_permitted("The default rule cannot be deleted");
  state::TagsStore(ctx.db).remove_all(arn);
  store.delete_rule(arn);
  notify_data_plane(ctx);
  return Outcome::ok("{}");
}

Outcome set_rule_priorities(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  std::vector<RuleRow> changed;
  std::map<std::string, std::map<int, std::string>> taken;  // listener -> priority -> rule after the change
  for (const auto& p : in["RulePriorities"].GetArray()) {
    auto row = store.rule(json::get_string(p, "RuleArn").value_or(""));
    if (!row) return errors::rule_not_found();
    if (row->is_default()) return errors::operation_not_permitted("The priority of the default rule cannot be changed");
    row->priority = static_cast<int>(json::get_int(p, "Priority").value_or(0));
    changed.push_back(*row);
  }
  for (const auto& r : changed) {
    if (taken.count(r.listener_arn)) continue;
    auto& m = taken[r.listener_arn];
    for (const auto& existing : store.rules_of(r.listener_arn))
      if (existing.priority) m[*existing.priority] = existing.arn;
  }
  for (const auto& r : changed)
    for (auto it = taken[r.listener_arn].begin(); it != taken[r.listener_arn].end(); ++it)
      if (it->second == r.arn) {
        taken[r.listener_arn].erase(it);
        break;
      }
  for (const auto& r : changed)
    if (!taken[r.listener_arn].emplace(*r.priority, r.arn).second) return errors::priority_in_use(*r.priority);
  // Move the changed rules out of the way first: priorities are unique per listener.
  for (std::size_t i = 0; i < changed.size(); ++i) {
    RuleRow tmp = changed[i];
    tmp.priority = -1 - static_cast<int>(i);
    store.put_rule(tmp, {});  // its target groups are recorded again below
  }
  for (auto& r : changed) {
    auto d = parse_doc(r.doc);
    std::vector<std::string> groups;
    for (const auto& act : d["Actions"].GetArray())
      if (auto* fc = json::member(act, "ForwardConfig"))
        for (const auto& g : (*fc)["TargetGroups"].GetArray()) groups.emplace_back(json::view(g["TargetGroupArn"]));
    store.put_rule(r, groups);
  }
  notify_data_plane(ctx);
  return reply_with(changed);
}
}  // namespace

void register_rules(OperationTable& t) {
  t.add("elbv2", "CreateRule", create_rule, Access::Write);
  t.add("elbv2", "DescribeRules", describe_rules, Access::Read);
  t.add("elbv2", "ModifyRule", modify_rule, Access::Write);
  t.add("elbv2", "DeleteRule", delete_rule, Access::Write);
  t.add("elbv2", "SetRulePriorities", set_rule_priorities, Access::Write);
}

}  // namespace berth::api::elbv2
