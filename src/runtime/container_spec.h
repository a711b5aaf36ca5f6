#pragma once
// A task definition's container definition, with RunTask's overrides, as a Docker Engine API
// create request.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace berth::runtime {

struct PublishedPort {
  int container_port = 0;
  std::string protocol = "tcp";
  int host_port = 0;  // asked for in portMappings; used when free on 127.0.0.1
};

// The ports of a portMappings list.
std::vector<PublishedPort> ports_of(const rapidjson::Value* port_mappings);

struct TaskContext {
  std::string cluster;
  std::string task_arn;
  std::string family;
  long revision = 0;
  std::string network_mode;           // awsvpc, bridge, host, none
  std::string namespace_owner_id;     // the pause container whose namespaces all join (awsvpc, task pid/ipc)
  std::string network;                // the Docker network of the task's namespace
  std::string instance;               // which berth (its data dir) owns the container
  // The task definition's pidMode and ipcMode (host, task, none). For "task" the pause container
  // (namespace_owner_id) holds the namespaces, in every network mode, as the ECS agent does.
  std::string pid_mode, ipc_mode;
  std::optional<long> task_cpu;       // CPU units
  std::optional<long> task_memory;    // MiB
  // Task volumes by name: a host path for bind mounts, else the Docker volume to use.
  struct Volume {
    std::string source;
    bool host_path = false;
  };
  std::vector<std::pair<std::string, Volume>> volumes;
  std::map<std::string, std::string> container_ids;  // for volumesFrom: container name -> Docker id
  // For links: container name -> Docker container name, for every container of the task. A link
  // on a user-defined network resolves a Docker name (not an id) when it is looked up, so the
  // linked container need not exist yet.
  std::map<std::string, std::string> container_names;
};

// Container definition fields this task's container cannot have (FireLens, GPUs and
// accelerators, Windows credential specs; and, depending on the task: maxSwap without a memory
// limit, links whose Docker name is unknown or outside bridge mode, DNS and hosts entries in
// awsvpc), so the engine can say so instead of dropping them silently. Secrets, environment
// files and registry credentials are the engine's (secret_values.h). `override` is the
// containerOverrides entry or null; without the task's context, links count as unresolved and
// only the container's own memory as a limit.
std::vector<std::string> unsupported_fields(const rapidjson::Value& container, const rapidjson::Value* override = nullptr,
                                            const TaskContext& task = TaskContext{});

// Labels every berth container carries; `docker ps --filter label=...` finds a task's containers.
namespace labels {
inline constexpr const char* kBerth = "berth.managed";
inline constexpr const char* kInstance = "berth.instance";
inline constexpr const char* kPool = "berth.pool";  // a pause container made ahead of its task
inline constexpr const char* kCluster = "com.amazonaws.ecs.cluster";
inline constexpr const char* kTaskArn = "com.amazonaws.ecs.task-arn";
inline constexpr const char* kFamily = "com.amazonaws.ecs.task-definition-family";
inline constexpr const char* kRevision = "com.amazonaws.ecs.task-definition-version";
inline constexpr const char* kContainer = "com.amazonaws.ecs.container-name";
}  // namespace labels

// A pause container: it holds an awsvpc task's network namespace. Made before any task asks
// for it (namespace_pool.h), so it carries no task labels; its name says whose it is.
std::string pause_create_body(const std::string& image, const std::string& network, const std::string& instance);

// `container` is one containerDefinitions entry; `override` the matching containerOverrides
// entry or null. Returns the create body.
// `injected` is the environment ECS gives every container (metadata and credentials URIs,
// region); the definition's and the override's variables come after it.
std::string container_create_body(const rapidjson::Value& container, const rapidjson::Value* override,
                                  const std::string& image, const TaskContext& task,
                                  const std::vector<std::pair<std::string, std::string>>& injected = {});

}  // namespace berth::runtime
