#pragma once
// What a service's loadBalancers mean for its tasks, without state or threads: where the load
// balancer reaches a task's container (the target ECS registers), when the target's health
// decides the task's, and the event and stoppedReason texts in ECS's words
// (../shared/research/services.md A5, A7).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "state/ecs_task_store.h"

namespace berth::ecs {

// One entry of a service's loadBalancers (target group, container, port).
struct LoadBalancerRef {
  std::string target_group_arn, container_name;
  int container_port = 0;
};
// The loadBalancers member of a service or deployment document (empty without one).
std::vector<LoadBalancerRef> load_balancers_of(const json::Value& doc);

// berth's one container instance: bridge and host tasks are registered as this EC2 instance and
// their host port, which the data plane reaches on 127.0.0.1 (instance targets are berth's host).
constexpr std::string_view kHostInstanceId = "i-0b0e47700000000b0";

struct TargetAddress {
  std::string id;  // the task's IPv4 address (awsvpc) or kHostInstanceId
  int port = 0;
  bool operator==(const TargetAddress&) const = default;
};
// Where the target of `lb` is for a RUNNING task: awsvpc, its private IP and containerPort;
// bridge and host, berth's instance and the host port published for containerPort. Nothing while
// the address or the binding is not known yet.
std::optional<TargetAddress> target_address(const state::TaskRow& task, std::string_view network_mode,
                                            std::string_view private_ip, const LoadBalancerRef& lb);

// What the targets of one task say, gathered over its target groups.
enum class TargetVerdict {
  Healthy,    // every target registered and healthy
  Pending,    // some target not registered yet, or still initial
  Unhealthy,  // some target unhealthy
};
struct TargetHealth {
  std::string state;                       // healthy, initial, unhealthy, draining; empty: gone
  std::optional<std::string> description;  // the reason text ELBv2 shows
};
TargetVerdict verdict(const std::vector<TargetHealth>& targets);

// A task is replaced for failed ELB health checks once it is RUNNING past the grace period
// (healthCheckGracePeriodSeconds after it started) and a target reports unhealthy.
bool past_grace(const state::TaskRow& task, std::int64_t grace_millis, std::int64_t now_millis);

// stoppedReason of a task replaced for failed ELB health checks.
std::string elb_stop_reason(std::string_view target_group_arn);

namespace events {
std::string registered_targets(std::string_view service, std::string_view target_group_arn);
std::string deregistered_targets(std::string_view service, std::string_view target_group_arn);
std::string began_draining(std::string_view service, std::string_view deployment);
// `task_id` names the task (awsvpc); bridge and host targets are named by instance instead.
std::string target_unhealthy(std::string_view service, std::string_view task_id, const TargetAddress& target,
                             std::string_view target_group_arn, std::string_view reason);
}  // namespace events

}  // namespace berth::ecs
