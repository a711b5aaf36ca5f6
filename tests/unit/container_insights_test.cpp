// Container Insights: the performance events and ECS/ContainerInsights datapoints computed from
// recorded Docker stats documents, and the stats sampler publishing them only for clusters with
// the containerInsights setting on.
#include <doctest/doctest.h>

#include "dispatch_harness.h"
#include "fake_docker.h"
#include "metrics/container_insights.h"
#include "metrics/series_reader.h"
#include "runtime/stats_sampler.h"
#include "state/ecs_task_store.h"
#include "state/logs_store.h"
#include "state/metrics_store.h"

using namespace berth;
namespace ci = berth::metrics::insights;

namespace {
// Trimmed from `docker stats` on this machine (cgroup v1), ten seconds apart: 2.5 CPU-seconds
// used (256 units), 30 MiB of memory without the cache, 10,000 bytes received and 2,000 sent,
// 4 KiB read and 8 KiB written so far.
std::string stats_doc(double cpu_ns, double usage, double rx, double tx) {
  return R"({"cpu_stats":{"cpu_usage":{"total_usage":)" + std::to_string(cpu_ns) +
         R"(}},"memory_stats":{"usage":)" + std::to_string(usage) +
         R"(,"stats":{"cache":10485760}},"networks":{"eth0":{"rx_bytes":)" + std::to_string(rx) +
         R"(,"tx_bytes":)" + std::to_string(tx) +
         R"(}},"blkio_stats":{"io_service_bytes_recursive":[{"op":"Read","value":4096},{"op":"Write","value":8192}]}})";
}
const std::string kFirst = stats_doc(1e9, 41943040, 1000, 500);
const std::string kSecond = stats_doc(3.5e9, 41943040, 11000, 2500);

double field(const rapidjson::Document& d, const char* name) { return d[name].GetDouble(); }

const ci::Datapoint* find(const std::vector<ci::Datapoint>& points, const std::string& name, size_t dims) {
  for (const auto& p : points)
    if (p.name == name && p.dimensions.size() == dims) return &p;
  return nullptr;
}
}  // namespace

TEST_CASE("Container Insights: a task's window, its events and their datapoints") {
  auto a = metrics::parse_docker_stats(kFirst, 10'000);
  auto b = metrics::parse_docker_stats(kSecond, 20'000);
  REQUIRE(a);
  REQUIRE(b);
  ci::ContainerWindow w;
  w.add(std::nullopt, *a);  // a first sample: memory and storage, no delta
  w.add(a, *b);
  CHECK(w.cpu_units() == doctest::Approx(256.0));  // 2.5 s of CPU in 10 s = 0.25 vCPU
  CHECK(w.memory_mib() == doctest::Approx(30.0));
  CHECK(w.rx_per_second() == doctest::Approx(1000.0));
  CHECK(w.tx_per_second() == doctest::Approx(200.0));
  CHECK(w.write_bytes() == 8192);

  ci::TaskFacts t;
  t.task_id = "0123456789abcdef0123456789abcdef";
  t.family = "web";
  t.revision = "3";
  t.cluster = "demo";
  t.account = "000000000000";
  t.region = "us-east-1";
  t.availability_zone = "us-east-1a";
  t.launch_type = "FARGATE";
  t.service = "api";
  t.created_at = 1000;
  t.started_at = 2000;
  t.cpu_reserved = 512;
  t.memory_reserved = 1024;
  t.containers.push_back({"app", "busybox", "RUNNING", 0, 0, w});
  t.containers.push_back({"side", "busybox", "RUNNING", 0, 0, w});
  const std::int64_t ts = 1'800'000'000'000;

  rapidjson::Document task;
  task.Parse(ci::task_event(t, ts).c_str());
  CHECK(std::string(task["Type"].GetString()) == "Task");
  CHECK(std::string(task["TaskId"].GetString()) == t.task_id);
  CHECK(std::string(task["TaskDefinitionRevision"].GetString()) == "3");
  CHECK(std::string(task["ServiceName"].GetString()) == "api");
  CHECK(task["Timestamp"].GetInt64() == ts);
  CHECK(field(task, "CpuUtilized") == doctest::Approx(512.0));  // both containers
  CHECK(field(task, "MemoryUtilized") == doctest::Approx(60.0));
  CHECK(field(task, "CpuReserved") == 512);
  CHECK(field(task, "NetworkRxBytes") == doctest::Approx(2000.0));

  auto points = ci::datapoints_of(ci::task_event(t, ts));
  CHECK(points.size() == 3 * 8);  // eight metrics by three dimension sets
  const auto* by_cluster = find(points, "CpuUtilized", 1);
  REQUIRE(by_cluster);
  CHECK(by_cluster->namespace_ == "ECS/ContainerInsights");
  CHECK(by_cluster->unit == "None");
  CHECK(by_cluster->value == doctest::Approx(512.0));
  CHECK(by_cluster->dimensions[0] == std::pair<std::string, std::string>("ClusterName", "demo"));
  const auto* memory = find(points, "MemoryUtilized", 2);
  REQUIRE(memory);
  CHECK(memory->unit == "Megabytes");
  CHECK(find(points, "NetworkTxBytes", 2)->unit == "Bytes/Second");
  int by_service = 0, by_family = 0;
  for (const auto& p : points) {
    by_service += p.dimensions.size() == 2 && p.dimensions[1].first == "ServiceName" && p.dimensions[1].second == "api";
    by_family += p.dimensions.size() == 2 && p.dimensions[1].first == "TaskDefinitionFamily" && p.dimensions[1].second == "web";
  }
  CHECK(by_service == 8);
  CHECK(by_family == 8);
  // A standalone task has no ServiceName dimension set.
  t.service.reset();
  CHECK(ci::datapoints_of(ci::task_event(t, ts)).size() == 2 * 8);

  rapidjson::Document container;
  container.Parse(ci::container_event(t, t.containers[0], ts).c_str());
  CHECK(std::string(container["Type"].GetString()) == "Container");
  CHECK(std::string(container["ContainerName"].GetString()) == "app");
  CHECK(field(container, "CpuUtilized") == doctest::Approx(256.0));
  CHECK(ci::datapoints_of(ci::container_event(t, t.containers[0], ts)).empty());

  auto service = ci::datapoints_of(ci::service_event({"api", "demo", 3, 2, 1, 1, 0}, ts));
  REQUIRE(service.size() == 5);
  CHECK(find(service, "DesiredTaskCount", 2)->value == 3);
  CHECK(find(service, "PendingTaskCount", 2)->unit == "Count");
  auto cluster = ci::datapoints_of(ci::cluster_event({"demo", 4, 2}, ts));
  REQUIRE(cluster.size() == 2);
  CHECK(find(cluster, "TaskCount", 1)->value == 4);
  CHECK(find(cluster, "ServiceCount", 1)->value == 2);

  CHECK(ci::task_stream(t) == ci::task_stream(t));
  CHECK(ci::task_stream(t).starts_with("FargateTelemetry-"));
  CHECK(ci::task_stream(t).size() == std::string("FargateTelemetry-").size() + 4);
  CHECK(ci::cluster_stream("demo") == "ClusterTelemetry-demo");
  CHECK(ci::log_group("demo") == "/aws/ecs/containerinsights/demo/performance");
  CHECK(ci::enabled_in(R"({"settings":[{"name":"containerInsights","value":"enabled"}]})"));
  CHECK(ci::enabled_in(R"({"settings":[{"name":"containerInsights","value":"enhanced"}]})"));
  CHECK_FALSE(ci::enabled_in(R"({"settings":[{"name":"containerInsights","value":"disabled"}]})"));
  CHECK_FALSE(ci::enabled_in(R"({"settings":[]})"));
  CHECK(ci::datapoints_of("not json").empty());
}

TEST_CASE("the stats sampler publishes Container Insights only for clusters with it enabled") {
  const std::int64_t start = 1'800'000'000'000;
  test::DispatchHarness ecs("ecs", {}, start);
  REQUIRE(ecs.call("CreateCluster", R"({"clusterName":"on","settings":[{"name":"containerInsights","value":"enabled"}]})").status == 200);
  REQUIRE(ecs.call("CreateCluster", R"({"clusterName":"off"})").status == 200);
  REQUIRE(ecs.call("RegisterTaskDefinition", R"({"family":"web","cpu":"256","memory":"512","networkMode":"awsvpc",
      "requiresCompatibilities":["FARGATE"],"containerDefinitions":[{"name":"app","image":"busybox","cpu":128,"memoryReservation":64}]})")
              .status == 200);
  test::FakeDocker docker;
  auto add_task = [&](const std::string& cluster, const std::string& docker_id) {
    state::TaskRow t;
    t.arn = "arn:aws:ecs:us-east-1:000000000000:task/" + cluster + "/0123456789abcdef0123456789abcde" + cluster.substr(0, 1);
    t.account = "000000000000";
    t.region = "us-east-1";
    t.cluster = cluster;
    t.task_definition_arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1";
    t.family = "web";
    t.launch_type = "FARGATE";
    t.last_status = "RUNNING";
    t.created_at = start;
    t.doc = R"({"cpu":"256","memory":"512"})";
    state::TaskContainerRow c;
    c.name = "app";
    c.container_arn = t.arn + "/app";
    c.image = "busybox";
    c.last_status = "RUNNING";
    c.docker_id = docker_id;
    t.containers.push_back(c);
    ecs.db->write([&](state::Connection& conn) {
      state::TaskStore(conn).insert(t);
      return true;
    });
  };
  add_task("on", "c-on");
  add_task("off", "c-off");
  runtime::StatsSampler sampler(*ecs.db, docker, ecs.clock, {std::chrono::seconds(10), std::chrono::seconds(60)});
  docker.stats["c-on"] = docker.stats["c-off"] = kFirst;
  sampler.sample_once();
  ecs.clock.advance(10'000);
  docker.stats["c-on"] = docker.stats["c-off"] = kSecond;
  sampler.sample_once();
  ecs.clock.advance(50'000);
  sampler.publish_once();
  const std::int64_t minute = ecs.clock.now_millis() - ecs.clock.now_millis() % 60'000;

  ecs.db->read([&](state::Connection& c) {
    state::LogsStore logs(c, {"000000000000", "us-east-1"});
    CHECK_FALSE(logs.group("/aws/ecs/containerinsights/off/performance"));
    auto group = logs.group("/aws/ecs/containerinsights/on/performance");
    REQUIRE(group);
    CHECK(group->retention_days == 1);
    std::vector<std::string> types;
    logs.scan_group(group->id, {}, [&](const state::StoredEvent& e) {
      rapidjson::Document d;
      d.Parse(e.message.data(), e.message.size());
      types.emplace_back(d["Type"].GetString());
      if (types.back() == "Task") {
        CHECK(e.ts == minute);
        CHECK(d["CpuUtilized"].GetDouble() == doctest::Approx(256.0));
        CHECK(d["CpuReserved"].GetDouble() == 256);
        CHECK(d["MemoryUtilized"].GetDouble() == doctest::Approx(30.0));
      }
      if (types.back() == "Container") CHECK(d["MemoryReserved"].GetDouble() == 64);  // memoryReservation
      return true;
    });
    CHECK(std::count(types.begin(), types.end(), "Task") == 1);
    CHECK(std::count(types.begin(), types.end(), "Container") == 1);
    CHECK(std::count(types.begin(), types.end(), "Cluster") == 1);
    CHECK(logs.list_streams(group->id, "ClusterTelemetry-on").size() == 1);
    CHECK(logs.list_streams(group->id, "FargateTelemetry-").size() == 1);

    state::MetricsStore metrics(c, {"000000000000", "us-east-1"});
    auto on = metrics.find_series("ECS/ContainerInsights", "CpuUtilized",
                                  metrics::canonical_dimensions({{"ClusterName", "on"}}));
    REQUIRE(on);
    std::vector<state::MetricPointRow> points;
    metrics.scan(*on, 0, INT64_MAX, [&](const state::MetricPointRow& p) { points.push_back(p); });
    REQUIRE(points.size() == 1);
    CHECK(points[0].sum == doctest::Approx(256.0));
    CHECK(points[0].unit == "None");
    CHECK(metrics.find_series("ECS/ContainerInsights", "MemoryReserved",
                              metrics::canonical_dimensions({{"ClusterName", "on"}, {"TaskDefinitionFamily", "web"}})));
    CHECK(metrics.find_series("ECS/ContainerInsights", "TaskCount", metrics::canonical_dimensions({{"ClusterName", "on"}})));
    CHECK_FALSE(metrics.find_series("ECS/ContainerInsights", "CpuUtilized",
                                    metrics::canonical_dimensions({{"ClusterName", "off"}})));
    // AWS/ECS is published for both, as before.
    CHECK(metrics.find_series("AWS/ECS", "CPUUtilization", metrics::canonical_dimensions({{"ClusterName", "off"}})));
  });
}
