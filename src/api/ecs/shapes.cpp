#include "api/ecs/shapes.h"

#include "state/ecs_service_store.h"
#include "state/ecs_container_instance_store.h"
#include "state/ecs_task_store.h"

namespace berth::api::ecs {
namespace {
void copy_member(json::Writer& w, const json::Value& doc, const char* name) {
  if (const json::Value* v = json::member(doc, name)) {
    w.Key(name);
    v->Accept(w);
  }
}
}  // namespace

void write_tags(json::Writer& w, const std::vector<state::Tag>& tags) {
  w.StartArray();
  for (const auto& [k, v] : tags) {
    w.StartObject();
    json::kv(w, "key", k);
    json::kv(w, "value", v);
    w.EndObject();
  }
  w.EndArray();
}

std::vector<state::Tag> tags_of(const json::Value& input, const char* member) {
  std::vector<state::Tag> out;
  if (const json::Value* tags = json::member(input, member); tags && tags->IsArray())
    for (const auto& t : tags->GetArray())
      out.emplace_back(std::string(json::get_string(t, "key").value_or("")),
                       std::string(json::get_string(t, "value").value_or("")));
  return out;
}

void write_cluster(OpContext& ctx, json::Writer& w, const state::ClusterRow& row, ClusterView view) {
  rapidjson::Document doc;
  doc.Parse(row.doc.c_str(), row.doc.size());
  w.StartObject();
  json::kv(w, "clusterArn", row.arn);
  json::kv(w, "clusterName", row.name);
  if (view.configurations) copy_member(w, doc, "configuration");
  json::kv(w, "status", row.status);
  auto [running, pending] = state::TaskStore(ctx.db).running_and_pending(ctx.scope(), row.name);
  auto [active_services, draining_services] = state::ServiceStore(ctx.db).count(ctx.scope(), row.name);
  int instances = 0;
  for (const auto& i : state::ContainerInstanceStore(ctx.db, ctx.scope()).in_cluster(row.name))
    instances += i.status != "INACTIVE";
  w.Key("registeredContainerInstancesCount"); w.Int(instances);
  w.Key("runningTasksCount"); w.Int(running);
  w.Key("pendingTasksCount"); w.Int(pending);
  w.Key("activeServicesCount"); w.Int(active_services);
  w.Key("statistics");
  w.StartArray();
  if (view.statistics) {
    const std::pair<const char*, int> stats[] = {
        {"runningEC2TasksCount", 0}, {"runningFargateTasksCount", running}, {"pendingEC2TasksCount", 0},
        {"pendingFargateTasksCount", pending}, {"activeEC2ServiceCount", 0}, {"activeFargateServiceCount", active_services},
        {"drainingEC2ServiceCount", 0}, {"drainingFargateServiceCount", draining_services}};
    for (const auto& [name, value] : stats) {
      w.StartObject();
      json::kv(w, "name", name);
      json::kv(w, "value", std::to_string(value));
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("tags");
  if (view.tags)
    write_tags(w, state::TagsStore(ctx.db).list(row.arn));
  else
    write_tags(w, {});
  if (view.settings) copy_member(w, doc, "settings");
  copy_member(w, doc, "capacityProviders");
  copy_member(w, doc, "defaultCapacityProviderStrategy");
  if (view.attachments) {
    w.Key("attachments");
    w.StartArray();
    w.EndArray();
  }
  copy_member(w, doc, "serviceConnectDefaults");
  w.EndObject();
}

void write_task_definition(json::Writer& w, const state::TaskDefinitionRow& row) {
  // The stored doc is the whole object but for status and the lifecycle dates: splice them in.
  std::string_view doc = row.doc;
  std::string text(doc.substr(0, doc.rfind('}')));
  text += R"(,"status":")" + row.status + "\"";
  auto date = [&](const char* key, std::int64_t millis) {
    rapidjson::StringBuffer b;
    json::Writer dw(b);
    json::epoch_seconds(dw, millis);
    text += std::string(",\"") + key + "\":" + b.GetString();
  };
  if (row.deregistered_at) date("deregisteredAt", *row.deregistered_at);
  if (row.deleted_at) date("deleteRequestedAt", *row.deleted_at);
  text += '}';
  json::raw(w, text);
}

void write_failure(json::Writer& w, std::string_view arn, std::string_view reason, std::string_view detail) {
  w.StartObject();
  json::kv(w, "arn", arn);
  json::kv(w, "reason", reason);
  if (!detail.empty()) json::kv(w, "detail", detail);
  w.EndObject();
}

void write_failures(json::Writer& w, const std::vector<std::string>& missing_arns) {
  w.Key("failures");
  w.StartArray();
  for (const auto& arn : missing_arns) write_failure(w, arn, "MISSING");
  w.EndArray();
}

}  // namespace berth::api::ecs
