#include "registry/lifecycle_apply.h"

#include "registry/images.h"
#include "state/ecr_lifecycle_store.h"

namespace berth::registry {

std::vector<ExpiringImage> expiring_images(state::EcrStore& store, std::int64_t repository_id,
                                           const lifecycle::Policy& policy, std::int64_t now) {
  std::vector<state::ImageRow> rows = store.images(repository_id);
  std::vector<lifecycle::Image> images;
  images.reserve(rows.size());
  for (const auto& r : rows) images.push_back({r.digest, r.tags, r.pushed_at});
  std::vector<ExpiringImage> out;
  for (const auto& e : lifecycle::evaluate(policy, images, now)) {
    const state::ImageRow& row = rows[e.image];
    if (store.referenced_by_index(repository_id, row.digest)) continue;
    out.push_back({row, e.rule_priority});
  }
  return out;
}

LifecycleRun apply_lifecycle_policies(state::Database& db, BlobStore& blobs, std::int64_t now) {
  LifecycleRun run;
  std::vector<state::LifecycleTarget> targets;
  db.read([&](state::Connection& c) { targets = state::EcrLifecycleStore(c).targets(); });
  for (const auto& t : targets) {
    db.write([&](state::Connection& c) {
      state::EcrStore store(c, {t.account, t.region});
      // Re-read inside the transaction: the policy or the repository may have changed since.
      auto repo = store.repository(t.name);
      if (!repo || repo->id != t.repository_id || !repo->lifecycle_policy) return false;
      auto parsed = lifecycle::parse_policy(*repo->lifecycle_policy);
      const auto* policy = std::get_if<lifecycle::Policy>(&parsed);
      if (!policy) return false;
      for (const auto& e : expiring_images(store, repo->id, *policy, now)) {
        delete_image(store, repo->id, e.image.digest);
        ++run.images_expired;
      }
      state::EcrLifecycleStore(c).set_evaluated(repo->id, now);
      ++run.repositories;
      return true;
    });
  }
  if (run.images_expired > 0)
    db.write([&](state::Connection& c) {
      state::EcrStore store(c, {"", ""});  // blobs are global: the scope is not used
      run.blobs_freed = collect_garbage(store, blobs);
      return true;
    });
  return run;
}

}  // namespace berth::registry
