// The service scheduler's passes against a real temporary database and a manual clock. Services
// are made through the real handlers; task statuses are set by hand where the engine would.
#include <doctest/doctest.h>

#include <algorithm>

#include "service_world.h"
#include "state/ecs_service_store.h"
#include "state/iam_store.h"

using namespace berth;

namespace {
struct World : test::ServiceWorld {
  explicit World(ecs::SchedulerOptions options = {}) : ServiceWorld(std::move(options)) {
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

// The services-stable waiter passes once desiredCount tasks are RUNNING, before they are healthy;
// a deployment started then keeps them: they wait for their health verdict, as on ECS.
TEST_CASE("scheduler: a deployment right after steady keeps old tasks still waiting for their health verdict") {
  World w;
  w.create();
  w.pass();
  w.run_all();
  w.pass();
  auto old_tasks = w.live();
  REQUIRE(old_tasks.size() == 2);
  CHECK(w.describe()["runningCount"].GetInt() == 2);  // what services-stable sees
  w.clock.advance(10000);
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  auto r = w.pass();
  CHECK(r.started.size() == 2);
  CHECK(r.stopped.empty());
  w.run_all();
  CHECK(w.pass().stopped.empty());
  CHECK(w.live().size() == 4);
  w.clock.advance(30000);  // the old ones are healthy; they alone hold the floor
  CHECK(w.pass().stopped.empty());
  w.clock.advance(10000);  // the new ones are healthy too
  r = w.pass();
  CHECK(r.stopped.size() == 2);
  for (auto& t : old_tasks) CHECK(std::find(r.stopped.begin(), r.stopped.end(), t.arn) != r.stopped.end());
  w.finish_stops();
  w.pass();
  CHECK(w.describe()["deployments"].Size() == 1);
  for (auto& m : w.messages()) CHECK_FALSE(m.starts_with("service web was unable to stop or start tasks"));
}

TEST_CASE("scheduler: min 100 / max 100 waits for the verdict before saying it cannot move") {
  World w;
  w.create(R"(,"deploymentConfiguration":{"minimumHealthyPercent":100,"maximumPercent":100})");
  w.pass();
  w.run_all();
  w.pass();
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  auto r = w.pass();
  CHECK(r.started.empty());
  CHECK(r.stopped.empty());  // not "unhealthy": RUNNING for less than 40 s
  CHECK_FALSE(w.messages()[0].starts_with("service web was unable to stop or start tasks"));
  CHECK(r.wake_at == std::optional<std::int64_t>(w.clock.now_millis() + 40000));  // when the verdict comes
  w.clock.advance(40000);
  r = w.pass();
  CHECK(r.stopped.empty());
  CHECK(w.messages()[0].starts_with("service web was unable to stop or start tasks during a deployment"));
}

TEST_CASE("scheduler: with minimumHealthyPercent 0 old tasks go at once, verdict or not") {
  World w;
  w.create(R"(,"deploymentConfiguration":{"minimumHealthyPercent":0,"maximumPercent":100})");
  w.pass();
  w.run_all();
  w.pass();
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  auto r = w.pass();
  CHECK(r.stopped.size() == 2);
  CHECK(r.started.empty());  // maximumPercent 100: room only once they are STOPPED
  w.finish_stops();
  CHECK(w.pass().started.size() == 2);
}

TEST_CASE("scheduler: old tasks that are not RUNNING yet, or failed their checks, are not waited for") {
  World w;
  w.ok("RegisterTaskDefinition", R"({"family":"web","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
      "cpu":"256","memory":"512","containerDefinitions":[{"name":"web","image":"busybox:3",
      "healthCheck":{"command":["CMD","true"]}}]})");
  w.ok("CreateService", R"({"cluster":"demo","serviceName":"web","taskDefinition":"web:3","desiredCount":2,
      "launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}}})");
  w.pass();
  auto first = w.live();
  REQUIRE(first.size() == 2);
  w.set_status(first[0].arn, "RUNNING");  // the other one is still PROVISIONING
  w.db->write([&](state::Connection& c) {
    state::TaskStore ts(c);
    auto t = *ts.get(first[0].arn);
    t.containers[0].health_status = "UNHEALTHY";
    ts.update(t);
    return true;
  });
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:1"})");
  auto r = w.pass();
  // The UNHEALTHY one is replaced for its checks (no grace period); the PROVISIONING one goes.
  CHECK(r.stopped.size() == 2);
  CHECK(w.task(first[0].arn).stopped_reason == std::optional<std::string>("Task failed container health checks"));
  CHECK(w.task(first[1].arn).desired_status == "STOPPED");
}

namespace {
const char* kRole = "arn:aws:iam::000000000000:role/not-for-ecs";
constexpr const char* kTrustAccount =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kTrustEcs =
    R"({"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]})";

ecs::SchedulerOptions enforcing() {
  ecs::SchedulerOptions o;
  o.enforce_iam = true;
  return o;
}

// A service whose task role trusts only the account, not ECS (--enforce-iam).
struct UntrustedWorld : World {
  explicit UntrustedWorld(ecs::SchedulerOptions options = enforcing()) : World(std::move(options)) {
    db->write([&](state::Connection& c) {
      state::RoleRow r;
      r.role_id = "AROAEXAMPLE0000000001";
      r.name = "not-for-ecs";
      r.path = "/";
      r.arn = kRole;
      r.trust_policy = kTrustAccount;
      return state::IamStore(c, "000000000000").create_role(r);
    });
    ok("RegisterTaskDefinition", std::string(R"({"family":"web","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
        "cpu":"256","memory":"512","taskRoleArn":")") + kRole + R"(","containerDefinitions":[{"name":"web","image":"busybox:3"}]})");
  }
  void create_untrusted(int desired, const std::string& extra = "") {
    ok("CreateService", R"({"cluster":"demo","serviceName":"web","taskDefinition":"web:3","desiredCount":)" +
                            std::to_string(desired) + R"(,"launchType":"FARGATE",
        "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}})" + extra + "}");
  }
  void trust_ecs() {
    db->write([&](state::Connection& c) {
      state::IamStore iam(c, "000000000000");
      auto r = *iam.role("not-for-ecs");
      r.trust_policy = kTrustEcs;
      iam.update_role(r);
      return true;
    });
  }
};
std::string unable_to_assume() {
  return std::string("(service web) failed to launch a task with (error ECS was unable to assume the role '") + kRole +
         "' that was provided for this task. Please verify that the role being passed has the proper trust "
         "relationship and permissions and that your IAM user has permissions to pass this role.).";
}
}  // namespace

TEST_CASE("scheduler: under --enforce-iam a role that does not trust ECS fails the launch, counted by the breaker") {
  UntrustedWorld w;
  w.create_untrusted(3, R"(,"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true}})");
  auto r = w.pass();
  CHECK(r.started.empty());
  CHECK(w.tasks().empty());
  CHECK(w.messages()[0] == unable_to_assume());
  auto s = w.describe();
  CHECK(s["deployments"][0]["failedTasks"].GetInt() == 3);  // three tasks it could not launch
  CHECK(r.wake_at == std::optional<std::int64_t>(w.clock.now_millis()));  // the breaker's pass, at once
  std::string dep = s["deployments"][0]["id"].GetString();
  r = w.pass();
  s = w.describe();
  CHECK(std::string(s["deployments"][0]["rolloutState"].GetString()) == "FAILED");
  CHECK(std::string(s["deployments"][0]["rolloutStateReason"].GetString()) ==
        "ECS deployment circuit breaker: tasks failed to start.");
  CHECK(w.has_event("(service web) (deployment " + dep + ") deployment failed: tasks failed to start."));
  CHECK(s["deployments"].Size() == 1);  // nothing COMPLETED to roll back to
  w.clock.advance(60000);
  CHECK(w.pass().started.empty());  // a FAILED deployment launches nothing
  CHECK(w.tasks().empty());
}

TEST_CASE("scheduler: a failed launch is tried again 30 s later and said once") {
  UntrustedWorld w;
  w.create_untrusted(1);
  auto r = w.pass();
  CHECK(r.wake_at == std::optional<std::int64_t>(w.clock.now_millis() + 30000));
  w.clock.advance(30000);
  w.pass();
  CHECK(w.count_event(unable_to_assume()) == 1);
  CHECK(w.describe()["deployments"][0]["failedTasks"].GetInt() == 2);
  w.trust_ecs();
  w.clock.advance(30000);
  CHECK(w.pass().started.size() == 1);
}

TEST_CASE("scheduler: without --enforce-iam the untrusted role launches") {
  UntrustedWorld w{ecs::SchedulerOptions{}};
  w.create_untrusted(1);
  CHECK(w.pass().started.size() == 1);
}

TEST_CASE("scheduler: a steady service says so again every event_repeat while it stays steady") {
  ecs::SchedulerOptions o;
  o.event_repeat = std::chrono::seconds(60);
  World w(o);
  w.create("", 1);
  w.pass();
  w.run_all();
  w.pass();
  w.clock.advance(40000);
  auto r = w.pass();
  const std::string steady = "(service web) has reached a steady state.";
  CHECK(w.count_event(steady) == 1);
  CHECK(r.wake_at == std::optional<std::int64_t>(w.clock.now_millis() + 60000));
  w.clock.advance(59000);
  r = w.pass();
  CHECK(w.count_event(steady) == 1);
  CHECK(r.wake_at == std::optional<std::int64_t>(w.clock.now_millis() + 1000));
  w.clock.advance(1000);
  w.pass();
  CHECK(w.count_event(steady) == 2);
  CHECK(w.messages()[0] == steady);
}

TEST_CASE("scheduler: a standing condition's event is said again after event_repeat, not every pass") {
  ecs::SchedulerOptions o;
  o.event_repeat = std::chrono::seconds(60);
  World w(o);
  w.create(R"(,"deploymentConfiguration":{"minimumHealthyPercent":100,"maximumPercent":100})", 1);
  w.pass();
  w.run_all();
  w.pass();
  w.clock.advance(40000);
  w.pass();
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  const std::string stuck =
      "service web was unable to stop or start tasks during a deployment because of the service deployment "
      "configuration. Update the minimumHealthyPercent or maximumPercent value and try again.";
  w.pass();
  w.clock.advance(59000);
  w.pass();
  CHECK(w.count_event(stuck) == 1);
  w.clock.advance(1000);
  w.pass();
  CHECK(w.count_event(stuck) == 2);
}
