#include "ecs/host_access.h"

namespace berth::ecs {
namespace {
using json::Value;

bool non_empty(const Value* v) {
  if (!v || v->IsNull()) return false;
  if (v->IsArray()) return v->Size() > 0;
  if (v->IsObject()) return v->MemberCount() > 0;
  if (v->IsString()) return v->GetStringLength() > 0;
  return true;
}

const Value* linux_parameter(const Value& c, const char* name) {
  const Value* lp = json::member(c, "linuxParameters");
  return lp && lp->IsObject() ? json::member(*lp, name) : nullptr;
}

bool host_source_path(const Value& volume) {
  const Value* host = json::member(volume, "host");
  return host && host->IsObject() && non_empty(json::member(*host, "sourcePath"));
}

template <class F>
std::optional<std::string> each_container(const Value& td, F&& f) {
  const Value* containers = json::member(td, "containerDefinitions");
  if (!containers || !containers->IsArray()) return std::nullopt;
  for (const auto& c : containers->GetArray())
    if (c.IsObject())
      if (auto refusal = f(c)) return refusal;
  return std::nullopt;
}

template <class F>
std::optional<std::string> each_volume(const Value& td, F&& f) {
  const Value* volumes = json::member(td, "volumes");
  if (!volumes || !volumes->IsArray()) return std::nullopt;
  for (const auto& v : volumes->GetArray())
    if (v.IsObject())
      if (auto refusal = f(v)) return refusal;
  return std::nullopt;
}

std::string fargate_lacks(std::string_view what) {
  return "Fargate compatible task definitions do not support " + std::string(what);
}

// For EC2 and EXTERNAL tasks: the fields that hand a container the host, named in the refusal.
std::optional<std::string> host_field(const Value& td) {
  auto network = json::get_string(td, "networkMode");
  if (network == std::string_view("host")) return "networkMode 'host'";
  if (json::get_string(td, "pidMode") == std::string_view("host")) return "pidMode 'host'";
  if (json::get_string(td, "ipcMode") == std::string_view("host")) return "ipcMode 'host'";
  if (auto v = each_volume(td, [](const Value& vol) -> std::optional<std::string> {
        if (host_source_path(vol)) return "host.sourcePath";
        // The local driver's "device" option bind-mounts any host path.
        const Value* dvc = json::member(vol, "dockerVolumeConfiguration");
        if (dvc && dvc->IsObject() && non_empty(json::member(*dvc, "driverOpts"))) return "dockerVolumeConfiguration driverOpts";
        return std::nullopt;
      }))
    return v;
  return each_container(td, [](const Value& c) -> std::optional<std::string> {
    if (json::get_bool(c, "privileged").value_or(false)) return "privileged";
    if (non_empty(linux_parameter(c, "devices"))) return "linuxParameters.devices";
    if (const Value* caps = linux_parameter(c, "capabilities"); caps && caps->IsObject() && non_empty(json::member(*caps, "add")))
      return "linuxParameters.capabilities.add";
    if (non_empty(json::member(c, "dockerSecurityOptions"))) return "dockerSecurityOptions";
    return std::nullopt;
  });
}
}  // namespace

std::optional<std::string> fargate_refusal(const Value& td) {
  if (auto network = json::get_string(td, "networkMode"); network && *network != "awsvpc")
    return std::string("Fargate only supports network mode \u2018awsvpc\u2019.");
  if (json::member(td, "ipcMode")) return std::string("Tasks using the Fargate launch type do not support ipcMode.");
  if (auto pid = json::get_string(td, "pidMode"); pid && *pid != "task")
    return "Tasks using the Fargate launch type do not support pidMode '" + std::string(*pid) +
           "'. The supported value for pidMode is 'task'.";
  if (non_empty(json::member(td, "placementConstraints"))) return fargate_lacks("placementConstraints");
  if (auto v = each_volume(td, [](const Value& vol) -> std::optional<std::string> {
        if (host_source_path(vol)) return fargate_lacks("sourcePath");
        if (json::member(vol, "dockerVolumeConfiguration")) return fargate_lacks("dockerVolumeConfiguration");
        return std::nullopt;
      }))
    return v;
  return each_container(td, [](const Value& c) -> std::optional<std::string> {
    if (json::get_bool(c, "privileged").value_or(false))
      return std::string("Tasks using the Fargate launch type do not support privileged containers.");
    for (const char* field : {"disableNetworking", "dnsSearchDomains", "dnsServers", "dockerSecurityOptions",
                              "extraHosts", "links"})
      if (const Value* v = json::member(c, field); v && !v->IsNull() && !(v->IsBool() && !v->GetBool()))
        return fargate_lacks(field);
    for (const char* field : {"devices", "sharedMemorySize", "tmpfs", "maxSwap", "swappiness"})
      if (const Value* v = linux_parameter(c, field); v && !v->IsNull()) return fargate_lacks(std::string("linuxParameters.") + field);
    if (const Value* caps = linux_parameter(c, "capabilities"); caps && caps->IsObject())
      if (const Value* add = json::member(*caps, "add"); add && add->IsArray())
        for (const auto& cap : add->GetArray())
          if (!cap.IsString() || (json::view(cap) != "SYS_PTRACE" && json::view(cap) != "CAP_SYS_PTRACE"))
            return std::string("Fargate compatible task definitions only support adding the SYS_PTRACE capability");
    if (const Value* rr = json::member(c, "resourceRequirements"); rr && rr->IsArray())
      for (const auto& r : rr->GetArray())
        if (json::get_string(r, "type") == std::string_view("GPU")) return fargate_lacks("GPU resource requirements");
    return std::nullopt;
  });
}

std::optional<std::string> host_access_refusal(const Value& td, std::string_view launch_type, bool allow_host_access) {
  if (launch_type == "FARGATE") return fargate_refusal(td);
  if (allow_host_access) return std::nullopt;
  if (auto field = host_field(td))
    return "This task definition uses " + *field + ", which gives its containers this machine's host; berth runs " +
           std::string(launch_type) + " tasks with it only when started with --allow-host-access";
  return std::nullopt;
}

}  // namespace berth::ecs
