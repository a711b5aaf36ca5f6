#include "metrics/ecs_reservation.h"

#include <map>
#include <tuple>

#include "common/json.h"
#include "state/ecs_container_instance_store.h"
#include "state/ecs_task_store.h"

namespace berth::metrics {
namespace {
// registeredResources CPU and MEMORY of an instance's doc.
std::pair<double, double> registered(const std::string& doc_text) {
  rapidjson::Document doc;
  doc.Parse(doc_text.c_str(), doc_text.size());
  double cpu = 0, memory = 0;
  if (const json::Value* list = json::member(doc, "registeredResources"); list && list->IsArray())
    for (const auto& r : list->GetArray()) {
      auto v = static_cast<double>(json::get_int(r, "integerValue").value_or(0));
      if (json::get_string(r, "name") == std::string_view("CPU")) cpu += v;
      if (json::get_string(r, "name") == std::string_view("MEMORY")) memory += v;
    }
  return {cpu, memory};
}
}  // namespace

std::vector<ClusterReservation> cluster_reservations(state::Connection& c) {
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, ClusterReservation> by_cluster;
  std::map<Key, std::pair<double, double>> capacity;
  std::map<std::string, Key> instance_cluster;
  for (const auto& [scope, row] : state::ContainerInstanceStore::all(c)) {
    if (row.status == "INACTIVE") continue;
    Key key{scope.account, scope.region, row.cluster};
    by_cluster[key] = {scope, row.cluster, 0, 0};
    auto [cpu, memory] = registered(row.doc);
    capacity[key].first += cpu;
    capacity[key].second += memory;
    instance_cluster[row.arn] = key;
  }
  std::map<Key, std::pair<double, double>> reserved;
  for (const auto& [key, r] : by_cluster)
    for (const auto& t : state::TaskStore(c).on_instances(r.scope, r.cluster)) {
      if (t.last_status != "RUNNING") continue;
      rapidjson::Document doc;
      doc.Parse(t.doc.c_str(), t.doc.size());
      auto it = instance_cluster.find(std::string(json::get_string(doc, "containerInstanceArn").value_or("")));
      const json::Value* held = json::member(doc, "reserved");
      if (it == instance_cluster.end() || !held) continue;
      reserved[key].first += static_cast<double>(json::get_int(*held, "cpu").value_or(0));
      reserved[key].second += static_cast<double>(json::get_int(*held, "memory").value_or(0));
    }
  std::vector<ClusterReservation> out;
  for (auto& [key, r] : by_cluster) {
    auto [cpu, memory] = capacity[key];
    r.cpu_percent = cpu > 0 ? 100.0 * reserved[key].first / cpu : 0;
    r.memory_percent = memory > 0 ? 100.0 * reserved[key].second / memory : 0;
    out.push_back(r);
  }
  return out;
}

}  // namespace berth::metrics
