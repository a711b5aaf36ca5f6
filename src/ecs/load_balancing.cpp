#include "ecs/load_balancing.h"

#include <rapidjson/document.h>

namespace berth::ecs {

std::vector<LoadBalancerRef> load_balancers_of(const json::Value& doc) {
  std::vector<LoadBalancerRef> out;
  const json::Value* lbs = json::member(doc, "loadBalancers");
  if (!lbs || !lbs->IsArray()) return out;
  for (const auto& lb : lbs->GetArray()) {
    auto tg = json::get_string(lb, "targetGroupArn");
    if (!tg || tg->empty()) continue;  // a Classic load balancer (loadBalancerName) has no targets here
    out.push_back({std::string(*tg), std::string(json::get_string(lb, "containerName").value_or("")),
                   static_cast<int>(json::get_int(lb, "containerPort").value_or(0))});
  }
  return out;
}

std::optional<TargetAddress> target_address(const state::TaskRow& task, std::string_view network_mode,
                                            std::string_view private_ip, const LoadBalancerRef& lb) {
  if (network_mode == "awsvpc") {
    if (private_ip.empty()) return std::nullopt;
    return TargetAddress{std::string(private_ip), lb.container_port};
  }
  for (const auto& c : task.containers) {
    if (c.name != lb.container_name || !c.network_bindings) continue;
    rapidjson::Document d;
    d.Parse(c.network_bindings->c_str(), c.network_bindings->size());
    if (!d.IsArray()) return std::nullopt;
    for (const auto& b : d.GetArray()) {
      auto cp = json::get_int(b, "containerPort");
      auto hp = json::get_int(b, "hostPort");
      if (cp && hp && *cp == lb.container_port && *hp > 0 &&
          json::get_string(b, "protocol").value_or("tcp") == std::string_view("tcp"))
        return TargetAddress{std::string(kHostInstanceId), static_cast<int>(*hp)};
    }
  }
  return std::nullopt;
}

TargetVerdict verdict(const std::vector<TargetHealth>& targets) {
  bool pending = false;
  for (const auto& t : targets) {
    if (t.state == "unhealthy") return TargetVerdict::Unhealthy;
    if (t.state != "healthy") pending = true;
  }
  return pending ? TargetVerdict::Pending : TargetVerdict::Healthy;
}

bool past_grace(const state::TaskRow& task, std::int64_t grace_millis, std::int64_t now_millis) {
  return task.last_status == "RUNNING" && task.started_at && now_millis - *task.started_at >= grace_millis;
}

std::string elb_stop_reason(std::string_view tg) {
  return "Task failed ELB health checks in (target-group " + std::string(tg) + ")";
}

namespace events {
std::string registered_targets(std::string_view service, std::string_view tg) {
  return "(service " + std::string(service) + ") registered 1 targets in (target-group " + std::string(tg) + ")";
}
std::string deregistered_targets(std::string_view service, std::string_view tg) {
  return "(service " + std::string(service) + ") deregistered 1 targets in (target-group " + std::string(tg) + ")";
}
std::string began_draining(std::string_view service, std::string_view deployment) {
  return "(service " + std::string(service) + ", taskSet " + std::string(deployment) +
         ") has begun draining connections on 1 tasks.";
}
std::string target_unhealthy(std::string_view service, std::string_view task_id, const TargetAddress& target,
                             std::string_view tg, std::string_view reason) {
  std::string who = target.id == kHostInstanceId ? "(instance " + target.id + ")" : "(task " + std::string(task_id) + ")";
  return "(service " + std::string(service) + ") " + who + " (port " + std::to_string(target.port) +
         ") is unhealthy in (target-group " + std::string(tg) + ") due to (reason " + std::string(reason) + ")";
}
}  // namespace events

}  // namespace berth::ecs
