#pragma once
// The task engine: drives each ECS task from its desired status toward reality in Docker and
// records what it saw. Handlers only write rows and wake it; it owns every Docker call.
//
// Tasks are queued by ARN (a wake after a handler's commit, a Docker event carrying the task-arn
// label) and advanced by a small worker pool; a task is never advanced by two workers at once.
// Each pass re-reads the task, takes the next steps toward its desired status and writes what
// it saw compare-and-set on the task's version (another writer moving it redoes the pass).
// Pulls and stops run as side jobs (side_jobs.h), holding no worker. One loop thread repairs
// drift: tasks still on their way every couple of seconds, and a rare full resync that lists
// this berth's containers once, queues the tasks Docker disagrees with and sweeps orphans.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "common/clock.h"
#include "runtime/docker_client.h"
#include "runtime/log_follower.h"
#include "runtime/namespace_pool.h"
#include "runtime/port_proxy.h"
#include "runtime/secret_values.h"
#include "runtime/side_jobs.h"
#include "runtime/task_work.h"
#include "state/ecs_task_store.h"
#include "state/db.h"

namespace berth::runtime {

// How to pull an image: the reference Docker should use and the X-Registry-Auth JSON for it
// (empty when none is needed). Lets berth's own registry hand out tokens without the runtime
// knowing about the registry.
struct PullPlan {
  std::string reference;
  std::string registry_auth;
};
using PullPlanner = std::function<PullPlan(const std::string& image, const std::string& account, const std::string& region)>;

struct EngineOptions {
  std::string network = "berth-tasks";  // Docker network the tasks' namespaces join
  std::string instance;                 // labels this berth's containers (its data dir)
  // Every task container also joins this network, whose gateway is the address where berth
  // serves task metadata and credentials, as ECS does at 169.254.170.2.
  std::string metadata_network = "berth-metadata";
  std::string metadata_subnet = "169.254.170.0/24";
  std::string metadata_ip = "169.254.170.2";
  // Called once the network (and so the address) exists; returns the port berth serves
  // metadata on there (80 as on ECS when free), 0 when it could not listen.
  std::function<unsigned short()> on_metadata_network;
  // The full resync: list this berth's containers, queue the tasks Docker disagrees with, remove
  // orphans. Events carry the rest, so it is rare.
  std::chrono::milliseconds resync{30000};
  // Tasks not yet RUNNING (or stopping) are looked at this often: startTimeout and dependsOn
  // waits, Docker down.
  std::chrono::milliseconds progress_tick{2000};
  bool ephemeral = false;          // stop() removes every container and volume this berth made
  bool inline_side_jobs = false;   // pulls and stops on the caller's thread (unit tests)
  // At start, remove what berths whose data directory is gone left on the daemon.
  bool sweep_gone_instances = true;
  int workers = 4;
  int warm_namespaces = 2;  // pause containers kept ready for awsvpc tasks (namespace_pool.h)
  std::string secrets_file;  // values of secrets, registry credentials and env files (secret_values.h)
  // Called after the engine commits a change of a task's lastStatus, a container's status or
  // health, or its stop (never on a pass that changed nothing), outside any engine lock and
  // transaction, on the engine's thread: the service scheduler wakes the task's service
  // (group "service:NAME"). Must not block on Docker.
  std::function<void(const std::string& task_arn, const std::optional<std::string>& group)> on_task_changed;
};

class TaskEngine {
 public:
  TaskEngine(state::Database& db, DockerClient& docker, const Clock& clock, PullPlanner planner, EngineOptions options);
  ~TaskEngine();

  void start();
  // Persistent: leaves task containers running (adopted at the next start) and removes the warm
  // pool. Ephemeral: removes every container and volume of this berth.
  void stop();
  // Something changed: look at every unfinished task now (a full resync).
  void wake();
  // These tasks changed (RunTask, StopTask, the scheduler): queue only them.
  void wake(const std::string& task_arn);
  void wake(const std::vector<std::string>& task_arns);
  // POST /_berth/reset: pauses the engine (no pass starts), runs `wipe` (the database, on the
  // caller's thread: SQLite only), and returns. The engine's loop then waits for passes in
  // flight to end, removes every container and task volume of this berth, and resumes.
  void reset(const std::function<void()>& wipe);
  // Whether a reset's removal is still under way.
  bool resetting() const;
  // Removes every container of this berth and its task volumes (`arns`: the tasks it had).
  void remove_all_containers(const std::vector<std::string>& arns);
  // One advance of one task on the caller's thread (tests drive the engine with it).
  void run_once(const std::string& task_arn);
  // One full resync on the caller's thread; `at_start` also removes the warm pool a killed
  // berth left and what berths whose data directory is gone left (tests call it too).
  void resync_once(bool at_start);
  // Forgets tasks stopped before `before` and removes their containers, as ECS does after an hour.
  void collect_stopped(std::int64_t before);
  // Whether the Docker daemon answered the last ping, and why not.
  bool docker_ok() const { return docker_ok_; }
  std::string docker_problem() const;
  // The daemon's machine as /info described it once Docker answered (nullopt before).
  std::optional<HostInfo> host_info() const;

 private:
  void loop();
  bool check_docker();
  void queue_in_progress();
  // Containers of this berth no task row owns (and at start the warm pool left by a killed
  // berth) are removed; then what berths whose data directory is gone left.
  void sweep(const std::vector<ContainerInfo>& mine, bool at_start);
  void sweep_gone_instances();
  void finish_reset();
  void watch_events();
  void work();
  void advance(const std::string& arn);
  // Queues a task for a worker unless it is queued; one being advanced runs again after.
  // Caller holds mu_.
  void enqueue_locked(const std::string& arn);

  // The steps of one pass over a task, in order. Each says whether the pass goes on, or ends
  // and another begins (the task changed in a way the steps before must see), or ends.
  enum class Next { Continue, Again, Done };
  Next pass(TaskWork& w);
  void stop_task(TaskWork& w);
  Next fetch_secrets(TaskWork& w);
  Next pull_images(TaskWork& w);
  Next adopt_existing(TaskWork& w, state::TaskContainerRow& c, const DockerError& conflict);
  Next provide_namespace(TaskWork& w);
  Next create_containers(TaskWork& w);
  Next prepare_logs(TaskWork& w);
  Next publish_ports(TaskWork& w);
  Next observe(TaskWork& w);
  bool restart_in_place(TaskWork& w, state::TaskContainerRow& c, const ContainerInfo& info);
  Next start_ready(TaskWork& w);
  void settle(TaskWork& w);
  Next fail(TaskWork& w, const std::string& code, const std::string& reason);
  // The environment ECS gives each container: metadata and credentials URIs, region.
  std::vector<std::pair<std::string, std::string>> injected_env(const TaskWork& w,
                                                                const state::TaskContainerRow& c) const;
  // Follows the container's output when its definition asks for awslogs.
  void follow_logs(const TaskWork& w, const state::TaskContainerRow& c);

  state::Database& db_;
  DockerClient& docker_;
  const Clock& clock_;
  PullPlanner planner_;
  EngineOptions opt_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> docker_ok_{false};
  std::atomic<unsigned short> metadata_port_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::string docker_problem_;
  std::optional<HostInfo> host_info_;
  std::vector<std::string> queue_;  // tasks waiting for a worker
  std::set<std::string> busy_;      // queued or being advanced
  std::set<std::string> rerun_;     // woken while being advanced
  bool paused_ = false;             // a reset is under way: no pass starts
  bool reset_pending_ = false;
  std::vector<std::string> reset_arns_;  // the tasks the database had before the reset
  int active_ = 0;                  // passes being run by workers
  bool full_wake_ = false;          // wake(): queue every unfinished task
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;  // active_ fell to 0
  std::vector<std::thread> threads_;
  LogFollower logs_;
  SecretValues secrets_;
  NamespacePool namespaces_;
  PortProxy ports_;
  SideJobs side_;  // last: its jobs wake the engine until it stops
};

}  // namespace berth::runtime
