// PutSubscriptionFilter, DescribeSubscriptionFilters, DeleteSubscriptionFilter. berth stores
// them with AWS's validation and limit, but has no Kinesis, Firehose or Lambda to deliver to:
// nothing is ever sent to the destination.
#include <algorithm>

#include "api/logs/errors.h"
#include "api/logs/filter_put.h"
#include "api/pagination.h"
#include "api/services.h"
#include "common/arn.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
using state::LogFilterRow;
using state::LogsStore;

constexpr int kMaxSubscriptionFilters = 2;  // per log group
constexpr int kDefaultDescribeLimit = 50;

std::string doc_of(const json::Value& in) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "filterName", json::view(in["filterName"]));
  json::kv(b.w, "filterPattern", json::view(in["filterPattern"]));
  json::kv(b.w, "destinationArn", json::view(in["destinationArn"]));
  if (auto r = json::get_string(in, "roleArn")) json::kv(b.w, "roleArn", *r);
  json::kv(b.w, "distribution", json::get_string(in, "distribution").value_or("ByLogStream"));
  b.w.Key("applyOnTransformedLogs");
  b.w.Bool(json::get_bool(in, "applyOnTransformedLogs").value_or(false));
  b.w.EndObject();
  return b.done().take_body();
}

Outcome put_subscription_filter(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto group = filter_put_group(store, in);
  if (auto* e = std::get_if<AwsError>(&group)) return *e;
  std::int64_t group_id = std::get<state::LogGroupRow>(group).id;
  std::string_view destination = json::view(in["destinationArn"]);
  auto arn = Arn::parse(destination);
  static const char* services[] = {"kinesis", "firehose", "lambda", "logs"};
  if (!arn || std::none_of(std::begin(services), std::end(services), [&](const char* s) { return arn->service == s; }))
    return errors::invalid_parameter("Invalid destinationArn: " + std::string(destination) +
                                     ". It must be the ARN of a Kinesis stream, a Firehose delivery stream, a Lambda "
                                     "function or a CloudWatch Logs destination.");
  if (auto e = filter_limit_error(store, group_id, "subscription", json::view(in["filterName"]),
                                  kMaxSubscriptionFilters))
    return *e;
  store_filter(ctx, store, group_id, "subscription", in, doc_of(in));
  return Outcome::ok("{}");
}

Outcome describe_subscription_filters(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto group = store.group(json::view(in["logGroupName"]));
  if (!group) return errors::group_not_found();
  int limit = static_cast<int>(json::get_int(in, "limit").value_or(kDefaultDescribeLimit));
  std::string after;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    after = *cursor;
  }
  auto rows = store.filters(group->id, "subscription", json::get_string(in, "filterNamePrefix").value_or(""), after);
  Body b;
  b.w.StartObject();
  b.w.Key("subscriptionFilters");
  b.w.StartArray();
  for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i) {
    rapidjson::Document d;
    d.Parse(rows[i].doc.c_str());
    b.w.StartObject();
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
      b.w.Key(it->name.GetString());
      it->value.Accept(b.w);
    }
    json::kv(b.w, "logGroupName", group->name);
    b.w.Key("creationTime");
    b.w.Int64(rows[i].created_at);
    b.w.EndObject();
  }
  b.w.EndArray();
  if (rows.size() > static_cast<std::size_t>(limit)) json::kv(b.w, "nextToken", pagination::encode(rows[limit - 1].name));
  b.w.EndObject();
  return b.done();
}

Outcome delete_subscription_filter(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto group = store.group(json::view(in["logGroupName"]));
  if (!group) return errors::group_not_found();
  if (!store.delete_filter(group->id, "subscription", json::view(in["filterName"])))
    return AwsError::client("ResourceNotFoundException", "The specified subscription filter does not exist.");
  return Outcome::ok("{}");
}
}  // namespace

void register_subscription_filters(OperationTable& t) {
  t.add("logs", "PutSubscriptionFilter", put_subscription_filter, Access::Write);
  t.add("logs", "DescribeSubscriptionFilters", describe_subscription_filters, Access::Read);
  t.add("logs", "DeleteSubscriptionFilter", delete_subscription_filter, Access::Write);
}

}  // namespace berth::api::logs
