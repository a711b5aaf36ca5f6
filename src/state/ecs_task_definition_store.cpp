#include "state/ecs_task_definition_store.h"

namespace berth::state {
namespace {
const char* kColumns =
    "family, revision, arn, status, registered_at, deregistered_at, deleted_at, doc";

TaskDefinitionRow row_of(const Query& q) {
  TaskDefinitionRow r;
  r.family = q.str(0);
  r.revision = q.int64(1);
  r.arn = q.str(2);
  r.status = q.str(3);
  r.registered_at = q.int64(4);
  r.deregistered_at = q.opt_int64(5);
  r.deleted_at = q.opt_int64(6);
  r.doc = q.str(7);
  return r;
}

// The smallest string greater than every string starting with `prefix`, for range scans.
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  end.push_back('\xff');
  return end;
}
}  // namespace

std::int64_t TaskDefinitionStore::next_revision(std::string_view family) {
  c_.query(
        "INSERT INTO task_definition_families (account, region, family, last_revision) "
        "VALUES (?, ?, ?, 1) ON CONFLICT (account, region, family) "
        "DO UPDATE SET last_revision = last_revision + 1",
        scope_.account, scope_.region, family)
      .run();
  auto q = c_.query(
      "SELECT last_revision FROM task_definition_families WHERE account = ? AND region = ? AND family = ?",
      scope_.account, scope_.region, family);
  q.step();
  return q.int64(0);
}

void TaskDefinitionStore::insert(const TaskDefinitionRow& r) {
  c_.query(
        "INSERT INTO task_definitions (account, region, family, revision, arn, status, "
        "registered_at, deregistered_at, deleted_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        scope_.account, scope_.region, r.family, r.revision, r.arn, r.status, r.registered_at,
        r.deregistered_at, r.deleted_at, r.doc)
      .run();
}

std::optional<TaskDefinitionRow> TaskDefinitionStore::get(std::string_view family,
                                                          std::int64_t revision) {
  auto q = c_.query(std::string("SELECT ") + kColumns +
                        " FROM task_definitions WHERE account = ? AND region = ? AND family = ? "
                        "AND revision = ?",
                    scope_.account, scope_.region, family, revision);
  if (!q.step()) return std::nullopt;
  return row_of(q);
}

std::optional<TaskDefinitionRow> TaskDefinitionStore::latest_active(std::string_view family) {
  auto q = c_.query(std::string("SELECT ") + kColumns +
                        " FROM task_definitions WHERE account = ? AND region = ? AND family = ? "
                        "AND status = 'ACTIVE' ORDER BY revision DESC LIMIT 1",
                    scope_.account, scope_.region, family);
  if (!q.step()) return std::nullopt;
  return row_of(q);
}

void TaskDefinitionStore::set_status(std::string_view family, std::int64_t revision,
                                     std::string_view status, std::int64_t at) {
  if (status == "INACTIVE") {
    c_.query("UPDATE task_definitions SET status = ?, deregistered_at = ? WHERE account = ? AND "
             "region = ? AND family = ? AND revision = ?",
             status, at, scope_.account, scope_.region, family, revision)
        .run();
  } else {
    c_.query("UPDATE task_definitions SET status = ?, deleted_at = ? WHERE account = ? AND "
             "region = ? AND family = ? AND revision = ?",
             status, at, scope_.account, scope_.region, family, revision)
        .run();
  }
}

std::vector<TaskDefinitionRow> TaskDefinitionStore::list(
    std::string_view status, std::optional<std::string_view> family, bool descending,
    const std::optional<FamilyCursor>& after, int limit) {
  // Keyset pagination on (family, revision) in the requested direction.
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM task_definitions WHERE account = ? AND region = ? AND status = ? ";
  if (family) sql += "AND family = ? ";
  if (after)
    sql += descending ? "AND (family, revision) < (?, ?) " : "AND (family, revision) > (?, ?) ";
  sql += descending ? "ORDER BY family DESC, revision DESC LIMIT ?" : "ORDER BY family, revision LIMIT ?";
  auto q = c_.query(sql, scope_.account, scope_.region, status);
  if (family) q.bind(*family);
  if (after) q.bind(after->family).bind(after->revision);
  q.bind(limit);
  std::vector<TaskDefinitionRow> out;
  while (q.step()) out.push_back(row_of(q));
  return out;
}

std::vector<std::string> TaskDefinitionStore::families(std::string_view status,
                                                       std::optional<std::string_view> prefix,
                                                       std::string_view after, int limit) {
  std::string lo = prefix ? std::string(*prefix) : std::string();
  std::string hi = prefix ? prefix_end(*prefix) : std::string("\xff");
  std::string having;
  if (status == "ACTIVE")
    having = "HAVING sum(status = 'ACTIVE') > 0 ";
  else if (status == "INACTIVE")
    having = "HAVING sum(status = 'ACTIVE') = 0 ";
  auto q = c_.query(
      "SELECT family FROM task_definitions WHERE account = ? AND region = ? AND family >= ? "
      "AND family < ? AND family > ? GROUP BY family " + having + "ORDER BY family LIMIT ?",
      scope_.account, scope_.region, lo, hi, after, limit);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.str(0));
  return out;
}

}  // namespace berth::state
