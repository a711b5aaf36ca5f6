#include "runtime/task_engine.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include "common/arn.h"
#include "runtime/container_spec.h"
#include "runtime/pause_image.h"
#include "state/ecs_task_definition_store.h"
#include "state/ecs_task_store.h"

namespace berth::runtime {
namespace {
using rapidjson::Value;

const Value* member(const Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

std::string dump(const Value& v) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  return {b.GetString(), b.GetSize()};
}

// The containerOverrides entry for a container, if any.
const Value* override_for(const Value& task_doc, const std::string& name) {
  const Value* o = member(task_doc, "overrides");
  const Value* list = o ? member(*o, "containerOverrides") : nullptr;
  if (!list) return nullptr;
  for (const auto& e : list->GetArray())
    if (const Value* n = member(e, "name"); n && name == n->GetString()) return &e;
  return nullptr;
}

std::string container_name(const state::TaskRow& task, const state::TaskContainerRow& c) {
  // Docker names must be unique: ecs-FAMILY-CONTAINER-TASKID like the ECS agent's.
  return "ecs-" + task.family + "-" + c.name + "-" + task.arn.substr(task.arn.rfind('/') + 1);
}

std::string task_id(const state::TaskRow& task) { return task.arn.substr(task.arn.rfind('/') + 1); }

// The bindings ECS reports for a container, from what Docker published: in awsvpc the pause
// container publishes every port, and each container reports those of its portMappings.
std::string bindings_for(const ContainerInfo& info, const Value* definition);
const Value* definition(const rapidjson::Document& td, const std::string& name) {
  if (!td.IsObject()) return nullptr;
  for (const auto& d : td["containerDefinitions"].GetArray())
    if (d["name"] == name.c_str()) return &d;
  return nullptr;
}

std::string bindings_for(const ContainerInfo& info, const Value* def) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartArray();
  for (const auto& p : info.ports) {
    if (!p.host_port) continue;
    bool mine = !def;
    if (const Value* pm = def ? member(*def, "portMappings") : nullptr)
      for (const auto& m : pm->GetArray())
        if (const Value* cp = member(m, "containerPort"); cp && cp->GetInt() == p.container_port) mine = true;
    if (!mine) continue;
    w.StartObject();
    w.Key("bindIP");
    w.String(p.host_ip.empty() ? "127.0.0.1" : p.host_ip.c_str());
    w.Key("containerPort");
    w.Int(p.container_port);
    w.Key("hostPort");
    w.Int(p.host_port);
    w.Key("protocol");
    w.String(p.protocol.c_str());
    w.EndObject();
  }
  w.EndArray();
  return {b.GetString(), b.GetSize()};
}

// The logConfiguration of a container definition as JSON text, empty when there is none.
std::string log_config(const rapidjson::Document& td, const std::string& name) {
  const Value* def = definition(td, name);
  const Value* lc = def ? member(*def, "logConfiguration") : nullptr;
  return lc ? dump(*lc) : std::string();
}

// In host mode a container listens on the host's own ports: ECS reports hostPort = containerPort.
std::string host_bindings(const Value* def) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartArray();
  for (const auto& p : ports_of(def ? member(*def, "portMappings") : nullptr)) {
    w.StartObject();
    w.Key("bindIP");
    w.String("0.0.0.0");
    w.Key("containerPort");
    w.Int(p.container_port);
    w.Key("hostPort");
    w.Int(p.host_port ? p.host_port : p.container_port);
    w.Key("protocol");
    w.String(p.protocol.c_str());
    w.EndObject();
  }
  w.EndArray();
  return {b.GetString(), b.GetSize()};
}

enum class Dependency { Ready, Wait, Broken };

// Whether a container's dependsOn conditions (START, COMPLETE, SUCCESS, HEALTHY) hold.
Dependency dependencies(const state::TaskRow& task, const rapidjson::Document& td, const state::TaskContainerRow& c) {
  const Value* def = definition(td, c.name);
  const Value* deps = def ? member(*def, "dependsOn") : nullptr;
  if (!deps) return Dependency::Ready;
  for (const auto& d : deps->GetArray()) {
    const Value* name = member(d, "containerName");
    const Value* cond = member(d, "condition");
    if (!name || !cond) continue;
    const state::TaskContainerRow* dep = nullptr;
    for (const auto& other : task.containers)
      if (other.name == name->GetString()) dep = &other;
    if (!dep) return Dependency::Broken;
    std::string_view condition = cond->GetString();
    bool stopped = dep->last_status == "STOPPED";
    if (condition == "START") {
      if (dep->last_status == "PENDING") return Dependency::Wait;
    } else if (condition == "COMPLETE") {
      if (!stopped) return Dependency::Wait;
    } else if (condition == "SUCCESS") {
      if (!stopped) return Dependency::Wait;
      if (dep->exit_code.value_or(-1) != 0) return Dependency::Broken;
    } else if (condition == "HEALTHY") {
      if (stopped) return Dependency::Broken;
      if (dep->health_status != std::optional<std::string>("HEALTHY")) return Dependency::Wait;
    }
  }
  return Dependency::Ready;
}
}  // namespace

TaskEngine::TaskEngine(state::Database& db, DockerClient& docker, const Clock& clock, PullPlanner planner,
                       EngineOptions options)
    : db_(db), docker_(docker), clock_(clock), planner_(std::move(planner)), opt_(std::move(options)),
      logs_(db, docker, clock) {}

TaskEngine::~TaskEngine() { stop(); }

void TaskEngine::start() {
  threads_.emplace_back([this] { loop(); });
  threads_.emplace_back([this] { watch_events(); });
  for (int i = 0; i < opt_.workers; ++i) threads_.emplace_back([this] { work(); });
}

void TaskEngine::stop() {
  if (stopping_.exchange(true)) return;
  cv_.notify_all();
  work_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  logs_.stop();
}

std::vector<std::pair<std::string, std::string>> TaskEngine::injected_env(const state::TaskRow& task,
                                                                         const rapidjson::Document& doc,
                                                                         const state::TaskContainerRow& c) const {
  unsigned short port = metadata_port_;
  if (port == 0) return {{"AWS_REGION", task.region}, {"AWS_DEFAULT_REGION", task.region}};
  std::string base = "http://" + opt_.metadata_ip + (port == 80 ? "" : ":" + std::to_string(port));
  std::string token = c.container_arn.substr(c.container_arn.rfind('/') + 1);
  std::vector<std::pair<std::string, std::string>> env = {
      {"ECS_CONTAINER_METADATA_URI_V4", base + "/v4/" + token},
      {"ECS_CONTAINER_METADATA_URI", base + "/v3/" + token},
      {"AWS_EXECUTION_ENV", task.launch_type == "FARGATE" ? "AWS_ECS_FARGATE" : "AWS_ECS_EC2"},
      {"AWS_REGION", task.region},
      {"AWS_DEFAULT_REGION", task.region},
      // SDKs in the task talk to berth, which answers AWS calls on the metadata address too.
      {"AWS_ENDPOINT_URL", base},
  };
  if (const Value* id = member(doc, "credentialsId")) {
    std::string path = std::string("/v2/credentials/") + id->GetString();
    // SDKs resolve the relative URI against 169.254.170.2 port 80; elsewhere they take a full URI.
    if (port == 80)
      env.emplace_back("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", path);
    else
      env.emplace_back("AWS_CONTAINER_CREDENTIALS_FULL_URI", base + path);
  }
  return env;
}

void TaskEngine::follow_logs(const state::TaskRow& task, const state::TaskContainerRow& c, const std::string& log_config) {
  if (!c.docker_id || log_config.empty()) return;
  auto target = awslogs_target(log_config, task.account, task.region, c.name, task_id(task));
  if (target) logs_.follow(*c.docker_id, *target);
}

void TaskEngine::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::string TaskEngine::docker_problem() const {
  std::lock_guard lock(mu_);
  return docker_problem_;
}

void TaskEngine::remove_all_containers() {
  auto list = docker_.list_containers({std::string(labels::kInstance) + "=" + opt_.instance});
  if (auto* containers = std::get_if<std::vector<ContainerInfo>>(&list))
    for (const auto& c : *containers) docker_.remove_container(c.id, true);
  // Only this berth's task volumes: other berths on the same daemon keep theirs.
  std::vector<std::string> arns;
  db_.read([&](state::Connection& c) { arns = state::TaskStore(c).all(); });
  for (const auto& arn : arns) docker_.remove_volumes("berth-" + arn.substr(arn.rfind('/') + 1) + "-");
}

void TaskEngine::collect_stopped(std::int64_t before) {
  std::vector<state::TaskRow> expired;
  db_.write([&](state::Connection& c) {
    expired = state::TaskStore(c).take_expired(before);
    return true;
  });
  for (const auto& t : expired) {
    auto list = docker_.list_containers({std::string(labels::kTaskArn) + "=" + t.arn});
    if (auto* containers = std::get_if<std::vector<ContainerInfo>>(&list))
      for (const auto& c : *containers) docker_.remove_container(c.id, true);
    docker_.remove_volumes("berth-" + task_id(t) + "-");  // the task-scoped volumes
  }
}

void TaskEngine::loop() {
  bool network_ready = false, metadata_ready = false;
  while (!stopping_) {
    auto ping = docker_.ping();
    docker_ok_ = std::holds_alternative<std::string>(ping);
    {
      std::lock_guard lock(mu_);
      docker_problem_ = docker_ok_ ? "" : std::get<DockerError>(ping).message;
    }
    if (docker_ok_ && !network_ready) {
      auto net = docker_.ensure_network(opt_.network, "", "");
      network_ready = std::holds_alternative<std::string>(net);
      if (!network_ready) spdlog::warn("cannot create Docker network {}: {}", opt_.network, std::get<DockerError>(net).message);
    }
    if (docker_ok_ && !metadata_ready) {
      auto net = docker_.ensure_network(opt_.metadata_network, opt_.metadata_subnet, opt_.metadata_ip);
      metadata_ready = std::holds_alternative<std::string>(net);
      if (metadata_ready && opt_.on_metadata_network) metadata_port_ = opt_.on_metadata_network();
      if (!metadata_ready)
        spdlog::warn("cannot create Docker network {}: {}", opt_.metadata_network, std::get<DockerError>(net).message);
    }
    std::vector<std::string> arns;
    db_.read([&](state::Connection& c) { arns = state::TaskStore(c).unfinished(); });
    {
      std::lock_guard lock(mu_);
      for (auto& a : arns)
        if (busy_.insert(a).second) queue_.push_back(a);
    }
    work_cv_.notify_all();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, opt_.resync, [this] { return woken_ || stopping_; });
    woken_ = false;
  }
}

void TaskEngine::work() {
  while (!stopping_) {
    std::string arn;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      arn = std::move(queue_.front());
      queue_.erase(queue_.begin());
    }
    try {
      advance(arn);
    } catch (const std::exception& e) {
      spdlog::error("task {}: {}", arn, e.what());
    }
    {
      std::lock_guard lock(mu_);
      busy_.erase(arn);
    }
  }
}

void TaskEngine::watch_events() {
  while (!stopping_) {
    auto r = docker_.watch_events(
        {labels::kBerth},
        [this](const DockerEvent& e) {
          if (e.action == "die" || e.action == "oom" || e.action == "destroy" || e.action == "start" ||
              e.action.starts_with("health_status"))
            wake();
        },
        [this] { return !stopping_.load(); });
    if (stopping_) return;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
  }
}

void TaskEngine::advance(const std::string& arn) {
  std::optional<state::TaskRow> loaded;
  db_.read([&](state::Connection& c) { loaded = state::TaskStore(c).get(arn); });
  if (!loaded || loaded->last_status == "STOPPED") return;
  state::TaskRow task = std::move(*loaded);
  // Only real changes are written: each write bumps the task's version, as in ECS.
  auto fingerprint = [](const state::TaskRow& t) {
    std::string f = t.desired_status + "|" + t.last_status + "|" + t.doc + "|" + t.stop_code.value_or("") + "|" +
                    std::to_string(t.started_at.value_or(0)) + std::to_string(t.pull_stopped_at.value_or(0)) +
                    std::to_string(t.stopped_at.value_or(0));
    for (const auto& c : t.containers)
      f += "|" + c.last_status + c.docker_id.value_or("") + std::to_string(c.exit_code.value_or(-1000)) +
           c.network_bindings.value_or("") + c.health_status.value_or("") + c.reason.value_or("") +
           c.image_digest.value_or("");
    return f;
  };
  std::string saved = fingerprint(task);
  auto save = [&] {
    std::string now_print = fingerprint(task);
    if (now_print == saved) return;
    db_.write([&](state::Connection& c) {
      state::TaskStore(c).update(task);
      return true;
    });
    saved = now_print;
  };
  auto now = [&] { return clock_.now_millis(); };
  auto fail_task = [&](const std::string& code, const std::string& reason) {
    task.desired_status = "STOPPED";
    task.stop_code = code;
    task.stopped_reason = reason;
    if (!task.stopping_at) task.stopping_at = now();
  };

  // The task definition, for container definitions and network mode.
  rapidjson::Document td;
  {
    auto arn_parts = Arn::parse(task.task_definition_arn);
    std::string id(arn_parts ? arn_parts->resource_id() : "");
    auto colon = id.rfind(':');
    std::optional<state::TaskDefinitionRow> row;
    db_.read([&](state::Connection& c) {
      row = state::TaskDefinitionStore(c, {task.account, task.region})
                .get(id.substr(0, colon), std::atol(id.substr(colon + 1).c_str()));
    });
    if (!row) {
      fail_task("TaskFailedToStart", "Task definition not found");
    } else {
      td.Parse(row->doc.c_str(), row->doc.size());
    }
  }
  rapidjson::Document doc;
  doc.Parse(task.doc.c_str(), task.doc.size());

  // Stopping: stop what runs, record exit codes, end the task, going through the statuses ECS
  // reports on the way (each one recorded, so a caller polling may see it).
  if (task.desired_status == "STOPPED") {
    if (!task.stopping_at) task.stopping_at = now();
    if (task.last_status == "RUNNING" || task.last_status == "ACTIVATING") {
      task.last_status = "DEACTIVATING";
      save();
    }
    if (task.last_status != "STOPPING" && task.last_status != "DEPROVISIONING") {
      task.last_status = "STOPPING";
      save();
    }
    for (auto& c : task.containers) {
      if (c.docker_id && c.last_status != "STOPPED") {
        int timeout = 30;
        if (td.IsObject())
          for (const auto& def : td["containerDefinitions"].GetArray())
            if (def["name"] == c.name.c_str() && member(def, "stopTimeout")) timeout = member(def, "stopTimeout")->GetInt();
        docker_.stop_container(*c.docker_id, std::chrono::seconds(timeout));
        auto info = docker_.inspect_container(*c.docker_id);
        if (auto* i = std::get_if<ContainerInfo>(&info)) {
          c.exit_code = i->exit_code;
          if (i->oom_killed) c.reason = "OutOfMemoryError: Container killed due to memory usage";
        }
      }
      c.last_status = "STOPPED";
    }
    task.last_status = "DEPROVISIONING";
    save();
    if (const Value* pause = member(doc, "pauseId")) docker_.stop_container(pause->GetString(), std::chrono::seconds(1));
    task.last_status = "STOPPED";
    task.execution_stopped_at = now();
    task.stopped_at = now();
    save();
    return;
  }

  if (!docker_ok_) return;  // try again when Docker answers

  if (task.last_status == "PROVISIONING") {
    task.last_status = "PENDING";
    save();
  }
  std::string network_mode = member(td, "networkMode") ? td["networkMode"].GetString() : "bridge";

  // Pull and create what is missing, in definition order.
  bool any_missing = std::any_of(task.containers.begin(), task.containers.end(),
                                 [](const auto& c) { return !c.docker_id; });
  if (any_missing) {
    if (!task.pull_started_at) task.pull_started_at = now();
    for (auto& c : task.containers) {
      if (c.docker_id) continue;
      PullPlan plan = planner_(c.image, task.account, task.region);
      auto present = docker_.inspect_image(plan.reference);
      if (!std::holds_alternative<std::string>(present)) {
        auto pulled = docker_.pull_image(plan.reference, plan.registry_auth);
        if (auto* e = std::get_if<DockerError>(&pulled)) {
          std::string reason = "CannotPullContainerError: pull image manifest has been retried 1 time(s): " + e->message;
          c.reason = reason;
          fail_task("TaskFailedToStart", reason);
          save();
          return advance(arn);
        }
        present = docker_.inspect_image(plan.reference);
      }
      if (auto* id = std::get_if<std::string>(&present)) c.image_digest = *id;
    }
    task.pull_stopped_at = now();

    TaskContext ctx;
    ctx.cluster = task.cluster;
    ctx.task_arn = task.arn;
    ctx.family = task.family;
    ctx.revision = td.IsObject() && member(td, "revision") ? td["revision"].GetInt64() : 0;
    ctx.network_mode = network_mode;
    ctx.network = opt_.network;
    ctx.instance = opt_.instance;
    if (const Value* vols = member(td, "volumes"))
      for (const auto& v : vols->GetArray()) {
        const Value* name = member(v, "name");
        if (!name) continue;
        TaskContext::Volume vol;
        const Value* host = member(v, "host");
        if (const Value* path = host ? member(*host, "sourcePath") : nullptr) {
          vol.source = path->GetString();
          vol.host_path = true;
        } else if (const Value* dvc = member(v, "dockerVolumeConfiguration");
                   dvc && member(*dvc, "scope") && std::string_view(member(*dvc, "scope")->GetString()) == "shared") {
          vol.source = name->GetString();  // shared: one Docker volume by that name across tasks
        } else {
          if (member(v, "efsVolumeConfiguration") || member(v, "fsxWindowsFileServerVolumeConfiguration"))
            spdlog::warn("task {} volume {}: berth has no EFS or FSx; a volume of the task stands in for it", task.arn,
                         name->GetString());
          // Task-scoped (Fargate ephemeral storage): a Docker volume of this task only.
          vol.source = "berth-" + task_id(task) + "-" + name->GetString();
        }
        ctx.volumes.emplace_back(name->GetString(), vol);
      }
    if (const Value* cpu = member(doc, "cpu")) ctx.task_cpu = std::atol(cpu->GetString());
    if (const Value* mem = member(doc, "memory")) ctx.task_memory = std::atol(mem->GetString());
    for (const auto& def : td["containerDefinitions"].GetArray())
      for (const auto& p : ports_of(member(def, "portMappings"))) ctx.published_ports.push_back(p);
    // awsvpc: a pause container owns the namespace and publishes the ports; all others join it.
    if (network_mode == "awsvpc") {
      std::string pause_id(member(doc, "pauseId") ? doc["pauseId"].GetString() : "");
      // One pause container at a time: choosing a free host port and binding it must not race.
      std::lock_guard ports_lock(ports_mu_);
      if (pause_id.empty()) {
        auto image = ensure_pause_image(docker_);
        DockerResult<std::string> created = DockerError{0, ""};
        if (std::holds_alternative<Ok>(image))
          created = docker_.create_container("ecs-" + task.family + "-internalecspause-" + task_id(task),
                                             pause_create_body(pause_image(), ctx));
        else
          created = std::get<DockerError>(image);
        if (auto* e = std::get_if<DockerError>(&created)) {
          fail_task("TaskFailedToStart", "CannotCreateContainerError: task network namespace: " + e->message);
          save();
          return advance(arn);
        }
        pause_id = std::get<std::string>(created);
        docker_.connect_network(opt_.metadata_network, pause_id);
        auto& a = doc.GetAllocator();
        doc.AddMember("pauseId", Value(pause_id.c_str(), a), a);
        task.doc = dump(doc);
        save();
      }
      auto started = docker_.start_container(pause_id);
      if (auto* e = std::get_if<DockerError>(&started)) {
        fail_task("TaskFailedToStart", "CannotStartContainerError: task network namespace: " + e->message);
        save();
        return advance(arn);
      }
      ctx.namespace_owner_id = pause_id;
    }
    for (const auto& c : task.containers)
      if (c.docker_id) ctx.container_ids[c.name] = *c.docker_id;
    for (auto& c : task.containers) {
      if (c.docker_id) continue;
      const Value* def = definition(td, c.name);
      if (!def) continue;
      if (auto ignored = unsupported_fields(*def); !ignored.empty()) {
        std::string list;
        for (const auto& f : ignored) list += (list.empty() ? "" : ", ") + f;
        spdlog::warn("task {} container {}: berth cannot honour {}; the container runs without them", task.arn,
                     c.name, list);
      }
      PullPlan plan = planner_(c.image, task.account, task.region);
      std::string body =
          container_create_body(*def, override_for(doc, c.name), plan.reference, ctx, injected_env(task, doc, c));
      auto created = docker_.create_container(container_name(task, c), body);
      if (auto* e = std::get_if<DockerError>(&created)) {
        c.reason = "CannotCreateContainerError: " + e->message;
        fail_task("TaskFailedToStart", *c.reason);
        save();
        return advance(arn);
      }
      c.docker_id = std::get<std::string>(created);
      ctx.container_ids[c.name] = *c.docker_id;
      if (network_mode != "awsvpc" && network_mode != "host" && network_mode != "none")
        docker_.connect_network(opt_.metadata_network, *c.docker_id);
      save();
    }
  }

  // awslogs: the group must exist (or be creatable) before a container may start.
  if (task.last_status == "PENDING")
    for (const auto& c : task.containers) {
      if (c.last_status != "PENDING") continue;
      std::string lc = log_config(td, c.name);
      auto target = lc.empty() ? std::nullopt : awslogs_target(lc, task.account, task.region, c.name, task_id(task));
      if (!target) continue;
      if (auto error = prepare_log_stream(db_, *target, now())) {
        fail_task("TaskFailedToStart", *error);
        save();
        return advance(arn);
      }
    }

  // The task's addresses and published ports, from the container that owns the namespace.
  if (const Value* pause = member(doc, "pauseId")) {
    auto info = docker_.inspect_container(pause->GetString());
    if (auto* i = std::get_if<ContainerInfo>(&info)) {
      if (!i->network_ips.empty() && !member(doc, "privateIp")) {
        auto& a = doc.GetAllocator();
        doc.AddMember("privateIp", Value(i->network_ips.begin()->second.c_str(), a), a);
        task.doc = dump(doc);
      }
      for (auto& c : task.containers) c.network_bindings = bindings_for(*i, definition(td, c.name));
    }
  }

  // Observe: exits, health, bindings.
  bool essential_stopped = false;
  for (auto& c : task.containers) {
    if (!c.docker_id || c.last_status == "STOPPED") continue;
    auto info = docker_.inspect_container(*c.docker_id);
    if (auto* e = std::get_if<DockerError>(&info)) {
      if (e->not_found()) {
        c.last_status = "STOPPED";
        c.reason = "Container removed outside berth";
        essential_stopped |= c.essential;
      }
      continue;
    }
    const auto& i = std::get<ContainerInfo>(info);
    follow_logs(task, c, log_config(td, c.name));
    if (i.running) {
      c.last_status = "RUNNING";
      if (network_mode == "host") c.network_bindings = host_bindings(definition(td, c.name));
      else if (network_mode != "awsvpc" && !i.ports.empty()) c.network_bindings = bindings_for(i, nullptr);
      if (i.health) c.health_status = *i.health == "healthy" ? "HEALTHY" : *i.health == "unhealthy" ? "UNHEALTHY" : "UNKNOWN";
    } else if (i.status == "exited" || i.status == "dead") {
      c.last_status = "STOPPED";
      c.exit_code = i.exit_code;
      if (i.oom_killed) c.reason = "OutOfMemoryError: Container killed due to memory usage";
      essential_stopped |= c.essential;
    }
  }
  if (essential_stopped) {
    fail_task("EssentialContainerExited", "Essential container in task exited");
    save();
    return advance(arn);
  }

  // Start every created container whose dependsOn conditions hold.
  bool started_any = false;
  for (auto& c : task.containers) {
    if (c.last_status != "PENDING" || !c.docker_id) continue;
    auto verdict = dependencies(task, td, c);
    if (verdict == Dependency::Wait) continue;
    if (verdict == Dependency::Broken) {
      c.reason = "DependencyViolation: a dependsOn condition of container '" + c.name + "' can no longer be met";
      fail_task("TaskFailedToStart", *c.reason);
      save();
      return advance(arn);
    }
    auto started = docker_.start_container(*c.docker_id);
    if (auto* e = std::get_if<DockerError>(&started)) {
      c.reason = "CannotStartContainerError: " + e->message;
      fail_task("TaskFailedToStart", *c.reason);
      save();
      return advance(arn);
    }
    c.last_status = "RUNNING";
    follow_logs(task, c, log_config(td, c.name));
    started_any = true;
  }
  if (started_any) {
    // Read back ports, addresses and exits right away, and start what waited on these.
    save();
    return advance(arn);
  }


  // RUNNING once every essential container runs; non-essential ones may still wait or be done.
  bool all_running = std::all_of(task.containers.begin(), task.containers.end(),
                                 [](const auto& c) { return !c.essential || c.last_status == "RUNNING"; });
  if (all_running && task.last_status != "RUNNING") {
    task.last_status = "ACTIVATING";
    save();
    task.last_status = "RUNNING";
    task.started_at = now();
  }
  save();
}

}  // namespace berth::runtime
