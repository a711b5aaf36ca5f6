// TaskStore's compare-and-set: the engine and the service scheduler both write tasks.
#include <doctest/doctest.h>

#include <filesystem>

#include "state/db.h"
#include "temp_dir.h"
#include "state/ecs_task_store.h"

using namespace berth::state;
namespace fs = std::filesystem;

namespace {
using berth::testing::TempDb;

const char* kArn = "arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef";

TaskRow a_task() {
  TaskRow t;
  t.arn = kArn;
  t.account = "000000000000";
  t.region = "us-east-1";
  t.cluster = "default";
  t.task_definition_arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1";
  t.family = "web";
  t.launch_type = "FARGATE";
  TaskContainerRow c;
  c.name = "app";
  c.container_arn = "arn:aws:ecs:us-east-1:000000000000:container/default/0123/abcd";
  c.image = "busybox";
  t.containers.push_back(c);
  return t;
}

TaskRow read(Database& db) {
  std::optional<TaskRow> row;
  db.read([&](Connection& c) { row = TaskStore(c).get(kArn); });
  REQUIRE(row);
  return *row;
}

bool update(Database& db, const TaskRow& row) {
  bool ok = false;
  db.write([&](Connection& c) {
    ok = TaskStore(c).update(row);
    return ok;
  });
  return ok;
}
}  // namespace

TEST_CASE("task writes are compare-and-set: a writer with a stale read loses and changes nothing") {
  TempDb t;
  t.db->write([](Connection& c) {
    TaskStore(c).insert(a_task());
    return true;
  });
  TaskRow first = read(*t.db);
  TaskRow second = read(*t.db);  // two writers read version 1
  first.last_status = "PENDING";
  first.containers[0].docker_id = "abc";
  CHECK(update(*t.db, first));
  second.last_status = "RUNNING";
  second.containers[0].last_status = "RUNNING";
  CHECK_FALSE(update(*t.db, second));  // stale: the row moved to version 2
  TaskRow now = read(*t.db);
  CHECK(now.version == 2);
  CHECK(now.last_status == "PENDING");
  CHECK(now.containers[0].docker_id == std::optional<std::string>("abc"));
  CHECK(now.containers[0].last_status == "PENDING");  // the stale container write did not land
  // Redone on a fresh read, it lands.
  now.last_status = "RUNNING";
  CHECK(update(*t.db, now));
  CHECK(read(*t.db).version == 3);
}

TEST_CASE("a stop request writes only the stop, bumps the version and beats a pass read before it") {
  TempDb t;
  t.db->write([](Connection& c) {
    TaskStore(c).insert(a_task());
    return true;
  });
  TaskRow engine = read(*t.db);  // a pass starts
  bool stopped = false;
  t.db->write([&](Connection& c) {
    stopped = TaskStore(c).request_stop(kArn, "UserInitiated", "by hand", 42);
    return true;
  });
  CHECK(stopped);
  engine.last_status = "RUNNING";  // the pass ends with what it saw, unaware of the stop
  CHECK_FALSE(update(*t.db, engine));
  TaskRow now = read(*t.db);
  CHECK(now.desired_status == "STOPPED");
  CHECK(now.stop_code == std::optional<std::string>("UserInitiated"));
  CHECK(now.stopped_reason == std::optional<std::string>("by hand"));
  CHECK(now.stopping_at == std::optional<std::int64_t>(42));
  CHECK(now.last_status == "PROVISIONING");
  CHECK(now.version == 2);
  // A second stop keeps the first reason, as on ECS.
  t.db->write([&](Connection& c) {
    stopped = TaskStore(c).request_stop(kArn, "ServiceSchedulerInitiated", "scale in", 50);
    return true;
  });
  CHECK_FALSE(stopped);
  CHECK(read(*t.db).stopped_reason == std::optional<std::string>("by hand"));
  // Even a fresh engine write cannot rewrite a recorded stop.
  now.stop_code = "EssentialContainerExited";
  now.stopped_reason = "Essential container in task exited";
  CHECK(update(*t.db, now));
  CHECK(read(*t.db).stop_code == std::optional<std::string>("UserInitiated"));
}

TEST_CASE("a stop request for a missing task changes nothing") {
  TempDb t;
  bool stopped = true;
  t.db->write([&](Connection& c) {
    stopped = TaskStore(c).request_stop("arn:nope", "UserInitiated", "x", 1);
    return true;
  });
  CHECK_FALSE(stopped);
}
