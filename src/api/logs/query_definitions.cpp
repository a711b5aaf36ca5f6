// PutQueryDefinition, DescribeQueryDefinitions, DeleteQueryDefinition: saved Logs Insights
// queries, stored and listed (by name); berth does not run them on its own.
#include <algorithm>
#include <cstdlib>

#include "api/logs/errors.h"
#include "api/pagination.h"
#include "api/logs/registration.h"
#include "api/services.h"
#include "common/ids.h"
#include "state/log_documents_store.h"

namespace berth::api::logs {
namespace {
using state::LogDocumentsStore;

constexpr const char* kDefinition = "query-definition";
constexpr int kDefaultMaxResults = 1000;

AwsError definition_not_found() {
  return AwsError::client("ResourceNotFoundException", "The specified query definition does not exist.");
}

Outcome put_query_definition(OpContext& ctx, const json::Value& in) {
  LogDocumentsStore store(ctx.db, ctx.scope());
  std::string id;
  if (auto given = json::get_string(in, "queryDefinitionId")) {
    if (!store.get(kDefinition, *given)) return definition_not_found();
    id = std::string(*given);
  } else {
    id = ids::uuid_v4();
  }
  Body doc;
  doc.w.StartObject();
  json::kv(doc.w, "queryLanguage", json::get_string(in, "queryLanguage").value_or("CWLI"));
  json::kv(doc.w, "queryDefinitionId", id);
  json::kv(doc.w, "name", json::view(in["name"]));
  json::kv(doc.w, "queryString", json::view(in["queryString"]));
  if (const json::Value* groups = json::member(in, "logGroupNames")) {
    doc.w.Key("logGroupNames");
    groups->Accept(doc.w);
  }
  if (const json::Value* params = json::member(in, "parameters")) {
    doc.w.Key("parameters");
    params->Accept(doc.w);
  }
  doc.w.EndObject();
  store.put(kDefinition, id, doc.done().take_body(), ctx.clock.now_millis());
  Body b;
  b.w.StartObject();
  json::kv(b.w, "queryDefinitionId", id);
  b.w.EndObject();
  return b.done();
}

Outcome describe_query_definitions(OpContext& ctx, const json::Value& in) {
  auto prefix = json::get_string(in, "queryDefinitionNamePrefix").value_or("");
  auto language = json::get_string(in, "queryLanguage");
  struct Shown {
    std::string name, id;
    rapidjson::Document doc;
    std::int64_t updated_at;
  };
  std::vector<Shown> shown;
  for (auto& row : LogDocumentsStore(ctx.db, ctx.scope()).all(kDefinition)) {
    Shown s{"", row.key, rapidjson::Document(), row.updated_at};
    s.doc.Parse(row.doc.c_str());
    s.name = std::string(json::view(s.doc["name"]));
    if (!s.name.starts_with(prefix)) continue;
    if (language && json::view(s.doc["queryLanguage"]) != *language) continue;
    shown.push_back(std::move(s));
  }
  std::sort(shown.begin(), shown.end(), [](const Shown& a, const Shown& b) {
    return a.name != b.name ? a.name < b.name : a.id < b.id;
  });
  std::size_t start = 0;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    start = static_cast<std::size_t>(std::strtoull(cursor->c_str(), nullptr, 10));
  }
  auto limit = static_cast<std::size_t>(json::get_int(in, "maxResults").value_or(kDefaultMaxResults));
  start = std::min(start, shown.size());
  std::size_t end = std::min(shown.size(), start + limit);
  Body b;
  b.w.StartObject();
  b.w.Key("queryDefinitions");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i) {
    b.w.StartObject();
    for (auto it = shown[i].doc.MemberBegin(); it != shown[i].doc.MemberEnd(); ++it) {
      b.w.Key(it->name.GetString());
      it->value.Accept(b.w);
    }
    b.w.Key("lastModified");
    b.w.Int64(shown[i].updated_at);
    b.w.EndObject();
  }
  b.w.EndArray();
  if (end < shown.size()) json::kv(b.w, "nextToken", pagination::encode(std::to_string(end)));
  b.w.EndObject();
  return b.done();
}

Outcome delete_query_definition(OpContext& ctx, const json::Value& in) {
  if (!LogDocumentsStore(ctx.db, ctx.scope()).remove(kDefinition, json::view(in["queryDefinitionId"])))
    return definition_not_found();
  return Outcome::ok(R"({"success":true})");
}
}  // namespace

void register_query_definitions(OperationTable& t) {
  t.add("logs", "PutQueryDefinition", put_query_definition, Access::Write);
  t.add("logs", "DescribeQueryDefinitions", describe_query_definitions, Access::Read);
  t.add("logs", "DeleteQueryDefinition", delete_query_definition, Access::Write);
}

}  // namespace berth::api::logs
