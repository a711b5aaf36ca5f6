#include "state/ecs_cluster_store.h"

namespace berth::state {
namespace {
ClusterRow row_of(const Query& q) {
  return {q.str(0), q.str(1), q.str(2), q.int64(3), q.str(4)};
}
}  // namespace

std::optional<ClusterRow> ClusterStore::get(std::string_view name) {
  auto q = c_.query(
      "SELECT name, arn, status, created_at, doc FROM clusters "
      "WHERE account = ? AND region = ? AND name = ?",
      scope_.account, scope_.region, name);
  if (!q.step()) return std::nullopt;
  return row_of(q);
}

void ClusterStore::put(const ClusterRow& row) {
  c_.query(
        "INSERT INTO clusters (account, region, name, arn, status, created_at, doc) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET "
        "status = excluded.status, created_at = excluded.created_at, doc = excluded.doc",
        scope_.account, scope_.region, row.name, row.arn, row.status, row.created_at, row.doc)
      .run();
}

std::vector<ClusterRow> ClusterStore::list_active(std::string_view after, int limit) {
  std::vector<ClusterRow> out;
  auto q = c_.query(
      "SELECT name, arn, status, created_at, doc FROM clusters "
      "WHERE account = ? AND region = ? AND status = 'ACTIVE' AND name > ? ORDER BY name LIMIT ?",
      scope_.account, scope_.region, after, limit);
  while (q.step()) out.push_back(row_of(q));
  return out;
}

}  // namespace berth::state
