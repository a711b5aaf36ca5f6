#include "ecs/task_factory.h"

#include "ecs/host_access.h"
#include "ecs/role_trust.h"

#include <algorithm>
#include <cctype>
#include <random>

#include "common/arn.h"
#include "common/ids.h"

namespace berth::ecs {
namespace {
using state::TaskRow;

AwsError invalid_parameter(std::string message) {
  return AwsError::client("InvalidParameterException", std::move(message));
}
AwsError client(std::string message) { return AwsError::client("ClientException", std::move(message)); }

std::vector<state::Tag> tags_of(const json::Value& input) {
  std::vector<state::Tag> out;
  if (const json::Value* tags = json::member(input, "tags"); tags && tags->IsArray())
    for (const auto& t : tags->GetArray())
      out.emplace_back(std::string(json::get_string(t, "key").value_or("")),
                       std::string(json::get_string(t, "value").value_or("")));
  return out;
}

// Launch type and capacity provider: the request's, else the cluster's default strategy
// (FARGATE providers mean Fargate), else EC2.
struct Capacity {
  std::string launch_type;
  std::optional<std::string> provider;
};
std::variant<Capacity, AwsError> capacity_of(const json::Value& in, const state::ClusterRow& cluster) {
  const json::Value* strategy = json::member(in, "capacityProviderStrategy");
  auto launch = json::get_string(in, "launchType");
  if (launch && strategy && strategy->Size() > 0)
    return invalid_parameter(
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  Capacity c{launch ? std::string(*launch) : "EC2", std::nullopt};
  if (!launch) {
    rapidjson::Document cdoc;
    cdoc.Parse(cluster.doc.c_str(), cluster.doc.size());
    const json::Value* s = strategy && strategy->Size() > 0 ? strategy : json::member(cdoc, "defaultCapacityProviderStrategy");
    if (s && s->IsArray() && s->Size() > 0) {
      c.provider = std::string(json::get_string((*s)[0], "capacityProvider").value_or(""));
      if (*c.provider != "FARGATE" && *c.provider != "FARGATE_SPOT")
        return invalid_parameter("The specified capacity provider strategy is not valid: capacity provider " +
                                 *c.provider + " does not exist.");
      c.launch_type = "FARGATE";
    }
  } else if (c.launch_type == "FARGATE") {
    c.provider = "FARGATE";
  }
  return c;
}

// The run document: what the task runs with beyond its definition (overrides, cpu, memory,
// network attachment, role credentials id), which the engine and DescribeTasks read.
std::string run_document(const TaskLaunch& l, const rapidjson::Document& tdoc, const std::string& network_mode,
                         const std::string& subnet, const std::optional<std::string>& provider,
                         const std::string& instance_arn, const Resources& reserved) {
  const json::Value& in = l.request;
  const json::Value* overrides = json::member(in, "overrides");
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  rapidjson::Value ov(rapidjson::kObjectType);
  if (overrides) ov.CopyFrom(*overrides, a);
  if (!ov.HasMember("containerOverrides")) ov.AddMember("containerOverrides", rapidjson::Value(rapidjson::kArrayType), a);
  if (!ov.HasMember("inferenceAcceleratorOverrides"))
    ov.AddMember("inferenceAcceleratorOverrides", rapidjson::Value(rapidjson::kArrayType), a);
  auto pick = [&](const char* name) {
    auto o = overrides ? json::get_string(*overrides, name) : std::nullopt;
    return std::string(o ? *o : json::get_string(tdoc, name).value_or(""));
  };
  std::string cpu = pick("cpu"), memory = pick("memory");
  doc.AddMember("overrides", ov, a);
  if (!cpu.empty()) doc.AddMember("cpu", rapidjson::Value(cpu.c_str(), a), a);
  if (!memory.empty()) doc.AddMember("memory", rapidjson::Value(memory.c_str(), a), a);
  if (network_mode == "awsvpc") {
    doc.AddMember("attachmentId", rapidjson::Value(ids::uuid_v4().c_str(), a), a);
    doc.AddMember("subnet", rapidjson::Value(subnet.c_str(), a), a);
  }
  if (provider) doc.AddMember("capacityProviderName", rapidjson::Value(provider->c_str(), a), a);
  // A task role gets credentials served to the task's containers under an id of their own.
  std::string role = pick("taskRoleArn");
  if (!role.empty()) {
    doc.AddMember("taskRoleArn", rapidjson::Value(role.c_str(), a), a);
    doc.AddMember("credentialsId", rapidjson::Value(ids::uuid_v4().c_str(), a), a);
  }
  if (auto x = json::get_bool(in, "enableExecuteCommand")) doc.AddMember("enableExecuteCommand", *x, a);
  // An EC2 task holds its share of its container instance until it stops.
  if (!instance_arn.empty()) {
    doc.AddMember("containerInstanceArn", rapidjson::Value(instance_arn.c_str(), a), a);
    rapidjson::Value held(rapidjson::kObjectType);
    held.AddMember("cpu", reserved.cpu, a);
    held.AddMember("memory", reserved.memory, a);
    for (auto [key, ports] : {std::pair{"tcpPorts", &reserved.tcp_ports}, std::pair{"udpPorts", &reserved.udp_ports}}) {
      rapidjson::Value list(rapidjson::kArrayType);
      for (int p : *ports) list.PushBack(p, a);
      held.AddMember(rapidjson::StringRef(key), list, a);
    }
    doc.AddMember("reserved", held, a);
  }
  return json::dump(doc);
}
}  // namespace

std::optional<AwsError> check_tags(const std::vector<state::Tag>& tags) {
  for (const auto& [k, v] : tags) {
    std::string lower = k.substr(0, 4);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "aws:") return invalid_parameter("Tag keys cannot start with the reserved prefix 'aws:'.");
    if (k.empty()) return invalid_parameter("Tag keys must not be empty.");
  }
  if (tags.size() > 50) return invalid_parameter("A resource can have at most 50 tags.");
  return std::nullopt;
}

namespace {
// What the checks found out: everything a task row needs besides fresh ids.
struct Checked {
  rapidjson::Document tdoc;
  std::int64_t count = 1;
  std::string launch_type;
  std::optional<std::string> provider;
  std::string network_mode, subnet;
  std::vector<state::Tag> tags;
  std::vector<Constraint> constraints;  // EC2 only
  std::vector<Strategy> strategies;
};

std::variant<Checked, AwsError> check(const TaskLaunch& l) {
  const json::Value& in = l.request;
  Checked c;
  c.tdoc.Parse(l.definition.doc.c_str(), l.definition.doc.size());
  c.count = json::get_int(in, "count").value_or(1);
  if (c.count < 1 || c.count > 10) return invalid_parameter("count must be between 1 and 10.");
  auto capacity = capacity_of(in, l.cluster);
  if (auto* e = std::get_if<AwsError>(&capacity)) return *e;
  c.launch_type = std::get<Capacity>(capacity).launch_type;
  c.provider = std::get<Capacity>(capacity).provider;
  if (c.launch_type == "EXTERNAL")
    return invalid_parameter("berth has no external instances to place a task with launch type EXTERNAL on.");
  bool compatible = false;
  if (const json::Value* compat = json::member(c.tdoc, "compatibilities"))
    for (const auto& x : compat->GetArray()) compatible |= json::view(x) == c.launch_type;
  if (!compatible) return client("Task definition does not support launch_type " + c.launch_type + ".");
  // Rows registered before berth checked host access, and EC2 tasks without --allow-host-access.
  if (auto refusal = host_access_refusal(c.tdoc, c.launch_type, l.allow_host_access)) return client(*refusal);

  c.network_mode = std::string(json::get_string(c.tdoc, "networkMode").value_or("bridge"));
  if (c.network_mode == "awsvpc") {
    const json::Value* nc = json::member(in, "networkConfiguration");
    const json::Value* vpc = nc ? json::member(*nc, "awsvpcConfiguration") : nullptr;
    if (!vpc) return invalid_parameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    const json::Value& subnets = (*vpc)["subnets"];
    if (subnets.Size() == 0) return invalid_parameter("subnets can not be empty.");
    if (subnets.Size() > 16) return invalid_parameter("subnets can have at most 16 items.");
    c.subnet = std::string(json::view(subnets[0]));
  }
  c.tags = tags_of(in);
  if (auto e = check_tags(c.tags)) return *e;
  // Placement applies to tasks on container instances; Fargate places by itself.
  if (c.launch_type == "EC2") {
    auto constraints = parse_constraints(json::member(c.tdoc, "placementConstraints"), json::member(in, "placementConstraints"));
    if (auto* e = std::get_if<AwsError>(&constraints)) return *e;
    c.constraints = std::get<std::vector<Constraint>>(std::move(constraints));
    auto strategies = parse_strategies(json::member(in, "placementStrategy"));
    if (auto* e = std::get_if<AwsError>(&strategies)) return *e;
    c.strategies = std::get<std::vector<Strategy>>(std::move(strategies));
  }
  return c;
}
}  // namespace

std::string Placement::instance_event(std::string_view service) const {
  if (!on_instances || failures.empty()) return "";
  // The closest instance: one short of resources rather than one a constraint excludes.
  const PlacementFailure* closest = &failures.front();
  for (const auto& f : failures)
    if (f.reason.starts_with("RESOURCE:")) {
      closest = &f;
      break;
    }
  return unable_to_place_event(service, std::pair{closest->arn, closest->reason});
}

std::optional<AwsError> check_launch(const TaskLaunch& launch) {
  auto checked = check(launch);
  if (auto* e = std::get_if<AwsError>(&checked)) return *e;
  return std::nullopt;
}

std::variant<Placement, AwsError> create_tasks(state::Connection& db, const TaskLaunch& l) {
  const json::Value& in = l.request;
  const auto& td = l.definition;
  const std::string& cluster = l.cluster.name;
  auto checked = check(l);
  if (auto* e = std::get_if<AwsError>(&checked)) return *e;
  auto& [tdoc, count, launch_type, provider, network_mode, subnet, tags, constraints, strategies] =
      std::get<Checked>(checked);
  if (l.enforce_iam)
    if (auto refused = untrusted_task_role(db, l.scope.account, tdoc, json::member(in, "overrides"), l.cluster.arn))
      return *refused;

  // Placement failures come back as ECS reports them, and nothing is stored: without Docker
  // there is no agent, and berth's containers get no GPUs or accelerators.
  auto unplaced = [&](std::string reason, const std::string& detail) {
    Placement p;
    for (std::int64_t i = 0; i < count; ++i) p.failures.push_back({l.cluster.arn, reason, detail});
    return p;
  };
  if (!l.docker.ok) return unplaced("AGENT", "Docker is not reachable: " + l.docker.problem);
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

  // EC2 tasks go on the cluster's container instances (berth's engine registers itself in a
  // cluster's first EC2 placement): constraints, strategies, then what fits.
  std::vector<std::string> instance_of;
  Resources demand;
  Placement placed;
  std::string group(json::get_string(in, "group").value_or("family:" + td.family));
  if (launch_type == "EC2") {
    placed.on_instances = true;
    ensure_engine_instance(db, l.scope, cluster, l.docker.host, l.now_millis);
    auto cands = candidates(db, l.scope, cluster, group);
    if (l.instances.empty() &&
        std::none_of(cands.begin(), cands.end(), [](const Candidate& c) { return c.status == "ACTIVE"; }))
      return invalid_parameter(std::string(kNoInstances));
    auto pick = [&](const char* name) {
      auto o = run_overrides ? json::get_string(*run_overrides, name) : std::nullopt;
      return std::string(o ? *o : json::get_string(tdoc, name).value_or(""));
    };
    demand = task_demand(tdoc, run_overrides, pick("cpu"), pick("memory"));
    thread_local std::mt19937 rng(std::random_device{}());
    for (const auto& arn : l.instances) {
      auto it = std::find_if(cands.begin(), cands.end(), [&](const Candidate& c) { return c.arn == arn; });
      std::optional<std::string> why;
      if (it == cands.end()) why = "MISSING";
      else if (it->status != "ACTIVE") why = "INACTIVE";
      else why = refusal(*it, demand, constraints);
      if (why) {
        placed.failures.push_back({arn, *why, ""});
        continue;
      }
      it->held.cpu += demand.cpu;
      it->held.memory += demand.memory;
      it->held.tcp_ports.insert(demand.tcp_ports.begin(), demand.tcp_ports.end());
      it->held.udp_ports.insert(demand.udp_ports.begin(), demand.udp_ports.end());
      instance_of.push_back(arn);
    }
    for (std::int64_t i = 0; l.instances.empty() && i < count; ++i) {
      Choice choice = choose(cands, demand, constraints, strategies, rng);
      if (!choice.index) {
        for (const auto& [arn, why] : choice.refusals) placed.failures.push_back({arn, why, ""});
        break;
      }
      Candidate& c = cands[*choice.index];
      c.held.cpu += demand.cpu;
      c.held.memory += demand.memory;
      c.held.tcp_ports.insert(demand.tcp_ports.begin(), demand.tcp_ports.end());
      c.held.udp_ports.insert(demand.udp_ports.begin(), demand.udp_ports.end());
      ++c.group_tasks;
      c.facts.task_groups.push_back(group);
      instance_of.push_back(c.arn);
    }
  } else {
    instance_of.assign(static_cast<std::size_t>(count), "");
  }

  auto task_tags = tags;
  task_tags.insert(task_tags.end(), l.extra_tags.begin(), l.extra_tags.end());
  state::TagsStore tag_store(db);
  if (json::get_string(in, "propagateTags") == std::string_view("TASK_DEFINITION"))
    for (auto& tag : tag_store.list(td.arn)) task_tags.push_back(tag);

  for (std::size_t i = 0; i < instance_of.size(); ++i) {
    TaskRow t;
    std::string id = ids::hex32();
    t.arn = arns::ecs(l.scope.region, l.scope.account, "task/" + cluster + "/" + id);
    t.account = l.scope.account;
    t.region = l.scope.region;
    t.cluster = cluster;
    t.task_definition_arn = td.arn;
    t.family = td.family;
    t.launch_type = launch_type;
    if (auto s = json::get_string(in, "startedBy")) t.started_by = std::string(*s);
    t.group = group;
    t.created_at = l.now_millis;
    t.doc = run_document(l, tdoc, network_mode, subnet, provider, instance_of[i], demand);
    int position = 0;
    for (const auto& c : tdoc["containerDefinitions"].GetArray()) {
      state::TaskContainerRow k;
      k.name = std::string(json::view(c["name"]));
      k.position = position++;
      k.container_arn = arns::ecs(l.scope.region, l.scope.account, "container/" + cluster + "/" + id + "/" + ids::uuid_v4());
      k.image = std::string(json::view(c["image"]));
      k.essential = json::get_bool(c, "essential").value_or(true);
      t.containers.push_back(std::move(k));
    }
    state::TaskStore(db).insert(t);
    tag_store.put(t.arn, task_tags);
    placed.tasks.push_back(std::move(t));
  }
  return placed;
}

}  // namespace berth::ecs
