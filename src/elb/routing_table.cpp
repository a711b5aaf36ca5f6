#include "elb/routing_table.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/json.h"
#include "state/elbv2_store.h"

namespace berth::elb {
namespace {
rapidjson::Document parse(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) d.SetObject();
  return d;
}

std::string attr(const rapidjson::Document& attrs, const char* key, const char* fallback) {
  return std::string(json::get_string(attrs, key).value_or(fallback));
}

int to_int(const std::string& s, int fallback) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  return end && *end == 0 && !s.empty() ? static_cast<int>(v) : fallback;
}

std::vector<std::string> strings(const json::Value* list) {
  std::vector<std::string> out;
  if (list && list->IsArray())
    for (const auto& v : list->GetArray())
      if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  return out;
}

Condition condition_of(const json::Value& c) {
  Condition out{};
  std::string_view field = json::get_string(c, "Field").value_or("");
  auto config = [&](const char* name) -> const json::Value* { return json::member(c, name); };
  using F = Condition::Field;
  if (field == "host-header") {
    out.field = F::HostHeader;
    out.values = strings(config("HostHeaderConfig") ? json::member(*config("HostHeaderConfig"), "Values") : json::member(c, "Values"));
  } else if (field == "path-pattern") {
    out.field = F::PathPattern;
    out.values = strings(config("PathPatternConfig") ? json::member(*config("PathPatternConfig"), "Values") : json::member(c, "Values"));
  } else if (field == "http-header") {
    out.field = F::HttpHeader;
    if (auto* h = config("HttpHeaderConfig")) {
      out.header_name = std::string(json::get_string(*h, "HttpHeaderName").value_or(""));
      out.values = strings(json::member(*h, "Values"));
    }
  } else if (field == "http-request-method") {
    out.field = F::HttpRequestMethod;
    if (auto* m = config("HttpRequestMethodConfig")) out.values = strings(json::member(*m, "Values"));
  } else if (field == "source-ip") {
    out.field = F::SourceIp;
    if (auto* s = config("SourceIpConfig")) out.values = strings(json::member(*s, "Values"));
  } else {
    out.field = F::QueryString;
    if (auto* q = config("QueryStringConfig"); q && json::member(*q, "Values"))
      for (const auto& kv : (*q)["Values"].GetArray()) {
        std::optional<std::string> key;
        if (auto k = json::get_string(kv, "Key")) key = std::string(*k);
        out.query_values.emplace_back(key, std::string(json::get_string(kv, "Value").value_or("")));
      }
  }
  return out;
}

// The one routing action of a rule (authenticate actions are refused by the API).
Action action_of(const json::Value& actions) {
  Action out;
  for (const auto& a : actions.GetArray()) {
    std::string_view type = json::get_string(a, "Type").value_or("");
    if (type == "forward") {
      out.type = Action::Type::Forward;
      if (auto* fc = json::member(a, "ForwardConfig"); fc && json::member(*fc, "TargetGroups")) {
        for (const auto& g : (*fc)["TargetGroups"].GetArray())
          out.groups.push_back({std::string(json::get_string(g, "TargetGroupArn").value_or("")),
                                static_cast<int>(json::get_int(g, "Weight").value_or(1))});
        if (auto* s = json::member(*fc, "TargetGroupStickinessConfig")) {
          out.group_stickiness = json::get_bool(*s, "Enabled").value_or(false);
          out.group_stickiness_seconds = static_cast<int>(json::get_int(*s, "DurationSeconds").value_or(3600));
        }
      } else if (auto arn = json::get_string(a, "TargetGroupArn")) {
        out.groups.push_back({std::string(*arn), 1});
      }
      return out;
    }
    if (type == "redirect") {
      out.type = Action::Type::Redirect;
      if (auto* c = json::member(a, "RedirectConfig")) {
        out.protocol = std::string(json::get_string(*c, "Protocol").value_or("#{protocol}"));
        out.host = std::string(json::get_string(*c, "Host").value_or("#{host}"));
        out.port = std::string(json::get_string(*c, "Port").value_or("#{port}"));
        out.path = std::string(json::get_string(*c, "Path").value_or("/#{path}"));
        out.query = std::string(json::get_string(*c, "Query").value_or("#{query}"));
        out.status = json::get_string(*c, "StatusCode").value_or("HTTP_301") == "HTTP_302" ? 302 : 301;
      }
      return out;
    }
    if (type == "fixed-response") {
      out.type = Action::Type::FixedResponse;
      if (auto* c = json::member(a, "FixedResponseConfig")) {
        out.status = to_int(std::string(json::get_string(*c, "StatusCode").value_or("200")), 200);
        out.content_type = std::string(json::get_string(*c, "ContentType").value_or("text/plain"));
        out.body = std::string(json::get_string(*c, "MessageBody").value_or(""));
      }
      return out;
    }
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}
}  // namespace

const ListenerEntry* RoutingTable::listener(std::string_view arn) const {
  for (const auto& l : listeners)
    if (l.arn == arn) return &l;
  return nullptr;
}

const GroupEntry* RoutingTable::group(std::string_view arn) const {
  auto it = groups.find(std::string(arn));
  return it == groups.end() ? nullptr : &it->second;
}

const ListenerEntry* RoutingTable::listener_for_host(std::string_view host) const {
  std::string h = lower(host);
  std::string name = h;
  int port = 0;
  if (auto colon = h.rfind(':'); colon != std::string::npos) {
    name = h.substr(0, colon);
    port = std::atoi(h.c_str() + colon + 1);
  }
  if (!name.empty() && name.back() == '.') name.pop_back();  // a fully qualified name
  const ListenerEntry* lowest = nullptr;
  for (const auto& l : listeners) {  // sorted by port
    if (l.dns_name != name) continue;
    if (l.port == port) return &l;
    if (!lowest && l.protocol == "HTTP") lowest = &l;
  }
  return lowest;
}

std::shared_ptr<const RoutingTable> load_routing_table(state::Connection& c) {
  auto table = std::make_shared<RoutingTable>();
  state::Elbv2Store store(c, {});
  std::map<std::string, state::LoadBalancerRow> lbs;
  for (auto& lb : store.all_load_balancers()) {
    if (lb.state == "provisioning") table->provisioning.push_back(lb.arn);
    lbs.emplace(lb.arn, std::move(lb));
  }
  std::set<std::string> used;
  for (const auto& l : store.all_listeners()) {
    auto lb = lbs.find(l.lb_arn);
    if (lb == lbs.end()) continue;
    auto attrs = parse(lb->second.attributes);
    ListenerEntry e{l.arn, l.lb_arn, lb->second.name, lower(lb->second.dns_name), l.protocol, l.port,
                    to_int(attr(attrs, "idle_timeout.timeout_seconds", "60"), 60),
                    attr(attrs, "routing.http.xff_header_processing.mode", "append"), {}};
    for (const auto& r : store.rules_of(l.arn)) {
      auto doc = parse(r.doc);
      Rule rule;
      rule.priority = r.priority;
      if (auto* conds = json::member(doc, "Conditions"))
        for (const auto& cond : conds->GetArray()) rule.conditions.push_back(condition_of(cond));
      if (auto* acts = json::member(doc, "Actions")) rule.action = action_of(*acts);
      for (const auto& g : rule.action.groups) used.insert(g.arn);
      e.rules.push_back(std::move(rule));
    }
    table->listeners.push_back(std::move(e));
  }
  for (const auto& tg : store.all_target_groups()) {
    auto doc = parse(tg.doc);
    auto attrs = parse(tg.attributes);
    GroupEntry g;
    g.arn = tg.arn;
    g.name = tg.name;
    g.protocol = std::string(json::get_string(doc, "Protocol").value_or("HTTP"));
    std::string hc_protocol(json::get_string(doc, "HealthCheckProtocol").value_or("HTTP"));
    g.health.http = hc_protocol == "HTTP" || hc_protocol == "HTTPS";
    std::string hc_port(json::get_string(doc, "HealthCheckPort").value_or("traffic-port"));
    if (hc_port != "traffic-port") g.health.port = to_int(hc_port, 0);
    g.health.path = std::string(json::get_string(doc, "HealthCheckPath").value_or("/"));
    if (auto* m = json::member(doc, "Matcher")) g.health.matcher = std::string(json::get_string(*m, "HttpCode").value_or("200"));
    g.health.interval_seconds = static_cast<int>(json::get_int(doc, "HealthCheckIntervalSeconds").value_or(30));
    g.health.timeout_seconds = static_cast<int>(json::get_int(doc, "HealthCheckTimeoutSeconds").value_or(6));
    g.health.healthy_threshold = static_cast<int>(json::get_int(doc, "HealthyThresholdCount").value_or(5));
    g.health.unhealthy_threshold = static_cast<int>(json::get_int(doc, "UnhealthyThresholdCount").value_or(2));
    g.algorithm = attr(attrs, "load_balancing.algorithm.type", "round_robin");
    g.sticky = attr(attrs, "stickiness.enabled", "false") == "true" && attr(attrs, "stickiness.type", "lb_cookie") == "lb_cookie";
    g.sticky_seconds = to_int(attr(attrs, "stickiness.lb_cookie.duration_seconds", "86400"), 86400);
    g.slow_start_seconds = to_int(attr(attrs, "slow_start.duration_seconds", "0"), 0);
    g.in_use = used.count(tg.arn) > 0;
    bool ip = json::get_string(doc, "TargetType").value_or("instance") == "ip";
    for (const auto& t : store.targets(tg.arn))
      g.targets.push_back({t.id, t.port, ip ? t.id : "127.0.0.1", t.state, t.reason, t.drain_until});
    table->groups.emplace(g.arn, std::move(g));
  }
  return table;
}

}  // namespace berth::elb
