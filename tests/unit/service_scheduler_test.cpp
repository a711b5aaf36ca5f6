// The service scheduler's passes against a real temporary database and a manual clock. Services
// are made through the real handlers; task statuses are set by hand where the engine would.
#include <doctest/doctest.h>

#include <algorithm>

#include "dispatch_harness.h"
#include "ecs/service_scheduler.h"
#include "state/ecs_service_store.h"
#include "state/ecs_task_store.h"

using namespace berth;

namespace {
constexpr std::int64_t kStart = 1700000000000;
const char* kSvc = "arn:aws:ecs:us-east-1:000000000000:service/demo/web";

struct World : test::DispatchHarness {
  std::unique_ptr<ecs::ServiceScheduler> scheduler;

  World() : DispatchHarness("AmazonEC2ContainerServiceV20141113", {"SerializationException", "InternalFailure"}, kStart) {
    scheduler = std::make_unique<ecs::ServiceScheduler>(*db, clock, ecs::SchedulerOptions{});
    ok("CreateCluster", R"({"clusterName":"demo"})");
    register_td("busybox:1");
    register_td("busybox:2");
  }

  void register_td(const std::string& image) {
    ok("RegisterTaskDefinition", R"({"family":"web","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
        "cpu":"256","memory":"512","containerDefinitions":[{"name":"web","image":")" + image + R"("}]})");
  }

  void create(const std::string& extra = "", int desired = 2) {
    ok("CreateService", R"({"cluster":"demo","serviceName":"web","taskDefinition":"web:1","desiredCount":)" +
                            std::to_string(desired) + R"(,"launchType":"FARGATE",
        "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}})" + extra + "}");
  }

  ecs::PassResult pass() { return scheduler->reconcile(kSvc); }

  std::vector<state::TaskRow> tasks() {
    std::vector<state::TaskRow> out;
    db->read([&](state::Connection& c) {
      state::TaskStore ts(c);
      state::TaskFilter f;
      f.cluster = "demo";
      for (auto& a : ts.list({"000000000000", "us-east-1"}, f, "", 1000)) out.push_back(*ts.get(a));
    });
    return out;
  }
  std::vector<state::TaskRow> live() {
    auto all = tasks();
    std::erase_if(all, [](auto& t) { return t.desired_status != "RUNNING" || t.last_status == "STOPPED"; });
    return all;
  }

  // What the engine would record.
  void set_status(const std::string& arn, const std::string& status, std::optional<std::string> stop_code = {}) {
    db->write([&](state::Connection& c) {
      state::TaskStore ts(c);
      auto t = *ts.get(arn);
      t.last_status = status;
      if (status == "RUNNING") t.started_at = clock.now_millis();
      if (status == "STOPPED") {
        t.stopped_at = clock.now_millis();
        if (stop_code) {
          t.desired_status = "STOPPED";
          t.stop_code = stop_code;
          t.stopped_reason = "CannotPullContainerError: pull access denied";
        }
      }
      ts.update(t);
      return true;
    });
  }
  void run_all() {
    for (auto& t : live())
      if (t.last_status != "RUNNING") set_status(t.arn, "RUNNING");
  }
  void finish_stops() {
    for (auto& t : tasks())
      if (t.desired_status == "STOPPED" && t.last_status != "STOPPED") set_status(t.arn, "STOPPED");
  }

  rapidjson::Document describe() {
    auto r = ok("DescribeServices", R"({"cluster":"demo","services":["web"]})");
    rapidjson::Document d;
    d.CopyFrom(r.body["services"][0], d.GetAllocator());
    return d;
  }
  std::vector<std::string> messages() {
    std::vector<std::string> out;
    auto s = describe();
    for (auto& e : s["events"].GetArray()) out.emplace_back(e["message"].GetString());
    return out;
  }
  bool has_event(const std::string& text) {
    auto m = messages();
    return std::find(m.begin(), m.end(), text) != m.end();
  }
  // Runs the service to steady: tasks RUNNING, the healthy-after time passed.
  void settle() {
    for (int i = 0; i < 6; ++i) {
      pass();
      run_all();
      finish_stops();
      clock.advance(41000);
    }
    pass();
  }
};
}  // namespace

TEST_CASE("scheduler: a new service starts desiredCount tasks once, and completes after 40 s of RUNNING") {
  World w;
  w.create();
  auto r = w.pass();
  CHECK(r.started.size() == 2);
  auto s = w.describe();
  std::string dep = s["deployments"][0]["id"].GetString();
  for (auto& t : w.tasks()) {
    CHECK(t.started_by == std::optional<std::string>(dep));
    CHECK(t.group == std::optional<std::string>("service:web"));
  }
  auto m = w.messages();
  REQUIRE(m.size() == 1);
  CHECK(m[0].starts_with("(service web) has started 2 tasks: (task "));
  CHECK(w.pass().started.empty());  // no duplicates
  CHECK(w.tasks().size() == 2);

  w.run_all();
  r = w.pass();
  CHECK(r.wake_at == std::optional<std::int64_t>(w.clock.now_millis() + 40000));
  CHECK(std::string(w.describe()["deployments"][0]["rolloutState"].GetString()) == "IN_PROGRESS");
  CHECK(w.describe()["runningCount"].GetInt() == 2);
  w.clock.advance(40000);
  w.pass();
  s = w.describe();
  CHECK(std::string(s["deployments"][0]["rolloutState"].GetString()) == "COMPLETED");
  CHECK(std::string(s["deployments"][0]["rolloutStateReason"].GetString()) == "ECS deployment " + dep + " completed.");
  m = w.messages();
  CHECK(m[0] == "(service web) has reached a steady state.");
  CHECK(m[1] == "(service web) (deployment " + dep + ") deployment completed.");
}

TEST_CASE("scheduler: a rolling update never drops below desired healthy tasks and ends with one deployment") {
  World w;
  w.create();
  w.settle();
  auto old_tasks = w.live();
  REQUIRE(old_tasks.size() == 2);
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  auto s = w.describe();
  REQUIRE(s["deployments"].Size() == 2);
  std::string fresh = s["deployments"][0]["id"].GetString();
  CHECK(std::string(s["deployments"][1]["status"].GetString()) == "ACTIVE");

  auto r = w.pass();  // maximumPercent 200: two new tasks first, nothing stopped
  CHECK(r.started.size() == 2);
  CHECK(r.stopped.empty());
  w.run_all();
  w.pass();
  CHECK(w.live().size() == 4);  // not healthy yet: the old ones stay
  w.clock.advance(40000);
  r = w.pass();
  CHECK(r.stopped.size() == 2);
  for (auto& t : w.tasks())
    if (std::find(r.stopped.begin(), r.stopped.end(), t.arn) != r.stopped.end()) {
      CHECK(t.stop_code == std::optional<std::string>("ServiceSchedulerInitiated"));
      CHECK(t.stopped_reason == std::optional<std::string>("Scaling activity initiated by (deployment " + fresh + ")"));
      CHECK(t.task_definition_arn.ends_with("web:1"));
    }
  CHECK(w.describe()["deployments"].Size() == 2);  // old tasks still stopping
  w.finish_stops();
  w.pass();
  s = w.describe();
  REQUIRE(s["deployments"].Size() == 1);
  CHECK(std::string(s["deployments"][0]["id"].GetString()) == fresh);
  CHECK(std::string(s["deployments"][0]["rolloutState"].GetString()) == "COMPLETED");
  CHECK(std::string(s["taskDefinition"].GetString()).ends_with("web:2"));
}

TEST_CASE("scheduler: min 100 / max 100 cannot move, and says so") {
  World w;
  w.create(R"(,"deploymentConfiguration":{"minimumHealthyPercent":100,"maximumPercent":100})");
  w.settle();
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  auto r = w.pass();
  CHECK(r.started.empty());
  CHECK(r.stopped.empty());
  CHECK(w.messages()[0].starts_with("service web was unable to stop or start tasks during a deployment"));
  w.pass();
  auto m = w.messages();
  CHECK(m[0] != m[1]);  // not repeated every pass
}

TEST_CASE("scheduler: a task that stops is replaced; scale-in stops the newest") {
  World w;
  w.create("", 3);
  w.settle();
  auto before = w.live();
  REQUIRE(before.size() == 3);
  w.set_status(before[0].arn, "STOPPED", "EssentialContainerExited");
  auto r = w.pass();
  CHECK(r.started.size() == 1);
  w.settle();
  auto now_live = w.live();
  std::sort(now_live.begin(), now_live.end(), [](auto& a, auto& b) { return a.created_at > b.created_at; });
  std::string newest = now_live[0].arn;
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","desiredCount":1})");
  r = w.pass();
  REQUIRE(r.stopped.size() == 2);
  CHECK(std::find(r.stopped.begin(), r.stopped.end(), newest) != r.stopped.end());
  CHECK(w.describe()["deployments"].Size() == 1);
}

TEST_CASE("scheduler: the circuit breaker fails a deployment whose tasks never start and rolls back") {
  World w;
  w.create(R"(,"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true}})");
  w.settle();
  std::string good = w.describe()["deployments"][0]["id"].GetString();
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  std::string bad = w.describe()["deployments"][0]["id"].GetString();
  for (int i = 0; i < 20 && w.describe()["deployments"][0]["id"].GetString() == bad; ++i) {
    w.pass();
    for (auto& t : w.live())
      if (t.started_by == std::optional<std::string>(bad)) w.set_status(t.arn, "STOPPED", "TaskFailedToStart");
    w.clock.advance(60000);  // past any throttle delay
  }
  auto s = w.describe();
  REQUIRE(s["deployments"].Size() >= 2);
  CHECK(std::string(s["deployments"][0]["rolloutStateReason"].GetString()) ==
        "ECS deployment circuit breaker: rolling back to deploymentId " + good + ".");
  CHECK(std::string(s["deployments"][0]["taskDefinition"].GetString()).ends_with("web:1"));
  CHECK(std::string(s["taskDefinition"].GetString()).ends_with("web:1"));
  bool failed_seen = false;
  for (auto& d : s["deployments"].GetArray())
    if (d["id"].GetString() == bad) {
      failed_seen = true;
      CHECK(std::string(d["rolloutState"].GetString()) == "FAILED");
      CHECK(d["failedTasks"].GetInt() >= 3);
    }
  CHECK(failed_seen);
  CHECK(w.has_event("(service web) (deployment " + bad + ") deployment failed: tasks failed to start."));
  CHECK(w.has_event("(service web) rolling back to deployment " + good + "."));
  w.settle();
  s = w.describe();
  CHECK(s["deployments"].Size() == 1);
  CHECK(std::string(s["deployments"][0]["rolloutState"].GetString()) == "COMPLETED");
}

TEST_CASE("scheduler: tasks that keep failing to start are throttled") {
  World w;
  w.create("", 1);
  for (int i = 0; i < 2; ++i) {
    w.pass();
    for (auto& t : w.live()) w.set_status(t.arn, "STOPPED", "TaskFailedToStart");
  }
  auto r = w.pass();
  CHECK(r.started.empty());
  CHECK(r.wake_at == std::optional<std::int64_t>(w.clock.now_millis() + 5000));
  CHECK(w.has_event("(service web) is unable to consistently start tasks successfully."));
  w.clock.advance(5000);
  CHECK(w.pass().started.size() == 1);
}

TEST_CASE("scheduler: delete drains to INACTIVE, which is purged after an hour") {
  World w;
  w.create();
  w.settle();
  auto refused = w.call("DeleteService", R"({"cluster":"demo","service":"web"})");
  CHECK(refused.message() == "The service cannot be stopped while it is scaled above 0.");
  auto d = w.ok("DeleteService", R"({"cluster":"demo","service":"web","force":true})");
  CHECK(std::string(d.body["service"]["status"].GetString()) == "DRAINING");
  CHECK(w.ok("ListServices", R"({"cluster":"demo"})").body["serviceArns"].Size() == 0);
  auto r = w.pass();
  CHECK(r.stopped.size() == 2);
  CHECK(std::string(w.describe()["status"].GetString()) == "DRAINING");
  w.finish_stops();
  w.pass();
  CHECK(std::string(w.describe()["status"].GetString()) == "INACTIVE");
  auto again = w.call("UpdateService", R"({"cluster":"demo","service":"web","desiredCount":1})");
  CHECK(again.code() == "ServiceNotActiveException");
  w.clock.advance(3600 * 1000);
  w.pass();
  auto gone = w.ok("DescribeServices", R"({"cluster":"demo","services":["web"]})");
  CHECK(std::string(gone.body["failures"][0]["reason"].GetString()) == "MISSING");
}
