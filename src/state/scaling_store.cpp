#include "state/scaling_store.h"

namespace berth::state {
namespace {
std::optional<std::string> opt(std::optional<std::string_view> v) {
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}
constexpr const char* kTargetColumns =
    "SELECT service_namespace, resource_id, scalable_dimension, arn, min_capacity, max_capacity, role_arn, suspended, "
    "created, last_scale_out, last_scale_in FROM scalable_targets ";
ScalableTargetRow target_of(Query& q) {
  return {{q.str(0), q.str(1), q.str(2)}, q.str(3), q.int64(4), q.int64(5), q.str(6), q.str(7), q.int64(8),
          q.opt_int64(9), q.opt_int64(10)};
}
constexpr const char* kPolicyColumns =
    "SELECT arn, name, service_namespace, resource_id, scalable_dimension, policy_type, config, alarms, created "
    "FROM scaling_policies ";
ScalingPolicyRow policy_of(Query& q) {
  return {q.str(0), q.str(1), {q.str(2), q.str(3), q.str(4)}, q.str(5), q.str(6), q.str(7), q.int64(8)};
}
constexpr const char* kScheduledColumns =
    "SELECT arn, name, service_namespace, resource_id, scalable_dimension, schedule, timezone, start_time, end_time, "
    "min_capacity, max_capacity, created, next_fire, account, region FROM scaling_scheduled_actions ";
ScheduledActionRow scheduled_of(Query& q) {
  return {q.str(0), q.str(1), {q.str(2), q.str(3), q.str(4)}, q.str(5), q.opt_str(6), q.opt_int64(7), q.opt_int64(8),
          q.opt_int64(9), q.opt_int64(10), q.int64(11), q.opt_int64(12)};
}
}  // namespace

std::optional<ScalableTargetRow> ScalingStore::target(const TargetKey& k) {
  auto q = c_.query(std::string(kTargetColumns) +
                        "WHERE account = ? AND region = ? AND service_namespace = ? AND resource_id = ? AND scalable_dimension = ?",
                    scope_.account, scope_.region, k.service_namespace, k.resource_id, k.scalable_dimension);
  if (!q.step()) return std::nullopt;
  return target_of(q);
}

void ScalingStore::put_target(const ScalableTargetRow& t) {
  c_.query(
        "INSERT INTO scalable_targets (account, region, service_namespace, resource_id, scalable_dimension, arn, "
        "min_capacity, max_capacity, role_arn, suspended, created, last_scale_out, last_scale_in) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET min_capacity = excluded.min_capacity, "
        "max_capacity = excluded.max_capacity, role_arn = excluded.role_arn, suspended = excluded.suspended",
        scope_.account, scope_.region, t.key.service_namespace, t.key.resource_id, t.key.scalable_dimension, t.arn,
        t.min_capacity, t.max_capacity, t.role_arn, t.suspended, t.created, t.last_scale_out, t.last_scale_in)
      .run();
}

void ScalingStore::delete_target(const TargetKey& k) {
  for (const char* table : {"scalable_targets", "scaling_policies", "scaling_activities", "scaling_scheduled_actions"})
    c_.query(std::string("DELETE FROM ") + table +
                 " WHERE account = ? AND region = ? AND service_namespace = ? AND resource_id = ? AND scalable_dimension = ?",
             scope_.account, scope_.region, k.service_namespace, k.resource_id, k.scalable_dimension)
        .run();
}

std::vector<ScalableTargetRow> ScalingStore::targets(std::string_view ns, std::optional<std::string_view> dimension,
                                                     std::string_view after, int limit) {
  std::vector<ScalableTargetRow> out;
  auto q = c_.query(std::string(kTargetColumns) +
                        "WHERE account = ?1 AND region = ?2 AND service_namespace = ?3 AND (?4 IS NULL OR scalable_dimension = ?4) "
                        "AND resource_id || ' ' || scalable_dimension > ?5 ORDER BY resource_id, scalable_dimension LIMIT ?6",
                    scope_.account, scope_.region, ns, opt(dimension), after, limit);
  while (q.step()) out.push_back(target_of(q));
  return out;
}

bool ScalingStore::target_arn_exists(std::string_view arn) {
  auto q = c_.query("SELECT 1 FROM scalable_targets WHERE arn = ? AND account = ? AND region = ?", arn, scope_.account,
                    scope_.region);
  return q.step();
}

void ScalingStore::note_scaled(const TargetKey& k, bool out, std::int64_t now) {
  c_.query(std::string("UPDATE scalable_targets SET ") + (out ? "last_scale_out" : "last_scale_in") +
               " = ? WHERE account = ? AND region = ? AND service_namespace = ? AND resource_id = ? AND scalable_dimension = ?",
           now, scope_.account, scope_.region, k.service_namespace, k.resource_id, k.scalable_dimension)
      .run();
}

std::optional<ScalingPolicyRow> ScalingStore::policy(const TargetKey& k, std::string_view name) {
  auto q = c_.query(std::string(kPolicyColumns) +
                        "WHERE account = ? AND region = ? AND service_namespace = ? AND resource_id = ? AND "
                        "scalable_dimension = ? AND name = ?",
                    scope_.account, scope_.region, k.service_namespace, k.resource_id, k.scalable_dimension, name);
  if (!q.step()) return std::nullopt;
  return policy_of(q);
}

std::optional<ScalingPolicyRow> ScalingStore::policy_by_arn(std::string_view arn) {
  auto q = c_.query(std::string(kPolicyColumns) + "WHERE arn = ? AND account = ? AND region = ?", arn, scope_.account,
                    scope_.region);
  if (!q.step()) return std::nullopt;
  return policy_of(q);
}

void ScalingStore::put_policy(const ScalingPolicyRow& p) {
  c_.query(
        "INSERT INTO scaling_policies (arn, account, region, name, service_namespace, resource_id, scalable_dimension, "
        "policy_type, config, alarms, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET "
        "policy_type = excluded.policy_type, config = excluded.config, alarms = excluded.alarms",
        p.arn, scope_.account, scope_.region, p.name, p.key.service_namespace, p.key.resource_id,
        p.key.scalable_dimension, p.policy_type, p.config, p.alarms, p.created)
      .run();
}

void ScalingStore::delete_policy(std::string_view arn) {
  c_.query("DELETE FROM scaling_policies WHERE arn = ?", arn).run();
}

std::vector<ScalingPolicyRow> ScalingStore::policies(std::string_view ns, std::optional<std::string_view> resource_id,
                                                     std::optional<std::string_view> dimension, std::string_view after,
                                                     int limit) {
  std::vector<ScalingPolicyRow> out;
  auto q = c_.query(std::string(kPolicyColumns) +
                        "WHERE account = ?1 AND region = ?2 AND service_namespace = ?3 AND (?4 IS NULL OR resource_id = ?4) "
                        "AND (?5 IS NULL OR scalable_dimension = ?5) AND arn > ?6 ORDER BY arn LIMIT ?7",
                    scope_.account, scope_.region, ns, opt(resource_id), opt(dimension), after, limit);
  while (q.step()) out.push_back(policy_of(q));
  return out;
}

std::optional<ScheduledActionRow> ScalingStore::scheduled_action(const TargetKey& k, std::string_view name) {
  auto q = c_.query(std::string(kScheduledColumns) +
                        "WHERE account = ? AND region = ? AND service_namespace = ? AND resource_id = ? AND "
                        "scalable_dimension = ? AND name = ?",
                    scope_.account, scope_.region, k.service_namespace, k.resource_id, k.scalable_dimension, name);
  if (!q.step()) return std::nullopt;
  return scheduled_of(q);
}

void ScalingStore::put_scheduled_action(const ScheduledActionRow& a) {
  c_.query(
        "INSERT INTO scaling_scheduled_actions (arn, account, region, name, service_namespace, resource_id, "
        "scalable_dimension, schedule, timezone, start_time, end_time, min_capacity, max_capacity, created, next_fire) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET schedule = excluded.schedule, "
        "timezone = excluded.timezone, start_time = excluded.start_time, end_time = excluded.end_time, "
        "min_capacity = excluded.min_capacity, max_capacity = excluded.max_capacity, next_fire = excluded.next_fire",
        a.arn, scope_.account, scope_.region, a.name, a.key.service_namespace, a.key.resource_id, a.key.scalable_dimension,
        a.schedule, a.timezone, a.start_time, a.end_time, a.min_capacity, a.max_capacity, a.created, a.next_fire)
      .run();
}

void ScalingStore::delete_scheduled_action(std::string_view arn) {
  c_.query("DELETE FROM scaling_scheduled_actions WHERE arn = ?", arn).run();
}

void ScalingStore::set_next_fire(std::string_view arn, std::optional<std::int64_t> next_fire) {
  c_.query("UPDATE scaling_scheduled_actions SET next_fire = ? WHERE arn = ?", next_fire, arn).run();
}

std::vector<ScheduledActionRow> ScalingStore::scheduled_actions(std::string_view ns,
                                                                std::optional<std::string_view> resource_id,
                                                                std::optional<std::string_view> dimension,
                                                                std::string_view after, int limit) {
  std::vector<ScheduledActionRow> out;
  auto q = c_.query(std::string(kScheduledColumns) +
                        "WHERE account = ?1 AND region = ?2 AND service_namespace = ?3 AND (?4 IS NULL OR resource_id = ?4) "
                        "AND (?5 IS NULL OR scalable_dimension = ?5) AND arn > ?6 ORDER BY arn LIMIT ?7",
                    scope_.account, scope_.region, ns, opt(resource_id), opt(dimension), after, limit);
  while (q.step()) out.push_back(scheduled_of(q));
  return out;
}

std::vector<std::pair<Scope, ScheduledActionRow>> ScalingStore::due_scheduled_actions(Connection& c, std::int64_t now) {
  std::vector<std::pair<Scope, ScheduledActionRow>> out;
  auto q = c.query(std::string(kScheduledColumns) + "WHERE next_fire IS NOT NULL AND next_fire <= ? ORDER BY next_fire",
                   now);
  while (q.step()) out.emplace_back(Scope{q.str(13), q.str(14)}, scheduled_of(q));
  return out;
}

void ScalingStore::add_activity(const ScalingActivityRow& a) {
  c_.query(
        "INSERT INTO scaling_activities (activity_id, account, region, service_namespace, resource_id, scalable_dimension, "
        "description, cause, start_time, end_time, status_code, status_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        a.activity_id, scope_.account, scope_.region, a.key.service_namespace, a.key.resource_id, a.key.scalable_dimension,
        a.description, a.cause, a.start_time, a.end_time, a.status_code, a.status_message)
      .run();
}

std::vector<ScalingActivityRow> ScalingStore::activities(std::string_view ns, std::optional<std::string_view> resource_id,
                                                         std::optional<std::string_view> dimension, std::int64_t before,
                                                         int limit) {
  std::vector<ScalingActivityRow> out;
  auto q = c_.query(
      "SELECT seq, activity_id, service_namespace, resource_id, scalable_dimension, description, cause, start_time, "
      "end_time, status_code, status_message FROM scaling_activities WHERE account = ?1 AND region = ?2 AND "
      "service_namespace = ?3 AND (?4 IS NULL OR resource_id = ?4) AND (?5 IS NULL OR scalable_dimension = ?5) "
      "AND (?6 = 0 OR seq < ?6) ORDER BY seq DESC LIMIT ?7",
      scope_.account, scope_.region, ns, opt(resource_id), opt(dimension), before, limit);
  while (q.step())
    out.push_back({q.int64(0), q.str(1), {q.str(2), q.str(3), q.str(4)}, q.str(5), q.str(6), q.int64(7), q.opt_int64(8),
                   q.str(9), q.str(10)});
  return out;
}

}  // namespace berth::state
