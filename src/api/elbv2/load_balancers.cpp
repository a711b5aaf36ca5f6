// CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer, SetSecurityGroups, SetSubnets,
// DescribeLoadBalancerAttributes, ModifyLoadBalancerAttributes.
#include <algorithm>
#include <cctype>

#include "api/elbv2/attributes.h"
#include "api/elbv2/errors.h"
#include "api/elbv2/shapes.h"
#include "api/services.h"

namespace berth::api::elbv2 {
namespace {
using state::Elbv2Store;
using state::LoadBalancerRow;

std::optional<AwsError> check_name(std::string_view name) {
  if (name.size() > 32)
    return errors::validation("The load balancer name '" + std::string(name) + "' cannot be longer than '32' characters");
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
      return errors::validation("The load balancer name '" + std::string(name) +
                                "' can only contain characters that are alphanumeric characters and hyphens(-)");
  if (name.empty() || name.front() == '-' || name.back() == '-')
    return errors::validation("The load balancer name '" + std::string(name) + "' cannot begin or end with a hyphen");
  if (name.starts_with("internal-"))
    return errors::validation("The load balancer name '" + std::string(name) + "' cannot begin with 'internal-'");
  return std::nullopt;
}

// Subnets (or SubnetMappings) as AvailabilityZones: berth has no VPC, so the Nth distinct
// subnet sits in the region's Nth zone.
std::variant<rapidjson::Value, AwsError> zones_of(const OpContext& ctx, const json::Value& in, std::string_view type,
                                                  rapidjson::Document::AllocatorType& a) {
  std::vector<std::string> subnets;
  if (auto* s = json::member(in, "Subnets"))
    for (const auto& v : s->GetArray()) subnets.emplace_back(json::view(v));
  if (auto* m = json::member(in, "SubnetMappings"))
    for (const auto& v : m->GetArray()) subnets.emplace_back(json::get_string(v, "SubnetId").value_or(""));
  std::sort(subnets.begin(), subnets.end());
  subnets.erase(std::unique(subnets.begin(), subnets.end()), subnets.end());
  if (type == "application" && subnets.size() < 2)
    return errors::validation("At least two subnets in two different Availability Zones must be specified");
  if (subnets.empty()) return errors::validation("At least one subnet must be specified");
  rapidjson::Value zones(rapidjson::kArrayType);
  char zone = 'a';
  for (const auto& s : subnets) {
    rapidjson::Value z(rapidjson::kObjectType);
    z.AddMember("ZoneName", rapidjson::Value((ctx.region + zone++).c_str(), a), a);
    z.AddMember("SubnetId", rapidjson::Value(s.c_str(), a), a);
    z.AddMember("LoadBalancerAddresses", rapidjson::Value(rapidjson::kArrayType), a);
    zones.PushBack(z, a);
  }
  return zones;
}

Outcome reply_with(Elbv2Store&, const std::vector<LoadBalancerRow>& rows, const std::optional<std::string>& marker) {
  Body b;
  b.w.StartObject();
  b.w.Key("LoadBalancers");
  b.w.StartArray();
  for (const auto& r : rows) write_load_balancer(b.w, r);
  b.w.EndArray();
  if (marker) json::kv(b.w, "NextMarker", *marker);
  b.w.EndObject();
  return b.done();
}

std::variant<LoadBalancerRow, AwsError> existing(OpContext& ctx, const json::Value& in) {
  auto row = Elbv2Store(ctx.db, ctx.scope()).load_balancer(json::get_string(in, "LoadBalancerArn").value_or(""));
  if (!row) return errors::load_balancer_not_found();
  return std::move(*row);
}

Outcome create_load_balancer(OpContext& ctx, const json::Value& in) {
  std::string name(json::get_string(in, "Name").value_or(""));
  if (auto e = check_name(name)) return *e;
  std::string type(json::get_string(in, "Type").value_or("application"));
  if (type == "gateway") return errors::validation("berth does not emulate gateway load balancers");
  std::string scheme(json::get_string(in, "Scheme").value_or("internet-facing"));
  auto tags = tags_of(json::member(in, "Tags"));
  if (auto* e = std::get_if<AwsError>(&tags)) return *e;

  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto zones = zones_of(ctx, in, type, a);
  if (auto* e = std::get_if<AwsError>(&zones)) return *e;

  Elbv2Store store(ctx.db, ctx.scope());
  if (auto old = store.load_balancer_named(name)) {
    // The same request again answers the load balancer it made; other settings clash.
    auto d = parse_doc(old->doc);
    if (old->type == type && json::get_string(d, "Scheme").value_or("") == scheme)
      return reply_with(store, {*old}, std::nullopt);
    return errors::duplicate_load_balancer_name(name);
  }

  LoadBalancerRow row;
  row.name = name;
  row.type = type;
  row.arn = load_balancer_arn(ctx, type, name);
  row.dns_name = dns_name(name, ctx.region, scheme == "internal");
  row.state = "provisioning";
  row.created_at = ctx.clock.now_millis();
  row.attributes = attributes_json(load_balancer_defaults(type));
  doc.AddMember("LoadBalancerArn", rapidjson::Value(row.arn.c_str(), a), a);
  doc.AddMember("DNSName", rapidjson::Value(row.dns_name.c_str(), a), a);
  doc.AddMember("CanonicalHostedZoneId", rapidjson::StringRef(type == "network" ? "Z26RNL4JYFTOTI" : "Z35SXDOTRQ7X7K"), a);
  doc.AddMember("CreatedTime", static_cast<double>(row.created_at) / 1000.0, a);
  doc.AddMember("LoadBalancerName", rapidjson::Value(name.c_str(), a), a);
  doc.AddMember("Scheme", rapidjson::Value(scheme.c_str(), a), a);
  doc.AddMember("VpcId", "vpc-0berth0000000000", a);
  doc.AddMember("Type", rapidjson::Value(type.c_str(), a), a);
  doc.AddMember("AvailabilityZones", std::move(std::get<rapidjson::Value>(zones)), a);
  rapidjson::Value groups(rapidjson::kArrayType);
  if (auto* sg = json::member(in, "SecurityGroups")) groups.CopyFrom(*sg, a);
  if (type == "application" || !groups.Empty()) doc.AddMember("SecurityGroups", groups, a);
  doc.AddMember("IpAddressType", rapidjson::Value(std::string(json::get_string(in, "IpAddressType").value_or("ipv4")).c_str(), a), a);
  row.doc = json::dump(doc);
  store.put_load_balancer(row);
  state::TagsStore(ctx.db).put(row.arn, std::get<std::vector<state::Tag>>(tags));
  notify_data_plane(ctx);
  return reply_with(store, {row}, std::nullopt);
}

Outcome describe_load_balancers(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  auto* arns = json::member(in, "LoadBalancerArns");
  auto* names = json::member(in, "Names");
  if (arns && names) return errors::validation("Load balancer names and load balancer ARNs cannot be specified at the same time");
  std::optional<std::variant<std::vector<LoadBalancerRow>, AwsError>> named;
  if (arns && !arns->Empty())
    named = rows_named<LoadBalancerRow>(*arns, [&](std::string_view arn) { return store.load_balancer(arn); },
                                        [](std::string_view) { return errors::load_balancer_not_found(); });
  else if (names && !names->Empty())
    named = rows_named<LoadBalancerRow>(
        *names, [&](std::string_view name) { return store.load_balancer_named(name); },
        [](std::string_view name) {
          return AwsError::client("LoadBalancerNotFound", "Load balancers '[" + std::string(name) + "]' not found");
        });
  if (named) {
    if (auto* e = std::get_if<AwsError>(&*named)) return *e;
    return reply_with(store, std::get<std::vector<LoadBalancerRow>>(*named), std::nullopt);
  }
  auto all = store.load_balancers();
  std::vector<std::string> keys;
  for (const auto& r : all) keys.push_back(r.name);
  auto page = page_of(in, keys);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  return reply_with(store, {all.begin() + p.begin, all.begin() + p.end}, p.next_marker);
}

Outcome delete_load_balancer(OpContext& ctx, const json::Value& in) {
  Elbv2Store store(ctx.db, ctx.scope());
  std::string arn(json::get_string(in, "LoadBalancerArn").value_or(""));
  auto row = store.load_balancer(arn);
  if (!row) return Outcome::ok("{}");  // deleting what is gone succeeds, as in ELBv2
  if (parse_attributes(row->attributes)["deletion_protection.enabled"] == "true")
    return errors::operation_not_permitted("Load balancer '" + arn +
                                           "' cannot be deleted because deletion protection is enabled");
  state::TagsStore tags(ctx.db);
  for (const auto& l : store.listeners_of(arn)) {
    for (const auto& r : store.rules_of(l.arn)) tags.remove_all(r.arn);
    tags.remove_all(l.arn);
  }
  tags.remove_all(arn);
  store.delete_load_balancer(arn);
  notify_data_plane(ctx);
  return Outcome::ok("{}");
}

Outcome set_security_groups(OpContext& ctx, const json::Value& in) {
  auto found = existing(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto& row = std::get<LoadBalancerRow>(found);
  if (row.type != "application" && parse_doc(row.doc).HasMember("SecurityGroups") == false)
    return errors::invalid_configuration("A network load balancer created without security groups cannot have them added");
  auto d = parse_doc(row.doc);
  auto& a = d.GetAllocator();
  rapidjson::Value groups(rapidjson::kArrayType);
  groups.CopyFrom(in["SecurityGroups"], a);
  d.RemoveMember("SecurityGroups");
  d.AddMember("SecurityGroups", groups, a);
  row.doc = json::dump(d);
  Elbv2Store(ctx.db, ctx.scope()).put_load_balancer(row);
  Body b;
  b.w.StartObject();
  b.w.Key("SecurityGroupIds");
  in["SecurityGroups"].Accept(b.w);
  b.w.EndObject();
  return b.done();
}

Outcome set_subnets(OpContext& ctx, const json::Value& in) {
  auto found = existing(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto& row = std::get<LoadBalancerRow>(found);
  auto d = parse_doc(row.doc);
  auto& a = d.GetAllocator();
  auto zones = zones_of(ctx, in, row.type, a);
  if (auto* e = std::get_if<AwsError>(&zones)) return *e;
  d.RemoveMember("AvailabilityZones");
  d.AddMember("AvailabilityZones", std::move(std::get<rapidjson::Value>(zones)), a);
  if (auto t = json::get_string(in, "IpAddressType")) {
    d.RemoveMember("IpAddressType");
    d.AddMember("IpAddressType", rapidjson::Value(std::string(*t).c_str(), a), a);
  }
  row.doc = json::dump(d);
  Elbv2Store(ctx.db, ctx.scope()).put_load_balancer(row);
  Body b;
  b.w.StartObject();
  b.w.Key("AvailabilityZones");
  d["AvailabilityZones"].Accept(b.w);
  json::kv(b.w, "IpAddressType", json::get_string(d, "IpAddressType").value_or("ipv4"));
  b.w.EndObject();
  return b.done();
}

Outcome describe_load_balancer_attributes(OpContext& ctx, const json::Value& in) {
  auto found = existing(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  return Outcome::ok(attributes_reply(parse_attributes(std::get<LoadBalancerRow>(found).attributes)));
}

Outcome modify_load_balancer_attributes(OpContext& ctx, const json::Value& in) {
  auto found = existing(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto& row = std::get<LoadBalancerRow>(found);
  auto attrs = parse_attributes(row.attributes);
  if (auto e = apply_attributes(attrs, in["Attributes"], true)) return *e;
  row.attributes = attributes_json(attrs);
  Elbv2Store(ctx.db, ctx.scope()).put_load_balancer(row);
  notify_data_plane(ctx);
  return Outcome::ok(attributes_reply(attrs));
}
}  // namespace

void register_load_balancers(OperationTable& t) {
  t.add("elbv2", "CreateLoadBalancer", create_load_balancer, Access::Write);
  t.add("elbv2", "DescribeLoadBalancers", describe_load_balancers, Access::Read);
  t.add("elbv2", "DeleteLoadBalancer", delete_load_balancer, Access::Write);
  t.add("elbv2", "SetSecurityGroups", set_security_groups, Access::Write);
  t.add("elbv2", "SetSubnets", set_subnets, Access::Write);
  t.add("elbv2", "DescribeLoadBalancerAttributes", describe_load_balancer_attributes, Access::Read);
  t.add("elbv2", "ModifyLoadBalancerAttributes", modify_load_balancer_attributes, Access::Write);
}

}  // namespace berth::api::elbv2
