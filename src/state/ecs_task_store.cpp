#include "state/ecs_task_store.h"

namespace berth::state {
namespace {
const char* kTaskColumns =
    "arn, account, region, cluster, task_definition_arn, family, launch_type, started_by, task_group, "
    "desired_status, last_status, created_at, pull_started_at, pull_stopped_at, started_at, stopping_at, "
    "stopped_at, execution_stopped_at, stop_code, stopped_reason, version, doc";


TaskRow task_of(const Query& q) {
  TaskRow r;
  r.arn = q.str(0);
  r.account = q.str(1);
  r.region = q.str(2);
  r.cluster = q.str(3);
  r.task_definition_arn = q.str(4);
  r.family = q.str(5);
  r.launch_type = q.str(6);
  r.started_by = q.opt_str(7);
  r.group = q.opt_str(8);
  r.desired_status = q.str(9);
  r.last_status = q.str(10);
  r.created_at = q.int64(11);
  r.pull_started_at = q.opt_int64(12);
  r.pull_stopped_at = q.opt_int64(13);
  r.started_at = q.opt_int64(14);
  r.stopping_at = q.opt_int64(15);
  r.stopped_at = q.opt_int64(16);
  r.execution_stopped_at = q.opt_int64(17);
  r.stop_code = q.opt_str(18);
  r.stopped_reason = q.opt_str(19);
  r.version = q.int64(20);
  r.doc = q.str(21);
  return r;
}

void save_containers(Connection& c, const TaskRow& row) {
  for (const auto& k : row.containers)
    c.query("INSERT INTO task_containers (task_arn, name, position, container_arn, image, essential, docker_id, "
            "image_digest, last_status, exit_code, reason, network_bindings, health_status, token) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task_arn, name) DO UPDATE SET "
            "docker_id = excluded.docker_id, image_digest = excluded.image_digest, last_status = excluded.last_status, "
            "exit_code = excluded.exit_code, reason = excluded.reason, network_bindings = excluded.network_bindings, "
            "health_status = excluded.health_status",
            row.arn, k.name, k.position, k.container_arn, k.image, k.essential ? 1 : 0, k.docker_id, k.image_digest,
            k.last_status, k.exit_code, k.reason, k.network_bindings, k.health_status, container_token(k.container_arn))
        .run();
}
}  // namespace

std::string container_token(std::string_view container_arn) {
  auto slash = container_arn.rfind('/');
  return std::string(slash == std::string_view::npos ? container_arn : container_arn.substr(slash + 1));
}

void TaskStore::insert(const TaskRow& r) {
  c_.query(std::string("INSERT INTO tasks (") + kTaskColumns +
               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
           r.arn, r.account, r.region, r.cluster, r.task_definition_arn, r.family, r.launch_type, r.started_by, r.group,
           r.desired_status, r.last_status, r.created_at, r.pull_started_at, r.pull_stopped_at, r.started_at,
           r.stopping_at, r.stopped_at, r.execution_stopped_at, r.stop_code, r.stopped_reason, r.version, r.doc)
      .run();
  save_containers(c_, r);
}

std::vector<TaskContainerRow> TaskStore::containers_of(std::string_view arn) {
  std::vector<TaskContainerRow> out;
  auto q = c_.query(
      "SELECT name, position, container_arn, image, essential, docker_id, image_digest, last_status, exit_code, "
      "reason, network_bindings, health_status FROM task_containers WHERE task_arn = ? ORDER BY position",
      arn);
  while (q.step()) {
    TaskContainerRow k;
    k.name = q.str(0);
    k.position = static_cast<int>(q.int64(1));
    k.container_arn = q.str(2);
    k.image = q.str(3);
    k.essential = q.int64(4) != 0;
    k.docker_id = q.opt_str(5);
    k.image_digest = q.opt_str(6);
    k.last_status = q.str(7);
    k.exit_code = q.opt_int64(8);
    k.reason = q.opt_str(9);
    k.network_bindings = q.opt_str(10);
    k.health_status = q.opt_str(11);
    out.push_back(std::move(k));
  }
  return out;
}

std::optional<TaskRow> TaskStore::get(std::string_view arn) {
  std::optional<TaskRow> row;
  {
    auto q = c_.query(std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE arn = ?", arn);
    if (q.step()) row = task_of(q);
  }
  if (row) row->containers = containers_of(arn);
  return row;
}

bool TaskStore::update(const TaskRow& r) {
  // The version is the guard: the engine and the service scheduler both write tasks, and a
  // write from a stale read must not undo the other's. A recorded stop stays as it was even so
  // (the first reason to stop is the one ECS reports). SET expressions see the row as it was
  // before this UPDATE.
  c_.query("UPDATE tasks SET "
           "desired_status = CASE WHEN desired_status = 'STOPPED' THEN desired_status ELSE ? END, "
           "stopping_at = CASE WHEN desired_status = 'STOPPED' THEN COALESCE(stopping_at, ?) ELSE ? END, "
           "stop_code = CASE WHEN desired_status = 'STOPPED' THEN stop_code ELSE ? END, "
           "stopped_reason = CASE WHEN desired_status = 'STOPPED' THEN stopped_reason ELSE ? END, "
           "last_status = ?, pull_started_at = ?, pull_stopped_at = ?, started_at = ?, stopped_at = ?, "
           "execution_stopped_at = ?, version = version + 1, doc = ? WHERE arn = ? AND version = ?",
           r.desired_status, r.stopping_at, r.stopping_at, r.stop_code, r.stopped_reason, r.last_status,
           r.pull_started_at, r.pull_stopped_at, r.started_at, r.stopped_at, r.execution_stopped_at, r.doc, r.arn,
           r.version)
      .run();
  if (c_.changes() == 0) return false;
  save_containers(c_, r);
  return true;
}

bool TaskStore::request_stop(std::string_view arn, std::string_view stop_code, std::string_view reason,
                             std::int64_t stopping_at) {
  c_.query("UPDATE tasks SET desired_status = 'STOPPED', stop_code = ?, stopped_reason = ?, "
           "stopping_at = COALESCE(stopping_at, ?), version = version + 1 "
           "WHERE arn = ? AND desired_status <> 'STOPPED'",
           stop_code, reason, stopping_at, arn)
      .run();
  return c_.changes() > 0;
}

std::vector<std::string> TaskStore::list(const Scope& scope, const TaskFilter& f, std::string_view after_arn,
                                         int limit) {
  std::string sql = "SELECT arn FROM tasks WHERE account = ? AND region = ? AND cluster = ?";
  if (f.family) sql += " AND family = ?";
  if (f.started_by) sql += " AND started_by = ?";
  if (f.desired_status) sql += " AND desired_status = ?";
  if (f.launch_type) sql += " AND launch_type = ?";
  if (f.service_group) sql += " AND task_group = ?";
  if (!after_arn.empty()) sql += " AND (created_at, arn) > (SELECT created_at, arn FROM tasks WHERE arn = ?)";
  sql += " ORDER BY created_at, arn LIMIT ?";
  auto q = c_.query(sql, scope.account, scope.region, f.cluster);
  for (const auto* v : {&f.family, &f.started_by, &f.desired_status, &f.launch_type, &f.service_group})
    if (*v) q.bind(**v);
  if (!after_arn.empty()) q.bind(after_arn);
  q.bind(limit);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::optional<TaskRow> TaskStore::by_container_token(std::string_view token) {
  std::string arn;
  {
    // Exact match through an index: the token comes from a URL any container can send.
    auto q = c_.query("SELECT task_arn FROM task_containers WHERE token = ?", token);
    if (!q.step()) return std::nullopt;
    arn = q.str(0);
  }
  return get(arn);
}

std::optional<TaskRow> TaskStore::by_credentials_id(std::string_view id) {
  std::string arn;
  {
    auto q = c_.query("SELECT arn FROM tasks WHERE json_extract(doc, '$.credentialsId') = ?", id);
    if (!q.step()) return std::nullopt;
    arn = q.str(0);
  }
  return get(arn);
}

std::vector<std::string> TaskStore::all() {
  std::vector<std::string> out;
  auto q = c_.query("SELECT arn FROM tasks");
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::vector<std::string> TaskStore::unfinished() {
  std::vector<std::string> out;
  auto q = c_.query("SELECT arn FROM tasks WHERE last_status <> 'STOPPED' ORDER BY created_at");
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::vector<std::string> TaskStore::in_progress() {
  std::vector<std::string> out;
  auto q = c_.query("SELECT arn FROM tasks WHERE last_status <> 'STOPPED' AND "
                    "NOT (last_status = 'RUNNING' AND desired_status = 'RUNNING') ORDER BY created_at");
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::pair<int, int> TaskStore::running_and_pending(const Scope& scope, std::string_view cluster) {
  auto q = c_.query("SELECT sum(last_status = 'RUNNING'), sum(last_status NOT IN ('RUNNING', 'STOPPED')) FROM tasks "
                    "WHERE account = ? AND region = ? AND cluster = ?",
                    scope.account, scope.region, cluster);
  q.step();
  return {static_cast<int>(q.int64(0)), static_cast<int>(q.int64(1))};
}

std::vector<TaskRow> TaskStore::on_instances(const Scope& scope, std::string_view cluster) {
  std::vector<TaskRow> out;
  auto q = c_.query(std::string("SELECT ") + kTaskColumns +
                        " FROM tasks WHERE account = ? AND region = ? AND cluster = ? AND last_status <> 'STOPPED' "
                        "AND json_extract(doc, '$.containerInstanceArn') IS NOT NULL ORDER BY created_at, arn",
                    scope.account, scope.region, cluster);
  while (q.step()) out.push_back(task_of(q));
  return out;
}

std::vector<TaskRow> TaskStore::take_expired(std::int64_t before) {
  std::vector<std::string> arns;
  {
    auto q = c_.query("SELECT arn FROM tasks WHERE last_status = 'STOPPED' AND stopped_at < ?", before);
    while (q.step()) arns.push_back(q.str(0));
  }
  std::vector<TaskRow> out;
  for (const auto& a : arns) {
    if (auto row = get(a)) out.push_back(std::move(*row));
    c_.query("DELETE FROM task_containers WHERE task_arn = ?", a).run();
    c_.query("DELETE FROM tasks WHERE arn = ?", a).run();
  }
  return out;
}

}  // namespace berth::state
