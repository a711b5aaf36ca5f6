#include "ecs/container_host.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "common/arn.h"
#include "common/ids.h"
#include "state/ecs_task_store.h"

namespace berth::ecs {
void write_resource(json::Writer& w, const char* name, std::int64_t value) {
  w.StartObject();
  json::kv(w, "name", name);
  json::kv(w, "type", "INTEGER");
  w.Key("doubleValue");
  w.Double(0.0);
  w.Key("longValue");
  w.Int64(0);
  w.Key("integerValue");
  w.Int64(value);
  w.EndObject();
}
void write_ports(json::Writer& w, const char* name, const std::set<int>& ports) {
  w.StartObject();
  json::kv(w, "name", name);
  json::kv(w, "type", "STRINGSET");
  w.Key("doubleValue");
  w.Double(0.0);
  w.Key("longValue");
  w.Int64(0);
  w.Key("integerValue");
  w.Int(0);
  w.Key("stringSetValue");
  w.StartArray();
  for (int p : ports) json::str(w, std::to_string(p));
  w.EndArray();
  w.EndObject();
}

std::optional<ContainerHost> host_of(const std::optional<runtime::HostInfo>& info) {
  if (!info) return std::nullopt;
  return ContainerHost{info->ncpu, info->memory_bytes >> 20, info->server_version, info->os_type, info->architecture};
}

state::ContainerInstanceRow new_instance(const state::Scope& scope, const InstanceRegistration& r,
                                         const ContainerHost& host, std::int64_t now_millis) {
  state::ContainerInstanceRow row;
  row.arn = arns::ecs(scope.region, scope.account, "container-instance/" + r.cluster + "/" + ids::hex32());
  row.cluster = r.cluster;
  row.ec2_instance_id = r.ec2_instance_id;
  row.registered_at = now_millis;
  Resources total;
  total.cpu = host.ncpu * 1024LL;
  total.memory = host.memory_mib;
  total.tcp_ports.insert(kReservedPorts.begin(), kReservedPorts.end());
  if (r.total) total = *r.total;
  std::string arch = host.architecture == "aarch64" ? "arm64" : host.architecture;
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  w.Key("registeredResources");
  w.StartArray();
  write_resource(w, "CPU", total.cpu);
  write_resource(w, "MEMORY", total.memory);
  write_ports(w, "PORTS", total.tcp_ports);
  write_ports(w, "PORTS_UDP", total.udp_ports);
  w.EndArray();
  w.Key("versionInfo");
  w.StartObject();
  json::kv(w, "agentVersion", "1.89.2");
  json::kv(w, "agentHash", "berth");
  json::kv(w, "dockerVersion", "DockerVersion: " + host.docker_version);
  w.EndObject();
  w.Key("attributes");
  w.StartArray();
  auto attribute = [&](std::string_view name, std::optional<std::string_view> value) {
    w.StartObject();
    json::kv(w, "name", name);
    if (value) json::kv(w, "value", *value);
    w.EndObject();
  };
  std::string az = r.availability_zone.empty() ? scope.region + "a" : r.availability_zone;
  attribute("ecs.os-type", host.os_type);
  attribute("ecs.os-family", "LINUX");
  attribute("ecs.cpu-architecture", arch);
  attribute("ecs.availability-zone", az);
  attribute("ecs.instance-type", r.instance_type);
  for (const char* cap : {"com.amazonaws.ecs.capability.docker-remote-api.1.41",
                          "com.amazonaws.ecs.capability.logging-driver.awslogs",
                          "com.amazonaws.ecs.capability.task-iam-role", "ecs.capability.task-eni",
                          "ecs.capability.container-health-check", "ecs.capability.secrets.asm.environment-variables"})
    attribute(cap, std::nullopt);
  for (const auto& [name, value] : r.attributes)
    if (!name.starts_with("ecs.") && !name.starts_with("com.amazonaws.ecs.")) attribute(name, value);
  w.EndArray();
  if (r.capacity_provider) json::kv(w, "capacityProviderName", *r.capacity_provider);
  w.EndObject();
  row.doc = buf.GetString();
  return row;
}

ContainerHost local_host() {
  ContainerHost h;
  h.ncpu = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  h.memory_mib = static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE) >> 20;
  h.docker_version = "unknown";
  return h;
}

void ensure_engine_instance(state::Connection& db, const state::Scope& scope, std::string_view cluster,
                            const std::optional<ContainerHost>& host, std::int64_t now_millis) {
  state::ContainerInstanceStore store(db, scope);
  if (!store.in_cluster(cluster).empty()) return;
  InstanceRegistration r;
  r.cluster = std::string(cluster);
  store.put(new_instance(scope, r, host ? *host : local_host(), now_millis));
}

Resources registered_resources(const json::Value& doc) {
  Resources r;
  const json::Value* list = json::member(doc, "registeredResources");
  if (!list || !list->IsArray()) return r;
  for (const auto& x : list->GetArray()) {
    std::string_view name = json::get_string(x, "name").value_or("");
    if (name == "CPU") r.cpu = json::get_int(x, "integerValue").value_or(0);
    if (name == "MEMORY") r.memory = json::get_int(x, "integerValue").value_or(0);
    if (name == "PORTS" || name == "PORTS_UDP")
      if (const json::Value* set = json::member(x, "stringSetValue"))
        for (const auto& p : set->GetArray()) {
          int port = 0;
          std::string_view s = json::view(p);
          std::from_chars(s.data(), s.data() + s.size(), port);
          (name == "PORTS" ? r.tcp_ports : r.udp_ports).insert(port);
        }
  }
  return r;
}

std::vector<std::pair<std::string, std::optional<std::string>>> attributes_of(const json::Value& doc) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  if (const json::Value* list = json::member(doc, "attributes"); list && list->IsArray())
    for (const auto& a : list->GetArray()) {
      auto v = json::get_string(a, "value");
      out.emplace_back(std::string(json::get_string(a, "name").value_or("")),
                       v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
    }
  return out;
}

std::vector<Candidate> candidates(state::Connection& db, const state::Scope& scope, std::string_view cluster,
                                  std::string_view group) {
  std::vector<Candidate> out;
  for (const auto& row : state::ContainerInstanceStore(db, scope).in_cluster(cluster)) {
    if (row.status == "INACTIVE") continue;
    rapidjson::Document doc;
    doc.Parse(row.doc.c_str(), row.doc.size());
    Candidate c;
    c.arn = row.arn;
    c.id = row.arn.substr(row.arn.rfind('/') + 1);
    c.status = row.status;
    c.registered = registered_resources(doc);
    for (auto& [name, value] : attributes_of(doc)) c.facts.attributes[name] = value;
    c.facts.ec2_instance_id = row.ec2_instance_id;
    c.facts.registered_at_millis = row.registered_at;
    if (const json::Value* v = json::member(doc, "versionInfo"))
      c.facts.agent_version = std::string(json::get_string(*v, "agentVersion").value_or(""));
    out.push_back(std::move(c));
  }
  for (const auto& t : state::TaskStore(db).on_instances(scope, cluster)) {
    rapidjson::Document doc;
    doc.Parse(t.doc.c_str(), t.doc.size());
    std::string_view arn = json::get_string(doc, "containerInstanceArn").value_or("");
    for (auto& c : out) {
      if (c.arn != arn) continue;
      if (const json::Value* held = json::member(doc, "reserved")) {
        c.held.cpu += json::get_int(*held, "cpu").value_or(0);
        c.held.memory += json::get_int(*held, "memory").value_or(0);
        for (const char* k : {"tcpPorts", "udpPorts"})
          if (const json::Value* ports = json::member(*held, k))
            for (const auto& p : ports->GetArray())
              (k[0] == 't' ? c.held.tcp_ports : c.held.udp_ports).insert(p.GetInt());
      }
      if (t.last_status == "RUNNING") ++c.facts.running_tasks;
      else ++c.pending_tasks;
      if (t.group) c.facts.task_groups.push_back(*t.group);
      if (t.group && *t.group == group) ++c.group_tasks;
    }
  }
  return out;
}

}  // namespace berth::ecs
