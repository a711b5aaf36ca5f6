// CreateService, UpdateService, DeleteService, DescribeServices, ListServices,
// ListServicesByNamespace. Handlers write the service, its deployments and tags, then wake the
// service scheduler (src/ecs/service_scheduler), which owns every task a service runs.
#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/service_load_balancers.h"
#include "api/ecs/service_view.h"
#include "api/ecs/shapes.h"
#include "api/ecs/tags.h"
#include "api/pagination.h"
#include "api/services.h"
#include "ecs/deployments.h"
#include "ecs/service_scheduler.h"
#include "ecs/task_factory.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_service_store.h"
#include "state/ecs_task_definition_store.h"
#include "state/tags_store.h"

namespace berth::api::ecs {
namespace {
using state::DeploymentRow;
using state::ServiceRow;
using state::ServiceStore;
using Doc = rapidjson::Document;

constexpr int kMaxDesiredCount = 5000;  // ECS's quota of tasks per service

AwsError service_not_found() { return AwsError::client("ServiceNotFoundException", "Service not found."); }
AwsError service_not_active() { return AwsError::client("ServiceNotActiveException", "Service was not ACTIVE."); }

std::variant<state::ClusterRow, AwsError> active_cluster(OpContext& ctx, const json::Value& in) {
  auto name = cluster_name(ctx, cluster_or_default(in));
  auto row = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!row || row->status != "ACTIVE") return errors::cluster_not_found();
  return std::move(*row);
}

void wake_scheduler(OpContext& ctx, const std::string& arn) {
  if (auto* s = ctx.services.scheduler) ctx.after_commit.push_back([s, arn](state::Database&) { s->wake(arn); });
}

void set(Doc& doc, const char* name, rapidjson::Value v) {
  auto& a = doc.GetAllocator();
  if (auto it = doc.FindMember(name); it != doc.MemberEnd())
    it->value = std::move(v);
  else
    doc.AddMember(rapidjson::Value(name, a), std::move(v), a);
}
void set_copy(Doc& doc, const char* name, const json::Value& v) { set(doc, name, rapidjson::Value(v, doc.GetAllocator())); }
void set_string(Doc& doc, const char* name, std::string_view v) {
  set(doc, name, rapidjson::Value(v.data(), static_cast<rapidjson::SizeType>(v.size()), doc.GetAllocator()));
}
Doc parse(const std::string& text) {
  Doc d;
  d.Parse(text.c_str(), text.size());
  return d;
}

std::optional<AwsError> check_controller(const json::Value& in) {
  const json::Value* c = json::member(in, "deploymentController");
  std::string_view type = c ? json::get_string(*c, "type").value_or("ECS") : "ECS";
  if (type != "ECS")
    return AwsError::client("UnsupportedFeatureException",
                            "berth runs only the ECS deployment controller (rolling updates); " + std::string(type) +
                                " deployments are not supported.");
  return std::nullopt;
}

std::optional<AwsError> check_desired(const json::Value& in) {
  auto n = json::get_int(in, "desiredCount");
  if (n && (*n < 0 || *n > kMaxDesiredCount))
    return errors::invalid_parameter("desiredCount must be between 0 and " + std::to_string(kMaxDesiredCount) + ".");
  return std::nullopt;
}

// deploymentConfiguration with ECS's defaults filled in, `given` merged over `current`.
std::variant<rapidjson::Value, AwsError> deployment_configuration(const json::Value* given, const json::Value* current,
                                                                 bool daemon, Doc::AllocatorType& a) {
  rapidjson::Value out(rapidjson::kObjectType);
  if (current) out.CopyFrom(*current, a);
  auto put_int = [&](const char* name, std::int64_t v) {
    if (out.HasMember(name))
      out[name].SetInt64(v);
    else
      out.AddMember(rapidjson::Value(name, a), rapidjson::Value(v), a);
  };
  if (!out.HasMember("deploymentCircuitBreaker")) {
    rapidjson::Value cb(rapidjson::kObjectType);
    cb.AddMember("enable", false, a);
    cb.AddMember("rollback", false, a);
    out.AddMember("deploymentCircuitBreaker", cb, a);
  }
  if (!out.HasMember("maximumPercent")) put_int("maximumPercent", daemon ? 100 : 200);
  if (!out.HasMember("minimumHealthyPercent")) put_int("minimumHealthyPercent", daemon ? 0 : 100);
  if (given)
    for (auto& m : given->GetObject()) {
      std::string name(json::view(m.name));
      if (out.HasMember(name.c_str()))
        out[name.c_str()].CopyFrom(m.value, a);
      else
        out.AddMember(rapidjson::Value(name.c_str(), a), rapidjson::Value(m.value, a), a);
    }
  std::int64_t min = out["minimumHealthyPercent"].GetInt64(), max = out["maximumPercent"].GetInt64();
  if (min < 0 || min > 100) return errors::invalid_parameter("minimumHealthyPercent must be between 0 and 100.");
  if (max < 100) return errors::invalid_parameter("maximumPercent must be at least 100.");
  return out;
}

// The task definition a service names: family[:revision] or ARN, ACTIVE.
std::variant<state::TaskDefinitionRow, AwsError> task_definition(OpContext& ctx, const json::Value& in) {
  auto given = json::get_string(in, "taskDefinition");
  if (!given) return errors::invalid_parameter("Task Definition can not be blank.");
  if (auto bad = revision_error(*given)) return *bad;
  auto ref = task_definition_ref(ctx, *given);
  if (!ref) return errors::invalid_parameter("TaskDefinition not found.");
  state::TaskDefinitionStore tds(ctx.db, ctx.scope());
  auto td = ref->revision ? tds.get(ref->family, *ref->revision) : tds.latest_active(ref->family);
  if (!td) return errors::invalid_parameter("TaskDefinition not found.");
  if (td->status != "ACTIVE") return errors::client("TaskDefinition is inactive");
  return std::move(*td);
}

// Where a deployment's tasks run: launchType or capacityProviderStrategy, platform, network,
// and the loadBalancers its tasks are registered with (kept, not shown: ECS's Deployment has no
// such member). `service` is the stored configuration.
Doc deployment_doc(const state::ClusterRow& cluster, const Doc& service) {
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  for (const char* m : {"launchType", "capacityProviderStrategy", "networkConfiguration", "loadBalancers"})
    if (service.HasMember(m)) d.AddMember(rapidjson::Value(m, a), rapidjson::Value(service[m], a), a);
  bool fargate = json::get_string(service, "launchType") == std::string_view("FARGATE") ||
                 json::get_string(service, "platformVersion").has_value();
  if (fargate) {
    // Deployments name the version LATEST resolved to.
    std::string pv(json::get_string(service, "platformVersion").value_or("LATEST"));
    d.AddMember("platformVersion", rapidjson::Value(pv == "LATEST" ? "1.4.0" : pv.c_str(), a), a);
    d.AddMember("platformFamily", "Linux", a);
  }
  (void)cluster;
  return d;
}

// The RunTask-shaped request a deployment's tasks would be started with (for create-time checks).
Doc launch_request(const Doc& service, const Doc& deployment) {
  Doc r(rapidjson::kObjectType);
  auto& a = r.GetAllocator();
  for (const char* m : {"launchType", "capacityProviderStrategy", "networkConfiguration"})
    if (deployment.HasMember(m)) r.AddMember(rapidjson::Value(m, a), rapidjson::Value(deployment[m], a), a);
  // Placement is checked as RunTask checks it (EC2 services only).
  for (const char* m : {"placementConstraints", "placementStrategy"})
    if (service.HasMember(m)) r.AddMember(rapidjson::Value(m, a), rapidjson::Value(service[m], a), a);
  return r;
}

std::optional<AwsError> check_launch(OpContext& ctx, const state::ClusterRow& cluster,
                                     const state::TaskDefinitionRow& td, const Doc& service, const Doc& deployment) {
  Doc req = launch_request(service, deployment);
  return berth::ecs::check_launch({ctx.scope(), cluster, td, req, ctx.clock.now_millis(), {true, "", std::nullopt}, {}, false, {}});
}

DeploymentRow new_deployment(OpContext& ctx, const ServiceRow& s, const Doc& doc) {
  DeploymentRow d;
  d.id = berth::ecs::new_deployment_id();
  d.service_arn = s.arn;
  d.task_definition = s.task_definition;
  d.desired_count = s.desired_count;
  d.rollout_state_reason = berth::ecs::rollout_in_progress(d.id);
  d.created_at = d.updated_at = ctx.clock.now_millis();
  d.doc = json::dump(doc);
  return d;
}

Outcome reply(OpContext& ctx, const ServiceRow& s) {
  Body b;
  b.w.StartObject();
  b.w.Key("service");
  write_service(ctx, b.w, s, false);
  b.w.EndObject();
  return b.done();
}

Outcome create_service(OpContext& ctx, const json::Value& in) {
  auto found = active_cluster(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto& cluster = std::get<state::ClusterRow>(found);
  std::string name(json::view(in["serviceName"]));
  if (!valid_name(name))
    return errors::invalid_parameter("Service name must match ^[a-zA-Z0-9\\-_]{1,255}$, but was " + name);
  if (auto e = check_controller(in)) return *e;
  if (auto e = check_desired(in)) return *e;
  std::string strategy(json::get_string(in, "schedulingStrategy").value_or("REPLICA"));
  bool daemon = strategy == "DAEMON";
  auto launch = json::get_string(in, "launchType");
  const json::Value* cps = json::member(in, "capacityProviderStrategy");
  if (launch && cps && cps->Size() > 0)
    return errors::invalid_parameter(
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  auto tags = tags_of(in);
  if (auto e = check_tags(tags)) return *e;
  auto found_td = task_definition(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found_td)) return *e;
  auto& td = std::get<state::TaskDefinitionRow>(found_td);

  std::string arn = berth::ecs::service_arn(ctx.region, ctx.account, cluster.name, name);
  ServiceStore store(ctx.db);
  if (auto existing = store.get(arn)) {
    if (existing->status == "ACTIVE") return errors::invalid_parameter("Creation of service was not idempotent.");
    if (existing->status == "DRAINING") return errors::invalid_parameter("Unable to Start a service that is still Draining.");
  }

  Doc doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Doc cdoc = parse(cluster.doc);
  const json::Value* default_cps = json::member(cdoc, "defaultCapacityProviderStrategy");
  std::optional<std::string> launch_type;
  if (launch) {
    launch_type = std::string(*launch);
    set_string(doc, "launchType", *launch);
  } else if (cps && cps->Size() > 0) {
    set_copy(doc, "capacityProviderStrategy", *cps);
  } else if (default_cps && default_cps->IsArray() && default_cps->Size() > 0) {
    set_copy(doc, "capacityProviderStrategy", *default_cps);
  } else {
    launch_type = "EC2";
    set_string(doc, "launchType", "EC2");
  }
  bool fargate = launch_type == std::optional<std::string>("FARGATE");
  if (const json::Value* s = json::member(doc, "capacityProviderStrategy"))
    for (const auto& item : s->GetArray())
      fargate |= json::get_string(item, "capacityProvider").value_or("").starts_with("FARGATE");
  if (daemon && fargate)
    return errors::invalid_parameter("The DAEMON scheduling strategy is not supported for tasks using the Fargate launch type.");
  if (fargate) {
    set_string(doc, "platformVersion", json::get_string(in, "platformVersion").value_or("LATEST"));
    set_string(doc, "platformFamily", "Linux");
  }
  for (const char* m : {"loadBalancers", "serviceRegistries", "placementConstraints", "placementStrategy"}) {
    if (const json::Value* v = json::member(in, m))
      set_copy(doc, m, *v);
    else
      set(doc, m, rapidjson::Value(rapidjson::kArrayType));
  }
  if (const json::Value* v = json::member(in, "networkConfiguration")) set_copy(doc, "networkConfiguration", *v);
  if (auto g = json::get_int(in, "healthCheckGracePeriodSeconds")) set(doc, "healthCheckGracePeriodSeconds", rapidjson::Value(static_cast<int64_t>(*g)));
  auto config = deployment_configuration(json::member(in, "deploymentConfiguration"), nullptr, daemon, a);
  if (auto* e = std::get_if<AwsError>(&config)) return *e;
  set(doc, "deploymentConfiguration", std::move(std::get<rapidjson::Value>(config)));
  set_string(doc, "schedulingStrategy", strategy);
  rapidjson::Value controller(rapidjson::kObjectType);
  controller.AddMember("type", "ECS", a);
  set(doc, "deploymentController", std::move(controller));
  set_string(doc, "createdBy", ctx.principal_arn());
  set(doc, "enableECSManagedTags", rapidjson::Value(json::get_bool(in, "enableECSManagedTags").value_or(false)));
  set_string(doc, "propagateTags", json::get_string(in, "propagateTags").value_or("NONE"));
  set(doc, "enableExecuteCommand", rapidjson::Value(json::get_bool(in, "enableExecuteCommand").value_or(false)));
  if (auto role = json::get_string(in, "role"))
    set_string(doc, "roleArn", role->starts_with("arn:") ? std::string(*role) : "arn:aws:iam::" + ctx.account + ":role/" + std::string(*role));
  else if (doc["loadBalancers"].Size() > 0)
    set_string(doc, "roleArn", "arn:aws:iam::" + ctx.account + ":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS");

  Doc ddoc = deployment_doc(cluster, doc);
  if (auto e = check_launch(ctx, cluster, td, doc, ddoc)) return *e;
  if (auto e = check_load_balancers(ctx, doc["loadBalancers"], td)) return *e;

  ServiceRow s;
  s.arn = arn;
  s.account = ctx.account;
  s.region = ctx.region;
  s.cluster = cluster.name;
  s.name = name;
  // Without container instances a daemon service has nowhere to run a task.
  s.desired_count = daemon ? 0 : json::get_int(in, "desiredCount").value_or(0);
  s.task_definition = td.arn;
  s.launch_type = launch_type;
  s.scheduling_strategy = strategy;
  s.created_at = s.status_at = ctx.clock.now_millis();
  s.doc = json::dump(doc);
  store.remove(arn);  // an INACTIVE service of that name leaves nothing behind
  store.put(s);
  store.put_deployment(new_deployment(ctx, s, ddoc));
  state::TagsStore tag_store(ctx.db);
  tag_store.remove_all(arn);
  tag_store.put(arn, tags);
  wake_scheduler(ctx, arn);
  return reply(ctx, s);
}

// The service a request names in its cluster, or the error to answer.
std::variant<ServiceRow, AwsError> named_service(OpContext& ctx, const json::Value& in) {
  auto name = cluster_name(ctx, cluster_or_default(in));
  auto cluster = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster) return errors::cluster_not_found();
  auto arn = service_arn_of(ctx, cluster->name, json::view(in["service"]));
  auto s = arn ? ServiceStore(ctx.db).get(*arn) : std::nullopt;
  if (!s) return service_not_found();
  return std::move(*s);
}

bool differs(const json::Value* given, const json::Value* current) {
  if (!given) return false;
  if (!current) return true;
  return json::dump(*given) != json::dump(*current);
}

Outcome update_service(OpContext& ctx, const json::Value& in) {
  auto found = named_service(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  ServiceRow s = std::get<ServiceRow>(std::move(found));
  if (s.status != "ACTIVE") return service_not_active();
  if (auto e = check_controller(in)) return *e;
  if (auto e = check_desired(in)) return *e;
  auto cluster = *state::ClusterStore(ctx.db, ctx.scope()).get(s.cluster);
  Doc doc = parse(s.doc);
  auto& a = doc.GetAllocator();
  bool daemon = s.scheduling_strategy == "DAEMON";
  bool redeploy = json::get_bool(in, "forceNewDeployment").value_or(false);

  std::optional<state::TaskDefinitionRow> td;
  if (json::get_string(in, "taskDefinition")) {
    auto found_td = task_definition(ctx, in);
    if (auto* e = std::get_if<AwsError>(&found_td)) return *e;
    td = std::get<state::TaskDefinitionRow>(std::move(found_td));
    redeploy |= td->arn != s.task_definition;
  }
  if (auto launch = json::get_string(in, "launchType"); launch && json::get_string(doc, "launchType") != launch)
    return errors::invalid_parameter("Updating the launch type of a service is not supported.");
  for (const char* m : {"networkConfiguration", "loadBalancers", "serviceRegistries", "capacityProviderStrategy"})
    if (const json::Value* v = json::member(in, m); differs(v, json::member(doc, m))) {
      redeploy = true;
      set_copy(doc, m, *v);
    }
  if (auto pv = json::get_string(in, "platformVersion"); pv && json::get_string(doc, "platformVersion") != pv) {
    redeploy = true;
    set_string(doc, "platformVersion", *pv);
  }
  for (const char* m : {"placementConstraints", "placementStrategy"})
    if (const json::Value* v = json::member(in, m)) set_copy(doc, m, *v);
  if (const json::Value* dc = json::member(in, "deploymentConfiguration")) {
    auto config = deployment_configuration(dc, json::member(doc, "deploymentConfiguration"), daemon, a);
    if (auto* e = std::get_if<AwsError>(&config)) return *e;
    set(doc, "deploymentConfiguration", std::move(std::get<rapidjson::Value>(config)));
  }
  if (auto g = json::get_int(in, "healthCheckGracePeriodSeconds")) set(doc, "healthCheckGracePeriodSeconds", rapidjson::Value(static_cast<int64_t>(*g)));
  for (const char* m : {"enableExecuteCommand", "enableECSManagedTags"})
    if (auto v = json::get_bool(in, m)) set(doc, m, rapidjson::Value(*v));
  if (auto v = json::get_string(in, "propagateTags")) set_string(doc, "propagateTags", *v);
  if (auto n = json::get_int(in, "desiredCount"); n && !daemon) s.desired_count = *n;

  ServiceStore store(ctx.db);
  auto deployments = store.deployments(s.arn);
  if (redeploy) {
    if (!td)
      if (auto ref = task_definition_ref(ctx, s.task_definition); ref && ref->revision)
        td = state::TaskDefinitionStore(ctx.db, ctx.scope()).get(ref->family, *ref->revision);
    if (!td) return errors::task_definition_not_found();
    Doc ddoc = deployment_doc(cluster, doc);
    if (auto e = check_launch(ctx, cluster, *td, doc, ddoc)) return *e;
    if (const json::Value* lbs = json::member(doc, "loadBalancers"))
      if (auto e = check_load_balancers(ctx, *lbs, *td)) return *e;
    s.task_definition = td->arn;
    for (auto& d : deployments)
      if (d.status == "PRIMARY") {
        d.status = "ACTIVE";
        d.updated_at = ctx.clock.now_millis();
        store.put_deployment(d);
      }
    // A new task definition starts the throttle afresh.
    s.failed_starts = 0;
    s.retry_at.reset();
    store.put_deployment(new_deployment(ctx, s, ddoc));
  } else {
    for (auto& d : deployments)
      if (d.status == "PRIMARY" && d.desired_count != s.desired_count) {
        d.desired_count = s.desired_count;
        d.updated_at = ctx.clock.now_millis();
        store.put_deployment(d);
      }
  }
  s.steady = false;
  s.doc = json::dump(doc);
  store.put(s);
  wake_scheduler(ctx, s.arn);
  return reply(ctx, s);
}

Outcome delete_service(OpContext& ctx, const json::Value& in) {
  auto found = named_service(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  ServiceRow s = std::get<ServiceRow>(std::move(found));
  if (s.status == "INACTIVE") return service_not_found();
  if (s.status == "ACTIVE") {
    bool force = json::get_bool(in, "force").value_or(false);
    if (s.scheduling_strategy == "REPLICA" && s.desired_count > 0 && !force)
      return errors::invalid_parameter("The service cannot be stopped while it is scaled above 0.");
    s.status = "DRAINING";
    s.status_at = ctx.clock.now_millis();
    s.desired_count = 0;
    s.steady = false;
    ServiceStore(ctx.db).put(s);
    wake_scheduler(ctx, s.arn);
  }
  return reply(ctx, s);
}

Outcome describe_services(OpContext& ctx, const json::Value& in) {
  auto name = cluster_name(ctx, cluster_or_default(in));
  auto cluster = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster) return errors::cluster_not_found();
  const json::Value& ids = in["services"];
  if (ids.Size() == 0) return errors::invalid_parameter("Services cannot be empty.");
  if (ids.Size() > 10) return errors::invalid_parameter("services can have at most 10 items.");
  bool with_tags = false;
  if (const json::Value* inc = json::member(in, "include"))
    for (const auto& i : inc->GetArray()) with_tags |= json::view(i) == "TAGS";
  ServiceStore store(ctx.db);
  std::vector<std::string> missing;
  Body b;
  b.w.StartObject();
  b.w.Key("services");
  b.w.StartArray();
  for (const auto& v : ids.GetArray()) {
    auto arn = service_arn_of(ctx, cluster->name, json::view(v));
    auto s = arn ? store.get(*arn) : std::nullopt;
    if (s)
      write_service(ctx, b.w, *s, with_tags);
    else
      missing.push_back(arn.value_or(std::string(json::view(v))));
  }
  b.w.EndArray();
  write_failures(b.w, missing);
  b.w.EndObject();
  return b.done();
}

Outcome list_services(OpContext& ctx, const json::Value& in) {
  auto name = cluster_name(ctx, cluster_or_default(in));
  auto cluster = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster) return errors::cluster_not_found();
  auto page = page_of(in, 100, 10);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  state::ServiceFilter f;
  f.cluster = cluster->name;
  if (auto v = json::get_string(in, "launchType")) f.launch_type = std::string(*v);
  if (auto v = json::get_string(in, "schedulingStrategy")) f.scheduling_strategy = std::string(*v);
  auto arns = ServiceStore(ctx.db).list_active(ctx.scope(), f, p.cursor, p.limit + 1);
  Body b;
  b.w.StartObject();
  b.w.Key("serviceArns");
  b.w.StartArray();
  std::size_t n = std::min(arns.size(), static_cast<std::size_t>(p.limit));
  for (std::size_t i = 0; i < n; ++i) json::str(b.w, arns[i]);
  b.w.EndArray();
  if (arns.size() > n) json::kv(b.w, "nextToken", pagination::encode(arns[n - 1]));
  b.w.EndObject();
  return b.done();
}

// berth has no Service Connect namespaces, so no service is in one.
Outcome list_services_by_namespace(OpContext& ctx, const json::Value& in) {
  auto page = page_of(in, 100, 10);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  return Outcome::ok(R"({"serviceArns":[]})");
}
}  // namespace

void register_ecs_services(OperationTable& t) {
  t.add("ecs", "CreateService", create_service, Access::Write);
  t.add("ecs", "UpdateService", update_service, Access::Write);
  t.add("ecs", "DeleteService", delete_service, Access::Write);
  t.add("ecs", "DescribeServices", describe_services, Access::Read);
  t.add("ecs", "ListServices", list_services, Access::Read);
  t.add("ecs", "ListServicesByNamespace", list_services_by_namespace, Access::Read);
}

}  // namespace berth::api::ecs
