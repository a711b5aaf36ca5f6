// RegisterTargets, DeregisterTargets, DescribeTargetHealth. The rows are shared with the ECS
// service scheduler (which registers its tasks) and the data plane (which writes health).
#include <arpa/inet.h>

#include "api/elbv2/attributes.h"
#include "api/elbv2/errors.h"
#include "api/elbv2/shapes.h"
#include "api/services.h"

namespace berth::api::elbv2 {
namespace {
using state::Elbv2Store;
using state::TargetGroupRow;

bool is_ipv4(std::string_view s) {
  in_addr addr{};
  return inet_pton(AF_INET, std::string(s).c_str(), &addr) == 1;
}

struct Target {
  std::string id;
  int port;
  std::optional<std::string> az;
};

// The targets a call names, with the group's port where none is given.
std::variant<std::vector<Target>, AwsError> targets_of(const json::Value& list, const TargetGroupRow& tg, bool registering) {
  auto doc = parse_doc(tg.doc);
  std::string type(json::get_string(doc, "TargetType").value_or("instance"));
  int group_port = static_cast<int>(json::get_int(doc, "Port").value_or(0));
  std::vector<Target> out;
  for (const auto& t : list.GetArray()) {
    Target target{std::string(json::get_string(t, "Id").value_or("")),
                  static_cast<int>(json::get_int(t, "Port").value_or(group_port)), std::nullopt};
    if (auto az = json::get_string(t, "AvailabilityZone")) target.az = std::string(*az);
    if (registering && type == "ip" && !is_ipv4(target.id))
      return errors::invalid_target("The IP address '" + target.id + "' is not a valid IPv4 address");
    if (registering && type == "instance" && !target.id.starts_with("i-"))
      return errors::invalid_target("The following targets are not valid instance IDs: '" + target.id + "'");
    if (target.port < 1 || target.port > 65535)
      return errors::validation("Port '" + std::to_string(target.port) + "' must be from 1 to 65535");
    out.push_back(std::move(target));
  }
  return out;
}

std::variant<TargetGroupRow, AwsError> group(OpContext& ctx, const json::Value& in) {
  auto row = Elbv2Store(ctx.db, ctx.scope()).target_group(json::get_string(in, "TargetGroupArn").value_or(""));
  if (!row) return errors::target_group_not_found();
  return std::move(*row);
}

Outcome register_targets(OpContext& ctx, const json::Value& in) {
  auto tg = group(ctx, in);
  if (auto* e = std::get_if<AwsError>(&tg)) return *e;
  auto& row = std::get<TargetGroupRow>(tg);
  auto targets = targets_of(in["Targets"], row, true);
  if (auto* e = std::get_if<AwsError>(&targets)) return *e;
  Elbv2Store store(ctx.db, ctx.scope());
  if (store.targets(row.arn).size() + std::get<std::vector<Target>>(targets).size() > 1000)
    return AwsError::client("TooManyTargets", "You have reached the limit on the number of targets per target group (1000)");
  for (const auto& t : std::get<std::vector<Target>>(targets))
    store.register_target(row.arn, t.id, t.port, t.az, ctx.clock.now_millis());
  notify_data_plane(ctx);
  return Outcome::ok("{}");
}

Outcome deregister_targets(OpContext& ctx, const json::Value& in) {
  auto tg = group(ctx, in);
  if (auto* e = std::get_if<AwsError>(&tg)) return *e;
  auto& row = std::get<TargetGroupRow>(tg);
  auto targets = targets_of(in["Targets"], row, false);
  if (auto* e = std::get_if<AwsError>(&targets)) return *e;
  Elbv2Store store(ctx.db, ctx.scope());
  std::int64_t delay = std::stoll(parse_attributes(row.attributes)["deregistration_delay.timeout_seconds"]);
  auto& list = std::get<std::vector<Target>>(targets);
  for (const auto& t : list)
    if (!store.target(row.arn, t.id, t.port))
      return errors::invalid_target("The following targets are not registered in target group '" + row.arn + "': 'Id=" +
                                    t.id + ",Port=" + std::to_string(t.port) + "'");
  for (const auto& t : list) store.deregister_target(row.arn, t.id, t.port, ctx.clock.now_millis() + delay * 1000);
  notify_data_plane(ctx);
  return Outcome::ok("{}");
}

void write_health(json::Writer& w, std::string_view state, const std::optional<std::string>& reason,
                  const std::optional<std::string>& description) {
  w.Key("TargetHealth");
  w.StartObject();
  json::kv(w, "State", state);
  if (reason) json::kv(w, "Reason", *reason);
  if (description) json::kv(w, "Description", *description);
  w.EndObject();
}

Outcome describe_target_health(OpContext& ctx, const json::Value& in) {
  auto tg = group(ctx, in);
  if (auto* e = std::get_if<AwsError>(&tg)) return *e;
  auto& row = std::get<TargetGroupRow>(tg);
  Elbv2Store store(ctx.db, ctx.scope());
  auto doc = parse_doc(row.doc);
  std::string hc_port(json::get_string(doc, "HealthCheckPort").value_or("traffic-port"));
  bool in_use = !store.load_balancers_using(row.arn).empty();

  std::vector<Target> wanted;
  if (auto* list = json::member(in, "Targets"); list && !list->Empty()) {
    auto t = targets_of(*list, row, false);
    if (auto* e = std::get_if<AwsError>(&t)) return *e;
    wanted = std::move(std::get<std::vector<Target>>(t));
  } else {
    for (const auto& r : store.targets(row.arn)) wanted.push_back({r.id, r.port, r.az});
  }
  Body b;
  b.w.StartObject();
  b.w.Key("TargetHealthDescriptions");
  b.w.StartArray();
  for (const auto& t : wanted) {
    auto r = store.target(row.arn, t.id, t.port);
    b.w.StartObject();
    b.w.Key("Target");
    b.w.StartObject();
    json::kv(b.w, "Id", t.id);
    b.w.Key("Port");
    b.w.Int(t.port);
    if (r && r->az) json::kv(b.w, "AvailabilityZone", *r->az);
    b.w.EndObject();
    json::kv(b.w, "HealthCheckPort", hc_port == "traffic-port" ? std::to_string(t.port) : hc_port);
    if (!r)
      write_health(b.w, "unused", "Target.NotRegistered", "Target is not registered to the target group");
    else if (!in_use && r->state != state::target_state::draining)
      write_health(b.w, "unused", "Target.NotInUse", "Target group is not configured to receive traffic from the load balancer");
    else
      write_health(b.w, r->state, r->reason, r->description);
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_targets(OperationTable& t) {
  t.add("elbv2", "RegisterTargets", register_targets, Access::Write);
  t.add("elbv2", "DeregisterTargets", deregister_targets, Access::Write);
  t.add("elbv2", "DescribeTargetHealth", describe_target_health, Access::Read);
}

}  // namespace berth::api::elbv2
