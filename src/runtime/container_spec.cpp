#include "runtime/container_spec.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <rapidjson/stringbuffer.h>
#include <sys/socket.h>
#include <unistd.h>
#include <rapidjson/writer.h>

namespace berth::runtime {
namespace {
using rapidjson::Value;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const Value* member(const Value* obj, const char* name) {
  if (!obj || !obj->IsObject()) return nullptr;
  auto it = obj->FindMember(name);
  return it == obj->MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

// The override's value when it has one, else the definition's.
const Value* pick(const Value& def, const Value* ovr, const char* name) {
  if (const Value* v = member(ovr, name)) return v;
  return member(&def, name);
}

void string_array(Writer& w, const Value& list) {
  w.StartArray();
  for (const auto& s : list.GetArray())
    if (s.IsString()) w.String(s.GetString(), s.GetStringLength());
  w.EndArray();
}

void kv(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

std::int64_t nanos(const Value* seconds, std::int64_t fallback) {
  return (seconds && seconds->IsInt64() ? seconds->GetInt64() : fallback) * 1000000000LL;
}
}  // namespace

namespace {
void task_labels(Writer& w, const TaskContext& task, const std::string& container) {
  kv(w, labels::kBerth, "1");
  kv(w, labels::kInstance, task.instance);
  kv(w, labels::kCluster, task.cluster);
  kv(w, labels::kTaskArn, task.task_arn);
  kv(w, labels::kFamily, task.family);
  kv(w, labels::kRevision, std::to_string(task.revision));
  kv(w, labels::kContainer, container);
}

// Whether nothing listens on 127.0.0.1:port (a host port asked for is used only then).
bool port_free(int port, const std::string& protocol) {
  int fd = ::socket(AF_INET, protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

void published(Writer& w, const std::vector<PublishedPort>& ports, bool exposed) {
  w.StartObject();
  for (const auto& port : ports) {
    w.Key((std::to_string(port.container_port) + "/" + port.protocol).c_str());
    if (exposed) {
      w.StartObject();
      w.EndObject();
      continue;
    }
    // Published on loopback only: the host reaches tasks there, nothing else does.
    w.StartArray();
    w.StartObject();
    kv(w, "HostIp", "127.0.0.1");
    bool wanted = port.host_port > 0 && port_free(port.host_port, port.protocol);
    kv(w, "HostPort", wanted ? std::to_string(port.host_port) : "");
    w.EndObject();
    w.EndArray();
  }
  w.EndObject();
}
}  // namespace

std::vector<std::string> unsupported_fields(const Value& c) {
  std::vector<std::string> out;
  for (const char* field : {"secrets", "environmentFiles", "repositoryCredentials", "firelensConfiguration",
                            "resourceRequirements", "credentialSpecs", "dockerSecurityOptions", "links"})
    if (const Value* v = member(&c, field); v && !(v->IsArray() && v->Empty())) out.emplace_back(field);
  if (const Value* lp = member(&c, "linuxParameters"))
    for (const char* field : {"devices", "sharedMemorySize", "tmpfs", "maxSwap", "swappiness"})
      if (member(lp, field)) out.push_back(std::string("linuxParameters.") + field);
  return out;
}

std::vector<PublishedPort> ports_of(const Value* pm) {
  std::vector<PublishedPort> out;
  if (!pm || !pm->IsArray()) return out;
  for (const auto& m : pm->GetArray())
    if (const Value* cp = member(&m, "containerPort")) {
      PublishedPort p;
      p.container_port = cp->GetInt();
      if (const Value* proto = member(&m, "protocol")) p.protocol = proto->GetString();
      if (const Value* hp = member(&m, "hostPort")) p.host_port = hp->GetInt();
      out.push_back(p);
    }
  return out;
}

std::string pause_create_body(const std::string& image, const std::string& network, const std::string& instance) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  kv(w, "Image", image);
  w.Key("Cmd");
  w.StartArray();
  w.String("/pause");
  w.EndArray();
  w.Key("Labels");
  w.StartObject();
  kv(w, labels::kBerth, "1");
  kv(w, labels::kInstance, instance);
  kv(w, labels::kPool, "1");
  kv(w, labels::kContainer, "~internal~ecs~pause");
  w.EndObject();
  w.Key("HostConfig");
  w.StartObject();
  kv(w, "NetworkMode", network);
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string container_create_body(const Value& c, const Value* ovr, const std::string& image, const TaskContext& task,
                                  const std::vector<std::pair<std::string, std::string>>& injected) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  kv(w, "Image", image);
  if (const Value* cmd = pick(c, ovr, "command")) {
    w.Key("Cmd");
    string_array(w, *cmd);
  }
  if (const Value* ep = member(&c, "entryPoint")) {
    w.Key("Entrypoint");
    string_array(w, *ep);
  }
  // Environment: the definition's, then the override's, later names winning.
  std::vector<std::pair<std::string, std::string>> env = injected;
  for (const Value* list : {member(&c, "environment"), member(ovr, "environment")})
    if (list)
      for (const auto& e : list->GetArray()) {
        const Value* n = member(&e, "name");
        const Value* v = member(&e, "value");
        if (!n) continue;
        std::string name = n->GetString(), value = v ? v->GetString() : "";
        bool replaced = false;
        for (auto& [k, val] : env)
          if (k == name) val = value, replaced = true;
        if (!replaced) env.emplace_back(name, value);
      }
  w.Key("Env");
  w.StartArray();
  for (const auto& [k, v] : env) {
    std::string line = k + "=" + v;
    w.String(line.c_str(), static_cast<rapidjson::SizeType>(line.size()));
  }
  w.EndArray();
  if (const Value* wd = member(&c, "workingDirectory")) kv(w, "WorkingDir", wd->GetString());
  if (const Value* user = member(&c, "user")) kv(w, "User", user->GetString());
  if (const Value* host = member(&c, "hostname"); host && task.network_mode != "awsvpc") kv(w, "Hostname", host->GetString());

  w.Key("Labels");
  w.StartObject();
  task_labels(w, task, member(&c, "name")->GetString());
  if (const Value* dl = member(&c, "dockerLabels"))
    for (auto it = dl->MemberBegin(); it != dl->MemberEnd(); ++it)
      if (it->value.IsString()) kv(w, it->name.GetString(), it->value.GetString());
  w.EndObject();

  if (const Value* hc = member(&c, "healthCheck")) {
    w.Key("Healthcheck");
    w.StartObject();
    if (const Value* test = member(hc, "command")) {
      w.Key("Test");
      string_array(w, *test);
    }
    w.Key("Interval");
    w.Int64(nanos(member(hc, "interval"), 30));
    w.Key("Timeout");
    w.Int64(nanos(member(hc, "timeout"), 5));
    w.Key("Retries");
    w.Int(member(hc, "retries") ? member(hc, "retries")->GetInt() : 3);
    w.Key("StartPeriod");
    w.Int64(nanos(member(hc, "startPeriod"), 0));
    w.EndObject();
  }
  if (const Value* i = member(&c, "interactive"); i && i->IsBool()) {
    w.Key("OpenStdin");
    w.Bool(i->GetBool());
  }
  if (const Value* t = member(&c, "pseudoTerminal"); t && t->IsBool()) {
    w.Key("Tty");
    w.Bool(t->GetBool());
  }
  w.Key("StopTimeout");
  w.Int(member(&c, "stopTimeout") ? member(&c, "stopTimeout")->GetInt() : 30);

  // Ports: in awsvpc berth publishes them for the whole task (port_proxy.h).
  std::vector<PublishedPort> ports;
  if (task.network_mode != "awsvpc") ports = ports_of(member(&c, "portMappings"));
  if (!ports.empty()) {
    w.Key("ExposedPorts");
    published(w, ports, true);
  }

  w.Key("HostConfig");
  w.StartObject();
  if (task.network_mode == "awsvpc") {
    kv(w, "NetworkMode", "container:" + task.namespace_owner_id);
  } else if (task.network_mode == "host" || task.network_mode == "none") {
    kv(w, "NetworkMode", task.network_mode);
  } else {
    kv(w, "NetworkMode", task.network);
  }
  if (!ports.empty()) {
    w.Key("PortBindings");
    published(w, ports, false);
  }
  // Limits: container memory (hard) and reservation (soft), else the task's memory; CPU shares
  // from container cpu, and the task's cpu as a ceiling in NanoCpus.
  const Value* mem = pick(c, ovr, "memory");
  std::optional<long> memory_mib = mem ? std::optional<long>(mem->GetInt64()) : task.task_memory;
  if (memory_mib) {
    w.Key("Memory");
    w.Int64(*memory_mib * 1024 * 1024);
  }
  if (const Value* res = pick(c, ovr, "memoryReservation")) {
    w.Key("MemoryReservation");
    w.Int64(res->GetInt64() * 1024 * 1024);
  }
  if (const Value* cpu = pick(c, ovr, "cpu"); cpu && cpu->GetInt() > 1) {
    w.Key("CpuShares");
    w.Int(cpu->GetInt());
  }
  if (task.task_cpu) {
    w.Key("NanoCpus");
    w.Int64(*task.task_cpu * 1000000000LL / 1024);
  }
  // Volumes: mountPoints name task volumes (bind mounts or Docker volumes); volumesFrom
  // shares another container's mounts.
  if (const Value* mps = member(&c, "mountPoints"); mps && mps->Size() > 0) {
    w.Key("Binds");
    w.StartArray();
    for (const auto& mp : mps->GetArray()) {
      const Value* src = member(&mp, "sourceVolume");
      const Value* dst = member(&mp, "containerPath");
      if (!src || !dst) continue;
      for (const auto& [name, vol] : task.volumes)
        if (name == src->GetString()) {
          std::string bind = vol.source + ":" + dst->GetString();
          if (const Value* ro = member(&mp, "readOnly"); ro && ro->IsBool() && ro->GetBool()) bind += ":ro";
          w.String(bind.c_str(), static_cast<rapidjson::SizeType>(bind.size()));
        }
    }
    w.EndArray();
  }
  if (const Value* vf = member(&c, "volumesFrom"); vf && vf->Size() > 0) {
    w.Key("VolumesFrom");
    w.StartArray();
    for (const auto& v : vf->GetArray()) {
      const Value* src = member(&v, "sourceContainer");
      if (!src) continue;
      auto it = task.container_ids.find(src->GetString());
      if (it == task.container_ids.end()) continue;
      std::string from = it->second;
      if (const Value* ro = member(&v, "readOnly"); ro && ro->IsBool() && ro->GetBool()) from += ":ro";
      w.String(from.c_str(), static_cast<rapidjson::SizeType>(from.size()));
    }
    w.EndArray();
  }
  if (const Value* dns = member(&c, "dnsServers")) {
    w.Key("Dns");
    string_array(w, *dns);
  }
  if (const Value* search = member(&c, "dnsSearchDomains")) {
    w.Key("DnsSearch");
    string_array(w, *search);
  }
  if (const Value* hosts = member(&c, "extraHosts"); hosts && task.network_mode != "awsvpc") {
    w.Key("ExtraHosts");
    w.StartArray();
    for (const auto& h : hosts->GetArray())
      if (member(&h, "hostname") && member(&h, "ipAddress")) {
        std::string entry = std::string(member(&h, "hostname")->GetString()) + ":" + member(&h, "ipAddress")->GetString();
        w.String(entry.c_str(), static_cast<rapidjson::SizeType>(entry.size()));
      }
    w.EndArray();
  }
  if (const Value* sysctls = member(&c, "systemControls"); sysctls && sysctls->Size() > 0) {
    w.Key("Sysctls");
    w.StartObject();
    for (const auto& sc : sysctls->GetArray())
      if (member(&sc, "namespace") && member(&sc, "value")) kv(w, member(&sc, "namespace")->GetString(), member(&sc, "value")->GetString());
    w.EndObject();
  }
  if (const Value* priv = member(&c, "privileged"); priv && priv->IsBool()) {
    w.Key("Privileged");
    w.Bool(priv->GetBool());
  }
  if (const Value* lp = member(&c, "linuxParameters"))
    if (const Value* caps = member(lp, "capabilities")) {
      for (const char* which : {"add", "drop"})
        if (const Value* list = member(caps, which)) {
          w.Key(std::string_view(which) == "add" ? "CapAdd" : "CapDrop");
          string_array(w, *list);
        }
    }
  if (const Value* ro = member(&c, "readonlyRootFilesystem"); ro && ro->IsBool()) {
    w.Key("ReadonlyRootfs");
    w.Bool(ro->GetBool());
  }
  if (const Value* lp = member(&c, "linuxParameters"))
    if (const Value* init = member(lp, "initProcessEnabled"); init && init->IsBool()) {
      w.Key("Init");
      w.Bool(init->GetBool());
    }
  if (const Value* ul = member(&c, "ulimits")) {
    w.Key("Ulimits");
    w.StartArray();
    for (const auto& u : ul->GetArray()) {
      w.StartObject();
      kv(w, "Name", member(&u, "name")->GetString());
      w.Key("Soft");
      w.Int64(member(&u, "softLimit")->GetInt64());
      w.Key("Hard");
      w.Int64(member(&u, "hardLimit")->GetInt64());
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();  // HostConfig
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace berth::runtime
