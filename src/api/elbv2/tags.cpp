// AddTags, RemoveTags, DescribeTags for load balancers, target groups, listeners and rules;
// DescribeAccountLimits.
#include "api/elbv2/errors.h"
#include "api/elbv2/shapes.h"
#include "api/services.h"

namespace berth::api::elbv2 {
namespace {
using state::Elbv2Store;

std::optional<AwsError> check_resources(OpContext& ctx, const json::Value& arns) {
  Elbv2Store store(ctx.db, ctx.scope());
  for (const auto& v : arns.GetArray()) {
    AwsError not_found;
    if (!resource_exists(store, json::view(v), not_found)) return not_found;
  }
  return std::nullopt;
}

Outcome add_tags(OpContext& ctx, const json::Value& in) {
  if (auto e = check_resources(ctx, in["ResourceArns"])) return *e;
  auto tags = tags_of(&in["Tags"]);
  if (auto* e = std::get_if<AwsError>(&tags)) return *e;
  state::TagsStore store(ctx.db);
  auto& list = std::get<std::vector<state::Tag>>(tags);
  for (const auto& v : in["ResourceArns"].GetArray()) {
    auto arn = json::view(v);
    auto existing = store.list(arn);
    std::size_t added = 0;
    for (const auto& t : list)
      if (std::none_of(existing.begin(), existing.end(), [&](const auto& e) { return e.first == t.first; })) ++added;
    if (existing.size() + added > 50) return errors::too_many_tags();
    store.put(arn, list);
  }
  return Outcome::ok("{}");
}

Outcome remove_tags(OpContext& ctx, const json::Value& in) {
  if (auto e = check_resources(ctx, in["ResourceArns"])) return *e;
  std::vector<std::string> keys;
  for (const auto& k : in["TagKeys"].GetArray()) keys.emplace_back(json::view(k));
  state::TagsStore store(ctx.db);
  for (const auto& v : in["ResourceArns"].GetArray()) store.remove(json::view(v), keys);
  return Outcome::ok("{}");
}

Outcome describe_tags(OpContext& ctx, const json::Value& in) {
  if (auto e = check_resources(ctx, in["ResourceArns"])) return *e;
  state::TagsStore store(ctx.db);
  Body b;
  b.w.StartObject();
  b.w.Key("TagDescriptions");
  b.w.StartArray();
  for (const auto& v : in["ResourceArns"].GetArray()) {
    b.w.StartObject();
    json::kv(b.w, "ResourceArn", json::view(v));
    b.w.Key("Tags");
    b.w.StartArray();
    for (const auto& [k, val] : store.list(json::view(v))) {
      b.w.StartObject();
      json::kv(b.w, "Key", k);
      json::kv(b.w, "Value", val);
      b.w.EndObject();
    }
    b.w.EndArray();
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

// The quotas ELBv2 reports by default (they bound nothing in berth beyond what the API checks).
Outcome describe_account_limits(OpContext&, const json::Value&) {
  static const std::pair<const char*, const char*> limits[] = {
      {"application-load-balancers", "50"}, {"target-groups", "3000"},   {"targets-per-application-load-balancer", "1000"},
      {"listeners-per-application-load-balancer", "50"}, {"rules-per-application-load-balancer", "100"},
      {"network-load-balancers", "50"},     {"targets-per-network-load-balancer", "3000"},
      {"targets-per-availability-zone-per-network-load-balancer", "500"},
      {"listeners-per-network-load-balancer", "50"}, {"condition-values-per-alb-rule", "5"},
      {"condition-wildcards-per-alb-rule", "5"},     {"target-groups-per-application-load-balancer", "100"},
      {"target-groups-per-action-on-application-load-balancer", "5"},
      {"target-groups-per-action-on-network-load-balancer", "1"},
      {"certificates-per-application-load-balancer", "25"}, {"certificates-per-network-load-balancer", "25"},
      {"targets-per-target-group", "1000"}, {"target-id-registrations-per-application-load-balancer", "1000"},
  };
  Body b;
  b.w.StartObject();
  b.w.Key("Limits");
  b.w.StartArray();
  for (const auto& [name, max] : limits) {
    b.w.StartObject();
    json::kv(b.w, "Name", name);
    json::kv(b.w, "Max", max);
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_tags(OperationTable& t) {
  t.add("elbv2", "AddTags", add_tags, Access::Write);
  t.add("elbv2", "RemoveTags", remove_tags, Access::Write);
  t.add("elbv2", "DescribeTags", describe_tags, Access::Read);
  t.add("elbv2", "DescribeAccountLimits", describe_account_limits, Access::Read);
}

}  // namespace berth::api::elbv2
