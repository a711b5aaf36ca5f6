// The task engine against an in-memory Docker: single passes driven by run_once and a
// ManualClock (no thread timing), and the side jobs with real threads for the freezes.
#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "common/clock.h"
#include "fake_docker.h"
#include "runtime/container_spec.h"
#include "runtime/instance_dir.h"
#include "runtime/task_engine.h"
#include "state/db.h"
#include "state/ecs_task_definition_store.h"
#include "state/ecs_task_store.h"

using namespace berth;
using namespace berth::state;
using berth::test::FakeDocker;
namespace fs = std::filesystem;

namespace {
const char* kAccount = "000000000000";
const char* kRegion = "us-east-1";

struct Harness {
  fs::path dir;
  std::unique_ptr<Database> db;
  FakeDocker docker;
  ManualClock clock{1'700'000'000'000};
  std::vector<std::string> changed;  // on_task_changed calls
  std::mutex changed_mu;
  std::unique_ptr<runtime::TaskEngine> engine;
  int next_task = 0;

  explicit Harness(bool inline_jobs = true) {
    std::string tmpl = (fs::temp_directory_path() / "berth-engine-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    db = std::make_unique<Database>((dir / "berth.db").string());
    docker.present_images = {"busybox", "postgres"};
    runtime::EngineOptions opt;
    opt.instance = dir.string();
    opt.warm_namespaces = 0;
    opt.inline_side_jobs = inline_jobs;
    opt.sweep_gone_instances = true;
    opt.on_task_changed = [this](const std::string& arn, const std::optional<std::string>&) {
      std::lock_guard lock(changed_mu);
      changed.push_back(arn);
    };
    engine = std::make_unique<runtime::TaskEngine>(
        *db, docker, clock,
        [](const std::string& image, const std::string&, const std::string&) { return runtime::PullPlan{image, ""}; },
        opt);
  }
  ~Harness() {
    engine.reset();
    db.reset();
    fs::remove_all(dir);
  }

  // Registers family:1 with these container definitions (JSON array text).
  void define(const std::string& family, const std::string& containers) {
    db->write([&](Connection& c) {
      TaskDefinitionRow td;
      td.family = family;
      td.revision = 1;
      td.arn = std::string("arn:aws:ecs:us-east-1:000000000000:task-definition/") + family + ":1";
      td.status = "ACTIVE";
      td.doc = R"({"family":")" + family + R"(","revision":1,"networkMode":"bridge","containerDefinitions":)" +
               containers + "}";
      TaskDefinitionStore(c, {kAccount, kRegion}).insert(td);
      return true;
    });
  }
  std::string run(const std::string& family, const std::vector<std::pair<std::string, std::string>>& containers) {
    TaskRow t;
    char id[33];
    std::snprintf(id, sizeof id, "%032d", ++next_task);
    t.arn = std::string("arn:aws:ecs:us-east-1:000000000000:task/default/") + id;
    t.account = kAccount;
    t.region = kRegion;
    t.cluster = "default";
    t.task_definition_arn = std::string("arn:aws:ecs:us-east-1:000000000000:task-definition/") + family + ":1";
    t.family = family;
    t.launch_type = "EC2";
    t.group = "service:web";
    t.created_at = clock.now_millis();
    int pos = 0;
    for (const auto& [name, image] : containers) {
      TaskContainerRow c;
      c.name = name;
      c.position = pos++;
      c.container_arn = std::string("arn:aws:ecs:us-east-1:000000000000:container/default/") + id + "/" + name;
      c.image = image;
      t.containers.push_back(c);
    }
    db->write([&](Connection& c) {
      TaskStore(c).insert(t);
      return true;
    });
    return t.arn;
  }
  TaskRow task(const std::string& arn) {
    std::optional<TaskRow> row;
    db->read([&](Connection& c) { row = TaskStore(c).get(arn); });
    REQUIRE(row);
    return *row;
  }
  void stop(const std::string& arn, const std::string& reason = "by hand") {
    db->write([&](Connection& c) { return TaskStore(c).request_stop(arn, "UserInitiated", reason, clock.now_millis()); });
  }
  std::size_t changes() {
    std::lock_guard lock(changed_mu);
    return changed.size();
  }
  // Waits (real time) for a task to reach a status; the engine's threads do the work.
  bool wait_for(const std::string& arn, const std::string& status, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (task(arn).last_status == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

const char* kOne = R"([{"name":"app","image":"busybox","essential":true}])";
}  // namespace

TEST_CASE("engine: a task goes to RUNNING in one advance and the change is told once") {
  Harness h;
  h.define("web", kOne);
  auto arn = h.run("web", {{"app", "busybox"}});
  h.engine->run_once(arn);
  auto t = h.task(arn);
  CHECK(t.last_status == "RUNNING");
  CHECK(t.started_at);
  REQUIRE(t.containers[0].docker_id);
  auto c = h.docker.get(*t.containers[0].docker_id);
  REQUIRE(c);
  CHECK(c->status == "running");
  CHECK(c->labels[runtime::labels::kTaskArn] == arn);
  auto told = h.changes();
  CHECK(told >= 2);  // PENDING, then RUNNING (each committed)
  h.engine->run_once(arn);  // nothing changed: nothing told, nothing written
  CHECK(h.changes() == told);
  CHECK(h.task(arn).version == t.version);
}

TEST_CASE("engine: an essential container's exit stops the task with EssentialContainerExited") {
  Harness h;
  h.define("web", R"([{"name":"app","image":"busybox"},{"name":"side","image":"busybox","essential":false}])");
  auto arn = h.run("web", {{"app", "busybox"}, {"side", "busybox"}});
  h.engine->run_once(arn);
  REQUIRE(h.task(arn).last_status == "RUNNING");
  h.docker.exit(*h.task(arn).containers[0].docker_id, 3);
  h.engine->run_once(arn);
  auto t = h.task(arn);
  CHECK(t.last_status == "STOPPED");
  CHECK(t.desired_status == "STOPPED");
  CHECK(t.stop_code == std::optional<std::string>("EssentialContainerExited"));
  CHECK(t.containers[0].exit_code == std::optional<std::int64_t>(3));
  CHECK(t.containers[1].last_status == "STOPPED");
}

TEST_CASE("engine: a missing image fails the task with CannotPullContainerError") {
  Harness h;
  h.define("web", R"([{"name":"app","image":"nope:1"}])");
  h.docker.missing_images = {"nope:1"};
  auto arn = h.run("web", {{"app", "nope:1"}});
  h.engine->run_once(arn);
  auto t = h.task(arn);
  CHECK(t.last_status == "STOPPED");
  CHECK(t.stop_code == std::optional<std::string>("TaskFailedToStart"));
  CHECK(t.stopped_reason->find("CannotPullContainerError") == 0);
}

TEST_CASE("engine: containers stop dependents first, in reverse dependsOn order") {
  Harness h;
  h.define("web", R"([{"name":"db","image":"postgres"},
                      {"name":"app","image":"busybox","dependsOn":[{"containerName":"db","condition":"START"}]},
                      {"name":"proxy","image":"busybox","dependsOn":[{"containerName":"app","condition":"START"}]}])");
  auto arn = h.run("web", {{"db", "postgres"}, {"app", "busybox"}, {"proxy", "busybox"}});
  h.engine->run_once(arn);
  auto t = h.task(arn);
  REQUIRE(t.last_status == "RUNNING");
  h.stop(arn);
  h.engine->run_once(arn);
  t = h.task(arn);
  CHECK(t.last_status == "STOPPED");
  CHECK(t.stop_code == std::optional<std::string>("UserInitiated"));
  auto calls = h.docker.log();
  auto at = [&](const std::string& name) {
    std::string id = *t.containers[name == "db" ? 0 : name == "app" ? 1 : 2].docker_id;
    return std::find(calls.begin(), calls.end(), "stop " + id) - calls.begin();
  };
  CHECK(at("proxy") < at("app"));
  CHECK(at("app") < at("db"));
  CHECK(at("db") < static_cast<long>(calls.size()));
}

TEST_CASE("engine: a container made before berth could record it is adopted by its task-arn label") {
  Harness h;
  h.define("web", kOne);
  auto arn = h.run("web", {{"app", "busybox"}});
  std::string name = "ecs-web-app-" + arn.substr(arn.rfind('/') + 1);
  std::string id = h.docker.add_container(name, {{runtime::labels::kTaskArn, arn},
                                                 {runtime::labels::kInstance, h.dir.string()}}, "created");
  h.engine->run_once(arn);
  auto t = h.task(arn);
  CHECK(t.last_status == "RUNNING");
  CHECK(t.containers[0].docker_id == std::optional<std::string>(id));
  CHECK(h.docker.all().size() == 1);
}

TEST_CASE("engine: a name taken by another task's container is a conflict, as before") {
  Harness h;
  h.define("web", kOne);
  auto arn = h.run("web", {{"app", "busybox"}});
  std::string name = "ecs-web-app-" + arn.substr(arn.rfind('/') + 1);
  std::string other = h.docker.add_container(name, {{runtime::labels::kTaskArn, "arn:someone-else"}});
  h.engine->run_once(arn);
  auto t = h.task(arn);
  CHECK(t.last_status == "STOPPED");
  CHECK(t.stopped_reason->find("CannotCreateContainerError") == 0);
  CHECK(h.docker.get(other));  // not ours: left alone
}

TEST_CASE("engine: a stop written by another writer mid-pass wins; the pass is redone on a fresh read") {
  Harness h;
  h.define("web", kOne);
  auto arn = h.run("web", {{"app", "busybox"}});
  bool once = false;
  // The scheduler (or StopTask) writes right after the engine's first commit of this pass; the
  // engine's next save is stale and must not land.
  h.engine = nullptr;
  runtime::EngineOptions opt;
  opt.instance = h.dir.string();
  opt.warm_namespaces = 0;
  opt.inline_side_jobs = true;
  opt.on_task_changed = [&](const std::string& a, const std::optional<std::string>& group) {
    CHECK(group == std::optional<std::string>("service:web"));
    if (once) return;
    once = true;
    h.stop(a, "scaled in");
  };
  h.engine = std::make_unique<runtime::TaskEngine>(
      *h.db, h.docker, h.clock,
      [](const std::string& image, const std::string&, const std::string&) { return runtime::PullPlan{image, ""}; },
      opt);
  h.engine->run_once(arn);
  auto t = h.task(arn);
  CHECK(once);
  CHECK(t.last_status == "STOPPED");
  CHECK(t.stop_code == std::optional<std::string>("UserInitiated"));
  CHECK(t.stopped_reason == std::optional<std::string>("scaled in"));
  CHECK(t.started_at == std::nullopt);  // the stale RUNNING write never landed
  for (const auto& c : h.docker.all()) CHECK(c.status != "running");  // nothing it made is left running
}

TEST_CASE("engine: the sweep removes this berth's orphans and what gone berths left, nothing else") {
  Harness h;
  h.define("web", kOne);
  auto arn = h.run("web", {{"app", "busybox"}});
  h.engine->run_once(arn);
  std::string mine = h.dir.string();
  std::string orphan = h.docker.add_container("ecs-web-app-gone", {{runtime::labels::kBerth, "1"},
                                                                   {runtime::labels::kInstance, mine},
                                                                   {runtime::labels::kTaskArn, "arn:gone/abc"}});
  std::string orphan_pause = h.docker.add_container("ecs-web-internalecspause-abc", {{runtime::labels::kBerth, "1"},
                                                                                    {runtime::labels::kInstance, mine}});
  std::string warm = h.docker.add_container("berth-pool-1", {{runtime::labels::kBerth, "1"},
                                                            {runtime::labels::kInstance, mine},
                                                            {runtime::labels::kPool, "1"}});
  // Another berth, alive (its directory exists, no ephemeral marker): never touched.
  fs::path other_dir = h.dir / "other";
  fs::create_directories(other_dir);
  std::string alive = h.docker.add_container("x1", {{runtime::labels::kBerth, "1"},
                                                   {runtime::labels::kInstance, other_dir.string()},
                                                   {runtime::labels::kTaskArn, "arn:other/1"}});
  // A berth whose directory is gone.
  std::string gone = h.docker.add_container("x2", {{runtime::labels::kBerth, "1"},
                                                  {runtime::labels::kInstance, (h.dir / "gone").string()},
                                                  {runtime::labels::kTaskArn, "arn:x/0123"}});
  // An ephemeral berth killed with -9: its directory stays, marked, with nobody holding its lock.
  fs::path killed_dir = h.dir / "killed";
  fs::create_directories(killed_dir);
  { runtime::InstanceLock lock(killed_dir.string(), true); }
  std::string killed = h.docker.add_container("x3", {{runtime::labels::kBerth, "1"},
                                                    {runtime::labels::kInstance, killed_dir.string()}});
  // An ephemeral berth still running holds its lock.
  fs::path running_dir = h.dir / "running";
  fs::create_directories(running_dir);
  runtime::InstanceLock running_lock(running_dir.string(), true);
  std::string running = h.docker.add_container("x4", {{runtime::labels::kBerth, "1"},
                                                     {runtime::labels::kInstance, running_dir.string()}});

  h.engine->resync_once(false);  // the periodic resync: only this berth's orphans
  CHECK_FALSE(h.docker.get(orphan));
  CHECK_FALSE(h.docker.get(orphan_pause));
  CHECK(h.docker.get(warm));
  CHECK(h.docker.get(gone));
  CHECK(h.docker.get(*h.task(arn).containers[0].docker_id));

  h.engine->resync_once(true);  // at start: the warm pool left behind and gone berths too
  CHECK_FALSE(h.docker.get(warm));
  CHECK_FALSE(h.docker.get(gone));
  CHECK_FALSE(h.docker.get(killed));
  CHECK_FALSE(fs::exists(killed_dir));
  CHECK(h.docker.get(alive));
  CHECK(h.docker.get(running));
  CHECK(fs::exists(running_dir));
  CHECK(h.docker.get(*h.task(arn).containers[0].docker_id));
  CHECK(h.docker.volumes_removed.count("berth-0123-"));
}

TEST_CASE("engine: four slow stops and a slow pull hold no worker; other tasks and StopTask go on") {
  Harness h(false);
  h.docker.stop_delay = std::chrono::milliseconds(1500);
  h.docker.pull_delay = std::chrono::milliseconds(1500);
  h.define("web", kOne);
  h.define("slow", R"([{"name":"app","image":"fresh:1"}])");
  std::vector<std::string> running;
  for (int i = 0; i < 4; ++i) {
    running.push_back(h.run("web", {{"app", "busybox"}}));
    h.engine->run_once(running.back());
    REQUIRE(h.task(running.back()).last_status == "RUNNING");
  }
  h.engine->start();
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& arn : running) h.stop(arn);
  h.engine->wake(running);
  auto pulling = h.run("slow", {{"app", "fresh:1"}});
  h.engine->wake(pulling);
  // All four workers would be stuck for 1.5 s if stops or pulls ran on them.
  auto quick = h.run("web", {{"app", "busybox"}});
  h.engine->wake(quick);
  CHECK(h.wait_for(quick, "RUNNING", std::chrono::milliseconds(1000)));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1400));
  for (const auto& arn : running) CHECK(h.wait_for(arn, "STOPPED", std::chrono::milliseconds(5000)));
  CHECK(h.wait_for(pulling, "RUNNING", std::chrono::milliseconds(5000)));
  // The four stops ran at once, not one after another (4 x 1.5 s).
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(4000));
  h.engine->stop();
}
