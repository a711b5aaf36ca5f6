#include "api/ecs/service_view.h"

#include "api/ecs/shapes.h"
#include "ecs/service_scheduler.h"
#include "state/tags_store.h"

namespace berth::api::ecs {
namespace {
void timestamp(json::Writer& w, const char* key, std::int64_t millis) {
  w.Key(key);
  json::epoch_seconds(w, millis);
}
void copy(json::Writer& w, const rapidjson::Document& doc, const char* name) {
  if (auto it = doc.FindMember(name); it != doc.MemberEnd()) {
    w.Key(name);
    it->value.Accept(w);
  }
}
}  // namespace

std::optional<std::string> service_arn_of(const OpContext& ctx, std::string_view cluster, std::string_view id) {
  if (!id.starts_with("arn:")) return berth::ecs::service_arn(ctx.region, ctx.account, cluster, id);
  auto arn = Arn::parse(id);
  if (!arn || arn->service != "ecs" || arn->resource_type() != "service" || arn->account != ctx.account ||
      arn->region != ctx.region)
    return std::nullopt;
  std::string_view rest = arn->resource_id();
  if (rest.find('/') == std::string_view::npos) return berth::ecs::service_arn(ctx.region, ctx.account, cluster, rest);
  return std::string(id);
}

void write_service(OpContext& ctx, json::Writer& w, const state::ServiceRow& s, bool with_tags) {
  rapidjson::Document doc;
  doc.Parse(s.doc.c_str(), s.doc.size());
  state::ServiceStore store(ctx.db);
  auto counts = store.task_counts(s);
  int running = 0, pending = 0;
  for (const auto& [by, c] : counts) {
    running += c.running;
    pending += c.pending;
  }
  w.StartObject();
  json::kv(w, "serviceArn", s.arn);
  json::kv(w, "serviceName", s.name);
  json::kv(w, "clusterArn", arns::cluster(s.region, s.account, s.cluster));
  copy(w, doc, "loadBalancers");
  copy(w, doc, "serviceRegistries");
  json::kv(w, "status", s.status);
  w.Key("desiredCount");
  w.Int64(s.desired_count);
  w.Key("runningCount");
  w.Int(running);
  w.Key("pendingCount");
  w.Int(pending);
  copy(w, doc, "launchType");
  copy(w, doc, "capacityProviderStrategy");
  copy(w, doc, "platformVersion");
  copy(w, doc, "platformFamily");
  json::kv(w, "taskDefinition", s.task_definition);
  copy(w, doc, "deploymentConfiguration");
  w.Key("deployments");
  w.StartArray();
  for (const auto& d : store.deployments(s.arn)) {
    rapidjson::Document dd;
    dd.Parse(d.doc.c_str(), d.doc.size());
    auto c = counts.count(d.id) ? counts[d.id] : state::ServiceStore::TaskCounts{};
    w.StartObject();
    json::kv(w, "id", d.id);
    json::kv(w, "status", d.status);
    json::kv(w, "taskDefinition", d.task_definition);
    w.Key("desiredCount");
    w.Int64(d.desired_count);
    w.Key("pendingCount");
    w.Int(c.pending);
    w.Key("runningCount");
    w.Int(c.running);
    w.Key("failedTasks");
    w.Int64(d.failed_tasks);
    timestamp(w, "createdAt", d.created_at);
    timestamp(w, "updatedAt", d.updated_at);
    for (const char* m : {"capacityProviderStrategy", "launchType", "platformVersion", "platformFamily", "networkConfiguration"})
      copy(w, dd, m);
    json::kv(w, "rolloutState", d.rollout_state);
    json::kv(w, "rolloutStateReason", d.rollout_state_reason);
    w.EndObject();
  }
  w.EndArray();
  copy(w, doc, "roleArn");
  w.Key("events");
  w.StartArray();
  for (const auto& e : store.events(s.arn)) {
    w.StartObject();
    json::kv(w, "id", e.id);
    timestamp(w, "createdAt", e.created_at);
    json::kv(w, "message", e.message);
    w.EndObject();
  }
  w.EndArray();
  timestamp(w, "createdAt", s.created_at);
  copy(w, doc, "placementConstraints");
  copy(w, doc, "placementStrategy");
  copy(w, doc, "networkConfiguration");
  copy(w, doc, "healthCheckGracePeriodSeconds");
  json::kv(w, "schedulingStrategy", s.scheduling_strategy);
  copy(w, doc, "deploymentController");
  if (with_tags) {
    w.Key("tags");
    write_tags(w, state::TagsStore(ctx.db).list(s.arn));
  }
  copy(w, doc, "createdBy");
  copy(w, doc, "enableECSManagedTags");
  copy(w, doc, "propagateTags");
  copy(w, doc, "enableExecuteCommand");
  w.EndObject();
}

}  // namespace berth::api::ecs
