#pragma once
// The service scheduler's unit world: the real ECS handlers through DispatchHarness (a temporary
// database, a manual clock), one ServiceScheduler driven pass by pass, and the cluster "demo".
// Task statuses are set by hand where the engine would. Each test file derives its own world
// (task definitions, services, what "settled" means) from this one.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatch_harness.h"
#include "ecs/service_scheduler.h"
#include "state/ecs_task_store.h"

namespace berth::test {

struct ServiceWorld : DispatchHarness {
  static constexpr std::int64_t kStart = 1700000000000;
  static constexpr const char* kSvc = "arn:aws:ecs:us-east-1:000000000000:service/demo/web";

  std::unique_ptr<ecs::ServiceScheduler> scheduler;
  int next_ip = 10;  // the privateIp the next task to run gets: 172.30.0.N

  explicit ServiceWorld(ecs::SchedulerOptions options = {})
      : DispatchHarness("AmazonEC2ContainerServiceV20141113", {"SerializationException", "InternalFailure"}, kStart) {
    scheduler = std::make_unique<ecs::ServiceScheduler>(*db, clock, std::move(options));
    ok("CreateCluster", R"({"clusterName":"demo"})");
  }

  ecs::PassResult pass(const std::string& service_arn = kSvc) { return scheduler->reconcile(service_arn); }

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
  // Tasks desired RUNNING and not STOPPED.
  std::vector<state::TaskRow> live() {
    auto all = tasks();
    std::erase_if(all, [](auto& t) { return t.desired_status != "RUNNING" || t.last_status == "STOPPED"; });
    return all;
  }
  state::TaskRow task(const std::string& arn) {
    for (auto& t : tasks())
      if (t.arn == arn) return t;
    FAIL("no task " << arn);
    return {};
  }

  // What the engine would record: RUNNING (with the task's address in its run document), or
  // STOPPED; with a stop code, a stop the task made itself (a failed start, an exited container).
  void set_status(const std::string& arn, const std::string& status, std::optional<std::string> stop_code = {}) {
    db->write([&](state::Connection& c) {
      state::TaskStore ts(c);
      auto t = *ts.get(arn);
      t.last_status = status;
      if (status == "RUNNING") {
        t.started_at = clock.now_millis();
        rapidjson::Document doc;
        doc.Parse(t.doc.c_str(), t.doc.size());
        if (!doc.IsObject()) doc.SetObject();
        std::string ip = "172.30.0." + std::to_string(next_ip++);
        doc.RemoveMember("privateIp");
        doc.AddMember("privateIp", rapidjson::Value(ip.c_str(), doc.GetAllocator()), doc.GetAllocator());
        t.doc = json::dump(doc);
      }
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

  rapidjson::Document describe(const std::string& name = "web") {
    auto r = ok("DescribeServices", R"({"cluster":"demo","services":[")" + name + R"("]})");
    rapidjson::Document d;
    d.CopyFrom(r.body["services"][0], d.GetAllocator());
    return d;
  }
  // Event messages, newest first.
  std::vector<std::string> messages(const std::string& name = "web") {
    std::vector<std::string> out;
    auto s = describe(name);
    for (auto& e : s["events"].GetArray()) out.emplace_back(e["message"].GetString());
    return out;
  }
  bool has_event(const std::string& text) {
    auto m = messages();
    return std::find(m.begin(), m.end(), text) != m.end();
  }
  int count_event(const std::string& text) {
    auto m = messages();
    return static_cast<int>(std::count(m.begin(), m.end(), text));
  }
};

}  // namespace berth::test
