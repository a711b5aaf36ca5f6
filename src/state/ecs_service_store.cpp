#include "state/ecs_service_store.h"

namespace berth::state {
namespace {
const char* kServiceColumns =
    "arn, account, region, cluster, name, status, desired_count, task_definition, launch_type, scheduling_strategy, "
    "created_at, status_at, failed_starts, retry_at, steady, doc";
const char* kDeploymentColumns =
    "id, service_arn, status, task_definition, desired_count, failed_tasks, rollout_state, rollout_state_reason, ran, "
    "created_at, updated_at, doc";
constexpr int kEventsKept = 100;  // "A maximum of 100 of the latest events are displayed"

ServiceRow service_of(const Query& q) {
  ServiceRow r;
  r.arn = q.str(0);
  r.account = q.str(1);
  r.region = q.str(2);
  r.cluster = q.str(3);
  r.name = q.str(4);
  r.status = q.str(5);
  r.desired_count = q.int64(6);
  r.task_definition = q.str(7);
  r.launch_type = q.opt_str(8);
  r.scheduling_strategy = q.str(9);
  r.created_at = q.int64(10);
  r.status_at = q.int64(11);
  r.failed_starts = q.int64(12);
  r.retry_at = q.opt_int64(13);
  r.steady = q.int64(14) != 0;
  r.doc = q.str(15);
  return r;
}

DeploymentRow deployment_of(const Query& q) {
  DeploymentRow d;
  d.id = q.str(0);
  d.service_arn = q.str(1);
  d.status = q.str(2);
  d.task_definition = q.str(3);
  d.desired_count = q.int64(4);
  d.failed_tasks = q.int64(5);
  d.rollout_state = q.str(6);
  d.rollout_state_reason = q.str(7);
  d.ran = q.int64(8) != 0;
  d.created_at = q.int64(9);
  d.updated_at = q.int64(10);
  d.doc = q.str(11);
  return d;
}
}  // namespace

std::optional<ServiceRow> ServiceStore::get(std::string_view arn) {
  auto q = c_.query(std::string("SELECT ") + kServiceColumns + " FROM services WHERE arn = ?", arn);
  if (!q.step()) return std::nullopt;
  return service_of(q);
}

void ServiceStore::put(const ServiceRow& r) {
  c_.query(std::string("INSERT INTO services (") + kServiceColumns +
               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET "
               "status = excluded.status, desired_count = excluded.desired_count, "
               "task_definition = excluded.task_definition, launch_type = excluded.launch_type, "
               "scheduling_strategy = excluded.scheduling_strategy, created_at = excluded.created_at, "
               "status_at = excluded.status_at, failed_starts = excluded.failed_starts, retry_at = excluded.retry_at, "
               "steady = excluded.steady, doc = excluded.doc",
           r.arn, r.account, r.region, r.cluster, r.name, r.status, r.desired_count, r.task_definition, r.launch_type,
           r.scheduling_strategy, r.created_at, r.status_at, r.failed_starts, r.retry_at, r.steady ? 1 : 0, r.doc)
      .run();
}

void ServiceStore::remove(std::string_view arn) {
  for (const char* sql : {"DELETE FROM service_deployments WHERE service_arn = ?",
                          "DELETE FROM service_events WHERE service_arn = ?",
                          "DELETE FROM service_stopped_tasks WHERE service_arn = ?", "DELETE FROM services WHERE arn = ?"})
    c_.query(sql, arn).run();
}

std::vector<std::string> ServiceStore::list_active(const Scope& scope, const ServiceFilter& f,
                                                   std::string_view after_arn, int limit) {
  std::string sql = "SELECT arn FROM services WHERE account = ? AND region = ? AND cluster = ? AND status = 'ACTIVE'";
  if (f.launch_type) sql += " AND launch_type = ?";
  if (f.scheduling_strategy) sql += " AND scheduling_strategy = ?";
  sql += " AND arn > ? ORDER BY arn LIMIT ?";
  auto q = c_.query(sql, scope.account, scope.region, f.cluster);
  if (f.launch_type) q.bind(*f.launch_type);
  if (f.scheduling_strategy) q.bind(*f.scheduling_strategy);
  q.bind(after_arn);
  q.bind(limit);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::pair<int, int> ServiceStore::count(const Scope& scope, std::string_view cluster) {
  auto q = c_.query("SELECT sum(status = 'ACTIVE'), sum(status = 'DRAINING') FROM services "
                    "WHERE account = ? AND region = ? AND cluster = ?",
                    scope.account, scope.region, cluster);
  q.step();
  return {static_cast<int>(q.int64(0)), static_cast<int>(q.int64(1))};
}

std::map<std::string, ServiceStore::TaskCounts> ServiceStore::task_counts(const ServiceRow& s) {
  std::map<std::string, TaskCounts> out;
  auto q = c_.query("SELECT coalesce(started_by, ''), sum(last_status = 'RUNNING'), "
                    "sum(last_status IN ('PROVISIONING', 'PENDING', 'ACTIVATING')) FROM tasks "
                    "WHERE account = ? AND region = ? AND cluster = ? AND task_group = ? AND last_status <> 'STOPPED' "
                    "GROUP BY started_by",
                    s.account, s.region, s.cluster, "service:" + s.name);
  while (q.step()) out[q.str(0)] = {static_cast<int>(q.int64(1)), static_cast<int>(q.int64(2))};
  return out;
}

std::vector<std::string> ServiceStore::all_arns() {
  std::vector<std::string> out;
  auto q = c_.query("SELECT arn FROM services");
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::vector<DeploymentRow> ServiceStore::deployments(std::string_view service_arn) {
  std::vector<DeploymentRow> out;
  auto q = c_.query(std::string("SELECT ") + kDeploymentColumns +
                        " FROM service_deployments WHERE service_arn = ? "
                        "ORDER BY status = 'PRIMARY' DESC, created_at DESC, id DESC",
                    service_arn);
  while (q.step()) out.push_back(deployment_of(q));
  return out;
}

void ServiceStore::put_deployment(const DeploymentRow& d) {
  c_.query(std::string("INSERT INTO service_deployments (") + kDeploymentColumns +
               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
               "status = excluded.status, task_definition = excluded.task_definition, "
               "desired_count = excluded.desired_count, failed_tasks = excluded.failed_tasks, "
               "rollout_state = excluded.rollout_state, rollout_state_reason = excluded.rollout_state_reason, "
               "ran = excluded.ran, updated_at = excluded.updated_at, doc = excluded.doc",
           d.id, d.service_arn, d.status, d.task_definition, d.desired_count, d.failed_tasks, d.rollout_state,
           d.rollout_state_reason, d.ran ? 1 : 0, d.created_at, d.updated_at, d.doc)
      .run();
}

void ServiceStore::remove_deployment(std::string_view id) {
  c_.query("DELETE FROM service_deployments WHERE id = ?", id).run();
}

void ServiceStore::add_event(std::string_view service_arn, const ServiceEventRow& e) {
  c_.query("INSERT INTO service_events (service_arn, seq, id, created_at, message) VALUES "
           "(?, (SELECT coalesce(max(seq), 0) + 1 FROM service_events WHERE service_arn = ?), ?, ?, ?)",
           service_arn, service_arn, e.id, e.created_at, e.message)
      .run();
  c_.query("DELETE FROM service_events WHERE service_arn = ? AND seq <= "
           "(SELECT max(seq) FROM service_events WHERE service_arn = ?) - ?",
           service_arn, service_arn, kEventsKept)
      .run();
}

std::vector<ServiceEventRow> ServiceStore::events(std::string_view service_arn) {
  std::vector<ServiceEventRow> out;
  auto q = c_.query("SELECT id, created_at, message FROM service_events WHERE service_arn = ? ORDER BY seq DESC",
                    service_arn);
  while (q.step()) out.push_back({q.str(0), q.int64(1), q.str(2)});
  return out;
}

std::optional<std::int64_t> ServiceStore::last_event_at(std::string_view service_arn, std::string_view message) {
  auto q = c_.query("SELECT created_at FROM service_events WHERE service_arn = ? AND message = ? ORDER BY seq DESC LIMIT 1",
                    service_arn, message);
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

bool ServiceStore::note_stopped(std::string_view service_arn, std::string_view task_arn) {
  c_.query("INSERT INTO service_stopped_tasks (task_arn, service_arn) VALUES (?, ?) ON CONFLICT DO NOTHING", task_arn,
           service_arn)
      .run();
  return c_.changes() > 0;
}

void ServiceStore::prune_notes(std::string_view service_arn) {
  c_.query("DELETE FROM service_stopped_tasks WHERE service_arn = ? AND task_arn NOT IN (SELECT arn FROM tasks)",
           service_arn)
      .run();
}

}  // namespace berth::state
