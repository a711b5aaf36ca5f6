#include "runtime/container_spec.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <rapidjson/stringbuffer.h>
#include <sys/socket.h>
#include <unistd.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string_view>
#include <utility>

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

constexpr std::int64_t kMiB = 1024 * 1024;

bool non_empty(const Value* v) { return v && !(v->IsArray() && v->Empty()); }

// ECS's default network mode is bridge.
// Docker's PidMode/IpcMode for a task's pidMode/ipcMode. "task": every container joins the
// pause container's, which lives as long as the task (a container of the task would take the
// others' processes with it when it exits).
std::string task_namespace_mode(const TaskContext& task, const std::string& mode, bool ipc) {
  if (mode == "host" || (ipc && mode == "none")) return mode;
  if (mode != "task" || task.namespace_owner_id.empty()) return "";
  return "container:" + task.namespace_owner_id;
}

bool bridge_mode(const TaskContext& task) { return task.network_mode.empty() || task.network_mode == "bridge"; }

// The container's hard memory limit in MiB: its own (or its override's), else the task's.
std::optional<long> memory_limit_mib(const Value& c, const Value* ovr, const TaskContext& task) {
  if (const Value* mem = pick(c, ovr, "memory")) return mem->GetInt64();
  return task.task_memory;
}

// Windows gMSA credential specs: Docker on Linux refuses them.
bool is_credential_spec(const Value& opt) {
  return opt.IsString() && std::string_view(opt.GetString()).starts_with("credentialspec");
}

// A links entry ("name" or "name:alias") as Docker's "docker-name:alias"; without an alias the
// container is known by its ECS name. Empty when the linked container's Docker name is unknown.
std::string docker_link(const Value& link, const TaskContext& task) {
  if (!link.IsString()) return {};
  std::string_view entry(link.GetString(), link.GetStringLength());
  auto colon = entry.find(':');
  std::string name(entry.substr(0, colon));
  std::string alias(colon == std::string_view::npos ? entry : entry.substr(colon + 1));
  auto it = task.container_names.find(name);
  return it == task.container_names.end() ? std::string() : it->second + ":" + alias;
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

std::vector<std::string> unsupported_fields(const Value& c, const Value* ovr, const TaskContext& task) {
  std::vector<std::string> out;
  for (const char* field :
       {"firelensConfiguration", "resourceRequirements", "credentialSpecs"})
    if (non_empty(member(&c, field))) out.emplace_back(field);
  if (const Value* opts = member(&c, "dockerSecurityOptions"))
    for (const auto& opt : opts->GetArray())
      if (is_credential_spec(opt)) {
        out.emplace_back("dockerSecurityOptions credentialspec");
        break;
      }
  if (const Value* links = member(&c, "links"); non_empty(links)) {
    bool all = bridge_mode(task);
    for (const auto& link : links->GetArray()) all = all && !docker_link(link, task).empty();
    if (!all) out.emplace_back("links");
  }
  // Docker refuses these on a container that joins another's network namespace.
  if (task.network_mode == "awsvpc")
    for (const char* field : {"hostname", "dnsServers", "dnsSearchDomains", "extraHosts"})
      if (non_empty(member(&c, field))) out.emplace_back(field);
  if (const Value* lp = member(&c, "linuxParameters"); member(lp, "maxSwap") && !memory_limit_mib(c, ovr, task))
    out.emplace_back("linuxParameters.maxSwap");
  if (const Value* pm = member(&c, "portMappings"); pm && pm->IsArray())
    for (const auto& m : pm->GetArray())
      if (member(&m, "containerPortRange")) {
        out.emplace_back("portMappings.containerPortRange");
        break;
      }
  if (const Value* lc = member(&c, "logConfiguration")) {
    if (const Value* d = member(lc, "logDriver"); d && std::string_view(d->GetString()) == "awsfirelens")
      out.emplace_back("logConfiguration awsfirelens");
    if (non_empty(member(lc, "secretOptions"))) out.emplace_back("logConfiguration.secretOptions");
  }
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
  kv(w, "IpcMode", "shareable");  // for ipcMode "task": the task's containers join it
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

namespace {
// tmpfs mounts as Docker's {path: "size=<N>m,option,..."}: the size in MiB, then the mount options.
void tmpfs(Writer& w, const Value& mounts) {
  w.Key("Tmpfs");
  w.StartObject();
  for (const auto& m : mounts.GetArray()) {
    const Value* path = member(&m, "containerPath");
    const Value* size = member(&m, "size");
    if (!path || !size) continue;
    std::string options = "size=" + std::to_string(size->GetInt64()) + "m";
    if (const Value* opts = member(&m, "mountOptions"))
      for (const auto& o : opts->GetArray())
        if (o.IsString()) options += std::string(",") + o.GetString();
    kv(w, path->GetString(), options);
  }
  w.EndObject();
}

// Device cgroup permissions as Docker's "rwm" letters; ECS grants all three when none are named.
std::string cgroup_permissions(const Value* permissions) {
  if (!non_empty(permissions)) return "rwm";
  static constexpr std::pair<std::string_view, char> kLetters[] = {{"read", 'r'}, {"write", 'w'}, {"mknod", 'm'}};
  std::string out;
  for (const auto& [name, letter] : kLetters)
    for (const auto& p : permissions->GetArray())
      if (p.IsString() && p.GetString() == name) {
        out += letter;
        break;
      }
  return out;
}

void devices(Writer& w, const Value& list) {
  w.Key("Devices");
  w.StartArray();
  for (const auto& d : list.GetArray()) {
    const Value* host = member(&d, "hostPath");
    if (!host) continue;
    const Value* inside = member(&d, "containerPath");
    w.StartObject();
    kv(w, "PathOnHost", host->GetString());
    kv(w, "PathInContainer", (inside ? inside : host)->GetString());  // the same path when none is given
    kv(w, "CgroupPermissions", cgroup_permissions(member(&d, "permissions")));
    w.EndObject();
  }
  w.EndArray();
}

// maxSwap is the swap a container may use beyond its memory, while Docker's MemorySwap counts
// memory plus swap (0 swap: MemorySwap = Memory). Docker refuses MemorySwap without a memory
// limit, so then the host's swap settings stay (unsupported_fields says so). ECS applies
// swappiness only with maxSwap, and 60 when it is not given.
void swap(Writer& w, const Value& lp, std::optional<long> memory_mib) {
  const Value* max_swap = member(&lp, "maxSwap");
  if (!max_swap) return;
  if (memory_mib) {
    w.Key("MemorySwap");
    w.Int64((*memory_mib + max_swap->GetInt64()) * kMiB);
  }
  const Value* swappiness = member(&lp, "swappiness");
  w.Key("MemorySwappiness");
  w.Int64(swappiness ? swappiness->GetInt64() : 60);
}

// The linuxParameters Docker takes as host settings; initProcessEnabled and capabilities are
// written with the other flags.
void linux_parameters(Writer& w, const Value& lp, std::optional<long> memory_mib) {
  if (const Value* shm = member(&lp, "sharedMemorySize")) {
    w.Key("ShmSize");
    w.Int64(shm->GetInt64() * kMiB);
  }
  if (const Value* mounts = member(&lp, "tmpfs"); non_empty(mounts)) tmpfs(w, *mounts);
  if (const Value* list = member(&lp, "devices"); non_empty(list)) devices(w, *list);
  swap(w, lp, memory_mib);
}

void security_options(Writer& w, const Value& opts) {
  w.Key("SecurityOpt");
  w.StartArray();
  for (const auto& o : opts.GetArray())
    if (o.IsString() && !is_credential_spec(o)) w.String(o.GetString(), o.GetStringLength());
  w.EndArray();
}

// Docker's own log drivers with their options. awslogs is left to berth's log follower (Docker's
// driver would need AWS credentials in the daemon); awsfirelens has no router here.
void log_config(Writer& w, const Value& lc) {
  const Value* driver = member(&lc, "logDriver");
  if (!driver) return;
  std::string_view name = driver->GetString();
  if (name == "awslogs" || name == "awsfirelens") return;
  w.Key("LogConfig");
  w.StartObject();
  kv(w, "Type", std::string(name));
  w.Key("Config");
  w.StartObject();
  if (const Value* opts = member(&lc, "options"))
    for (auto it = opts->MemberBegin(); it != opts->MemberEnd(); ++it)
      if (it->value.IsString()) kv(w, it->name.GetString(), it->value.GetString());
  w.EndObject();
  w.EndObject();
}

// Links on berth's user-defined network: Docker ignores HostConfig.Links there and takes them
// per endpoint, by Docker name.
void links(Writer& w, const Value& list, const TaskContext& task) {
  std::vector<std::string> resolved;
  for (const auto& link : list.GetArray())
    if (std::string l = docker_link(link, task); !l.empty()) resolved.push_back(std::move(l));
  if (resolved.empty()) return;
  w.Key("NetworkingConfig");
  w.StartObject();
  w.Key("EndpointsConfig");
  w.StartObject();
  w.Key(task.network.c_str());
  w.StartObject();
  w.Key("Links");
  w.StartArray();
  for (const auto& l : resolved) w.String(l.c_str(), static_cast<rapidjson::SizeType>(l.size()));
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();
}
}  // namespace

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
  if (const Value* off = member(&c, "disableNetworking"); off && off->IsBool() && off->GetBool()) {
    w.Key("NetworkDisabled");  // only loopback, in every network mode
    w.Bool(true);
  }

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
  if (std::string pid = task_namespace_mode(task, task.pid_mode, false); !pid.empty()) kv(w, "PidMode", pid);
  if (std::string ipc = task_namespace_mode(task, task.ipc_mode, true); !ipc.empty()) kv(w, "IpcMode", ipc);
  // Limits: container memory (hard) and reservation (soft), else the task's memory; CPU shares
  // from container cpu, and the task's cpu as a ceiling in NanoCpus.
  std::optional<long> memory_mib = memory_limit_mib(c, ovr, task);
  if (memory_mib) {
    w.Key("Memory");
    w.Int64(*memory_mib * kMiB);
  }
  if (const Value* res = pick(c, ovr, "memoryReservation")) {
    w.Key("MemoryReservation");
    w.Int64(res->GetInt64() * kMiB);
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
  // A container joining the pause container's namespace shares its resolv.conf and hosts file:
  // Docker refuses DNS servers, hosts entries and a hostname on it.
  bool own_namespace = task.network_mode != "awsvpc";
  if (const Value* dns = member(&c, "dnsServers"); dns && own_namespace) {
    w.Key("Dns");
    string_array(w, *dns);
  }
  if (const Value* search = member(&c, "dnsSearchDomains"); search && own_namespace) {
    w.Key("DnsSearch");
    string_array(w, *search);
  }
  if (const Value* hosts = member(&c, "extraHosts"); hosts && own_namespace) {
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
  if (const Value* lp = member(&c, "linuxParameters")) linux_parameters(w, *lp, memory_mib);
  if (const Value* opts = member(&c, "dockerSecurityOptions"); non_empty(opts)) security_options(w, *opts);
  if (const Value* lc = member(&c, "logConfiguration")) log_config(w, *lc);
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
  if (const Value* list = member(&c, "links"); non_empty(list) && bridge_mode(task)) links(w, *list, task);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace berth::runtime
