// DescribeCapacityProviders: FARGATE and FARGATE_SPOT exist in every account and region.
#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/shapes.h"
#include "api/pagination.h"
#include "api/services.h"

namespace berth::api::ecs {
namespace {
constexpr std::string_view kBuiltin[] = {"FARGATE", "FARGATE_SPOT"};

void write_provider(OpContext& ctx, json::Writer& w, std::string_view name) {
  w.StartObject();
  json::kv(w, "capacityProviderArn", arns::capacity_provider(ctx.region, ctx.account, name));
  json::kv(w, "name", name);
  json::kv(w, "status", "ACTIVE");
  w.Key("tags");
  w.StartArray();
  w.EndArray();
  json::kv(w, "type", name);
  w.EndObject();
}

// A provider name from "NAME" or its ARN.
std::string provider_name(std::string_view id) {
  if (auto arn = Arn::parse(id); arn && arn->resource_type() == "capacity-provider")
    return std::string(arn->resource_id());
  return std::string(id);
}

Outcome describe_capacity_providers(OpContext& ctx, const json::Value& in) {
  auto page = page_of(in, 10, 10);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);

  std::vector<std::string> found, missing;
  if (const json::Value* names = json::member(in, "capacityProviders"); names && names->Size() > 0) {
    for (const auto& n : names->GetArray()) {
      std::string name = provider_name(json::view(n));
      bool builtin = std::find(std::begin(kBuiltin), std::end(kBuiltin), name) != std::end(kBuiltin);
      (builtin ? found : missing).push_back(name);
    }
  } else {
    found.assign(std::begin(kBuiltin), std::end(kBuiltin));
  }
  // Pages over the found providers by position; the cursor is the last name returned.
  std::size_t start = 0;
  if (!p.cursor.empty()) {
    auto it = std::find(found.begin(), found.end(), p.cursor);
    if (it == found.end()) return errors::invalid_next_token();
    start = static_cast<std::size_t>(it - found.begin()) + 1;
  }
  std::size_t end = std::min(found.size(), start + static_cast<std::size_t>(p.limit));
  Body b;
  b.w.StartObject();
  b.w.Key("capacityProviders");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i) write_provider(ctx, b.w, found[i]);
  b.w.EndArray();
  b.w.Key("failures");
  b.w.StartArray();
  if (start == 0)
    for (const auto& m : missing) write_failure(b.w, arns::capacity_provider(ctx.region, ctx.account, m), "MISSING");
  b.w.EndArray();
  if (end < found.size()) json::kv(b.w, "nextToken", pagination::encode(found[end - 1]));
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_capacity_providers(OperationTable& t) {
  t.add("ecs", "DescribeCapacityProviders", describe_capacity_providers, Access::Read);
}

}  // namespace berth::api::ecs
