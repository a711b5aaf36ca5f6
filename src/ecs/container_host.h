#pragma once
// berth's Docker engine as an ECS container instance: the row RegisterContainerInstance (or the
// first EC2 task of a cluster) writes, its registered resources and attributes, and the
// placement candidates a cluster's instances and their tasks make.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"
#include "ecs/placement.h"
#include "runtime/docker_client.h"
#include "state/db.h"
#include "state/ecs_container_instance_store.h"
#include "state/scope.h"

namespace berth::ecs {

// The Docker daemon's machine (GET /info).
struct ContainerHost {
  int ncpu = 1;
  std::int64_t memory_mib = 0;
  std::string docker_version;
  std::string os_type = "linux";
  std::string architecture = "x86_64";
};

// The container host /info described (memory in MiB, as ECS registers it).
std::optional<ContainerHost> host_of(const std::optional<runtime::HostInfo>& info);

// This machine as sysconf sees it: the fallback before Docker's /info has answered.
ContainerHost local_host();

// The EC2 instance id berth's own engine goes by (the ELB targets of bridge tasks use it too).
inline constexpr std::string_view kEngineInstanceId = "i-0b0e47700000000b0";
// Ports ECS reserves on every instance (ssh, Docker, the agent's introspection).
inline const std::vector<int> kReservedPorts = {22, 2375, 2376, 51678, 51679};

struct InstanceRegistration {
  std::string cluster;
  std::string ec2_instance_id = std::string(kEngineInstanceId);
  std::string availability_zone;   // default REGION + "a"
  std::string instance_type = "berth.docker";
  std::optional<Resources> total;  // RegisterContainerInstance's totalResources; else the host's
  std::vector<std::pair<std::string, std::optional<std::string>>> attributes;  // the caller's, besides ECS's
  std::optional<std::string> capacity_provider;
};

// A new ACTIVE instance row (not stored): a fresh ARN, the host's or given resources, ECS's
// standard attributes (ecs.os-type, ecs.os-family, ecs.cpu-architecture, ecs.availability-zone,
// ecs.instance-type, capabilities) and versionInfo with the Docker version.
state::ContainerInstanceRow new_instance(const state::Scope& scope, const InstanceRegistration& r,
                                         const ContainerHost& host, std::int64_t now_millis);

// Registers the engine in a cluster that never had an instance (the first EC2 task's cluster).
void ensure_engine_instance(state::Connection& db, const state::Scope& scope, std::string_view cluster,
                            const std::optional<ContainerHost>& host, std::int64_t now_millis);

// One entry of registeredResources/remainingResources as ECS shapes it: an INTEGER (CPU, MEMORY)
// or a STRINGSET of ports (PORTS, PORTS_UDP).
void write_resource(json::Writer& w, const char* name, std::int64_t value);
void write_ports(json::Writer& w, const char* name, const std::set<int>& ports);

// Reads an instance row's doc: registered resources, attributes.
Resources registered_resources(const json::Value& doc);
std::vector<std::pair<std::string, std::optional<std::string>>> attributes_of(const json::Value& doc);

// The cluster's instances (INACTIVE ones left out) with what their tasks hold and the facts
// queries ask; `group` is the placing task's group (distinctInstance and spread count it).
std::vector<Candidate> candidates(state::Connection& db, const state::Scope& scope, std::string_view cluster,
                                  std::string_view group);

}  // namespace berth::ecs
