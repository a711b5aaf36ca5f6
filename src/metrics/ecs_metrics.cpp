#include "metrics/ecs_metrics.h"

#include "common/json.h"

namespace berth::metrics {
namespace {
double number_at(const json::Value& v, std::initializer_list<const char*> path) {
  const json::Value* cur = &v;
  for (const char* p : path) {
    if (!cur->IsObject()) return 0;
    cur = json::member(*cur, p);
    if (!cur) return 0;
  }
  return cur->IsNumber() ? cur->GetDouble() : 0;
}
}  // namespace

std::optional<ContainerSample> parse_docker_stats(std::string_view text, std::int64_t at_ms) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  ContainerSample s;
  s.at_ms = at_ms;
  s.cpu_total_ns = number_at(doc, {"cpu_stats", "cpu_usage", "total_usage"});
  double usage = number_at(doc, {"memory_stats", "usage"});
  if (s.cpu_total_ns == 0 && usage == 0) return std::nullopt;
  const json::Value* stats = json::member(doc, "memory_stats");
  stats = stats && stats->IsObject() ? json::member(*stats, "stats") : nullptr;
  double cache = 0;
  if (stats && stats->IsObject()) {
    if (json::member(*stats, "inactive_file")) cache = number_at(*stats, {"inactive_file"});  // cgroup v2
    else cache = number_at(*stats, {"cache"});                                             // cgroup v1
  }
  s.memory_mib = (usage > cache ? usage - cache : usage) / (1024.0 * 1024.0);
  if (const auto* nets = json::member(doc, "networks"); nets && nets->IsObject())
    for (auto it = nets->MemberBegin(); it != nets->MemberEnd(); ++it) {
      s.rx_bytes += number_at(it->value, {"rx_bytes"});
      s.tx_bytes += number_at(it->value, {"tx_bytes"});
    }
  if (const auto* blk = json::member(doc, "blkio_stats"); blk && blk->IsObject())
    if (const auto* io = json::member(*blk, "io_service_bytes_recursive"); io && io->IsArray())
      for (const auto& e : io->GetArray()) {
        auto op = json::get_string(e, "op").value_or("");
        if (op == "read" || op == "Read") s.read_bytes += number_at(e, {"value"});
        if (op == "write" || op == "Write") s.write_bytes += number_at(e, {"value"});
      }
  return s;
}

double cpu_units_used(const ContainerSample& prev, const ContainerSample& cur) {
  double dt_ns = static_cast<double>(cur.at_ms - prev.at_ms) * 1e6;
  if (dt_ns <= 0 || cur.cpu_total_ns < prev.cpu_total_ns) return 0;  // restarted container: no delta
  return (cur.cpu_total_ns - prev.cpu_total_ns) / dt_ns * 1024.0;
}

std::optional<double> utilization(double used, double reserved) {
  if (reserved <= 0) return std::nullopt;
  return used * 100.0 / reserved;
}

}  // namespace berth::metrics
