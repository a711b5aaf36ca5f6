#pragma once
// Which load balancer targets the service scheduler registered for which task. A row is written
// in the same transaction as the target it records (Elbv2Store::register_target), so after a
// kill -9 the scheduler still knows every target it owns: targets of tasks that are gone are
// deregistered on the next pass, and DeleteService waits until none is left.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"

namespace berth::state {

struct ServiceTargetRow {
  std::string task_arn, tg_arn;
  std::string service_arn;
  std::string target_id;  // the task's IP (awsvpc) or berth's instance id (bridge, host)
  int port = 0;
  // Set once the scheduler deregistered the target: draining until this time (epoch millis).
  std::optional<std::int64_t> draining_until;
  // Set when the target drains because the scheduler stops the task: the task's stoppedReason,
  // applied once the target has left its group.
  std::optional<std::string> stop_reason;
};

class ServiceTargetStore {
 public:
  explicit ServiceTargetStore(Connection& c) : c_(c) {}

  std::vector<ServiceTargetRow> of_service(std::string_view service_arn);
  void put(const ServiceTargetRow& row);  // insert or replace by (task, target group)
  void remove(std::string_view task_arn, std::string_view tg_arn);
  // The services that registered targets in any of these groups (distinct).
  std::vector<std::string> services_in(const std::vector<std::string>& tg_arns);

 private:
  Connection& c_;
};

}  // namespace berth::state
