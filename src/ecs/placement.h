#pragma once
// Where an EC2 task goes: placement constraints (memberOf with the cluster query language,
// distinctInstance), placement strategies (binpack, spread, random) and the resource fit
// (CPU units, memory MiB, host ports) over the cluster's container instances, as ECS places
// tasks. Pure: the caller reads instances and tasks and writes the choice.
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "common/aws_error.h"
#include "common/json.h"
#include "ecs/cluster_query.h"

namespace berth::ecs {

// CPU units, memory MiB and host ports: what an instance registers, what tasks hold or ask.
struct Resources {
  std::int64_t cpu = 0;
  std::int64_t memory = 0;
  std::set<int> tcp_ports, udp_ports;
};

struct Candidate {
  std::string arn;
  std::string id;  // the last part of the ARN
  std::string status = "ACTIVE";
  bool agent_connected = true;
  Resources registered;
  Resources held;  // by the tasks placed on it (and those placed earlier in this call)
  InstanceFacts facts;
  int group_tasks = 0;  // tasks of the placing task's group on it (distinctInstance, spread)
  int pending_tasks = 0;  // its tasks not yet RUNNING (facts.running_tasks counts the RUNNING)
};

struct Constraint {
  std::string type;  // memberOf or distinctInstance
  std::optional<ClusterQuery> query;
};
struct Strategy {
  std::string type;   // binpack, spread, random
  std::string field;  // binpack: cpu or memory; spread: instanceId, host or attribute:NAME
};

// The constraints of a task definition (memberOf only) and of the request together, checked as
// ECS checks them (types, expressions, at most 10), or the InvalidParameterException.
std::variant<std::vector<Constraint>, AwsError> parse_constraints(const json::Value* definition_constraints,
                                                                  const json::Value* request_constraints);
// At most 5 strategies with their fields, or the InvalidParameterException.
std::variant<std::vector<Strategy>, AwsError> parse_strategies(const json::Value* strategies);

// What EC2 task placement asks of an instance: the task's cpu and memory (task level, else the
// sum of its containers' cpu and memoryReservation or memory) and fixed host ports.
Resources task_demand(const json::Value& definition, const json::Value* overrides, std::string_view task_cpu,
                      std::string_view task_memory);

// Why an instance cannot take the task: "MemberOf placement constraint unsatisfied.",
// "DistinctInstance placement constraint unsatisfied.", RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS.
std::optional<std::string> refusal(const Candidate& c, const Resources& demand, const std::vector<Constraint>& constraints);

struct Choice {
  std::optional<std::size_t> index;  // the chosen candidate
  // When none: each ACTIVE instance's reason (RunTask's failures, with the instance ARN).
  std::vector<std::pair<std::string, std::string>> refusals;
};

// Picks one instance for one task: ACTIVE instances with a connected agent that satisfy every
// constraint and fit, ordered by the strategies in turn (ties by the next one; the first
// registered last). The caller adds the demand to the chosen one before placing another task.
Choice choose(const std::vector<Candidate>& candidates, const Resources& demand,
              const std::vector<Constraint>& constraints, const std::vector<Strategy>& strategies, std::mt19937& rng);

// The service event ECS writes when a task of the service cannot be placed. `closest` is the
// instance that came nearest and its refusal; none when the cluster has no active instance.
std::string unable_to_place_event(std::string_view service, const std::optional<std::pair<std::string, std::string>>& closest);

// ECS's answer when a cluster has no container instance to place an EC2 task on.
inline constexpr std::string_view kNoInstances = "No Container Instances were found in your cluster.";

}  // namespace berth::ecs
