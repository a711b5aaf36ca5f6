// Container instances: Register/Deregister, List/Describe, UpdateContainerInstancesState, and the
// agent's calls (DiscoverPollEndpoint, Submit*StateChange) accepted as ECS accepts them. berth's
// Docker engine is the instance behind every row; src/ecs/container_host builds them.
#include <algorithm>

#include "api/ecs/container_instance_view.h"
#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/shapes.h"
#include "api/pagination.h"
#include "api/services.h"
#include "ecs/cluster_query.h"
#include "ecs/container_host.h"
#include "ecs/service_scheduler.h"
#include "runtime/task_engine.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_container_instance_store.h"
#include "state/ecs_service_store.h"
#include "state/ecs_task_store.h"
#include "state/tags_store.h"

namespace berth::api::ecs {
namespace {
using berth::ecs::Candidate;

std::optional<state::ClusterRow> active_cluster(OpContext& ctx, const json::Value& in) {
  auto name = cluster_name(ctx, cluster_or_default(in));
  auto row = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!row || row->status != "ACTIVE") return std::nullopt;
  return row;
}

std::optional<berth::ecs::ContainerHost> engine_host(OpContext& ctx) {
  auto* engine = ctx.services.engine;
  return engine ? berth::ecs::host_of(engine->host_info()) : std::nullopt;
}

Outcome register_container_instance(OpContext& ctx, const json::Value& in) {
  auto cluster = active_cluster(ctx, in);
  if (!cluster) return errors::cluster_not_found();
  berth::ecs::InstanceRegistration r;
  r.cluster = cluster->name;
  // An instance identity document says which EC2 instance registers; berth's engine otherwise.
  if (auto doc = json::get_string(in, "instanceIdentityDocument")) {
    rapidjson::Document iid;
    iid.Parse(doc->data(), doc->size());
    if (iid.HasParseError() || !iid.IsObject())
      return errors::invalid_parameter("Invalid instance identity document.");
    if (auto id = json::get_string(iid, "instanceId")) r.ec2_instance_id = std::string(*id);
    if (auto az = json::get_string(iid, "availabilityZone")) r.availability_zone = std::string(*az);
    if (auto type = json::get_string(iid, "instanceType")) r.instance_type = std::string(*type);
  }
  if (const json::Value* total = json::member(in, "totalResources"); total && total->Size() > 0) {
    berth::ecs::Resources res;
    res.tcp_ports.insert(berth::ecs::kReservedPorts.begin(), berth::ecs::kReservedPorts.end());
    auto host = engine_host(ctx).value_or(berth::ecs::local_host());
    res.cpu = host.ncpu * 1024LL;
    res.memory = host.memory_mib;
    for (const auto& x : total->GetArray()) {
      std::string_view name = json::get_string(x, "name").value_or("");
      std::int64_t v = json::get_int(x, "integerValue").value_or(0);
      if (name == "CPU") res.cpu = v;
      if (name == "MEMORY") res.memory = v;
      if ((name == "PORTS" || name == "PORTS_UDP") && json::member(x, "stringSetValue")) {
        auto& set = name == "PORTS" ? res.tcp_ports : res.udp_ports;
        set.clear();
        for (const auto& p : x["stringSetValue"].GetArray()) set.insert(std::atoi(std::string(json::view(p)).c_str()));
      }
    }
    r.total = res;
  }
  if (const json::Value* attrs = json::member(in, "attributes"))
    for (const auto& a : attrs->GetArray()) {
      auto v = json::get_string(a, "value");
      r.attributes.emplace_back(std::string(json::view(a["name"])), v ? std::optional<std::string>(*v) : std::nullopt);
    }
  std::vector<state::Tag> tags;
  if (const json::Value* t = json::member(in, "tags"))
    for (const auto& x : t->GetArray())
      tags.emplace_back(std::string(json::get_string(x, "key").value_or("")), std::string(json::get_string(x, "value").value_or("")));
  auto row = berth::ecs::new_instance(ctx.scope(), r, engine_host(ctx).value_or(berth::ecs::local_host()), ctx.clock.now_millis());
  // Re-registering a known instance ARN keeps its identity, as the agent's re-registration does.
  if (auto arn = json::get_string(in, "containerInstanceArn")) {
    auto old = state::ContainerInstanceStore(ctx.db, ctx.scope()).get(*arn);
    if (!old || old->cluster != cluster->name) return errors::invalid_parameter("Container instance not found.");
    row.arn = old->arn;
    row.registered_at = old->registered_at;
  }
  state::ContainerInstanceStore(ctx.db, ctx.scope()).put(row);
  if (!tags.empty()) state::TagsStore(ctx.db).put(row.arn, tags);
  Body b;
  b.w.StartObject();
  b.w.Key("containerInstance");
  write_container_instance(ctx, b.w, *state::ContainerInstanceStore(ctx.db, ctx.scope()).get(row.arn), true, false);
  b.w.EndObject();
  return b.done();
}

Outcome deregister_container_instance(OpContext& ctx, const json::Value& in) {
  auto cluster = active_cluster(ctx, in);
  if (!cluster) return errors::cluster_not_found();
  state::ContainerInstanceStore store(ctx.db, ctx.scope());
  auto arn = container_instance_arn(ctx, cluster->name, json::view(in["containerInstance"]));
  auto row = arn ? store.get(*arn) : std::nullopt;
  if (!row || row->cluster != cluster->name || row->status == "INACTIVE")
    return errors::invalid_parameter("The referenced container instance " + std::string(json::view(in["containerInstance"])) +
                                     " was not found.");
  // Without force ECS refuses while tasks run there; with force they are left running, orphaned.
  bool has_tasks = false;
  for (const auto& t : state::TaskStore(ctx.db).on_instances(ctx.scope(), cluster->name))
    has_tasks |= t.doc.find(row->arn) != std::string::npos;
  if (has_tasks && !json::get_bool(in, "force").value_or(false))
    return errors::invalid_parameter("Found running tasks on the instance.");
  row->status = "INACTIVE";
  store.put(*row);
  Body b;
  b.w.StartObject();
  b.w.Key("containerInstance");
  write_container_instance(ctx, b.w, *store.get(row->arn), false, false);
  b.w.EndObject();
  return b.done();
}

Outcome list_container_instances(OpContext& ctx, const json::Value& in) {
  auto cluster = active_cluster(ctx, in);
  if (!cluster) return errors::cluster_not_found();
  auto page = page_of(in, 100, 100);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  std::optional<berth::ecs::ClusterQuery> filter;
  if (auto f = json::get_string(in, "filter"); f && !f->empty()) {
    auto q = berth::ecs::ClusterQuery::parse(*f);
    if (auto* why = std::get_if<std::string>(&q))
      return errors::invalid_parameter("Invalid filter expression '" + std::string(*f) + "': " + *why + ".");
    filter = std::get<berth::ecs::ClusterQuery>(std::move(q));
  }
  std::string_view status = json::get_string(in, "status").value_or("");
  std::vector<std::string> arns;
  for (const auto& c : berth::ecs::candidates(ctx.db, ctx.scope(), cluster->name, "")) {
    if (!status.empty() ? c.status != status : c.status == "INACTIVE") continue;
    if (filter && !filter->matches(c.facts)) continue;
    arns.push_back(c.arn);
  }
  std::size_t start = 0;
  if (!p.cursor.empty()) {
    auto it = std::find(arns.begin(), arns.end(), p.cursor);
    if (it == arns.end()) return errors::invalid_next_token();
    start = static_cast<std::size_t>(it - arns.begin()) + 1;
  }
  std::size_t end = std::min(arns.size(), start + static_cast<std::size_t>(p.limit));
  Body b;
  b.w.StartObject();
  b.w.Key("containerInstanceArns");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i) json::str(b.w, arns[i]);
  b.w.EndArray();
  if (end < arns.size()) json::kv(b.w, "nextToken", pagination::encode(arns[end - 1]));
  b.w.EndObject();
  return b.done();
}

Outcome describe_container_instances(OpContext& ctx, const json::Value& in) {
  auto cluster = active_cluster(ctx, in);
  if (!cluster) return errors::cluster_not_found();
  const json::Value& ids = in["containerInstances"];
  if (ids.Size() == 0) return errors::invalid_parameter("Container instances cannot be empty.");
  if (ids.Size() > 100) return errors::invalid_parameter("containerInstances can have at most 100 items.");
  bool with_tags = false, with_health = false;
  if (const json::Value* inc = json::member(in, "include"))
    for (const auto& i : inc->GetArray()) {
      with_tags |= json::view(i) == "TAGS";
      with_health |= json::view(i) == "CONTAINER_INSTANCE_HEALTH";
    }
  state::ContainerInstanceStore store(ctx.db, ctx.scope());
  std::vector<std::string> missing;
  Body b;
  b.w.StartObject();
  b.w.Key("containerInstances");
  b.w.StartArray();
  for (const auto& v : ids.GetArray()) {
    auto arn = container_instance_arn(ctx, cluster->name, json::view(v));
    auto row = arn ? store.get(*arn) : std::nullopt;
    if (row && row->cluster == cluster->name)
      write_container_instance(ctx, b.w, *row, with_tags, with_health);
    else
      missing.push_back(arn.value_or(std::string(json::view(v))));
  }
  b.w.EndArray();
  b.w.Key("failures");
  b.w.StartArray();
  for (const auto& m : missing) write_failure(b.w, m, "MISSING");
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

Outcome update_container_instances_state(OpContext& ctx, const json::Value& in) {
  auto cluster = active_cluster(ctx, in);
  if (!cluster) return errors::cluster_not_found();
  std::string status(json::view(in["status"]));
  if (status != "ACTIVE" && status != "DRAINING")
    return errors::invalid_parameter("Container instances can only be updated to ACTIVE or DRAINING.");
  const json::Value& ids = in["containerInstances"];
  if (ids.Size() > 10) return errors::invalid_parameter("containerInstances can have at most 10 items.");
  state::ContainerInstanceStore store(ctx.db, ctx.scope());
  std::vector<state::ContainerInstanceRow> changed;
  std::vector<std::string> missing;
  for (const auto& v : ids.GetArray()) {
    auto arn = container_instance_arn(ctx, cluster->name, json::view(v));
    auto row = arn ? store.get(*arn) : std::nullopt;
    if (!row || row->cluster != cluster->name || row->status == "INACTIVE") {
      missing.push_back(arn.value_or(std::string(json::view(v))));
      continue;
    }
    if (row->status != status) {
      row->status = status;
      store.put(*row);
    }
    changed.push_back(*store.get(row->arn));
  }
  // Services with tasks on a draining instance replace them elsewhere: wake every scheduler.
  if (status == "DRAINING" && !changed.empty())
    if (auto* scheduler = ctx.services.scheduler) {
      state::ServiceFilter f;
      f.cluster = cluster->name;
      auto services = state::ServiceStore(ctx.db).list_active(ctx.scope(), f, "", 10000);
      ctx.after_commit.push_back([scheduler, services](state::Database&) {
        for (const auto& s : services) scheduler->wake(s);
      });
    }
  Body b;
  b.w.StartObject();
  b.w.Key("containerInstances");
  b.w.StartArray();
  for (const auto& row : changed) write_container_instance(ctx, b.w, row, false, false);
  b.w.EndArray();
  b.w.Key("failures");
  b.w.StartArray();
  for (const auto& m : missing) write_failure(b.w, m, "MISSING");
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

// The agent's endpoints: berth has no agent protocol, so it points at itself.
Outcome discover_poll_endpoint(OpContext& ctx, const json::Value&) {
  Body b;
  b.w.StartObject();
  std::string self = "https://ecs-a-1." + ctx.region + ".amazonaws.com/";
  json::kv(b.w, "endpoint", self);
  json::kv(b.w, "telemetryEndpoint", "https://ecs-t-1." + ctx.region + ".amazonaws.com/");
  json::kv(b.w, "serviceConnectEndpoint", "https://ecs-sc." + ctx.region + ".api.aws");
  b.w.EndObject();
  return b.done();
}

// State changes from an agent: berth's engine is the only source of truth for its tasks, so
// these are acknowledged (after the cluster is checked) and change nothing.
Outcome acknowledge(OpContext& ctx, const json::Value& in) {
  if (json::member(in, "cluster") && !active_cluster(ctx, in)) return errors::cluster_not_found();
  Body b;
  b.w.StartObject();
  json::kv(b.w, "acknowledgment", "ACK");
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_container_instances(OperationTable& t) {
  t.add("ecs", "RegisterContainerInstance", register_container_instance, Access::Write);
  t.add("ecs", "DeregisterContainerInstance", deregister_container_instance, Access::Write);
  t.add("ecs", "ListContainerInstances", list_container_instances, Access::Read);
  t.add("ecs", "DescribeContainerInstances", describe_container_instances, Access::Read);
  t.add("ecs", "UpdateContainerInstancesState", update_container_instances_state, Access::Write);
  t.add("ecs", "DiscoverPollEndpoint", discover_poll_endpoint, Access::Read);
  t.add("ecs", "SubmitTaskStateChange", acknowledge, Access::Read);
  t.add("ecs", "SubmitContainerStateChange", acknowledge, Access::Read);
  t.add("ecs", "SubmitAttachmentStateChanges", acknowledge, Access::Read);
}

}  // namespace berth::api::ecs
