// CreateListener, DescribeListeners, ModifyListener, DeleteListener. A listener's default
// actions live in its default rule too, so DescribeRules and the data plane see one list.
#include "api/elbv2/actions.h"
#include "api/elbv2/errors.h"
#include "api/elbv2/shapes.h"
#include "api/services.h"

namespace berth::api::elbv2 {
namespace {
using state::Elbv2Store;
using state::ListenerRow;

Outcome reply_with(const std::vector<ListenerRow>& rows, const std::optional<std::string>& marker = std::nullopt) {
  Body b;
  b.w.StartObject();
  b.w.Key("Listeners");
  b.w.StartArray();
  for (const auto& r : rows) write_listener(b.w, r);
  b.w.EndArray();
  if (marker) json::kv(b.w, "NextMarker", *marker);
  b.w.EndObject();
  return b.done();
}

// The protocols a load balancer type serves in berth: no certificates, so no HTTPS or TLS.
std::optional<AwsError> check_protocol(std::string_view lb_type, std::string_view protocol) {
  if (protocol == "HTTPS" || protocol == "TLS")
    return errors::unsupported_protocol("berth has no certificates, so it does not serve " + std::string(protocol) +
                                        " listeners; use " + (protocol == "HTTPS" ? "HTTP" : "TCP"));
  bool app = lb_type == "application";
  if (app && protocol != "HTTP")
    return errors::unsupported_protocol("Protocol '" + std::string(protocol) + "' is not supported for load balancers of type 'application'");
  if (!app && protocol != "TCP" && protocol != "UDP" && protocol != "TCP_UDP")
    return errors::unsupported_protocol("Protocol '" + std::string(protocol) + "' is not supported for load balancers of type 'network'");
  if (protocol == "UDP" || protocol == "TCP_UDP")
    return errors::unsupported_protocol("berth relays TCP only; protocol '" + std::string(protocol) + "' is not served");
  return std::nullopt;
}

// Writes the listener and its default rule.
void save(Elbv2Store& store, ListenerRow& row, rapidjson::Document& doc, const CheckedActions& checked,
          std::optional<std::string> default_rule_arn) {
  row.doc = json::dump(doc);
  store.put_listener(row);
  rapidjson::Document rule(rapidjson::kObjectType);
  auto& a = rule.GetAllocator();
  rule.AddMember("Conditions", rapidjson::Value(rapidjson::kArrayType), a);
  rule.AddMember("Actions", rapidjson::Value(doc["DefaultActions"], a), a);
  std::string arn = default_rule_arn ? *default_rule_arn : rule_arn(row.arn);
  store.put_rule({arn, row.arn, std::nullopt, json::dump(rule)}, checked.target_groups);
}

Outcome create_listener(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  auto lb = store.load_balancer(json::get_string(in, "LoadBalancerArn").value_or(""));
  if (!lb) return errors::load_balancer_not_found();
  std::string protocol(json::get_string(in, "Protocol").value_or(lb->type == "application" ? "HTTP" : "TCP"));
  if (auto e = check_protocol(lb->type, protocol)) return *e;
  auto port = json::get_int(in, "Port");
  if (!port) return errors::validation("A listener port must be specified");
  auto tags = tags_of(json::member(in, "Tags"));
  if (auto* e = std::get_if<AwsError>(&tags)) return *e;

  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto checked = check_actions(store, in["DefaultActions"], protocol, a);
  if (auto* e = std::get_if<AwsError>(&checked)) return *e;
  auto& ok = std::get<CheckedActions>(checked);

  for (const auto& other : store.listeners_of(lb->arn)) {
    if (other.port != *port) continue;
    // The same listener asked for again is answered; anything else on its port clashes.
    auto od = parse_doc(other.doc);
    if (other.protocol == protocol && od["DefaultActions"] == ok.actions) return reply_with({other});
    return errors::duplicate_listener();
  }
  ListenerRow row{listener_arn(lb->arn), lb->arn, static_cast<int>(*port), protocol, ctx.clock.now_millis(), ""};
  doc.AddMember("ListenerArn", rapidjson::Value(row.arn.c_str(), a), a);
  doc.AddMember("LoadBalancerArn", rapidjson::Value(lb->arn.c_str(), a), a);
  doc.AddMember("Port", row.port, a);
  doc.AddMember("Protocol", rapidjson::Value(protocol.c_str(), a), a);
  doc.AddMember("DefaultActions", ok.actions, a);
  save(store, row, doc, ok, std::nullopt);
  state::TagsStore(ctx.db).put(row.arn, std::get<std::vector<state::Tag>>(tags));
  notify_data_plane(ctx);
  return reply_with({row});
}

Outcome describe_listeners(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  auto lb = json::get_string(in, "LoadBalancerArn");
  auto* arns = json::member(in, "ListenerArns");
  std::vector<ListenerRow> rows;
  if (arns && !arns->Empty()) {
    if (lb) return errors::validation("Listener ARNs and a load balancer ARN cannot be specified at the same time");
    for (const auto& v : arns->GetArray()) {
      auto r = store.listener(json::view(v));
      if (!r) return errors::listener_not_found();
      rows.push_back(*r);
    }
    return reply_with(rows);
  }
  if (!lb) return errors::validation("You must specify either listener ARNs or a load balancer ARN");
  if (!store.load_balancer(*lb)) return errors::load_balancer_not_found();
  rows = store.listeners_of(*lb);
  std::vector<std::string> keys;
  char buf[16];
  for (const auto& r : rows) {
    std::snprintf(buf, sizeof buf, "%05d", r.port);  // sorted by port
    keys.emplace_back(buf);
  }
  auto page = page_of(in, keys);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  return reply_with({rows.begin() + p.begin, rows.begin() + p.end}, p.next_marker);
}

Outcome modify_listener(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  auto row = store.listener(json::get_string(in, "ListenerArn").value_or(""));
  if (!row) return errors::listener_not_found();
  auto lb = store.load_balancer(row->lb_arn);
  std::string protocol(json::get_string(in, "Protocol").value_or(row->protocol));
  if (auto e = check_protocol(lb->type, protocol)) return *e;
  int port = static_cast<int>(json::get_int(in, "Port").value_or(row->port));
  if (port != row->port)
    for (const auto& other : store.listeners_of(lb->arn))
      if (other.port == port) return errors::duplicate_listener();
  auto doc = parse_doc(row->doc);
  auto& a = doc.GetAllocator();
  const json::Value& actions = json::member(in, "DefaultActions") ? in["DefaultActions"] : doc["DefaultActions"];
  rapidjson::Value actions_copy(actions, a);
  auto checked = check_actions(store, actions_copy, protocol, a);
  if (auto* e = std::get_if<AwsError>(&checked)) return *e;
  auto& ok = std::get<CheckedActions>(checked);
  // A protocol change must still fit every rule's target groups.
  for (const auto& r : store.rules_of(row->arn)) {
    if (r.is_default()) continue;
    auto rd = parse_doc(r.doc);
    rapidjson::Document scratch;
    auto again = check_actions(store, rd["Actions"], protocol, scratch.GetAllocator());
    if (auto* e = std::get_if<AwsError>(&again)) return *e;
  }
  doc["Port"].SetInt(port);
  doc["Protocol"].SetString(protocol.c_str(), a);
  doc["DefaultActions"] = ok.actions;
  row->port = port;
  row->protocol = protocol;
  std::optional<std::string> default_arn;
  for (const auto& r : store.rules_of(row->arn))
    if (r.is_default()) default_arn = r.arn;
  save(store, *row, doc, ok, default_arn);
  notify_data_plane(ctx);
  return reply_with({*row});
}

Outcome delete_listener(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  std::string arn(json::get_string(in, "ListenerArn").value_or(""));
  if (!store.listener(arn)) return errors::listener_not_found();
  state::TagsStore tags(ctx.db);
  for (const auto& r : store.rules_of(arn)) tags.remove_all(r.arn);
  tags.remove_all(arn);
  store.delete_listener(arn);
  notify_data_plane(ctx);
  return Outcome::ok("{}");
}
}  // namespace

void register_listeners(OperationTable& t) {
  t.add("elbv2", "CreateListener", create_listener, Access::Write);
  t.add("elbv2", "DescribeListeners", describe_listeners, Access::Read);
  t.add("elbv2", "ModifyListener", modify_listener, Access::Write);
  t.add("elbv2", "DeleteListener", delete_listener, Access::Write);
}

}  // namespace berth::api::elbv2
