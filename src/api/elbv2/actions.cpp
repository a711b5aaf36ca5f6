#include "api/elbv2/actions.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "api/elbv2/errors.h"
#include "api/elbv2/shapes.h"

namespace berth::api::elbv2 {
namespace {
bool http_listener(std::string_view p) { return p == "HTTP" || p == "HTTPS"; }

bool compatible(std::string_view listener, std::string_view group) {
  if (http_listener(listener)) return group == "HTTP" || group == "HTTPS";
  if (listener == "TCP" || listener == "TLS") return group == "TCP" || group == "TLS" || group == "TCP_UDP";
  if (listener == "UDP") return group == "UDP" || group == "TCP_UDP";
  return listener == group;
}

bool valid_cidr(std::string_view v) {
  auto slash = v.find('/');
  if (slash == std::string_view::npos) return false;
  std::string ip(v.substr(0, slash));
  std::string bits(v.substr(slash + 1));
  if (bits.empty() || !std::all_of(bits.begin(), bits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return false;
  in_addr a4{};
  in6_addr a6{};
  int n = std::stoi(bits);
  if (inet_pton(AF_INET, ip.c_str(), &a4) == 1) return n <= 32;
  return inet_pton(AF_INET6, ip.c_str(), &a6) == 1 && n <= 128;
}

const char* config_of(std::string_view field) {
  if (field == "host-header") return "HostHeaderConfig";
  if (field == "path-pattern") return "PathPatternConfig";
  if (field == "http-header") return "HttpHeaderConfig";
  if (field == "http-request-method") return "HttpRequestMethodConfig";
  if (field == "query-string") return "QueryStringConfig";
  if (field == "source-ip") return "SourceIpConfig";
  return nullptr;
}
}  // namespace

std::variant<CheckedActions, AwsError> check_actions(state::Elbv2Store& store, const json::Value& actions,
                                                     std::string_view listener_protocol,
                                                     rapidjson::Document::AllocatorType& a) {
  CheckedActions out{rapidjson::Value(rapidjson::kArrayType), {}};
  if (actions.Empty()) return errors::validation("At least one action must be specified");
  int terminal = 0;
  std::set<std::int64_t> orders;
  for (const auto& act : actions.GetArray()) {
    std::string type(json::get_string(act, "Type").value_or(""));
    rapidjson::Value norm(rapidjson::kObjectType);
    norm.AddMember("Type", rapidjson::Value(type.c_str(), a), a);
    if (auto order = json::get_int(act, "Order")) {
      if (!orders.insert(*order).second) return errors::validation("Each action must have a unique order");
      norm.AddMember("Order", static_cast<int>(*order), a);
    }
    if (type == "forward") {
      ++terminal;
      std::vector<std::pair<std::string, int>> groups;
      if (auto arn = json::get_string(act, "TargetGroupArn")) groups.emplace_back(std::string(*arn), 1);
      const json::Value* fc = json::member(act, "ForwardConfig");
      if (fc && json::member(*fc, "TargetGroups")) {
        std::vector<std::pair<std::string, int>> listed;
        for (const auto& g : (*fc)["TargetGroups"].GetArray())
          listed.emplace_back(std::string(json::get_string(g, "TargetGroupArn").value_or("")),
                              static_cast<int>(json::get_int(g, "Weight").value_or(1)));
        if (!groups.empty() && !(listed.size() == 1 && listed[0].first == groups[0].first))
          return errors::validation("You cannot specify both a target group ARN and a forward config with other target groups");
        if (!listed.empty()) groups = std::move(listed);
      }
      if (groups.empty()) return errors::validation("A target group ARN must be specified for a forward action");
      if (groups.size() > 5) return errors::validation("A forward action can have at most 5 target groups");
      std::set<std::string> seen;
      for (const auto& [arn, weight] : groups) {
        if (!seen.insert(arn).second) return errors::validation("Target group '" + arn + "' is listed more than once");
        auto tg = store.target_group(arn);
        if (!tg) return errors::target_group_not_found();
        std::string proto = doc_string(tg->doc, "Protocol");
        if (!compatible(listener_protocol, proto))
          return errors::incompatible_protocols("The protocol of target group '" + arn + "' (" + proto +
                                                ") is incompatible with the listener protocol " + std::string(listener_protocol));
        out.target_groups.push_back(arn);
      }
      rapidjson::Value tgs(rapidjson::kArrayType);
      for (const auto& [arn, weight] : groups) {
        rapidjson::Value t(rapidjson::kObjectType);
        t.AddMember("TargetGroupArn", rapidjson::Value(arn.c_str(), a), a);
        t.AddMember("Weight", weight, a);
        tgs.PushBack(t, a);
      }
      if (groups.size() == 1) norm.AddMember("TargetGroupArn", rapidjson::Value(groups[0].first.c_str(), a), a);
      rapidjson::Value config(rapidjson::kObjectType);
      config.AddMember("TargetGroups", tgs, a);
      rapidjson::Value sticky(rapidjson::kObjectType);
      const json::Value* s = fc ? json::member(*fc, "TargetGroupStickinessConfig") : nullptr;
      sticky.AddMember("Enabled", s ? json::get_bool(*s, "Enabled").value_or(false) : false, a);
      if (s && json::get_int(*s, "DurationSeconds"))
        sticky.AddMember("DurationSeconds", static_cast<int>(*json::get_int(*s, "DurationSeconds")), a);
      config.AddMember("TargetGroupStickinessConfig", sticky, a);
      norm.AddMember("ForwardConfig", config, a);
    } else if (type == "redirect" || type == "fixed-response") {
      ++terminal;
      if (!http_listener(listener_protocol))
        return errors::invalid_action("Action type '" + type + "' is not supported for listeners with the protocol " +
                                      std::string(listener_protocol));
      const char* key = type == "redirect" ? "RedirectConfig" : "FixedResponseConfig";
      const json::Value* config = json::member(act, key);
      if (!config) return errors::validation("A " + std::string(key) + " must be specified for a " + type + " action");
      rapidjson::Value c(*config, a);
      if (type == "redirect") {
        static const std::pair<const char*, const char*> defaults[] = {
            {"Protocol", "#{protocol}"}, {"Port", "#{port}"}, {"Host", "#{host}"}, {"Path", "/#{path}"}, {"Query", "#{query}"}};
        for (auto [name, def] : defaults)
          if (!c.HasMember(name)) c.AddMember(rapidjson::StringRef(name), rapidjson::StringRef(def), a);
        std::string proto(json::get_string(c, "Protocol").value_or(""));
        if (proto != "HTTP" && proto != "HTTPS" && proto != "#{protocol}")
          return errors::validation("Redirect protocol must be HTTP, HTTPS or #{protocol}");
        std::string path(json::get_string(c, "Path").value_or(""));
        if (path.empty() || path.front() != '/') return errors::validation("Redirect path must begin with '/'");
      } else if (auto ct = json::get_string(c, "ContentType")) {
        static const std::set<std::string_view> types{"text/plain", "text/css", "text/html", "application/javascript",
                                                      "application/json"};
        if (!types.count(*ct)) return errors::validation("Content type '" + std::string(*ct) + "' is not supported");
      }
      norm.AddMember(rapidjson::StringRef(key), c, a);
    } else {
      return errors::invalid_action("berth does not support actions of type '" + type + "'");
    }
    out.actions.PushBack(norm, a);
  }
  if (terminal != 1)
    return errors::validation("A rule or listener must end in exactly one forward, redirect or fixed-response action");
  return out;
}

std::variant<rapidjson::Value, AwsError> check_conditions(const json::Value& conditions,
                                                          rapidjson::Document::AllocatorType& a) {
  rapidjson::Value out(rapidjson::kArrayType);
  std::set<std::string> once;
  std::size_t total = 0;
  for (const auto& cond : conditions.GetArray()) {
    std::string field(json::get_string(cond, "Field").value_or(""));
    const char* config_key = config_of(field);
    if (!config_key) return errors::validation("Condition field '" + field + "' is not supported");
    if (field != "http-header" && field != "query-string" && !once.insert(field).second)
      return errors::validation("A rule can only have one '" + field + "' condition");
    const json::Value* config = json::member(cond, config_key);
    const json::Value* values = json::member(cond, "Values");
    if (values && !values->Empty() && field != "host-header" && field != "path-pattern")
      return errors::validation("The 'Values' field is not supported for condition '" + field + "'; use " + config_key);
    if (values && !values->Empty() && config)
      return errors::validation("You cannot specify both 'Values' and '" + std::string(config_key) + "'");
    rapidjson::Value norm(rapidjson::kObjectType);
    norm.AddMember("Field", rapidjson::Value(field.c_str(), a), a);
    rapidjson::Value c(rapidjson::kObjectType);
    if (config)
      c.CopyFrom(*config, a);
    else if (values)
      c.AddMember("Values", rapidjson::Value(*values, a), a);
    const json::Value* list = json::member(c, "Values");
    if (!list || list->Empty()) return errors::validation("A condition value must be specified for '" + field + "'");
    total += list->Size();
    for (const auto& v : list->GetArray()) {
      if (field == "query-string") {
        std::size_t len = json::get_string(v, "Key").value_or("").size() + json::get_string(v, "Value").value_or("").size();
        if (!json::get_string(v, "Value")) return errors::validation("A query-string condition value must have a Value");
        if (len > 128) return errors::validation("Condition values cannot be longer than 128 characters");
        continue;
      }
      std::string_view s = json::view(v);
      if (s.empty() || s.size() > 128) return errors::validation("Condition values must be 1 to 128 characters long");
      if (field == "source-ip" && !valid_cidr(s))
        return errors::validation("The source IP '" + std::string(s) + "' must be in CIDR notation");
      if (field == "http-request-method" &&
          !std::all_of(s.begin(), s.end(), [](char ch) { return (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-'; }))
        return errors::validation("HTTP request method '" + std::string(s) + "' may contain only A-Z, hyphens and underscores");
    }
    if (field == "http-header" && json::get_string(c, "HttpHeaderName").value_or("").empty())
      return errors::validation("An HTTP header name must be specified for an 'http-header' condition");
    if (field == "host-header" || field == "path-pattern") norm.AddMember("Values", rapidjson::Value(*list, a), a);
    norm.AddMember(rapidjson::StringRef(config_key), c, a);
    out.PushBack(norm, a);
  }
  if (total > 5) return errors::validation("A rule can only have '5' condition values");
  return out;
}

}  // namespace berth::api::elbv2
