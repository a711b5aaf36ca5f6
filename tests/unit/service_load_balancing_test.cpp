// A service behind a load balancer: the scheduler's passes against a real temporary database and
// a manual clock. The ELBv2 rows are written through Elbv2Store; target health is set by hand
// where the data plane's health checker would, and draining ends where its sweep would.
#include <doctest/doctest.h>

#include <algorithm>

#include "ecs/load_balancing.h"
#include "elb/balancer.h"
#include "elb/routing_table.h"
#include "ecs/service_scheduler.h"
#include "service_world.h"
#include "state/ecs_service_store.h"
#include "state/ecs_service_target_store.h"
#include "state/elbv2_store.h"

using namespace berth;

namespace {
constexpr const char* kSvc = test::ServiceWorld::kSvc;
const char* kLb = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web-lb/0123456789abcdef";
const char* kTg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/0123456789abcdef";
const char* kIdleTg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/idle-tg/fedcba9876543210";
const char* kInstanceTg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/inst-tg/00112233445566ff";

ecs::SchedulerOptions counting(int& written) {
  ecs::SchedulerOptions opt;
  opt.targets_written = [&written] { ++written; };
  return opt;
}

struct World : test::ServiceWorld {
  int written = 0;  // targets_written calls

  World() : ServiceWorld(counting(written)) {
    for (const char* image : {"busybox:1", "busybox:2"})
      ok("RegisterTaskDefinition", std::string(R"({"family":"web","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
          "cpu":"256","memory":"512","containerDefinitions":[{"name":"web","image":")") + image +
                                       R"(","portMappings":[{"containerPort":3000}]}]})");
    ok("RegisterTaskDefinition", R"({"family":"br","networkMode":"bridge",
        "containerDefinitions":[{"name":"web","image":"busybox","memory":64,"portMappings":[{"containerPort":3000,"hostPort":0}]}]})");
    db->write([&](state::Connection& c) {
      state::Elbv2Store s(c, {"000000000000", "us-east-1"});
      state::LoadBalancerRow lb;
      lb.arn = kLb;
      lb.name = "web-lb";
      lb.type = "application";
      lb.dns_name = "web-lb-1.us-east-1.elb.localhost";
      lb.state = "active";
      lb.doc = "{}";
      lb.attributes = "{}";
      lb.account = "000000000000";
      lb.region = "us-east-1";
      s.put_load_balancer(lb);
      auto group = [&](const char* arn, const char* name, const char* type) {
        state::TargetGroupRow tg;
        tg.arn = arn;
        tg.name = name;
        tg.doc = std::string(R"({"TargetType":")") + type + R"("})";
        tg.attributes = R"({"deregistration_delay.timeout_seconds":"2"})";
        tg.account = "000000000000";
        tg.region = "us-east-1";
        s.put_target_group(tg);
      };
      group(kTg, "web-tg", "ip");
      group(kIdleTg, "idle-tg", "ip");
      group(kInstanceTg, "inst-tg", "instance");
      state::ListenerRow l;
      l.arn = std::string(kLb).replace(std::string(kLb).find("loadbalancer/"), 13, "listener/") + "/00000000000000aa";
      l.lb_arn = kLb;
      l.port = 8080;
      l.protocol = "HTTP";
      l.doc = "{}";
      s.put_listener(l);
      state::RuleRow r;
      r.arn = l.arn + "-default";
      r.listener_arn = l.arn;
      r.doc = R"({"Conditions":[],"Actions":[]})";
      s.put_rule(r, {kTg, kInstanceTg});
      return true;
    });
  }

  void create(int desired = 2, const std::string& extra = "") {
    ok("CreateService", R"({"cluster":"demo","serviceName":"web","taskDefinition":"web:1","desiredCount":)" +
                            std::to_string(desired) + R"(,"launchType":"FARGATE",
        "loadBalancers":[{"targetGroupArn":")" + kTg + R"(","containerName":"web","containerPort":3000}],
        "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}})" + extra + "}");
  }

  std::vector<state::TargetRow> targets(const char* tg = kTg) {
    std::vector<state::TargetRow> out;
    db->read([&](state::Connection& c) { out = state::Elbv2Store(c, {}).targets(tg); });
    return out;
  }
  std::vector<state::ServiceTargetRow> owned() {
    std::vector<state::ServiceTargetRow> out;
    db->read([&](state::Connection& c) { out = state::ServiceTargetStore(c).of_service(kSvc); });
    return out;
  }
  // What the health checker would write.
  void set_health(const std::string& state, std::optional<std::string> reason = {}, std::optional<std::string> why = {}) {
    db->write([&](state::Connection& c) {
      state::Elbv2Store s(c, {});
      for (auto& t : s.targets(kTg))
        if (t.state != "draining") s.set_target_health(kTg, t.id, t.port, state, reason, why);
      return true;
    });
  }
  // The data plane's drain sweep (drains_ending, then Elbv2Store::end_draining) with a request
  // in flight on every target, so draining ends at its deadline and not earlier.
  void end_draining() {
    std::shared_ptr<const elb::RoutingTable> table;
    db->read([&](state::Connection& c) { table = elb::load_routing_table(c); });
    elb::Balancer busy(clock);
    for (const auto& [arn, g] : table->groups)
      for (const auto& t : g.targets) busy.started(t.key());
    db->write([&](state::Connection& c) {
      state::Elbv2Store s(c, {});
      bool removed = false;
      for (const auto& e : elb::drains_ending(*table, busy, clock.now_millis()))
        removed = s.end_draining(e.tg_arn, e.id, e.port, e.drain_until) || removed;
      return removed;
    });
  }

  // Tasks RUNNING, registered and healthy: the service settles.
  void settle() {
    for (int i = 0; i < 4; ++i) {
      pass();
      run_all();
      finish_stops();
      pass();
      set_health("healthy");
      clock.advance(2000);
      end_draining();
    }
    pass();
  }
};
}  // namespace

TEST_CASE("load balancing: a RUNNING task is registered once and counts healthy only when its target is") {
  World w;
  w.create(1);
  w.pass();
  CHECK(w.targets().empty());  // not RUNNING yet: nothing to register
  w.run_all();
  auto r = w.pass();
  CHECK(r.targets_written);
  CHECK(w.written == 1);
  auto targets = w.targets();
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].id == "172.30.0.10");
  CHECK(targets[0].port == 3000);
  CHECK(targets[0].state == "initial");
  CHECK(w.count_event(std::string("(service web) registered 1 targets in (target-group ") + kTg + ")") == 1);
  CHECK_FALSE(w.pass().targets_written);  // no second registration
  CHECK(w.targets().size() == 1);

  // RUNNING for longer than healthy-after is not enough behind a load balancer.
  w.clock.advance(60000);
  w.pass();
  CHECK(std::string(w.describe()["deployments"][0]["rolloutState"].GetString()) == "IN_PROGRESS");
  w.set_health("healthy");
  w.pass();
  auto s = w.describe();
  CHECK(std::string(s["deployments"][0]["rolloutState"].GetString()) == "COMPLETED");
  CHECK(w.messages()[0] == "(service web) has reached a steady state.");
  // DescribeServices shows loadBalancers on the service; Deployment has no such member.
  REQUIRE(s["loadBalancers"].Size() == 1);
  CHECK(std::string(s["loadBalancers"][0]["targetGroupArn"].GetString()) == kTg);
  CHECK_FALSE(s["deployments"][0].HasMember("loadBalancers"));
}

TEST_CASE("load balancing: a task is stopped only after its target drained, in a rolling update") {
  World w;
  w.create(1);
  w.settle();
  auto old = w.live();
  REQUIRE(old.size() == 1);
  std::string old_dep = w.describe()["deployments"][0]["id"].GetString();
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  w.pass();
  w.run_all();
  w.pass();
  CHECK(w.targets().size() == 2);
  CHECK(w.task(old[0].arn).desired_status == "RUNNING");  // the new task is not healthy yet
  w.set_health("healthy");
  auto r = w.pass();
  CHECK(r.stopped.empty());  // deregistered, not stopped
  auto t = w.task(old[0].arn);
  CHECK(t.desired_status == "RUNNING");
  auto targets = w.targets();
  auto draining = std::find_if(targets.begin(), targets.end(), [](auto& x) { return x.state == "draining"; });
  REQUIRE(draining != targets.end());
  CHECK(draining->drain_until == std::optional<std::int64_t>(w.clock.now_millis() + 2000));
  CHECK(w.has_event(std::string("(service web) deregistered 1 targets in (target-group ") + kTg + ")"));
  CHECK(w.has_event("(service web, taskSet " + old_dep + ") has begun draining connections on 1 tasks."));
  CHECK(w.pass().stopped.empty());  // still draining

  w.clock.advance(2000);
  w.end_draining();
  r = w.pass();
  REQUIRE(r.stopped.size() == 1);
  t = w.task(old[0].arn);
  CHECK(t.desired_status == "STOPPED");
  CHECK(t.stopped_reason.value_or("").starts_with("Scaling activity initiated by (deployment ecs-svc/"));
  w.finish_stops();
  w.pass();
  CHECK(w.targets().size() == 1);
  CHECK(w.owned().size() == 1);
  CHECK(w.describe()["deployments"].Size() == 1);
}

TEST_CASE("load balancing: an unhealthy target past the grace period replaces its task with ELB's reason") {
  World w;
  w.create(1, R"(,"healthCheckGracePeriodSeconds":10,
      "deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":false}})");
  w.pass();
  w.run_all();
  w.pass();
  auto first = w.live();
  REQUIRE(first.size() == 1);
  std::string id = first[0].arn.substr(first[0].arn.rfind('/') + 1);
  w.set_health("unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [503]");
  auto r = w.pass();
  CHECK(w.task(first[0].arn).desired_status == "RUNNING");  // within the grace period
  CHECK(r.wake_at == std::optional<std::int64_t>(*first[0].started_at + 10000));
  w.clock.advance(10000);
  w.pass();
  CHECK(w.has_event("(service web) (task " + id + ") (port 3000) is unhealthy in (target-group " + std::string(kTg) +
                    ") due to (reason Health checks failed with these codes: [503])"));
  CHECK(w.describe()["deployments"][0]["failedTasks"].GetInt() == 1);
  CHECK(w.task(first[0].arn).desired_status == "RUNNING");  // draining first
  w.clock.advance(2000);
  w.end_draining();
  w.pass();
  auto t = w.task(first[0].arn);
  CHECK(t.desired_status == "STOPPED");
  CHECK(t.stopped_reason == std::optional<std::string>(std::string("Task failed ELB health checks in (target-group ") + kTg + ")"));
  CHECK(t.stop_code == std::optional<std::string>("ServiceSchedulerInitiated"));
  // The replacement starts.
  w.finish_stops();
  w.pass();
  CHECK(w.live().size() == 1);
}

TEST_CASE("load balancing: targets of tasks that stopped or vanished are deregistered; delete leaves none") {
  World w;
  w.create(2);
  w.settle();
  REQUIRE(w.owned().size() == 2);
  auto live = w.live();
  // The engine saw an essential container exit: the task is STOPPED with its target registered.
  w.db->write([&](state::Connection& c) {
    state::TaskStore ts(c);
    auto t = *ts.get(live[0].arn);
    t.desired_status = "STOPPED";
    t.last_status = "STOPPED";
    t.stop_code = "EssentialContainerExited";
    t.stopped_at = w.clock.now_millis();
    ts.update(t);
    // A row left by a task whose row is gone (a purge, or a crash between passes).
    state::ServiceTargetStore(c).put({"arn:aws:ecs:us-east-1:000000000000:task/demo/0000", kTg, kSvc, "172.30.0.99", 3000, std::nullopt, std::nullopt});
    state::Elbv2Store(c, {}).register_target(kTg, "172.30.0.99", 3000, std::nullopt, w.clock.now_millis());
    return true;
  });
  w.pass();
  int draining = 0;
  for (auto& t : w.targets()) draining += t.state == "draining";
  CHECK(draining == 2);
  w.clock.advance(2000);
  w.end_draining();
  w.pass();
  CHECK(w.targets().size() == 1);

  w.settle();
  REQUIRE(w.owned().size() == 2);
  w.ok("DeleteService", R"({"cluster":"demo","service":"web","force":true})");
  w.pass();
  CHECK(std::string(w.describe()["status"].GetString()) == "DRAINING");
  for (auto& t : w.targets()) CHECK(t.state == "draining");
  w.clock.advance(2000);
  w.end_draining();
  w.pass();
  w.finish_stops();
  w.pass();
  CHECK(w.targets().empty());
  CHECK(w.owned().empty());
  CHECK(std::string(w.describe()["status"].GetString()) == "INACTIVE");
}

TEST_CASE("load balancing: CreateService and UpdateService check loadBalancers, writing nothing on failure") {
  World w;
  auto create = [&](const std::string& td, const std::string& lb, const std::string& net) {
    return w.call("CreateService", R"({"cluster":"demo","serviceName":"web","taskDefinition":")" + td +
                                       R"(","desiredCount":1,"loadBalancers":[)" + lb + "]" + net + "}");
  };
  std::string awsvpc = R"(,"launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}})";
  auto r = create("web:1", std::string(R"({"targetGroupArn":")") + kIdleTg + R"(","containerName":"web","containerPort":3000})", awsvpc);
  CHECK(r.code() == "InvalidParameterException");
  CHECK(r.message() == std::string("The target group with targetGroupArn ") + kIdleTg +
                           " does not have an associated load balancer.");
  r = create("web:1", std::string(R"({"targetGroupArn":")") + kInstanceTg + R"(","containerName":"web","containerPort":3000})", awsvpc);
  CHECK(r.code() == "InvalidParameterException");
  CHECK(r.message().find("has target type instance, which is incompatible with the awsvpc network mode") != std::string::npos);
  r = create("br:1", std::string(R"({"targetGroupArn":")") + kTg + R"(","containerName":"web","containerPort":3000})", "");
  CHECK(r.message().find("has target type ip, which is incompatible with the bridge network mode") != std::string::npos);
  r = create("web:1", std::string(R"({"targetGroupArn":")") + kTg + R"(","containerName":"web","containerPort":80})", awsvpc);
  CHECK(r.message() == "The container web did not have a container port 80 defined.");
  r = create("web:1", std::string(R"({"targetGroupArn":")") + kTg + R"(","containerName":"api","containerPort":3000})", awsvpc);
  CHECK(r.message() == "The container api does not exist in the task definition.");
  r = create("web:1", R"({"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/nope/0000000000000000","containerName":"web","containerPort":3000})", awsvpc);
  CHECK(r.code() == "InvalidParameterException");
  CHECK(w.ok("ListServices", R"({"cluster":"demo"})").body["serviceArns"].Size() == 0);

  // Bridge tasks behind an instance target group: berth's instance and the published host port.
  r = create("br:1", std::string(R"({"targetGroupArn":")") + kInstanceTg + R"(","containerName":"web","containerPort":3000})", "");
  CHECK(r.status == 200);
  w.ok("DeleteService", R"({"cluster":"demo","service":"web","force":true})");
  w.pass();  // no task: INACTIVE at once

  w.create(1);
  r = w.call("UpdateService", std::string(R"({"cluster":"demo","service":"web","loadBalancers":[{"targetGroupArn":")") +
                                  kIdleTg + R"(","containerName":"web","containerPort":3000}]})");
  CHECK(r.code() == "InvalidParameterException");
  CHECK(w.describe()["deployments"].Size() == 1);
  CHECK(std::string(w.describe()["loadBalancers"][0]["targetGroupArn"].GetString()) == kTg);
}

TEST_CASE("load balancing: where a task's target is") {
  state::TaskRow t;
  t.containers.push_back({});
  t.containers[0].name = "web";
  t.containers[0].network_bindings = R"([{"bindIP":"0.0.0.0","containerPort":3000,"hostPort":49153,"protocol":"tcp"}])";
  ecs::LoadBalancerRef lb{"tg", "web", 3000};
  CHECK(ecs::target_address(t, "awsvpc", "172.30.0.5", lb) == ecs::TargetAddress{"172.30.0.5", 3000});
  CHECK_FALSE(ecs::target_address(t, "awsvpc", "", lb));
  CHECK(ecs::target_address(t, "bridge", "", lb) == ecs::TargetAddress{std::string(ecs::kHostInstanceId), 49153});
  CHECK_FALSE(ecs::target_address(t, "bridge", "", {"tg", "web", 80}));
  CHECK(ecs::events::target_unhealthy("web", "abc", {std::string(ecs::kHostInstanceId), 49153}, "TG", "Request timed out") ==
        "(service web) (instance i-0b0e47700000000b0) (port 49153) is unhealthy in (target-group TG) due to (reason Request timed out)");
  using ecs::TargetVerdict;
  CHECK(ecs::verdict({{"healthy", {}}, {"healthy", {}}}) == TargetVerdict::Healthy);
  CHECK(ecs::verdict({{"healthy", {}}, {"initial", {}}}) == TargetVerdict::Pending);
  CHECK(ecs::verdict({{"healthy", {}}, {"", {}}}) == TargetVerdict::Pending);
  CHECK(ecs::verdict({{"initial", {}}, {"unhealthy", {}}}) == TargetVerdict::Unhealthy);
}

TEST_CASE("load balancing: a deployment keeps old tasks whose targets are still initial") {
  World w;
  w.create(1, R"(,"healthCheckGracePeriodSeconds":30)");
  w.pass();
  w.run_all();
  w.pass();
  auto old = w.live();
  REQUIRE(old.size() == 1);
  REQUIRE(w.targets().size() == 1);
  CHECK(w.targets()[0].state == "initial");
  w.ok("UpdateService", R"({"cluster":"demo","service":"web","taskDefinition":"web:2"})");
  auto r = w.pass();
  CHECK(r.started.size() == 1);
  CHECK(r.stopped.empty());
  CHECK(w.targets()[0].state == "initial");  // not deregistered: it waits for its verdict
  // Unhealthy within the grace period still waits; past it, the task is replaced.
  w.set_health("unhealthy", "Target.Timeout", "Request timed out");
  w.pass();
  CHECK(w.task(old[0].arn).desired_status == "RUNNING");
  for (auto& t : w.targets()) CHECK(t.state != "draining");
  w.clock.advance(30000);
  w.pass();
  bool draining = false;
  for (auto& t : w.targets()) draining |= t.state == "draining";
  CHECK(draining);
  CHECK(w.has_event(std::string("(service web) deregistered 1 targets in (target-group ") + kTg + ")"));
}
