#pragma once
// Application Auto Scaling state per account and region: scalable targets (with when they
// last scaled, for cooldowns), scaling policies, and the activities of their actions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct TargetKey {
  std::string service_namespace, resource_id, scalable_dimension;
};

struct ScalableTargetRow {
  TargetKey key;
  std::string arn;
  std::int64_t min_capacity = 0, max_capacity = 0;
  std::string role_arn;
  std::string suspended = "{}";
  std::int64_t created = 0;
  std::optional<std::int64_t> last_scale_out, last_scale_in;
};

struct ScalingPolicyRow {
  std::string arn, name;
  TargetKey key;
  std::string policy_type;
  std::string config = "{}";
  std::string alarms = "[]";
  std::int64_t created = 0;
};

struct ScalingActivityRow {
  std::int64_t seq = 0;
  std::string activity_id;
  TargetKey key;
  std::string description, cause;
  std::int64_t start_time = 0;
  std::optional<std::int64_t> end_time;
  std::string status_code, status_message;
};

struct ScheduledActionRow {
  std::string arn, name;
  TargetKey key;
  std::string schedule;
  std::optional<std::string> timezone;
  std::optional<std::int64_t> start_time, end_time, min_capacity, max_capacity;
  std::int64_t created = 0;
  std::optional<std::int64_t> next_fire;
};

class ScalingStore {
 public:
  ScalingStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  std::optional<ScalableTargetRow> target(const TargetKey& key);
  void put_target(const ScalableTargetRow& row);
  // Removes the target with its policies and activities.
  void delete_target(const TargetKey& key);
  // Targets of a namespace (optionally one dimension), by resource id after `after`.
  std::vector<ScalableTargetRow> targets(std::string_view ns, std::optional<std::string_view> dimension,
                                         std::string_view after, int limit);
  bool target_arn_exists(std::string_view arn);
  void note_scaled(const TargetKey& key, bool out, std::int64_t now);

  std::optional<ScalingPolicyRow> policy(const TargetKey& key, std::string_view name);
  std::optional<ScalingPolicyRow> policy_by_arn(std::string_view arn);
  void put_policy(const ScalingPolicyRow& row);
  void delete_policy(std::string_view arn);
  // Policies of a namespace, optionally of one resource and dimension, by ARN after `after`.
  std::vector<ScalingPolicyRow> policies(std::string_view ns, std::optional<std::string_view> resource_id,
                                         std::optional<std::string_view> dimension, std::string_view after, int limit);

  std::optional<ScheduledActionRow> scheduled_action(const TargetKey& key, std::string_view name);
  void put_scheduled_action(const ScheduledActionRow& row);
  void delete_scheduled_action(std::string_view arn);
  void set_next_fire(std::string_view arn, std::optional<std::int64_t> next_fire);
  // Scheduled actions of a namespace, optionally of one resource and dimension, by ARN after `after`.
  std::vector<ScheduledActionRow> scheduled_actions(std::string_view ns, std::optional<std::string_view> resource_id,
                                                    std::optional<std::string_view> dimension, std::string_view after,
                                                    int limit);
  // Every account's and region's scheduled actions due at `now` (the runner's pass).
  static std::vector<std::pair<Scope, ScheduledActionRow>> due_scheduled_actions(Connection& c, std::int64_t now);

  void add_activity(const ScalingActivityRow& a);
  // Newest first, seq below `before` (0: from the newest).
  std::vector<ScalingActivityRow> activities(std::string_view ns, std::optional<std::string_view> resource_id,
                                             std::optional<std::string_view> dimension, std::int64_t before, int limit);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
