// PutDestination, PutDestinationPolicy, DescribeDestinations, DeleteDestination: cross-account
// subscription destinations, stored and shown. berth has no Kinesis or Firehose: nothing is
// ever delivered to a destination's target.
#include <algorithm>

#include "api/logs/errors.h"
#include "api/pagination.h"
#include "api/logs/registration.h"
#include "api/services.h"
#include "common/arn.h"
#include "state/log_documents_store.h"

namespace berth::api::logs {
namespace {
using state::LogDocumentsStore;

constexpr const char* kDestination = "destination";
constexpr int kDefaultDescribeLimit = 50;

AwsError destination_not_found() {
  return AwsError::client("ResourceNotFoundException", "The specified destination does not exist.");
}

void write_destination(json::Writer& w, const state::LogDocumentRow& row) {
  rapidjson::Document d;
  d.Parse(row.doc.c_str());
  w.StartObject();
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    w.Key(it->name.GetString());
    it->value.Accept(w);
  }
  w.Key("creationTime");
  w.Int64(row.created_at);
  w.EndObject();
}

Outcome put_destination(OpContext& ctx, const json::Value& in) {
  std::string name(json::view(in["destinationName"]));
  std::string_view target = json::view(in["targetArn"]);
  auto arn = Arn::parse(target);
  if (!arn || (arn->service != "kinesis" && arn->service != "firehose"))
    return errors::invalid_parameter("Invalid targetArn: " + std::string(target) +
                                     ". It must be the ARN of a Kinesis stream or a Firehose delivery stream.");
  LogDocumentsStore store(ctx.db, ctx.scope());
  std::optional<std::string> policy;
  if (auto old = store.get(kDestination, name)) {
    rapidjson::Document d;
    d.Parse(old->doc.c_str());
    if (auto p = json::get_string(d, "accessPolicy")) policy = std::string(*p);
  }
  Body doc;
  doc.w.StartObject();
  json::kv(doc.w, "destinationName", name);
  json::kv(doc.w, "targetArn", target);
  json::kv(doc.w, "roleArn", json::view(in["roleArn"]));
  if (policy) json::kv(doc.w, "accessPolicy", *policy);
  json::kv(doc.w, "arn", "arn:aws:logs:" + ctx.region + ":" + ctx.account + ":destination:" + name);
  doc.w.EndObject();
  store.put(kDestination, name, doc.done().take_body(), ctx.clock.now_millis());
  Body b;
  b.w.StartObject();
  b.w.Key("destination");
  write_destination(b.w, *store.get(kDestination, name));
  b.w.EndObject();
  return b.done();
}

Outcome put_destination_policy(OpContext& ctx, const json::Value& in) {
  std::string name(json::view(in["destinationName"]));
  LogDocumentsStore store(ctx.db, ctx.scope());
  auto row = store.get(kDestination, name);
  if (!row) return destination_not_found();
  std::string_view policy = json::view(in["accessPolicy"]);
  rapidjson::Document parsed;
  parsed.Parse(policy.data(), policy.size());
  if (parsed.HasParseError() || !parsed.IsObject())
    return errors::invalid_parameter("Access policy is not a valid JSON document.");
  rapidjson::Document d;
  d.Parse(row->doc.c_str());
  auto& a = d.GetAllocator();
  d.RemoveMember("accessPolicy");
  d.AddMember("accessPolicy", rapidjson::Value(std::string(policy).c_str(), a), a);
  store.put(kDestination, name, json::dump(d), ctx.clock.now_millis());
  return Outcome::ok("{}");
}

Outcome describe_destinations(OpContext& ctx, const json::Value& in) {
  auto rows = LogDocumentsStore(ctx.db, ctx.scope())
                  .all(kDestination, json::get_string(in, "DestinationNamePrefix").value_or(""));
  std::size_t start = 0;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    while (start < rows.size() && rows[start].key <= *cursor) ++start;
  }
  auto limit = static_cast<std::size_t>(json::get_int(in, "limit").value_or(kDefaultDescribeLimit));
  std::size_t end = std::min(rows.size(), start + limit);
  Body b;
  b.w.StartObject();
  b.w.Key("destinations");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i) write_destination(b.w, rows[i]);
  b.w.EndArray();
  if (end < rows.size()) json::kv(b.w, "nextToken", pagination::encode(rows[end - 1].key));
  b.w.EndObject();
  return b.done();
}

Outcome delete_destination(OpContext& ctx, const json::Value& in) {
  if (!LogDocumentsStore(ctx.db, ctx.scope()).remove(kDestination, json::view(in["destinationName"])))
    return destination_not_found();
  return Outcome::ok("{}");
}
}  // namespace

void register_destinations(OperationTable& t) {
  t.add("logs", "PutDestination", put_destination, Access::Write);
  t.add("logs", "PutDestinationPolicy", put_destination_policy, Access::Write);
  t.add("logs", "DescribeDestinations", describe_destinations, Access::Read);
  t.add("logs", "DeleteDestination", delete_destination, Access::Write);
}

}  // namespace berth::api::logs
