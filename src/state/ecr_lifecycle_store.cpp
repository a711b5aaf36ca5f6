#include "state/ecr_lifecycle_store.h"

namespace berth::state {

void EcrLifecycleStore::put_preview(std::int64_t repository_id, const LifecyclePreviewRow& r) {
  c_.query("INSERT INTO ecr_lifecycle_previews (repository_id, policy, status, results, started_at) "
           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (repository_id) DO UPDATE SET policy = excluded.policy, "
           "status = excluded.status, results = excluded.results, started_at = excluded.started_at",
           repository_id, r.policy, r.status, r.results, r.started_at)
      .run();
}

std::optional<LifecyclePreviewRow> EcrLifecycleStore::preview(std::int64_t repository_id) {
  auto q = c_.query("SELECT policy, status, results, started_at FROM ecr_lifecycle_previews WHERE repository_id = ?",
                    repository_id);
  if (!q.step()) return std::nullopt;
  return LifecyclePreviewRow{q.str(0), q.str(1), q.str(2), q.int64(3)};
}

void EcrLifecycleStore::set_evaluated(std::int64_t repository_id, std::int64_t at) {
  c_.query("INSERT INTO ecr_lifecycle_evaluations (repository_id, evaluated_at) VALUES (?, ?) "
           "ON CONFLICT (repository_id) DO UPDATE SET evaluated_at = excluded.evaluated_at",
           repository_id, at)
      .run();
}

std::optional<std::int64_t> EcrLifecycleStore::evaluated_at(std::int64_t repository_id) {
  auto q = c_.query("SELECT evaluated_at FROM ecr_lifecycle_evaluations WHERE repository_id = ?", repository_id);
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

std::vector<LifecycleTarget> EcrLifecycleStore::targets() {
  std::vector<LifecycleTarget> out;
  auto q = c_.query("SELECT id, account, region, name, lifecycle_policy FROM ecr_repositories "
                    "WHERE lifecycle_policy IS NOT NULL ORDER BY id");
  while (q.step()) out.push_back({q.int64(0), q.str(1), q.str(2), q.str(3), q.str(4)});
  return out;
}

}  // namespace berth::state
