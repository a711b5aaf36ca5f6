#include "api/ecs/container_instance_view.h"

#include "api/ecs/shapes.h"
#include "common/arn.h"
#include "ecs/container_host.h"
#include "state/tags_store.h"

namespace berth::api::ecs {

std::optional<std::string> container_instance_arn(const OpContext& ctx, std::string_view cluster, std::string_view id) {
  if (id.starts_with("arn:")) {
    auto arn = Arn::parse(id);
    if (!arn || arn->service != "ecs" || arn->resource_type() != "container-instance" || arn->account != ctx.account ||
        arn->region != ctx.region)
      return std::nullopt;
    return std::string(id);
  }
  return arns::ecs(ctx.region, ctx.account, "container-instance/" + std::string(cluster) + "/" + std::string(id));
}

void write_container_instance(OpContext& ctx, json::Writer& w, const state::ContainerInstanceRow& row, bool with_tags,
                              bool with_health) {
  rapidjson::Document doc;
  doc.Parse(row.doc.c_str(), row.doc.size());
  // What its tasks hold: from the placement candidates (an INACTIVE instance holds nothing).
  berth::ecs::Resources registered = berth::ecs::registered_resources(doc), held;
  int running = 0, pending = 0;
  if (row.status != "INACTIVE")
    for (const auto& c : berth::ecs::candidates(ctx.db, ctx.scope(), row.cluster, ""))
      if (c.arn == row.arn) {
        held = c.held;
        running = static_cast<int>(c.facts.running_tasks);
        pending = c.pending_tasks;
      }
  w.StartObject();
  json::kv(w, "containerInstanceArn", row.arn);
  json::kv(w, "ec2InstanceId", row.ec2_instance_id);
  if (auto cp = json::get_string(doc, "capacityProviderName")) json::kv(w, "capacityProviderName", *cp);
  w.Key("version");
  w.Int64(row.version);
  w.Key("versionInfo");
  if (const json::Value* v = json::member(doc, "versionInfo")) v->Accept(w);
  else json::raw(w, "{}");
  w.Key("remainingResources");
  w.StartArray();
  berth::ecs::write_resource(w, "CPU", registered.cpu - held.cpu);
  berth::ecs::write_resource(w, "MEMORY", registered.memory - held.memory);
  std::set<int> tcp = registered.tcp_ports, udp = registered.udp_ports;
  tcp.insert(held.tcp_ports.begin(), held.tcp_ports.end());
  udp.insert(held.udp_ports.begin(), held.udp_ports.end());
  berth::ecs::write_ports(w, "PORTS", tcp);
  berth::ecs::write_ports(w, "PORTS_UDP", udp);
  w.EndArray();
  w.Key("registeredResources");
  if (const json::Value* r = json::member(doc, "registeredResources")) r->Accept(w);
  else json::raw(w, "[]");
  json::kv(w, "status", row.status);
  w.Key("agentConnected");
  w.Bool(row.status != "INACTIVE");
  w.Key("runningTasksCount");
  w.Int(running);
  w.Key("pendingTasksCount");
  w.Int(pending);
  w.Key("attributes");
  if (const json::Value* a = json::member(doc, "attributes")) a->Accept(w);
  else json::raw(w, "[]");
  w.Key("registeredAt");
  json::epoch_seconds(w, row.registered_at);
  w.Key("attachments");
  json::raw(w, "[]");
  w.Key("tags");
  write_tags(w, with_tags ? state::TagsStore(ctx.db).list(row.arn) : std::vector<state::Tag>{});
  if (with_health) {
    w.Key("healthStatus");
    json::raw(w, R"({"overallStatus":"OK","details":[]})");
  }
  w.EndObject();
}

}  // namespace berth::api::ecs
