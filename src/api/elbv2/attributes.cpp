#include "api/elbv2/attributes.h"

#include <charconv>

#include "api/elbv2/errors.h"

namespace berth::api::elbv2 {
namespace {
bool is_bool(std::string_view v) { return v == "true" || v == "false"; }

std::optional<long> number(std::string_view v) {
  long n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

// Checks the value of a key berth knows the range of; other known keys take any string.
std::optional<std::string> bad_value(std::string_view key, std::string_view value) {
  auto range = [&](long lo, long hi) -> std::optional<std::string> {
    auto n = number(value);
    if (!n || *n < lo || *n > hi)
      return "'" + std::string(key) + "' must be a number between " + std::to_string(lo) + " and " + std::to_string(hi);
    return std::nullopt;
  };
  if (key.ends_with(".enabled") && key != "load_balancing.cross_zone.enabled" && !is_bool(value))
    return "'" + std::string(key) + "' must be 'true' or 'false'";
  if (key == "idle_timeout.timeout_seconds") return range(1, 4000);
  if (key == "client_keep_alive.seconds") return range(60, 604800);
  if (key == "deregistration_delay.timeout_seconds") return range(0, 3600);
  if (key == "slow_start.duration_seconds") {
    auto n = number(value);
    if (!n || (*n != 0 && (*n < 30 || *n > 900))) return std::string("'slow_start.duration_seconds' must be 0 or between 30 and 900");
  }
  if (key == "stickiness.lb_cookie.duration_seconds" || key == "stickiness.app_cookie.duration_seconds")
    return range(1, 604800);
  if (key == "load_balancing.algorithm.type" && value != "round_robin" && value != "least_outstanding_requests" &&
      value != "weighted_random")
    return "'load_balancing.algorithm.type' must be one of round_robin, least_outstanding_requests, weighted_random";
  if (key == "routing.http.xff_header_processing.mode" && value != "append" && value != "preserve" && value != "remove")
    return "'routing.http.xff_header_processing.mode' must be one of append, preserve, remove";
  if (key == "stickiness.type" && value != "lb_cookie" && value != "app_cookie" && value != "source_ip" &&
      value != "source_ip_dest_ip" && value != "source_ip_dest_ip_proto")
    return "'stickiness.type' must be one of lb_cookie, app_cookie, source_ip, source_ip_dest_ip, source_ip_dest_ip_proto";
  return std::nullopt;
}
}  // namespace

AttributeMap load_balancer_defaults(std::string_view type) {
  AttributeMap a{{"deletion_protection.enabled", "false"},
                 {"access_logs.s3.enabled", "false"},
                 {"access_logs.s3.bucket", ""},
                 {"access_logs.s3.prefix", ""}};
  if (type == "network") {
    a["load_balancing.cross_zone.enabled"] = "false";
    a["ipv6.deny_all_igw_traffic"] = "false";
    a["dns_record.client_routing_policy"] = "any_availability_zone";
    return a;
  }
  a["idle_timeout.timeout_seconds"] = "60";
  a["client_keep_alive.seconds"] = "3600";
  a["connection_logs.s3.enabled"] = "false";
  a["connection_logs.s3.bucket"] = "";
  a["connection_logs.s3.prefix"] = "";
  a["routing.http2.enabled"] = "true";
  a["routing.http.drop_invalid_header_fields.enabled"] = "false";
  a["routing.http.preserve_host_header.enabled"] = "false";
  a["routing.http.x_amzn_tls_version_and_cipher_suite.enabled"] = "false";
  a["routing.http.xff_client_port.enabled"] = "false";
  a["routing.http.xff_header_processing.mode"] = "append";
  a["routing.http.desync_mitigation_mode"] = "defensive";
  a["waf.fail_open.enabled"] = "false";
  a["load_balancing.cross_zone.enabled"] = "true";
  return a;
}

AttributeMap target_group_defaults(std::string_view protocol, std::string_view target_type) {
  AttributeMap a{{"deregistration_delay.timeout_seconds", "300"},
                 {"stickiness.enabled", "false"},
                 {"load_balancing.cross_zone.enabled", "use_load_balancer_configuration"}};
  if (protocol == "HTTP" || protocol == "HTTPS") {
    a["stickiness.type"] = "lb_cookie";
    a["stickiness.lb_cookie.duration_seconds"] = "86400";
    a["stickiness.app_cookie.cookie_name"] = "";
    a["stickiness.app_cookie.duration_seconds"] = "86400";
    a["slow_start.duration_seconds"] = "0";
    a["load_balancing.algorithm.type"] = "round_robin";
    a["load_balancing.algorithm.anomaly_mitigation"] = "off";
    return a;
  }
  a["stickiness.type"] = "source_ip";
  a["deregistration_delay.connection_termination.enabled"] = "false";
  a["proxy_protocol_v2.enabled"] = "false";
  a["preserve_client_ip.enabled"] = target_type == "ip" ? "false" : "true";
  return a;
}

std::optional<AwsError> apply_attributes(AttributeMap& attrs, const json::Value& list, bool load_balancer) {
  AttributeMap next = attrs;
  for (const auto& item : list.GetArray()) {
    std::string key(json::get_string(item, "Key").value_or(""));
    std::string value(json::get_string(item, "Value").value_or(""));
    if (!next.count(key))
      return errors::validation(std::string(load_balancer ? "Load balancer" : "Target group") + " attribute key '" +
                                key + "' is not recognized");
    if (auto why = bad_value(key, value)) return errors::validation(*why);
    next[key] = value;
  }
  // ALB: "You cannot enable both slow start mode and least outstanding requests" (the text is
  // berth's; the error code is ELBv2's for settings that do not go together).
  if (next["load_balancing.algorithm.type"] == "least_outstanding_requests" &&
      next.count("slow_start.duration_seconds") && next["slow_start.duration_seconds"] != "0")
    return errors::invalid_configuration(
        "Slow start mode cannot be enabled with the least_outstanding_requests load balancing algorithm");
  attrs = std::move(next);
  return std::nullopt;
}

std::string attributes_json(const AttributeMap& attrs) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  for (const auto& [k, v] : attrs) json::kv(w, k.c_str(), v);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

AttributeMap parse_attributes(std::string_view json_text) {
  AttributeMap out;
  rapidjson::Document d;
  d.Parse(json_text.data(), json_text.size());
  if (d.HasParseError() || !d.IsObject()) return out;
  for (const auto& m : d.GetObject())
    if (m.value.IsString()) out[m.name.GetString()] = m.value.GetString();
  return out;
}

std::string attributes_reply(const AttributeMap& attrs) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  w.Key("Attributes");
  w.StartArray();
  for (const auto& [k, v] : attrs) {
    w.StartObject();
    json::kv(w, "Key", k);
    json::kv(w, "Value", v);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace berth::api::elbv2
