// CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup,
// DescribeTargetGroupAttributes, ModifyTargetGroupAttributes.
//
// Health-check defaults for HTTP are the current API reference's: traffic-port, path /,
// interval 30 s, timeout 6 s (the 2023 user guide said 5 s; the API reference, which botocore
// carries, says 6 s for HTTP and 10 s for HTTPS), healthy 5, unhealthy 2, matcher 200.
#include <algorithm>
#include <cctype>

#include "api/elbv2/attributes.h"
#include "api/elbv2/errors.h"
#include "api/elbv2/shapes.h"
#include "api/services.h"

namespace berth::api::elbv2 {
namespace {
using state::Elbv2Store;
using state::TargetGroupRow;

bool is_http(std::string_view p) { return p == "HTTP" || p == "HTTPS"; }

std::optional<AwsError> check_name(std::string_view name) {
  if (name.size() > 32)
    return errors::validation("Target group name '" + std::string(name) + "' cannot be longer than '32' characters");
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
      return errors::validation("Target group name '" + std::string(name) +
                                "' can only contain characters that are alphanumeric characters or hyphens(-)");
  if (name.empty() || name.front() == '-' || name.back() == '-')
    return errors::validation("Target group name '" + std::string(name) + "' cannot begin or end with '-'");
  return std::nullopt;
}

// "200", "200,202", "200-299": codes from 200 to 499.
bool valid_matcher(std::string_view m) {
  if (m.empty()) return false;
  std::size_t i = 0;
  while (i <= m.size()) {
    std::size_t end = m.find_first_of(",-", i);
    std::string_view part = m.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (part.size() != 3 || !std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return false;
    int code = std::stoi(std::string(part));
    if (code < 200 || code > 499) return false;
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return true;
}

// Applies the health-check members of a Create or Modify request to `doc`, then checks the whole.
std::optional<AwsError> apply_health_check(rapidjson::Document& doc, const json::Value& in) {
  auto& a = doc.GetAllocator();
  auto set = [&](const char* name, rapidjson::Value v) {
    doc.RemoveMember(name);
    doc.AddMember(rapidjson::StringRef(name), v, a);
  };
  for (const char* s : {"HealthCheckProtocol", "HealthCheckPort", "HealthCheckPath"})
    if (auto v = json::get_string(in, s)) set(s, rapidjson::Value(std::string(*v).c_str(), a));
  for (const char* n : {"HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount"})
    if (auto v = json::get_int(in, n)) set(n, rapidjson::Value(static_cast<int>(*v)));
  if (auto v = json::get_bool(in, "HealthCheckEnabled")) set("HealthCheckEnabled", rapidjson::Value(*v));
  if (auto* m = json::member(in, "Matcher")) set("Matcher", rapidjson::Value(*m, a));

  std::string hc_protocol(json::get_string(doc, "HealthCheckProtocol").value_or("HTTP"));
  std::string target_type(json::get_string(doc, "TargetType").value_or("instance"));
  if (target_type != "lambda" && doc.HasMember("HealthCheckEnabled") && !doc["HealthCheckEnabled"].GetBool())
    return errors::validation("Health checks cannot be disabled for target groups with the target type '" + target_type + "'");
  std::string port(json::get_string(doc, "HealthCheckPort").value_or("traffic-port"));
  if (port != "traffic-port") {
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (*end || p < 1 || p > 65535) return errors::validation("Health check port '" + port + "' must be 'traffic-port' or a port from 1 to 65535");
  }
  if (is_http(hc_protocol)) {
    std::string path(json::get_string(doc, "HealthCheckPath").value_or("/"));
    if (path.empty() || path.front() != '/') return errors::validation("Health check path must begin with a '/' character");
    auto* m = json::member(doc, "Matcher");
    std::string code(m ? json::get_string(*m, "HttpCode").value_or("") : "");
    if (!valid_matcher(code))
      return errors::validation("Health check matcher HTTP code '" + code + "' must be a value from 200 to 499, a list (200,202) or a range (200-299)");
  } else if (doc.HasMember("HealthCheckPath") || doc.HasMember("Matcher")) {
    return errors::validation("Health check path and matcher are not supported for health checks with the protocol '" + hc_protocol + "'");
  }
  auto interval = json::get_int(doc, "HealthCheckIntervalSeconds").value_or(30);
  auto timeout = json::get_int(doc, "HealthCheckTimeoutSeconds").value_or(6);
  if (timeout >= interval)
    return errors::validation("Health check interval must be greater than the timeout.");
  return std::nullopt;
}

Outcome reply_with(Elbv2Store& store, const std::vector<TargetGroupRow>& rows, const std::optional<std::string>& marker) {
  Body b;
  b.w.StartObject();
  b.w.Key("TargetGroups");
  b.w.StartArray();
  for (const auto& r : rows) write_target_group(b.w, store, r);
  b.w.EndArray();
  if (marker) json::kv(b.w, "NextMarker", *marker);
  b.w.EndObject();
  return b.done();
}

Outcome create_target_group(OpContext& ctx, const json::Value& in) {
  std::string name(json::get_string(in, "Name").value_or(""));
  if (auto e = check_name(name)) return *e;
  std::string target_type(json::get_string(in, "TargetType").value_or("instance"));
  if (target_type == "lambda" || target_type == "alb")
    return errors::validation("berth serves target groups of type instance and ip, not '" + target_type + "'");
  auto protocol = json::get_string(in, "Protocol");
  auto port = json::get_int(in, "Port");
  auto vpc = json::get_string(in, "VpcId");
  if (!protocol) return errors::validation("A protocol must be specified");
  if (!port) return errors::validation("A port must be specified");
  if (!vpc) return errors::validation("A VPC ID must be specified");
  if (*protocol == "GENEVE") return errors::validation("berth does not emulate gateway load balancers");
  auto tags = tags_of(json::member(in, "Tags"));
  if (auto* e = std::get_if<AwsError>(&tags)) return *e;

  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  std::string arn = target_group_arn(ctx, name);
  doc.AddMember("TargetGroupArn", rapidjson::Value(arn.c_str(), a), a);
  doc.AddMember("TargetGroupName", rapidjson::Value(name.c_str(), a), a);
  doc.AddMember("Protocol", rapidjson::Value(std::string(*protocol).c_str(), a), a);
  doc.AddMember("Port", static_cast<int>(*port), a);
  doc.AddMember("VpcId", rapidjson::Value(std::string(*vpc).c_str(), a), a);
  bool http = is_http(*protocol);
  doc.AddMember("HealthCheckProtocol", http ? rapidjson::Value(std::string(*protocol).c_str(), a) : rapidjson::Value("TCP"), a);
  doc.AddMember("HealthCheckPort", "traffic-port", a);
  doc.AddMember("HealthCheckEnabled", true, a);
  doc.AddMember("HealthCheckIntervalSeconds", 30, a);
  doc.AddMember("HealthCheckTimeoutSeconds", *protocol == "HTTP" ? 6 : 10, a);
  doc.AddMember("HealthyThresholdCount", 5, a);
  doc.AddMember("UnhealthyThresholdCount", 2, a);
  // An explicit HTTP health check on a TCP group gets the HTTP path and matcher defaults.
  std::string hc_protocol(json::get_string(in, "HealthCheckProtocol").value_or(http ? std::string_view(*protocol) : "TCP"));
  if (is_http(hc_protocol)) {
    doc.AddMember("HealthCheckPath", "/", a);
    rapidjson::Value m(rapidjson::kObjectType);
    m.AddMember("HttpCode", "200", a);
    doc.AddMember("Matcher", m, a);
  }
  doc.AddMember("TargetType", rapidjson::Value(target_type.c_str(), a), a);
  if (http) doc.AddMember("ProtocolVersion", rapidjson::Value(std::string(json::get_string(in, "ProtocolVersion").value_or("HTTP1")).c_str(), a), a);
  doc.AddMember("IpAddressType", rapidjson::Value(std::string(json::get_string(in, "IpAddressType").value_or("ipv4")).c_str(), a), a);
  if (auto e = apply_health_check(doc, in)) return *e;

  Elbv2Store store(ctx.db, ctx.scope());
  if (auto old = store.target_group_named(name)) {
    // The same settings answer the existing group; others clash.
    auto od = parse_doc(old->doc);
    od.RemoveMember("TargetGroupArn");
    doc.RemoveMember("TargetGroupArn");
    if (od == doc) return reply_with(store, {*old}, std::nullopt);
    return errors::duplicate_target_group_name(name);
  }
  TargetGroupRow row{arn, name, ctx.clock.now_millis(), json::dump(doc),
                     attributes_json(target_group_defaults(*protocol, target_type)), ctx.account, ctx.region};
  store.put_target_group(row);
  state::TagsStore(ctx.db).put(arn, std::get<std::vector<state::Tag>>(tags));
  notify_data_plane(ctx);
  return reply_with(store, {row}, std::nullopt);
}

Outcome describe_target_groups(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  auto* arns = json::member(in, "TargetGroupArns");
  auto* names = json::member(in, "Names");
  auto lb = json::get_string(in, "LoadBalancerArn");
  if ((arns && names) || (lb && (arns || names)))
    return errors::validation("Only one of target group ARNs, names or a load balancer ARN can be specified");
  std::optional<std::variant<std::vector<TargetGroupRow>, AwsError>> named;
  if (arns && !arns->Empty())
    named = rows_named<TargetGroupRow>(*arns, [&](std::string_view arn) { return store.target_group(arn); },
                                       [](std::string_view) { return errors::target_group_not_found(); });
  else if (names && !names->Empty())
    named = rows_named<TargetGroupRow>(
        *names, [&](std::string_view name) { return store.target_group_named(name); },
        [](std::string_view name) {
          return AwsError::client("TargetGroupNotFound", "Target groups '[" + std::string(name) + "]' not found");
        });
  if (named) {
    if (auto* e = std::get_if<AwsError>(&*named)) return *e;
    return reply_with(store, std::get<std::vector<TargetGroupRow>>(*named), std::nullopt);
  }
  std::vector<TargetGroupRow> rows;
  if (lb) {
    if (!store.load_balancer(*lb)) return errors::load_balancer_not_found();
    for (const auto& arn : store.target_groups_of(*lb))
      if (auto r = store.target_group(arn)) rows.push_back(*r);
    return reply_with(store, rows, std::nullopt);
  }
  auto all = store.target_groups();
  std::vector<std::string> keys;
  for (const auto& r : all) keys.push_back(r.name);
  auto page = page_of(in, keys);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  return reply_with(store, {all.begin() + p.begin, all.begin() + p.end}, p.next_marker);
}

std::variant<TargetGroupRow, AwsError> existing(OpContext& ctx, const json::Value& in) {
  auto row = Elbv2Store(ctx.db, ctx.scope()).target_group(json::get_string(in, "TargetGroupArn").value_or(""));
  if (!row) return errors::target_group_not_found();
  return std::move(*row);
}

Outcome modify_target_group(OpContext& ctx, const json::Value& in) {
  auto found = existing(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto& row = std::get<TargetGroupRow>(found);
  auto doc = parse_doc(row.doc);
  // Switching the check to HTTP brings the HTTP path and matcher defaults; to TCP drops them.
  if (auto p = json::get_string(in, "HealthCheckProtocol")) {
    auto& a = doc.GetAllocator();
    if (is_http(*p) && !doc.HasMember("HealthCheckPath")) {
      doc.AddMember("HealthCheckPath", "/", a);
      rapidjson::Value m(rapidjson::kObjectType);
      m.AddMember("HttpCode", "200", a);
      doc.AddMember("Matcher", m, a);
    } else if (!is_http(*p)) {
      doc.RemoveMember("HealthCheckPath");
      doc.RemoveMember("Matcher");
    }
  }
  if (auto e = apply_health_check(doc, in)) return *e;
  row.doc = json::dump(doc);
  Elbv2Store store(ctx.db, ctx.scope());
  store.put_target_group(row);
  notify_data_plane(ctx);
  return reply_with(store, {row}, std::nullopt);
}

Outcome delete_target_group(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  std::string arn(json::get_string(in, "TargetGroupArn").value_or(""));
  if (!store.target_group(arn)) return Outcome::ok("{}");  // gone already: success, as in ELBv2
  auto users = store.load_balancers_using(arn);
  if (!users.empty())
    return errors::resource_in_use("Target group '" + arn + "' is currently in use by a listener or a rule");
  state::TagsStore(ctx.db).remove_all(arn);
  store.delete_target_group(arn);
  notify_data_plane(ctx);
  return Outcome::ok("{}");
}

Outcome describe_target_group_attributes(OpContext& ctx, const json::Value& in) {
  auto found = existing(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  return Outcome::ok(attributes_reply(parse_attributes(std::get<TargetGroupRow>(found).attributes)));
}

Outcome modify_target_group_attributes(OpContext& ctx, const json::Value& in) {
  auto found = existing(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto& row = std::get<TargetGroupRow>(found);
  auto attrs = parse_attributes(row.attributes);
  if (auto e = apply_attributes(attrs, in["Attributes"], false)) return *e;
  if (attrs["stickiness.enabled"] == "true" && is_http(doc_string(row.doc, "Protocol")) &&
      attrs["stickiness.type"] != "lb_cookie" && attrs["stickiness.type"] != "app_cookie")
    return errors::validation("Stickiness type '" + attrs["stickiness.type"] + "' is not supported for target groups with the HTTP protocol");
  row.attributes = attributes_json(attrs);
  Elbv2Store(ctx.db, ctx.scope()).put_target_group(row);
  notify_data_plane(ctx);
  return Outcome::ok(attributes_reply(attrs));
}
}  // namespace

void register_target_groups(OperationTable& t) {
  t.add("elbv2", "CreateTargetGroup", create_target_group, Access::Write);
  t.add("elbv2", "DescribeTargetGroups", describe_target_groups, Access::Read);
  t.add("elbv2", "ModifyTargetGroup", modify_target_group, Access::Write);
  t.add("elbv2", "DeleteTargetGroup", delete_target_group, Access::Write);
  t.add("elbv2", "DescribeTargetGroupAttributes", describe_target_group_attributes, Access::Read);
  t.add("elbv2", "ModifyTargetGroupAttributes", modify_target_group_attributes, Access::Write);
}

}  // namespace berth::api::elbv2
