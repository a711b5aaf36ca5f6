// RunTask, StopTask, DescribeTasks, ListTasks. Handlers write task rows; the task engine
// (src/runtime) turns them into containers and reports back through the same rows.
#include <algorithm>

#include "api/ecs/container_instance_view.h"
#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/shapes.h"
#include "api/ecs/tags.h"
#include "api/pagination.h"
#include "api/iam/roles.h"
#include "api/services.h"
#include "ecs/task_factory.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_task_definition_store.h"
#include "state/ecs_task_store.h"
#include "state/tags_store.h"

namespace berth::api::ecs {
namespace {
using state::TaskRow;

std::string eni_id(std::string_view task_id) { return "eni-" + std::string(task_id.substr(0, 17)); }

void write_timestamp(json::Writer& w, const char* key, const std::optional<std::int64_t>& millis) {
  if (!millis) return;
  w.Key(key);
  json::epoch_seconds(w, *millis);
}

// The task's health as ECS derives it from its essential containers' health checks.
std::string task_health(const TaskRow& t) {
  bool any_checked = false, all_healthy = true;
  for (const auto& c : t.containers) {
    if (!c.essential || !c.health_status || *c.health_status == "UNKNOWN") {
      if (c.essential && c.health_status) all_healthy = false;
      continue;
    }
    if (*c.health_status == "UNHEALTHY") return "UNHEALTHY";
    any_checked = true;
  }
  return any_checked && all_healthy ? "HEALTHY" : "UNKNOWN";
}

// A Task object as ECS answers it.
void write_task(OpContext& ctx, json::Writer& w, const TaskRow& t, bool with_tags) {
  rapidjson::Document doc;
  doc.Parse(t.doc.c_str(), t.doc.size());
  std::string task_id = t.arn.substr(t.arn.rfind('/') + 1);
  std::string private_ip(json::get_string(doc, "privateIp").value_or(""));
  std::string attachment(json::get_string(doc, "attachmentId").value_or(""));
  w.StartObject();
  if (!attachment.empty()) {
    w.Key("attachments");
    w.StartArray();
    w.StartObject();
    json::kv(w, "id", attachment);
    json::kv(w, "type", "ElasticNetworkInterface");
    json::kv(w, "status", t.last_status == "STOPPED" ? "DELETED" : t.last_status == "RUNNING" ? "ATTACHED" : "PRECREATED");
    w.Key("details");
    w.StartArray();
    auto detail = [&](const char* name, const std::string& value) {
      w.StartObject();
      json::kv(w, "name", name);
      json::kv(w, "value", value);
      w.EndObject();
    };
    detail("subnetId", std::string(json::get_string(doc, "subnet").value_or("")));
    detail("networkInterfaceId", eni_id(task_id));
    if (!private_ip.empty()) {
      detail("privateDnsName", "ip-" + [&] { std::string s = private_ip; std::replace(s.begin(), s.end(), '.', '-'); return s; }() + ".ec2.internal");
      detail("privateIPv4Address", private_ip);
    }
    w.EndArray();
    w.EndObject();
    w.EndArray();
  }
  json::kv(w, "availabilityZone", ctx.region + "a");
  if (auto cp = json::get_string(doc, "capacityProviderName")) json::kv(w, "capacityProviderName", *cp);
  json::kv(w, "clusterArn", arns::cluster(t.region, t.account, t.cluster));
  if (auto ci = json::get_string(doc, "containerInstanceArn")) json::kv(w, "containerInstanceArn", *ci);
  if (t.last_status == "RUNNING" || t.started_at) {
    json::kv(w, "connectivity", "CONNECTED");
    write_timestamp(w, "connectivityAt", t.pull_started_at ? t.pull_started_at : t.started_at);
  }
  w.Key("containers");
  w.StartArray();
  for (const auto& c : t.containers) {
    w.StartObject();
    json::kv(w, "containerArn", c.container_arn);
    json::kv(w, "taskArn", t.arn);
    json::kv(w, "name", c.name);
    json::kv(w, "image", c.image);
    if (c.image_digest) json::kv(w, "imageDigest", *c.image_digest);
    if (c.docker_id) json::kv(w, "runtimeId", *c.docker_id);
    json::kv(w, "lastStatus", c.last_status);
    if (c.exit_code) {
      w.Key("exitCode");
      w.Int64(*c.exit_code);
    }
    if (c.reason) json::kv(w, "reason", *c.reason);
    w.Key("networkBindings");
    if (c.network_bindings)
      json::raw(w, *c.network_bindings);
    else {
      w.StartArray();
      w.EndArray();
    }
    w.Key("networkInterfaces");
    w.StartArray();
    if (!attachment.empty() && !private_ip.empty()) {
      w.StartObject();
      json::kv(w, "attachmentId", attachment);
      json::kv(w, "privateIpv4Address", private_ip);
      w.EndObject();
    }
    w.EndArray();
    json::kv(w, "healthStatus", c.health_status.value_or("UNKNOWN"));
    w.EndObject();
  }
  w.EndArray();
  if (auto cpu = json::get_string(doc, "cpu")) json::kv(w, "cpu", *cpu);
  write_timestamp(w, "createdAt", t.created_at);
  json::kv(w, "desiredStatus", t.desired_status);
  w.Key("enableExecuteCommand");
  w.Bool(json::get_bool(doc, "enableExecuteCommand").value_or(false));
  write_timestamp(w, "executionStoppedAt", t.execution_stopped_at);
  if (t.group) json::kv(w, "group", *t.group);
  json::kv(w, "healthStatus", task_health(t));
  json::kv(w, "lastStatus", t.last_status);
  json::kv(w, "launchType", t.launch_type);
  if (auto mem = json::get_string(doc, "memory")) json::kv(w, "memory", *mem);
  w.Key("overrides");
  if (const json::Value* o = json::member(doc, "overrides"))
    o->Accept(w);
  else
    json::raw(w, R"({"containerOverrides":[],"inferenceAcceleratorOverrides":[]})");
  if (t.launch_type == "FARGATE") {
    json::kv(w, "platformVersion", "1.4.0");
    json::kv(w, "platformFamily", "Linux");
  }
  write_timestamp(w, "pullStartedAt", t.pull_started_at);
  write_timestamp(w, "pullStoppedAt", t.pull_stopped_at);
  write_timestamp(w, "startedAt", t.started_at);
  if (t.started_by) json::kv(w, "startedBy", *t.started_by);
  if (t.stop_code) json::kv(w, "stopCode", *t.stop_code);
  write_timestamp(w, "stoppedAt", t.stopped_at);
  if (t.stopped_reason) json::kv(w, "stoppedReason", *t.stopped_reason);
  write_timestamp(w, "stoppingAt", t.stopping_at);
  w.Key("tags");
  write_tags(w, with_tags ? state::TagsStore(ctx.db).list(t.arn) : std::vector<state::Tag>{});
  json::kv(w, "taskArn", t.arn);
  json::kv(w, "taskDefinitionArn", t.task_definition_arn);
  w.Key("version");
  w.Int64(t.version);
  if (t.launch_type == "FARGATE") {
    w.Key("ephemeralStorage");
    json::raw(w, R"({"sizeInGiB":20})");
  }
  w.EndObject();
}

// A task named by ARN or id within a cluster of the caller's account and region.
std::optional<std::string> task_arn(OpContext& ctx, std::string_view cluster, std::string_view id) {
  if (id.starts_with("arn:")) {
    auto arn = Arn::parse(id);
    if (!arn || arn->service != "ecs" || arn->resource_type() != "task" || arn->account != ctx.account ||
        arn->region != ctx.region)
      return std::nullopt;
    return std::string(id);
  }
  return arns::ecs(ctx.region, ctx.account, "task/" + std::string(cluster) + "/" + std::string(id));
}

Outcome launch(OpContext& ctx, const json::Value& in, std::vector<std::string> instances);

Outcome run_task(OpContext& ctx, const json::Value& in) { return launch(ctx, in, {}); }

// StartTask: one task on each named container instance (at most 10).
Outcome start_task(OpContext& ctx, const json::Value& in) {
  const json::Value& ids = in["containerInstances"];
  if (ids.Size() == 0) return errors::invalid_parameter("Container instances cannot be empty.");
  if (ids.Size() > 10) return errors::invalid_parameter("containerInstances can have at most 10 items.");
  auto name = cluster_name(ctx, cluster_or_default(in));
  std::vector<std::string> arns;
  for (const auto& v : ids.GetArray()) {
    auto arn = container_instance_arn(ctx, name.value_or(""), json::view(v));
    arns.push_back(arn.value_or(std::string(json::view(v))));
  }
  return launch(ctx, in, std::move(arns));
}

Outcome launch(OpContext& ctx, const json::Value& in, std::vector<std::string> instances) {
  std::string cluster(cluster_or_default(in));
  auto name = cluster_name(ctx, cluster);
  auto cluster_row = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster_row || cluster_row->status != "ACTIVE") return errors::cluster_not_found();
  cluster = cluster_row->name;

  if (auto bad = revision_error(json::view(in["taskDefinition"]))) return *bad;
  auto ref = task_definition_ref(ctx, json::view(in["taskDefinition"]));
  if (!ref) return errors::invalid_parameter("TaskDefinition not found.");
  state::TaskDefinitionStore tds(ctx.db, ctx.scope());
  auto td = ref->revision ? tds.get(ref->family, *ref->revision) : tds.latest_active(ref->family);
  if (!td) return errors::invalid_parameter("TaskDefinition not found.");
  if (td->status != "ACTIVE") return errors::client("TaskDefinition is inactive");
  runtime::TaskEngine* engine = ctx.services.engine;
  berth::ecs::DockerStatus docker{engine && engine->docker_ok(), engine ? engine->docker_problem() : "no task engine",
                                  engine ? berth::ecs::host_of(engine->host_info()) : std::nullopt};
  // StartTask names its instances, so its tasks are EC2 tasks.
  rapidjson::Document ec2;
  if (!instances.empty()) {
    ec2.CopyFrom(in, ec2.GetAllocator());
    ec2.RemoveMember("capacityProviderStrategy");
    if (!ec2.HasMember("launchType")) ec2.AddMember("launchType", "EC2", ec2.GetAllocator());
  }
  auto placed = berth::ecs::create_tasks(ctx.db, {ctx.scope(), *cluster_row, *td, instances.empty() ? in : ec2,
                                                  ctx.clock.now_millis(), docker, {}, ctx.config.allow_host_access,
                                                  std::move(instances), ctx.config.enforce_iam});
  if (auto* e = std::get_if<AwsError>(&placed)) return *e;
  auto& placement = std::get<berth::ecs::Placement>(placed);
  Body b;
  if (placement.tasks.empty()) {
    b.w.StartObject();
    b.w.Key("tasks");
    b.w.StartArray();
    b.w.EndArray();
    b.w.Key("failures");
    b.w.StartArray();
    for (const auto& f : placement.failures) write_failure(b.w, f.arn, f.reason, f.detail);
    b.w.EndArray();
    b.w.EndObject();
    return b.done();
  }
  const auto& created = placement.tasks;
  // berth is permissive: a role its IAM lacks is logged once, and the task runs.
  for (const auto& t : created) {
    rapidjson::Document tdoc;
    tdoc.Parse(t.doc.c_str(), t.doc.size());
    iam::warn_if_missing(ctx.db, json::get_string(tdoc, "taskRoleArn").value_or(""), "taskRoleArn");
  }
  rapidjson::Document def;
  def.Parse(td->doc.c_str(), td->doc.size());
  iam::warn_if_missing(ctx.db, json::get_string(def, "executionRoleArn").value_or(""), "executionRoleArn");
  if (engine) ctx.after_commit.push_back([engine](state::Database&) { engine->wake(); });
  b.w.StartObject();
  b.w.Key("tasks");
  b.w.StartArray();
  for (const auto& t : created) write_task(ctx, b.w, t, true);
  b.w.EndArray();
  b.w.Key("failures");
  b.w.StartArray();
  for (const auto& f : placement.failures) write_failure(b.w, f.arn, f.reason, f.detail);
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

Outcome stop_task(OpContext& ctx, const json::Value& in) {
  std::string cluster(cluster_or_default(in));
  auto name = cluster_name(ctx, cluster);
  auto cluster_row = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster_row) return errors::cluster_not_found();
  auto arn = task_arn(ctx, cluster_row->name, json::view(in["task"]));
  state::TaskStore store(ctx.db);
  auto task = arn ? store.get(*arn) : std::nullopt;
  if (!task || task->cluster != cluster_row->name) return errors::invalid_parameter("The referenced task was not found.");
  if (store.request_stop(task->arn, "UserInitiated", json::get_string(in, "reason").value_or("Task stopped by user"),
                         ctx.clock.now_millis())) {
    task = store.get(task->arn);
    if (auto* engine = ctx.services.engine)
      ctx.after_commit.push_back([engine, arn = task->arn](state::Database&) { engine->wake(arn); });
  }
  Body b;
  b.w.StartObject();
  b.w.Key("task");
  write_task(ctx, b.w, *task, false);
  b.w.EndObject();
  return b.done();
}

Outcome describe_tasks(OpContext& ctx, const json::Value& in) {
  std::string cluster(cluster_or_default(in));
  auto name = cluster_name(ctx, cluster);
  auto cluster_row = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster_row) return errors::cluster_not_found();
  const json::Value& ids = in["tasks"];
  if (ids.Size() == 0) return errors::invalid_parameter("Tasks cannot be empty.");
  if (ids.Size() > 100) return errors::invalid_parameter("taskIds can have at most 100 items.");
  bool with_tags = false;
  if (const json::Value* inc = json::member(in, "include"))
    for (const auto& i : inc->GetArray()) with_tags |= json::view(i) == "TAGS";
  state::TaskStore store(ctx.db);
  Body b;
  std::vector<std::string> missing;
  b.w.StartObject();
  b.w.Key("tasks");
  b.w.StartArray();
  for (const auto& v : ids.GetArray()) {
    auto arn = task_arn(ctx, cluster_row->name, json::view(v));
    auto task = arn ? store.get(*arn) : std::nullopt;
    if (task && task->cluster == cluster_row->name)
      write_task(ctx, b.w, *task, with_tags);
    else
      missing.push_back(arn.value_or(std::string(json::view(v))));
  }
  b.w.EndArray();
  write_failures(b.w, missing);
  b.w.EndObject();
  return b.done();
}

Outcome list_tasks(OpContext& ctx, const json::Value& in) {
  std::string cluster(cluster_or_default(in));
  auto name = cluster_name(ctx, cluster);
  auto cluster_row = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster_row) return errors::cluster_not_found();
  auto page = page_of(in, 100, 100);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  state::TaskFilter f;
  f.cluster = cluster_row->name;
  if (auto v = json::get_string(in, "family")) f.family = std::string(*v);
  if (auto v = json::get_string(in, "startedBy")) f.started_by = std::string(*v);
  if (auto v = json::get_string(in, "launchType")) f.launch_type = std::string(*v);
  if (auto v = json::get_string(in, "serviceName")) f.service_group = "service:" + std::string(*v);
  f.desired_status = std::string(json::get_string(in, "desiredStatus").value_or("RUNNING"));
  std::vector<std::string> arns;
  if (auto ci = json::get_string(in, "containerInstance")) {
    // Tasks placed on that instance (Fargate tasks are on none), in ListTasks' order.
    auto instance = container_instance_arn(ctx, cluster_row->name, *ci);
    state::TaskStore store(ctx.db);
    std::string after = p.cursor;
    while (instance && arns.size() <= static_cast<std::size_t>(p.limit)) {
      auto batch = store.list(ctx.scope(), f, after, 100);
      if (batch.empty()) break;
      for (const auto& a : batch)
        if (auto t = store.get(a); t && t->doc.find("\"containerInstanceArn\":\"" + *instance + "\"") != std::string::npos)
          arns.push_back(a);
      after = batch.back();
    }
  } else {
    arns = state::TaskStore(ctx.db).list(ctx.scope(), f, p.cursor, p.limit + 1);
  }
  Body b;
  b.w.StartObject();
  b.w.Key("taskArns");
  b.w.StartArray();
  std::size_t n = std::min(arns.size(), static_cast<std::size_t>(p.limit));
  for (std::size_t i = 0; i < n; ++i) json::str(b.w, arns[i]);
  b.w.EndArray();
  if (arns.size() > n) json::kv(b.w, "nextToken", pagination::encode(arns[n - 1]));
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_tasks(OperationTable& t) {
  t.add("ecs", "RunTask", run_task, Access::Write);
  t.add("ecs", "StartTask", start_task, Access::Write);
  t.add("ecs", "StopTask", stop_task, Access::Write);
  t.add("ecs", "DescribeTasks", describe_tasks, Access::Read);
  t.add("ecs", "ListTasks", list_tasks, Access::Read);
}

}  // namespace berth::api::ecs
