#include "state/log_documents_store.h"

namespace berth::state {

std::optional<LogDocumentRow> LogDocumentsStore::get(std::string_view kind, std::string_view key) {
  auto q = c_.query(
      "SELECT key, doc, created_at, updated_at FROM log_documents WHERE account = ? AND region = ? AND kind = ? "
      "AND key = ?",
      scope_.account, scope_.region, kind, key);
  if (!q.step()) return std::nullopt;
  return LogDocumentRow{q.str(0), q.str(1), q.int64(2), q.int64(3)};
}

std::vector<LogDocumentRow> LogDocumentsStore::all(std::string_view kind, std::string_view prefix) {
  std::vector<LogDocumentRow> out;
  // substr() rather than LIKE: keys may hold '_' and LIKE is case-insensitive.
  auto q = c_.query(
      "SELECT key, doc, created_at, updated_at FROM log_documents WHERE account = ?1 AND region = ?2 AND kind = ?3 "
      "AND substr(key, 1, length(?4)) = ?4 ORDER BY key",
      scope_.account, scope_.region, kind, prefix);
  while (q.step()) out.push_back({q.str(0), q.str(1), q.int64(2), q.int64(3)});
  return out;
}

void LogDocumentsStore::put(std::string_view kind, std::string_view key, std::string_view doc, std::int64_t now) {
  c_.query(
        "INSERT INTO log_documents (account, region, kind, key, doc, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?6) ON CONFLICT (account, region, kind, key) DO UPDATE SET doc = excluded.doc, "
        "updated_at = excluded.updated_at",
        scope_.account, scope_.region, kind, key, doc, now)
      .run();
}

bool LogDocumentsStore::remove(std::string_view kind, std::string_view key) {
  c_.query("DELETE FROM log_documents WHERE account = ? AND region = ? AND kind = ? AND key = ?", scope_.account,
           scope_.region, kind, key)
      .run();
  return c_.changes() == 1;
}

}  // namespace berth::state
