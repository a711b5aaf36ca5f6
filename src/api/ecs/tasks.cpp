// RunTask, StopTask, DescribeTasks, ListTasks. Handlers write task rows; the task engine
// (src/runtime) turns them into containers and reports back through the same rows.
#include <algorithm>

#include "api/ecs/errors.h"
#include "ecs/host_access.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/shapes.h"
#include "api/ecs/tags.h"
#include "api/pagination.h"
#include "api/services.h"
#include "common/ids.h"
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

Outcome run_task(OpContext& ctx, const json::Value& in) {
  std::string cluster(cluster_or_default(in));
  auto name = cluster_name(ctx, cluster);
  auto cluster_row = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster_row || cluster_row->status != "ACTIVE") return errors::cluster_not_found();
  cluster = cluster_row->name;

  auto ref = task_definition_ref(ctx, json::view(in["taskDefinition"]));
  if (!ref) return errors::invalid_parameter("TaskDefinition not found.");
  state::TaskDefinitionStore tds(ctx.db, ctx.scope());
  auto td = ref->revision ? tds.get(ref->family, *ref->revision) : tds.latest_active(ref->family);
  if (!td) return errors::invalid_parameter("TaskDefinition not found.");
  if (td->status != "ACTIVE") return errors::client("TaskDefinition is inactive");
  rapidjson::Document tdoc;
  tdoc.Parse(td->doc.c_str(), td->doc.size());

  std::int64_t count = json::get_int(in, "count").value_or(1);
  if (count < 1 || count > 10) return errors::invalid_parameter("count must be between 1 and 10.");
  const json::Value* strategy = json::member(in, "capacityProviderStrategy");
  auto launch = json::get_string(in, "launchType");
  if (launch && strategy && strategy->Size() > 0)
    return errors::invalid_parameter(
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  std::string launch_type = launch ? std::string(*launch) : "EC2";
  std::optional<std::string> provider;
  if (!launch) {
    // The request's strategy, else the cluster's default: FARGATE providers mean Fargate.
    rapidjson::Document cdoc;
    cdoc.Parse(cluster_row->doc.c_str(), cluster_row->doc.size());
    const json::Value* s = strategy && strategy->Size() > 0 ? strategy : json::member(cdoc, "defaultCapacityProviderStrategy");
    if (s && s->IsArray() && s->Size() > 0) {
      provider = std::string(json::get_string((*s)[0], "capacityProvider").value_or(""));
      if (*provider != "FARGATE" && *provider != "FARGATE_SPOT")
        return errors::invalid_parameter("The specified capacity provider strategy is not valid: capacity provider " + *provider + " does not exist.");
      launch_type = "FARGATE";
    }
  } else if (launch_type == "FARGATE") {
    provider = "FARGATE";
  }
  if (launch_type == "EXTERNAL")
    return errors::invalid_parameter("berth has no external instances to place a task with launch type EXTERNAL on.");
  bool fargate_ok = false;
  for (const auto& c : tdoc["compatibilities"].GetArray()) fargate_ok |= json::view(c) == launch_type;
  if (!fargate_ok) return errors::client("Task definition does not support launch_type " + launch_type + ".");
  // Rows registered before berth checked host access, and EC2 tasks without --allow-host-access.
  if (auto refusal = ::berth::ecs::host_access_refusal(tdoc, launch_type, ctx.config.allow_host_access))
    return errors::client(*refusal);

  std::string network_mode(json::get_string(tdoc, "networkMode").value_or("bridge"));
  std::string subnet;
  if (network_mode == "awsvpc") {
    const json::Value* nc = json::member(in, "networkConfiguration");
    const json::Value* vpc = nc ? json::member(*nc, "awsvpcConfiguration") : nullptr;
    if (!vpc) return errors::invalid_parameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    const json::Value& subnets = (*vpc)["subnets"];
    if (subnets.Size() == 0) return errors::invalid_parameter("subnets can not be empty.");
    if (subnets.Size() > 16) return errors::invalid_parameter("subnets can have at most 16 items.");
    subnet = std::string(json::view(subnets[0]));
  }
  auto tags = tags_of(in);
  if (auto e = check_tags(tags)) return *e;

  // Placement failures come back as ECS reports them, and nothing is stored: without Docker
  // there is no agent, and berth's containers get no GPUs or accelerators.
  Body b;
  auto unplaced = [&](std::string_view reason, const std::string& detail) {
    b.w.StartObject();
    b.w.Key("tasks");
    b.w.StartArray();
    b.w.EndArray();
    b.w.Key("failures");
    b.w.StartArray();
    for (std::int64_t i = 0; i < count; ++i) write_failure(b.w, cluster_row->arn, reason, detail);
    b.w.EndArray();
    b.w.EndObject();
    return b.done();
  };
  runtime::TaskEngine* engine = ctx.services.engine;
  if (!engine || !engine->docker_ok())
    return unplaced("AGENT", "Docker is not reachable: " + (engine ? engine->docker_problem() : "no task engine"));
  // From the definitions and from RunTask's containerOverrides alike.
  const json::Value* run_overrides = json::member(in, "overrides");
  std::vector<const json::Value*> asking;
  for (const json::Value* list : {json::member(tdoc, "containerDefinitions"),
                                  run_overrides ? json::member(*run_overrides, "containerOverrides") : nullptr})
    if (list)
      for (const auto& c : list->GetArray()) asking.push_back(json::member(c, "resourceRequirements"));
  for (const json::Value* rr : asking)
    if (rr)
      for (const auto& r : rr->GetArray()) {
        std::string type(json::get_string(r, "type").value_or(""));
        if (type == "GPU" || type == "InferenceAccelerator")
          return unplaced("RESOURCE:" + type, "berth runs containers without GPUs or inference accelerators");
      }

  // What the task will run with: the overrides as given, and task cpu/memory.
  const json::Value* overrides = json::member(in, "overrides");
  std::vector<TaskRow> created;
  for (std::int64_t i = 0; i < count; ++i) {
    TaskRow t;
    std::string id = ids::hex32();
    t.arn = arns::ecs(ctx.region, ctx.account, "task/" + cluster + "/" + id);
    t.account = ctx.account;
    t.region = ctx.region;
    t.cluster = cluster;
    t.task_definition_arn = td->arn;
    t.family = td->family;
    t.launch_type = launch_type;
    if (auto s = json::get_string(in, "startedBy")) t.started_by = std::string(*s);
    t.group = std::string(json::get_string(in, "group").value_or("family:" + td->family));
    t.created_at = ctx.clock.now_millis();
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    rapidjson::Value ov(rapidjson::kObjectType);
    if (overrides) ov.CopyFrom(*overrides, a);
    if (!ov.HasMember("containerOverrides")) ov.AddMember("containerOverrides", rapidjson::Value(rapidjson::kArrayType), a);
    if (!ov.HasMember("inferenceAcceleratorOverrides"))
      ov.AddMember("inferenceAcceleratorOverrides", rapidjson::Value(rapidjson::kArrayType), a);
    std::string cpu(overrides && json::get_string(*overrides, "cpu") ? *json::get_string(*overrides, "cpu")
                                                                     : json::get_string(tdoc, "cpu").value_or(""));
    std::string memory(overrides && json::get_string(*overrides, "memory") ? *json::get_string(*overrides, "memory")
                                                                           : json::get_string(tdoc, "memory").value_or(""));
    doc.AddMember("overrides", ov, a);
    if (!cpu.empty()) doc.AddMember("cpu", rapidjson::Value(cpu.c_str(), a), a);
    if (!memory.empty()) doc.AddMember("memory", rapidjson::Value(memory.c_str(), a), a);
    if (network_mode == "awsvpc") {
      doc.AddMember("attachmentId", rapidjson::Value(ids::uuid_v4().c_str(), a), a);
      doc.AddMember("subnet", rapidjson::Value(subnet.c_str(), a), a);
    }
    if (provider) doc.AddMember("capacityProviderName", rapidjson::Value(provider->c_str(), a), a);
    // A task role gets credentials served to the task's containers under an id of their own.
    auto role = overrides && json::get_string(*overrides, "taskRoleArn") ? json::get_string(*overrides, "taskRoleArn")
                                                                        : json::get_string(tdoc, "taskRoleArn");
    if (role) {
      doc.AddMember("taskRoleArn", rapidjson::Value(role->data(), static_cast<rapidjson::SizeType>(role->size()), a), a);
      doc.AddMember("credentialsId", rapidjson::Value(ids::uuid_v4().c_str(), a), a);
    }
    if (auto x = json::get_bool(in, "enableExecuteCommand")) doc.AddMember("enableExecuteCommand", *x, a);
    t.doc = json::dump(doc);
    int position = 0;
    for (const auto& c : tdoc["containerDefinitions"].GetArray()) {
      state::TaskContainerRow k;
      k.name = std::string(json::view(c["name"]));
      k.position = position++;
      k.container_arn = arns::ecs(ctx.region, ctx.account, "container/" + cluster + "/" + id + "/" + ids::uuid_v4());
      k.image = std::string(json::view(c["image"]));
      k.essential = json::get_bool(c, "essential").value_or(true);
      t.containers.push_back(std::move(k));
    }
    state::TaskStore(ctx.db).insert(t);
    auto task_tags = tags;
    if (json::get_string(in, "propagateTags") == std::string_view("TASK_DEFINITION"))
      for (auto& tag : state::TagsStore(ctx.db).list(td->arn)) task_tags.push_back(tag);
    state::TagsStore(ctx.db).put(t.arn, task_tags);
    created.push_back(std::move(t));
  }
  ctx.after_commit.push_back([engine](state::Database&) { engine->wake(); });
  b.w.StartObject();
  b.w.Key("tasks");
  b.w.StartArray();
  for (const auto& t : created) write_task(ctx, b.w, t, true);
  b.w.EndArray();
  b.w.Key("failures");
  b.w.StartArray();
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
  b.w.Key("failures");
  b.w.StartArray();
  for (const auto& m : missing) write_failure(b.w, m, "MISSING");
  b.w.EndArray();
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
  if (json::get_string(in, "containerInstance")) {
    // Fargate tasks run on no container instance berth knows of.
    Body b;
    b.w.StartObject();
    b.w.Key("taskArns");
    b.w.StartArray();
    b.w.EndArray();
    b.w.EndObject();
    return b.done();
  }
  auto arns = state::TaskStore(ctx.db).list(ctx.scope(), f, p.cursor, p.limit + 1);
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
  t.add("ecs", "StopTask", stop_task, Access::Write);
  t.add("ecs", "DescribeTasks", describe_tasks, Access::Read);
  t.add("ecs", "ListTasks", list_tasks, Access::Read);
}

}  // namespace berth::api::ecs
