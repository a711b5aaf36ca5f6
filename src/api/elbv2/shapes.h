#pragma once
// ELBv2 identifiers and API objects: ARNs, DNS names, and the writers of LoadBalancer,
// TargetGroup, Listener and Rule from their rows. Shared by the resource files.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/context.h"
#include "state/elbv2_store.h"
#include "state/tags_store.h"

namespace berth::api::elbv2 {

// arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app|net/NAME/16hex
std::string load_balancer_arn(const OpContext& ctx, std::string_view type, std::string_view name);
std::string target_group_arn(const OpContext& ctx, std::string_view name);
// listener/app/LB/LBID/16hex and listener-rule/app/LB/LBID/LID/16hex, from their parents' ARNs.
std::string listener_arn(std::string_view lb_arn);
std::string rule_arn(std::string_view listener_arn);
// NAME-DIGITS.REGION.elb.localhost, with "internal-" first when internal.
std::string dns_name(std::string_view name, std::string_view region, bool internal);

// The API objects. A load balancer's State comes from its row; a target group lists the load
// balancers whose rules forward to it.
void write_load_balancer(json::Writer& w, const state::LoadBalancerRow& row);
void write_target_group(json::Writer& w, state::Elbv2Store& store, const state::TargetGroupRow& row);
void write_listener(json::Writer& w, const state::ListenerRow& row);
void write_rule(json::Writer& w, const state::RuleRow& row);

// Reads a field of a row's doc.
rapidjson::Document parse_doc(std::string_view doc);
std::string doc_string(std::string_view doc, const char* member);

// Tags given as [{"Key","Value"}]: duplicates refused, at most 50.
std::variant<std::vector<state::Tag>, AwsError> tags_of(const json::Value* list);

// The resource a tags call names, if it exists in the caller's scope.
bool resource_exists(state::Elbv2Store& store, std::string_view arn, AwsError& not_found);

// The rows a Describe call names by ARN or name, in the order given; the first that does not
// exist answers `not_found(that value)`. `find` looks one value up (an optional row).
template <typename Row, typename Find, typename NotFound>
std::variant<std::vector<Row>, AwsError> rows_named(const json::Value& values, Find find, NotFound not_found) {
  std::vector<Row> rows;
  for (const auto& v : values.GetArray()) {
    std::optional<Row> r = find(json::view(v));
    if (!r) return not_found(json::view(v));
    rows.push_back(std::move(*r));
  }
  return rows;
}

// Pages a sorted list by Marker (the last key returned) and PageSize (default 400).
struct Page {
  std::size_t begin = 0, end = 0;
  std::optional<std::string> next_marker;
};
std::variant<Page, AwsError> page_of(const json::Value& in, const std::vector<std::string>& keys);

}  // namespace berth::api::elbv2

namespace berth::api::elbv2 {
// Wakes the data plane once the call's transaction has committed.
inline void notify_data_plane(OpContext& ctx) {
  if (ctx.services.elb_changed) ctx.after_commit.push_back([f = ctx.services.elb_changed](state::Database&) { f(); });
}
}  // namespace berth::api::elbv2
