// Applies the schema steps a database lacks, each in its own transaction.
#include <set>
#include <string>

#include "state/db.h"
#include "state/migration.h"

namespace berth::state {

std::vector<Migration> all_migrations() {
  std::vector<Migration> all;
  for (auto area : {ecs_migrations, ecr_migrations, logs_migrations, iam_migrations, elbv2_migrations,
                    metrics_migrations, scaling_migrations}) {
    auto steps = area();
    all.insert(all.end(), steps.begin(), steps.end());
  }
  return all;
}

int latest_schema_version() { return static_cast<int>(all_migrations().size()); }

void migrate(Connection& c) {
  c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
  std::set<std::string> applied;
  {
    auto q = c.query("SELECT id FROM schema_migrations");
    while (q.step()) applied.insert(q.str(0));
  }
  auto steps = all_migrations();
  std::set<std::string> known;
  for (const auto& m : steps) known.insert(m.id);
  for (const auto& id : applied)
    if (!known.count(id)) throw SqliteError("database has schema step " + id + " that this berth does not know; it was made by a newer berth");
  for (const auto& m : steps) {
    if (applied.count(m.id)) continue;
    c.exec("BEGIN IMMEDIATE");
    try {
      c.exec(m.sql);
      c.query("INSERT INTO schema_migrations (id, applied_at) VALUES (?, strftime('%s','now'))", m.id).run();
      c.exec("PRAGMA user_version = " + std::to_string(applied.size() + 1));
      c.exec("COMMIT");
      applied.insert(m.id);
    } catch (...) {
      c.exec("ROLLBACK");
      throw;
    }
  }
}

}  // namespace berth::state
