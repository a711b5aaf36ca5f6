#include "runtime/task_engine.h"

#include <cctype>
#include <cstdio>
#include <map>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include "common/json.h"
#include "runtime/container_spec.h"
#include "runtime/instance_dir.h"
#include "state/ecs_task_store.h"

namespace berth::runtime {
namespace {
using json::member;
using rapidjson::Value;

// berth-efs-HASH-: HASH tells this berth (its data dir) from others on the same daemon.
std::string efs_volume_prefix(const std::string& instance) {
  std::uint32_t h = 2166136261u;  // FNV-1a: the same name from every build of berth
  for (unsigned char ch : instance) h = (h ^ ch) * 16777619u;
  char hash[9];
  std::snprintf(hash, sizeof hash, "%08x", h);
  return std::string("berth-efs-") + hash + "-";
}

// In host mode a container listens on the host's own ports: ECS reports hostPort = containerPort.
std::vector<PortBinding> host_bindings(const Value* def) {
  std::vector<PortBinding> out;
  for (const auto& p : ports_of(def ? member(*def, "portMappings") : nullptr))
    out.push_back({p.container_port, p.protocol, "0.0.0.0", p.host_port ? p.host_port : p.container_port});
  return out;
}

// The host ports a task had, from its containers' recorded bindings: a restarted berth
// publishes them again on the same ports.
std::map<std::pair<int, std::string>, int> recorded_host_ports(const state::TaskRow& task) {
  std::map<std::pair<int, std::string>, int> out;
  for (const auto& c : task.containers) {
    if (!c.network_bindings) continue;
    rapidjson::Document d;
    d.Parse(c.network_bindings->c_str(), c.network_bindings->size());
    if (!d.IsArray()) continue;
    for (const auto& b : d.GetArray()) {
      const Value* cp = member(b, "containerPort");
      const Value* hp = member(b, "hostPort");
      const Value* proto = member(b, "protocol");
      if (cp && hp && proto) out[{cp->GetInt(), proto->GetString()}] = hp->GetInt();
    }
  }
  return out;
}

// X-Registry-Auth for a private registry, from the Secrets Manager value ECS expects
// ({"username": ..., "password": ...}); serveraddress is the image's registry.
std::optional<std::string> registry_auth_json(const std::string& secret, const std::string& image) {
  rapidjson::Document d;
  d.Parse(secret.c_str(), secret.size());
  const Value* user = member(d, "username");
  const Value* password = member(d, "password");
  if (!user || !password || !user->IsString() || !password->IsString()) return std::nullopt;
  auto slash = image.find('/');
  std::string first = slash == std::string::npos ? "" : image.substr(0, slash);
  bool has_registry = first.find_first_of(".:") != std::string::npos || first == "localhost";
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("username");
  w.String(user->GetString());
  w.Key("password");
  w.String(password->GetString());
  w.Key("serveraddress");
  w.String(has_registry ? first.c_str() : "https://index.docker.io/v1/");
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

// An EFS file system as a Docker volume that outlives tasks and is shared by every task
// mounting it, as EFS is. One volume per file system and root directory (or access point):
// Docker 20.10 cannot mount a volume's subdirectory. Named after this berth too, so a reset
// removes its own and no other berth's.
std::string efs_volume(const Value& efs, const std::string& instance) {
  auto text = [&](const Value* v) { return v && v->IsString() ? std::string(v->GetString()) : std::string(); };
  std::string name = efs_volume_prefix(instance) + text(member(efs, "fileSystemId"));
  const Value* auth = member(efs, "authorizationConfig");
  std::string scope = text(auth ? member(*auth, "accessPointId") : nullptr);
  if (scope.empty()) scope = text(member(efs, "rootDirectory"));
  std::string clean;
  for (char ch : scope) clean += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' ? ch : '_';
  while (!clean.empty() && clean.front() == '_') clean.erase(0, 1);
  while (!clean.empty() && clean.back() == '_') clean.pop_back();
  return clean.empty() ? name : name + "-" + clean;
}

// The task's volumes by name, as Docker mounts them.
std::vector<std::pair<std::string, TaskContext::Volume>> task_volumes(const TaskWork& w, const std::string& instance) {
  std::vector<std::pair<std::string, TaskContext::Volume>> out;
  const Value* vols = member(w.definition, "volumes");
  if (!vols) return out;
  for (const auto& v : vols->GetArray()) {
    const Value* name = member(v, "name");
    if (!name) continue;
    TaskContext::Volume vol;
    const Value* host = member(v, "host");
    const Value* dvc = member(v, "dockerVolumeConfiguration");
    const Value* scope = dvc ? member(*dvc, "scope") : nullptr;
    if (const Value* path = host ? member(*host, "sourcePath") : nullptr) {
      vol.source = path->GetString();
      vol.host_path = true;
    } else if (scope && std::string_view(scope->GetString()) == "shared") {
      vol.source = name->GetString();  // shared: one Docker volume by that name across tasks
    } else if (const Value* efs = member(v, "efsVolumeConfiguration")) {
      vol.source = efs_volume(*efs, instance);
    } else {
      if (member(v, "fsxWindowsFileServerVolumeConfiguration"))
        spdlog::warn("task {} volume {}: FSx for Windows cannot be mounted in Linux containers; a volume of the task "
                     "stands in for it", w.task.arn, name->GetString());
      // Task-scoped (Fargate ephemeral storage): a Docker volume of this task only.
      vol.source = "berth-" + w.id() + "-" + name->GetString();
    }
    out.emplace_back(name->GetString(), vol);
  }
  return out;
}
}  // namespace

TaskEngine::TaskEngine(state::Database& db, DockerClient& docker, const Clock& clock, PullPlanner planner,
                       EngineOptions options)
    : db_(db), docker_(docker), clock_(clock), planner_(std::move(planner)), opt_(std::move(options)),
      logs_(db, docker, clock), secrets_(opt_.secrets_file),
      namespaces_(docker, {opt_.network, opt_.metadata_network, opt_.instance, opt_.warm_namespaces}),
      side_([this](const std::vector<std::string>& arns) { wake(arns); }, opt_.inline_side_jobs) {}

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
  side_.stop();
  logs_.stop();
  namespaces_.stop();  // removes the warm pool
  if (resetting() && docker_ok_) finish_reset();  // a reset just before the stop still cleans up
  if (opt_.ephemeral && docker_ok_) {
    // Its state goes with it, so nothing could adopt or remove these later.
    std::vector<std::string> arns;
    db_.read([&](state::Connection& c) { arns = state::TaskStore(c).all(); });
    remove_all_containers(arns);
  }
}

std::vector<std::pair<std::string, std::string>> TaskEngine::injected_env(const TaskWork& w,
                                                                         const state::TaskContainerRow& c) const {
  const auto& task = w.task;
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
  if (std::string id = w.note("credentialsId"); !id.empty()) {
    std::string path = "/v2/credentials/" + id;
    // SDKs resolve the relative URI against 169.254.170.2 port 80; elsewhere they take a full URI.
    if (port == 80)
      env.emplace_back("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", path);
    else
      env.emplace_back("AWS_CONTAINER_CREDENTIALS_FULL_URI", base + path);
  }
  return env;
}

void TaskEngine::follow_logs(const TaskWork& w, const state::TaskContainerRow& c) {
  std::string config = w.log_config(c.name);
  if (!c.docker_id || config.empty()) return;
  auto target = awslogs_target(config, w.task.account, w.task.region, c.name, w.id());
  if (target) logs_.follow(*c.docker_id, *target);
}

void TaskEngine::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
    full_wake_ = true;
  }
  cv_.notify_all();
}

void TaskEngine::wake(const std::string& task_arn) { wake(std::vector<std::string>{task_arn}); }

void TaskEngine::wake(const std::vector<std::string>& task_arns) {
  {
    std::lock_guard lock(mu_);
    for (const auto& a : task_arns) enqueue_locked(a);
  }
  work_cv_.notify_all();
}

void TaskEngine::enqueue_locked(const std::string& arn) {
  if (busy_.insert(arn).second) queue_.push_back(arn);
  else if (std::find(queue_.begin(), queue_.end(), arn) == queue_.end())
    rerun_.insert(arn);  // being advanced: look again once that pass ends (e.g. a StopTask)
}

std::string TaskEngine::docker_problem() const {
  std::lock_guard lock(mu_);
  return docker_problem_;
}

void TaskEngine::reset(const std::function<void()>& wipe) {
  std::vector<std::string> arns;
  db_.read([&](state::Connection& c) { arns = state::TaskStore(c).all(); });
  {
    std::lock_guard lock(mu_);
    paused_ = true;
    for (const auto& a : queue_) busy_.erase(a);
    queue_.clear();
  }
  wipe();
  {
    std::lock_guard lock(mu_);
    reset_arns_.insert(reset_arns_.end(), arns.begin(), arns.end());
    reset_pending_ = true;
  }
  cv_.notify_all();
}

bool TaskEngine::resetting() const {
  std::lock_guard lock(mu_);
  return reset_pending_;
}

// On the loop thread: once no pass runs, nothing can create a container the removal misses.
void TaskEngine::finish_reset() {
  std::vector<std::string> arns;
  {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return active_ == 0 || stopping_; });
    arns.swap(reset_arns_);
    rerun_.clear();
  }
  remove_all_containers(arns);
  side_.forget_finished();
  {
    std::lock_guard lock(mu_);
    reset_pending_ = !reset_arns_.empty();  // another reset came meanwhile: once more
    paused_ = reset_pending_;
    full_wake_ = true;  // tasks RunTask made during the reset
  }
  work_cv_.notify_all();
}

void TaskEngine::remove_all_containers(const std::vector<std::string>& arns) {
  namespaces_.forget();
  auto list = docker_.list_containers({std::string(labels::kInstance) + "=" + opt_.instance});
  if (auto* containers = std::get_if<std::vector<ContainerInfo>>(&list)) {
    // Eight at a time: one by one, a hundred removals on a busy daemon outlast a stop.
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> removers;
    for (int i = 0; i < 8; ++i)
      removers.emplace_back([&] {
        for (std::size_t k; (k = next++) < containers->size();) docker_.remove_container((*containers)[k].id, true);
      });
    for (auto& t : removers) t.join();
  }
  // Only this berth's task volumes: other berths on the same daemon keep theirs.
  for (const auto& arn : arns) {
    ports_.unpublish(arn);
    docker_.remove_volumes("berth-" + arn.substr(arn.rfind('/') + 1) + "-");
  }
  docker_.remove_volumes(efs_volume_prefix(opt_.instance));
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
    // The pause container carries no task labels (it was made before its task): by its name.
    docker_.remove_container(pause_container_name(t.family, t.arn), true);
    docker_.remove_volumes("berth-" + t.arn.substr(t.arn.rfind('/') + 1) + "-");  // the task-scoped volumes
  }
}

bool TaskEngine::check_docker() {
  auto ping = docker_.ping();
  bool ok = std::holds_alternative<std::string>(ping);
  std::optional<HostInfo> host;
  if (ok && !host_info()) {
    auto info = docker_.info();
    if (auto* h = std::get_if<HostInfo>(&info)) host = *h;
  }
  docker_ok_ = ok;
  std::lock_guard lock(mu_);
  docker_problem_ = docker_ok_ ? "" : std::get<DockerError>(ping).message;
  if (host) host_info_ = host;
  return docker_ok_;
}

std::optional<HostInfo> TaskEngine::host_info() const {
  std::lock_guard lock(mu_);
  return host_info_;
}

void TaskEngine::loop() {
  using clock = std::chrono::steady_clock;
  bool network_ready = false, metadata_ready = false, pool_started = false, started = false;
  auto last_resync = clock::now(), last_tick = clock::now();
  while (!stopping_) {
    check_docker();
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
    bool reset_now, full;
    {
      std::lock_guard lock(mu_);
      reset_now = reset_pending_;
      full = full_wake_;
      full_wake_ = false;
    }
    if (docker_ok_ && reset_now) finish_reset();
    if (docker_ok_ && !started) {
      resync_once(true);  // before the pool starts: the warm pool a killed berth left goes first
      started = true;
      last_resync = last_tick = clock::now();
    } else if (docker_ok_ && (full || clock::now() - last_resync >= opt_.resync)) {
      resync_once(false);
      last_resync = last_tick = clock::now();
    } else if (clock::now() - last_tick >= opt_.progress_tick) {
      queue_in_progress();
      last_tick = clock::now();
    }
    if (network_ready && metadata_ready && !pool_started) {
      namespaces_.start();  // warm namespaces join both networks
      pool_started = true;
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, opt_.progress_tick, [this] { return woken_ || reset_pending_ || stopping_; });
    woken_ = false;
  }
}

void TaskEngine::queue_in_progress() {
  std::vector<std::string> arns;
  db_.read([&](state::Connection& c) { arns = state::TaskStore(c).in_progress(); });
  wake(arns);
}

void TaskEngine::resync_once(bool at_start) {
  // Listed before the rows are read: a container in the list was made after its task's row, so
  // a task missing from the rows read after is really gone.
  auto list = docker_.list_containers({std::string(labels::kInstance) + "=" + opt_.instance});
  auto* mine = std::get_if<std::vector<ContainerInfo>>(&list);
  std::vector<state::TaskRow> unfinished;
  db_.read([&](state::Connection& c) {
    state::TaskStore store(c);
    for (const auto& arn : store.unfinished())
      if (auto row = store.get(arn)) unfinished.push_back(std::move(*row));
  });
  std::map<std::string, const ContainerInfo*> by_id;
  if (mine)
    for (const auto& c : *mine) by_id[c.id] = &c;
  std::vector<std::string> queue;
  for (const auto& t : unfinished) {
    bool steady = t.last_status == "RUNNING" && t.desired_status == "RUNNING";
    // After a restart every task is looked at once: ports to publish again, logs to follow.
    bool differs = at_start || !steady || !mine;
    for (const auto& c : t.containers) {
      if (differs || !c.docker_id || c.last_status == "STOPPED") continue;
      auto it = by_id.find(*c.docker_id);
      differs = it == by_id.end() || it->second->running != (c.last_status == "RUNNING");
    }
    if (differs) queue.push_back(t.arn);
  }
  wake(queue);
  if (mine) sweep(*mine, at_start);
  if (at_start && opt_.sweep_gone_instances) sweep_gone_instances();
}

void TaskEngine::sweep(const std::vector<ContainerInfo>& mine, bool at_start) {
  std::set<std::string> tasks, ids;
  db_.read([&](state::Connection& c) {
    for (auto& arn : state::TaskStore(c).all()) {
      ids.insert(arn.substr(arn.rfind('/') + 1));
      tasks.insert(std::move(arn));
    }
  });
  static const std::string kPauseMark = "-internalecspause-";
  for (const auto& c : mine) {
    if (stopping_) return;  // the next start sweeps again
    std::string why;
    auto arn = c.labels.find(labels::kTaskArn);
    auto mark = c.name.find(kPauseMark);
    if (arn != c.labels.end()) {
      if (!tasks.count(arn->second)) why = "its task is gone";
    } else if (mark != std::string::npos) {
      // A taken pause container carries no task labels (made before its task): by its name.
      if (!ids.count(c.name.substr(mark + kPauseMark.size()))) why = "its task is gone";
    } else if (at_start && c.labels.count(labels::kPool)) {
      why = "warm pool of a berth that did not stop cleanly";
    }
    if (why.empty()) continue;
    spdlog::info("removing container {} ({}): {}", c.name, c.id.substr(0, 12), why);
    docker_.remove_container(c.id, true);
    if (arn != c.labels.end()) docker_.remove_volumes("berth-" + arn->second.substr(arn->second.rfind('/') + 1) + "-");
  }
}

void TaskEngine::sweep_gone_instances() {
  auto list = docker_.list_containers({labels::kBerth});
  auto* all = std::get_if<std::vector<ContainerInfo>>(&list);
  if (!all) return;
  std::map<std::string, std::vector<const ContainerInfo*>> by_instance;
  for (const auto& c : *all)
    if (auto it = c.labels.find(labels::kInstance); it != c.labels.end() && it->second != opt_.instance)
      by_instance[it->second].push_back(&c);
  for (const auto& [instance, containers] : by_instance) {
    if (stopping_) return;
    if (!instance_gone(instance)) continue;  // a berth still running (another test, CI): never touch
    spdlog::info("removing {} container(s) left by the berth of {}, which is gone", containers.size(), instance);
    for (const auto* c : containers) {
      docker_.remove_container(c->id, true);
      if (auto arn = c->labels.find(labels::kTaskArn); arn != c->labels.end())
        docker_.remove_volumes("berth-" + arn->second.substr(arn->second.rfind('/') + 1) + "-");
    }
    docker_.remove_volumes(efs_volume_prefix(instance));
    remove_abandoned_dir(instance);
  }
}

void TaskEngine::work() {
  while (!stopping_) {
    std::string arn;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || (!paused_ && !queue_.empty()); });
      if (stopping_) return;
      arn = std::move(queue_.front());
      queue_.erase(queue_.begin());
      ++active_;
    }
    try {
      advance(arn);
    } catch (const std::exception& e) {
      spdlog::error("task {}: {}", arn, e.what());
    }
    {
      std::lock_guard lock(mu_);
      if (--active_ == 0) idle_cv_.notify_all();
      if (rerun_.erase(arn) && !paused_) {
        queue_.push_back(arn);
        work_cv_.notify_one();
      } else {
        busy_.erase(arn);
      }
    }
  }
}

void TaskEngine::watch_events() {
  while (!stopping_) {
    auto r = docker_.watch_events(
        {labels::kInstance + std::string("=") + opt_.instance},
        [this](const DockerEvent& e) {
          if (e.action != "die" && e.action != "oom" && e.action != "destroy" && e.action != "start" &&
              !e.action.starts_with("health_status"))
            return;
          // Only the task the container belongs to; a pause container (no task label) waits
          // for the resync.
          if (auto arn = e.attributes.find(labels::kTaskArn); arn != e.attributes.end()) wake(arn->second);
        },
        [this] { return !stopping_.load(); });
    if (stopping_) return;
    // Events missed while the stream was down: look at everything again.
    wake();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
  }
}

void TaskEngine::run_once(const std::string& arn) {
  if (!docker_ok_) check_docker();
  advance(arn);
}

void TaskEngine::advance(const std::string& arn) {
  // Bounded: a pass that asks for another has recorded progress (a failure, a start).
  for (int i = 0; i < 32; ++i) {
    TaskWork w(db_, clock_, arn);
    if (!w.found() || w.task.last_status == "STOPPED") return;
    if (opt_.on_task_changed) w.on_notable_change = [this, &w] { opt_.on_task_changed(w.task.arn, w.task.group); };
    try {
      if (pass(w) != Next::Again) return;
    } catch (const TaskMoved&) {
      // Another writer (StopTask, the scheduler, a reset) came first: redo the pass on what it
      // wrote. What this pass did in Docker is found again (a created container by its name).
      spdlog::debug("task {}: changed during a pass, again", arn);
    }
  }
}

TaskEngine::Next TaskEngine::fail(TaskWork& w, const std::string& code, const std::string& reason) {
  w.fail(code, reason);
  w.save();
  return Next::Again;  // the next pass stops what was started
}

TaskEngine::Next TaskEngine::pass(TaskWork& w) {
  if (w.task.desired_status == "STOPPED") {
    stop_task(w);
    return Next::Done;
  }
  if (!w.definition.IsObject()) return fail(w, "TaskFailedToStart", "Task definition not found");
  if (!docker_ok_) return Next::Done;  // again when Docker answers
  if (w.task.last_status == "PROVISIONING") {
    w.task.last_status = "PENDING";
    w.save();
  }
  for (auto step : {&TaskEngine::fetch_secrets, &TaskEngine::pull_images, &TaskEngine::provide_namespace, &TaskEngine::create_containers,
                    &TaskEngine::prepare_logs, &TaskEngine::publish_ports, &TaskEngine::observe,
                    &TaskEngine::start_ready})
    if (Next next = (this->*step)(w); next != Next::Continue) return next;
  settle(w);
  return Next::Done;
}

// Stops what runs, records exit codes and ends the task, going through the statuses ECS reports
// on the way (each one recorded, so a caller polling may see it).
void TaskEngine::stop_task(TaskWork& w) {
  auto& task = w.task;
  if (!task.stopping_at) task.stopping_at = w.now();
  if (task.last_status == "RUNNING" || task.last_status == "ACTIVATING") {
    task.last_status = "DEACTIVATING";
    w.save();
  }
  if (task.last_status != "STOPPING" && task.last_status != "DEPROVISIONING") {
    task.last_status = "STOPPING";
    w.save();
  }
  for (auto& c : task.containers) {
    if (c.docker_id || c.last_status == "STOPPED") continue;
    // Made but not recorded (a crash, or a pass that lost its write to a StopTask): by its name.
    auto info = docker_.inspect_container(w.docker_name(c.name));
    auto* i = std::get_if<ContainerInfo>(&info);
    if (auto label = i ? i->labels.find(labels::kTaskArn) : decltype(i->labels.end()){};
        i && label != i->labels.end() && label->second == task.arn)
      c.docker_id = i->id;
  }
  // Dependents stop before what they depend on (reverse dependsOn order), each level's
  // containers at once, each with its stopTimeout; then the pause container. Off the workers.
  std::vector<std::vector<std::pair<std::string, int>>> levels;  // docker id, stopTimeout
  std::map<std::string, int> depth;  // how many containers, in a chain, depend on this one
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& c : task.containers) {
      const Value* def = w.container_definition(c.name);
      const Value* deps = def ? member(*def, "dependsOn") : nullptr;
      if (!deps || !deps->IsArray()) continue;
      for (const auto& d : deps->GetArray()) {
        const Value* name = member(d, "containerName");
        if (!name || !name->IsString()) continue;
        int want = depth[c.name] + 1;
        if (depth[name->GetString()] < want && want <= static_cast<int>(task.containers.size())) {
          depth[name->GetString()] = want;
          changed = true;
        }
      }
    }
  }
  for (const auto& c : task.containers) {
    if (!c.docker_id || c.last_status == "STOPPED") continue;
    std::size_t level = static_cast<std::size_t>(depth[c.name]);
    if (levels.size() <= level) levels.resize(level + 1);
    levels[level].emplace_back(*c.docker_id, w.stop_timeout(c.name));
  }
  std::string pause = w.note("pauseId");
  // By name when no id was noted: a crash may have come between taking it and noting it.
  if (pause.empty()) pause = pause_container_name(task.family, task.arn);
  auto stopped = side_.poll("stop:" + task.arn, task.arn, [this, levels, pause] {
    for (const auto& level : levels) {
      std::vector<std::thread> stops;
      for (const auto& [id, timeout] : level)
        stops.emplace_back([this, id = id, timeout = timeout] { docker_.stop_container(id, std::chrono::seconds(timeout)); });
      for (auto& t : stops) t.join();
    }
    docker_.stop_container(pause, std::chrono::seconds(1));
    return std::string();
  });
  if (!stopped) return;  // woken when they have stopped
  for (auto& c : task.containers) {
    if (c.docker_id && c.last_status != "STOPPED") {
      auto info = docker_.inspect_container(*c.docker_id);
      if (auto* i = std::get_if<ContainerInfo>(&info)) {
        c.exit_code = i->exit_code;
        if (i->oom_killed) c.reason = "OutOfMemoryError: Container killed due to memory usage";
      }
    }
    c.last_status = "STOPPED";
  }
  task.last_status = "DEPROVISIONING";
  w.save();
  ports_.unpublish(task.arn);
  task.last_status = "STOPPED";
  task.execution_stopped_at = w.now();
  task.stopped_at = w.now();
  w.save();
}

// What containers still to be created fetch from other AWS services first, as ECS does before
// pulling: registry credentials, environment files and secrets. One missing fails the task.
TaskEngine::Next TaskEngine::fetch_secrets(TaskWork& w) {
  auto strings = [](const Value* list, auto each) {
    if (list && list->IsArray())
      for (const auto& e : list->GetArray()) each(e);
  };
  for (const auto& c : w.task.containers) {
    if (c.docker_id) continue;
    const Value* def = w.container_definition(c.name);
    if (!def) continue;
    std::string missing;
    auto& env = w.secret_env[c.name];
    if (const Value* rc = member(*def, "repositoryCredentials")) {
      std::string from = member(*rc, "credentialsParameter") ? (*rc)["credentialsParameter"].GetString() : "";
      auto value = secrets_.secret(from);
      auto auth = value ? registry_auth_json(*value, c.image) : std::nullopt;
      if (!auth) missing = SecretValues::registry_auth_missing(from);
      else w.registry_auth[c.name] = *auth;
    }
    strings(member(*def, "environmentFiles"), [&](const Value& f) {
      const Value* arn = member(f, "value");
      if (!missing.empty() || !arn) return;
      if (auto vars = secrets_.environment_file(arn->GetString())) env.insert(env.end(), vars->begin(), vars->end());
      else missing = SecretValues::environment_file_missing(arn->GetString());
    });
    strings(member(*def, "secrets"), [&](const Value& s) {
      const Value* name = member(s, "name");
      const Value* from = member(s, "valueFrom");
      if (!missing.empty() || !name || !from) return;
      if (auto value = secrets_.secret(from->GetString())) env.emplace_back(name->GetString(), *value);
      else missing = SecretValues::secret_missing(from->GetString());
    });
    if (!missing.empty()) {
      spdlog::warn("task {} container {}: {} (berth takes such values from --secrets-file)", w.task.arn, c.name,
                   missing);
      return fail(w, "TaskFailedToStart", missing);
    }
  }
  return Next::Continue;
}

// Pulls the images of containers not created yet, unless Docker has them.
TaskEngine::Next TaskEngine::pull_images(TaskWork& w) {
  auto& task = w.task;
  if (std::all_of(task.containers.begin(), task.containers.end(), [](const auto& c) { return c.docker_id; }))
    return Next::Continue;
  if (!task.pull_started_at) task.pull_started_at = w.now();
  for (auto& c : task.containers) {
    if (c.docker_id) continue;
    PullPlan plan = planner_(c.image, task.account, task.region);
    if (auto auth = w.registry_auth.find(c.name); auth != w.registry_auth.end()) plan.registry_auth = auth->second;
    auto present = docker_.inspect_image(plan.reference);
    if (!std::holds_alternative<std::string>(present)) {
      // Off the workers; tasks of the same image (and credentials) share one pull.
      auto pulled = side_.poll("pull:" + plan.reference + "\n" + plan.registry_auth, task.arn, [this, plan] {
        auto r = docker_.pull_image(plan.reference, plan.registry_auth);
        auto* e = std::get_if<DockerError>(&r);
        return e ? (e->message.empty() ? std::string("pull failed") : e->message) : std::string();
      });
      if (!pulled) {
        w.save();  // pullStartedAt; woken when the pull ends
        return Next::Done;
      }
      if (!pulled->empty()) {
        c.reason = "CannotPullContainerError: pull image manifest has been retried 1 time(s): " + *pulled;
        return fail(w, "TaskFailedToStart", *c.reason);
      }
      present = docker_.inspect_image(plan.reference);
    }
    if (auto* id = std::get_if<std::string>(&present)) c.image_digest = *id;
  }
  if (!task.pull_stopped_at) task.pull_stopped_at = w.now();
  return Next::Continue;
}

// A pause container holds the task's namespaces for its containers to join: the network in
// awsvpc, and the PID and IPC namespaces when pidMode/ipcMode is "task".
TaskEngine::Next TaskEngine::provide_namespace(TaskWork& w) {
  bool needed = w.network_mode() == "awsvpc" || w.definition_text("pidMode") == "task" ||
                w.definition_text("ipcMode") == "task";
  if (!needed || !w.note("pauseId").empty()) return Next::Continue;
  auto pause = namespaces_.acquire(pause_container_name(w.task.family, w.task.arn));
  if (auto* e = std::get_if<DockerError>(&pause))
    return fail(w, "TaskFailedToStart", "CannotStartContainerError: task network namespace: " + e->message);
  w.set_note("pauseId", std::get<std::string>(pause));
  w.save();
  return Next::Continue;
}

TaskEngine::Next TaskEngine::create_containers(TaskWork& w) {
  auto& task = w.task;
  if (std::all_of(task.containers.begin(), task.containers.end(), [](const auto& c) { return c.docker_id; }))
    return Next::Continue;
  TaskContext ctx;
  ctx.cluster = task.cluster;
  ctx.task_arn = task.arn;
  ctx.family = task.family;
  ctx.revision = member(w.definition, "revision") ? w.definition["revision"].GetInt64() : 0;
  ctx.network_mode = w.network_mode();
  ctx.network = opt_.network;
  ctx.instance = opt_.instance;
  ctx.namespace_owner_id = w.note("pauseId");
  ctx.pid_mode = w.definition_text("pidMode");
  ctx.ipc_mode = w.definition_text("ipcMode");
  ctx.volumes = task_volumes(w, opt_.instance);
  if (std::string cpu = w.note("cpu"); !cpu.empty()) ctx.task_cpu = std::atol(cpu.c_str());
  if (std::string memory = w.note("memory"); !memory.empty()) ctx.task_memory = std::atol(memory.c_str());
  for (const auto& c : task.containers) {
    if (c.docker_id) ctx.container_ids[c.name] = *c.docker_id;
    ctx.container_names[c.name] = w.docker_name(c.name);
  }
  for (auto& c : task.containers) {
    if (c.docker_id) continue;
    const Value* def = w.container_definition(c.name);
    if (!def) continue;
    // Said where the user looks (the container's reason in DescribeTasks) and in berth's log.
    if (auto ignored = unsupported_fields(*def, w.container_override(c.name), ctx); !ignored.empty()) {
      std::string list;
      for (const auto& f : ignored) list += (list.empty() ? "" : ", ") + f;
      c.reason = "berth cannot honour " + list + "; the container runs without them";
      spdlog::warn("task {} container {}: {}", task.arn, c.name, *c.reason);
    }
    PullPlan plan = planner_(c.image, task.account, task.region);
    auto env = injected_env(w, c);
    // Environment files and secrets come before the definition's own variables, which win.
    for (auto& v : w.secret_env[c.name]) env.push_back(std::move(v));
    std::string body = container_create_body(*def, w.container_override(c.name), plan.reference, ctx, env);
    auto created = docker_.create_container(w.docker_name(c.name), body);
    if (auto* e = std::get_if<DockerError>(&created); e && e->http_status == 409) {
      if (Next next = adopt_existing(w, c, *e); next != Next::Continue) return next;
    } else if (e) {
      c.reason = "CannotCreateContainerError: " + e->message;
      return fail(w, "TaskFailedToStart", *c.reason);
    } else {
      c.docker_id = std::get<std::string>(created);
    }
    ctx.container_ids[c.name] = *c.docker_id;
    if (ctx.network_mode == "bridge") docker_.connect_network(opt_.metadata_network, *c.docker_id);
    w.save();
  }
  return Next::Continue;
}

// The name is taken: by this task's own container when berth died (or a pass lost a race)
// between creating it and recording it. That one is adopted; any other is a conflict.
TaskEngine::Next TaskEngine::adopt_existing(TaskWork& w, state::TaskContainerRow& c, const DockerError& conflict) {
  auto info = docker_.inspect_container(w.docker_name(c.name));
  auto* i = std::get_if<ContainerInfo>(&info);
  auto label = i ? i->labels.find(labels::kTaskArn) : decltype(i->labels.end()){};
  if (!i || label == i->labels.end() || label->second != w.task.arn) {
    c.reason = "CannotCreateContainerError: " + conflict.message;
    return fail(w, "TaskFailedToStart", *c.reason);
  }
  spdlog::info("task {} container {}: adopting {} made before berth could record it", w.task.arn, c.name,
               i->id.substr(0, 12));
  c.docker_id = i->id;
  return Next::Continue;
}

// awslogs: the group must exist (or be creatable) before a container may start.
TaskEngine::Next TaskEngine::prepare_logs(TaskWork& w) {
  if (w.task.last_status != "PENDING") return Next::Continue;
  for (const auto& c : w.task.containers) {
    if (c.last_status != "PENDING") continue;
    std::string config = w.log_config(c.name);
    auto target = config.empty() ? std::nullopt : awslogs_target(config, w.task.account, w.task.region, c.name, w.id());
    if (!target) continue;
    if (auto error = prepare_log_stream(db_, *target, w.now())) return fail(w, "TaskFailedToStart", *error);
  }
  return Next::Continue;
}

// awsvpc: the task's address, and its ports published on loopback by berth (again after a
// restart, on the ports it had).
TaskEngine::Next TaskEngine::publish_ports(TaskWork& w) {
  std::string pause = w.note("pauseId");
  if (pause.empty() || w.network_mode() != "awsvpc") return Next::Continue;
  std::string ip = w.note("privateIp");
  if (ip.empty()) {
    auto info = docker_.inspect_container(pause);
    if (auto* i = std::get_if<ContainerInfo>(&info); i && i->network_ips.count(opt_.network)) {
      ip = i->network_ips.at(opt_.network);
      w.set_note("privateIp", ip);
    }
  }
  if (ip.empty()) return Next::Continue;  // the namespace has no address yet
  auto bindings = ports_.published(w.task.arn);
  if (!bindings) {
    auto had = recorded_host_ports(w.task);
    std::vector<PortRequest> wanted;
    for (const auto& c : w.task.containers) {
      const Value* def = w.container_definition(c.name);
      for (const auto& p : ports_of(def ? member(*def, "portMappings") : nullptr)) {
        auto it = had.find({p.container_port, p.protocol});
        PortRequest r{p.container_port, p.protocol, it != had.end() ? it->second : p.host_port};
        bool dup = std::any_of(wanted.begin(), wanted.end(), [&](const PortRequest& o) {
          return o.container_port == r.container_port && o.protocol == r.protocol;
        });
        if (!dup) wanted.push_back(r);
      }
    }
    auto published = ports_.publish(w.task.arn, ip, wanted);
    if (auto* e = std::get_if<std::string>(&published)) {
      if (w.task.last_status == "RUNNING") {  // after a restart: keep running, try again next pass
        spdlog::warn("task {}: cannot publish its ports again: {}", w.task.arn, *e);
        return Next::Continue;
      }
      return fail(w, "TaskFailedToStart", "CannotStartContainerError: " + *e);
    }
    // A reset may have removed the task meanwhile; its ports must not outlive it.
    bool still_there = false;
    db_.read([&](state::Connection& c) { still_there = state::TaskStore(c).get(w.task.arn).has_value(); });
    if (!still_there) {
      ports_.unpublish(w.task.arn);
      return Next::Done;
    }
    bindings = std::get<std::vector<PortBinding>>(published);
  }
  for (auto& c : w.task.containers) c.network_bindings = bindings_json(*bindings, w.container_definition(c.name));
  return Next::Continue;
}

// What Docker says of each container: exits, health, bindings.
TaskEngine::Next TaskEngine::observe(TaskWork& w) {
  bool essential_stopped = false;
  std::string mode = w.network_mode();
  for (auto& c : w.task.containers) {
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
    follow_logs(w, c);
    if (i.running) {
      c.last_status = "RUNNING";
      if (mode == "host") c.network_bindings = bindings_json(host_bindings(w.container_definition(c.name)), nullptr);
      else if (mode != "awsvpc" && !i.ports.empty()) c.network_bindings = bindings_json(i.ports, nullptr);
      if (i.health) c.health_status = *i.health == "healthy" ? "HEALTHY" : *i.health == "unhealthy" ? "UNHEALTHY" : "UNKNOWN";
    } else if ((i.status == "exited" || i.status == "dead") && restart_in_place(w, c, i)) {
      continue;
    } else if (i.status == "exited" || i.status == "dead") {
      c.last_status = "STOPPED";
      c.exit_code = i.exit_code;
      if (i.oom_killed) c.reason = "OutOfMemoryError: Container killed due to memory usage";
      essential_stopped |= c.essential;
    }
  }
  if (essential_stopped) return fail(w, "EssentialContainerExited", "Essential container in task exited");
  return Next::Continue;
}

// A container restart policy (ECS's restartPolicy): an exit whose code is not ignored restarts
// the container in place, so long as its run lasted restartAttemptPeriod seconds (300 unless
// set); an earlier exit counts as any exit would.
bool TaskEngine::restart_in_place(TaskWork& w, state::TaskContainerRow& c, const ContainerInfo& info) {
  const Value* def = w.container_definition(c.name);
  const Value* policy = def ? member(*def, "restartPolicy") : nullptr;
  const Value* enabled = policy ? member(*policy, "enabled") : nullptr;
  if (!enabled || !enabled->IsTrue() || !c.docker_id) return false;
  int code = info.exit_code.value_or(-1);
  if (const Value* ignored = member(*policy, "ignoredExitCodes"))
    for (const auto& e : ignored->GetArray())
      if (e.IsInt() && e.GetInt() == code) return false;
  const Value* period = member(*policy, "restartAttemptPeriod");
  std::int64_t needed = (period && period->IsInt() ? period->GetInt() : 300) * 1000000000LL;
  auto started = parse_rfc3339_nanos(info.started_at);
  auto finished = parse_rfc3339_nanos(info.finished_at);
  if (!started || !finished || *finished - *started < needed) return false;
  if (!std::holds_alternative<Ok>(docker_.start_container(*c.docker_id))) return false;
  spdlog::info("task {} container {}: exited with {}, restarted by its restart policy", w.task.arn, c.name, code);
  follow_logs(w, c);
  return true;
}

// Starts every created container whose dependsOn conditions hold.
TaskEngine::Next TaskEngine::start_ready(TaskWork& w) {
  bool started_any = false;
  for (auto& c : w.task.containers) {
    if (c.last_status != "PENDING" || !c.docker_id) continue;
    auto verdict = w.dependencies(c);
    if (verdict == Dependency::Wait) {
      // startTimeout: how long a container waits for its dependsOn conditions before giving up.
      const Value* def = w.container_definition(c.name);
      const Value* limit = def ? member(*def, "startTimeout") : nullptr;
      std::int64_t since = w.task.pull_stopped_at.value_or(w.task.created_at);
      if (!limit || !limit->IsInt() || w.now() - since <= limit->GetInt() * 1000LL) continue;
      c.reason = "DependencyTimeout: container '" + c.name + "' waited more than " + std::to_string(limit->GetInt()) +
                 " seconds (startTimeout) for its dependsOn conditions";
      if (!c.essential) {  // a non-essential container that gives up never starts; the task goes on
        c.last_status = "STOPPED";
        continue;
      }
      return fail(w, "TaskFailedToStart", *c.reason);
    }
    if (verdict == Dependency::Broken) {
      c.reason = "DependencyViolation: a dependsOn condition of container '" + c.name + "' can no longer be met";
      return fail(w, "TaskFailedToStart", *c.reason);
    }
    auto started = docker_.start_container(*c.docker_id);
    if (auto* e = std::get_if<DockerError>(&started)) {
      c.reason = "CannotStartContainerError: " + e->message;
      return fail(w, "TaskFailedToStart", *c.reason);
    }
    c.last_status = "RUNNING";
    follow_logs(w, c);
    started_any = true;
  }
  if (!started_any) return Next::Continue;
  // Read back ports, addresses and exits right away, and start what waited on these.
  w.save();
  return Next::Again;
}

// RUNNING once every essential container runs; non-essential ones may still wait or be done.
void TaskEngine::settle(TaskWork& w) {
  auto& task = w.task;
  bool all_running = std::all_of(task.containers.begin(), task.containers.end(),
                                 [](const auto& c) { return !c.essential || c.last_status == "RUNNING"; });
  if (all_running && task.last_status != "RUNNING") {
    task.last_status = "ACTIVATING";
    w.save();
    task.last_status = "RUNNING";
    task.started_at = w.now();
  }
  w.save();
}

}  // namespace berth::runtime
