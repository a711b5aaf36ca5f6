#include "state/ecr_settings_store.h"

namespace berth::state {

std::optional<EcrSettingRow> EcrSettingsStore::get(std::string_view kind, std::string_view key) {
  auto q = c_.query(
      "SELECT key, doc, created_at, updated_at FROM ecr_registry_settings WHERE account = ? AND region = ? "
      "AND kind = ? AND key = ?",
      scope_.account, scope_.region, kind, key);
  if (!q.step()) return std::nullopt;
  return EcrSettingRow{q.str(0), q.str(1), q.int64(2), q.int64(3)};
}

std::vector<EcrSettingRow> EcrSettingsStore::all(std::string_view kind) {
  std::vector<EcrSettingRow> out;
  auto q = c_.query(
      "SELECT key, doc, created_at, updated_at FROM ecr_registry_settings WHERE account = ? AND region = ? "
      "AND kind = ? ORDER BY key",
      scope_.account, scope_.region, kind);
  while (q.step()) out.push_back({q.str(0), q.str(1), q.int64(2), q.int64(3)});
  return out;
}

void EcrSettingsStore::put(std::string_view kind, std::string_view key, std::string_view doc, std::int64_t now) {
  c_.query(
        "INSERT INTO ecr_registry_settings (account, region, kind, key, doc, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?6) ON CONFLICT (account, region, kind, key) DO UPDATE SET doc = excluded.doc, "
        "updated_at = excluded.updated_at",
        scope_.account, scope_.region, kind, key, doc, now)
      .run();
}

bool EcrSettingsStore::remove(std::string_view kind, std::string_view key) {
  c_.query("DELETE FROM ecr_registry_settings WHERE account = ? AND region = ? AND kind = ? AND key = ?",
           scope_.account, scope_.region, kind, key)
      .run();
  return c_.changes() == 1;
}

std::optional<std::int64_t> EcrSettingsStore::scan_started(std::int64_t repository_id, std::string_view digest) {
  auto q = c_.query("SELECT started_at FROM ecr_image_scans WHERE repository_id = ? AND digest = ?", repository_id,
                    digest);
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

void EcrSettingsStore::start_scan(std::int64_t repository_id, std::string_view digest, std::int64_t now) {
  c_.query(
        "INSERT INTO ecr_image_scans (repository_id, digest, started_at) VALUES (?, ?, ?) "
        "ON CONFLICT (repository_id, digest) DO UPDATE SET started_at = excluded.started_at",
        repository_id, digest, now)
      .run();
}

}  // namespace berth::state
