#include "api/elbv2/shapes.h"

#include <algorithm>
#include <random>
#include <set>

#include "api/elbv2/errors.h"
#include "api/pagination.h"
#include "common/ids.h"

namespace berth::api::elbv2 {
namespace {
std::string hex16() { return ids::hex32().substr(0, 16); }

std::string arn_prefix(const OpContext& ctx) {
  return "arn:aws:elasticloadbalancing:" + ctx.region + ":" + ctx.account + ":";
}

// "loadbalancer/app/NAME/ID" -> "app/NAME/ID"
std::string_view after_first_slash(std::string_view arn) {
  auto colon = arn.find(':', arn.find(":elasticloadbalancing:") + 22);
  colon = arn.find(':', colon + 1);  // past the account
  auto resource = arn.substr(colon + 1);
  return resource.substr(resource.find('/') + 1);
}
}  // namespace

std::string load_balancer_arn(const OpContext& ctx, std::string_view type, std::string_view name) {
  return arn_prefix(ctx) + "loadbalancer/" + (type == "network" ? "net/" : "app/") + std::string(name) + "/" + hex16();
}

std::string target_group_arn(const OpContext& ctx, std::string_view name) {
  return arn_prefix(ctx) + "targetgroup/" + std::string(name) + "/" + hex16();
}

std::string listener_arn(std::string_view lb_arn) {
  auto head = lb_arn.substr(0, lb_arn.find(":loadbalancer/") + 1);
  return std::string(head) + "listener/" + std::string(after_first_slash(lb_arn)) + "/" + hex16();
}

std::string rule_arn(std::string_view listener_arn) {
  auto head = listener_arn.substr(0, listener_arn.find(":listener/") + 1);
  return std::string(head) + "listener-rule/" + std::string(after_first_slash(listener_arn)) + "/" + hex16();
}

std::string dns_name(std::string_view name, std::string_view region, bool internal) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string digits = std::to_string(1000000000 + rng() % 9000000000ULL);  // 10 digits, as AWS's
  return (internal ? "internal-" : "") + std::string(name) + "-" + digits + "." + std::string(region) + ".elb.localhost";
}

rapidjson::Document parse_doc(std::string_view doc) {
  rapidjson::Document d;
  d.Parse(doc.data(), doc.size());
  if (d.HasParseError()) d.SetObject();
  return d;
}

std::string doc_string(std::string_view doc, const char* member) {
  auto d = parse_doc(doc);
  return std::string(json::get_string(d, member).value_or(""));
}

void write_load_balancer(json::Writer& w, const state::LoadBalancerRow& row) {
  auto d = parse_doc(row.doc);
  auto& a = d.GetAllocator();
  rapidjson::Value st(rapidjson::kObjectType);
  st.AddMember("Code", rapidjson::Value(row.state.c_str(), a), a);
  d.RemoveMember("State");
  d.AddMember("State", st, a);
  d.Accept(w);
}

void write_target_group(json::Writer& w, state::Elbv2Store& store, const state::TargetGroupRow& row) {
  auto d = parse_doc(row.doc);
  auto& a = d.GetAllocator();
  rapidjson::Value lbs(rapidjson::kArrayType);
  for (const auto& arn : store.load_balancers_using(row.arn)) lbs.PushBack(rapidjson::Value(arn.c_str(), a), a);
  d.RemoveMember("LoadBalancerArns");
  d.AddMember("LoadBalancerArns", lbs, a);
  d.Accept(w);
}

void write_listener(json::Writer& w, const state::ListenerRow& row) { json::raw(w, row.doc); }

void write_rule(json::Writer& w, const state::RuleRow& row) {
  auto d = parse_doc(row.doc);
  w.StartObject();
  json::kv(w, "RuleArn", row.arn);
  json::kv(w, "Priority", row.priority ? std::to_string(*row.priority) : "default");
  w.Key("Conditions");
  if (auto* c = json::member(d, "Conditions"))
    c->Accept(w);
  else {
    w.StartArray();
    w.EndArray();
  }
  w.Key("Actions");
  if (auto* ac = json::member(d, "Actions"))
    ac->Accept(w);
  else {
    w.StartArray();
    w.EndArray();
  }
  w.Key("IsDefault");
  w.Bool(row.is_default());
  w.EndObject();
}

std::variant<std::vector<state::Tag>, AwsError> tags_of(const json::Value* list) {
  std::vector<state::Tag> out;
  if (!list) return out;
  std::set<std::string> seen;
  for (const auto& t : list->GetArray()) {
    std::string key(json::get_string(t, "Key").value_or(""));
    if (!seen.insert(key).second) return errors::duplicate_tag_keys(key);
    out.emplace_back(key, std::string(json::get_string(t, "Value").value_or("")));
  }
  if (out.size() > 50) return errors::too_many_tags();
  return out;
}

bool resource_exists(state::Elbv2Store& store, std::string_view arn, AwsError& not_found) {
  if (arn.find(":loadbalancer/") != std::string_view::npos) {
    not_found = errors::load_balancer_not_found();
    return store.load_balancer(arn).has_value();
  }
  if (arn.find(":targetgroup/") != std::string_view::npos) {
    not_found = errors::target_group_not_found();
    return store.target_group(arn).has_value();
  }
  if (arn.find(":listener/") != std::string_view::npos) {
    not_found = errors::listener_not_found();
    return store.listener(arn).has_value();
  }
  if (arn.find(":listener-rule/") != std::string_view::npos) {
    not_found = errors::rule_not_found();
    return store.rule(arn).has_value();
  }
  not_found = errors::validation("'" + std::string(arn) + "' is not a valid load balancer resource ARN");
  return false;
}

std::variant<Page, AwsError> page_of(const json::Value& in, const std::vector<std::string>& keys) {
  std::size_t size = static_cast<std::size_t>(json::get_int(in, "PageSize").value_or(400));
  Page p;
  if (auto marker = json::get_string(in, "Marker")) {
    auto last = pagination::decode(*marker);
    if (!last) return errors::validation("The marker '" + std::string(*marker) + "' is not valid");
    while (p.begin < keys.size() && keys[p.begin] <= *last) ++p.begin;
  }
  p.end = std::min(keys.size(), p.begin + size);
  if (p.end < keys.size()) p.next_marker = pagination::encode(keys[p.end - 1]);
  return p;
}

}  // namespace berth::api::elbv2
