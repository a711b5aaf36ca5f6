#include "state/ecs_account_store.h"

namespace berth::state {

void AccountSettingStore::put(std::string_view principal, std::string_view name,
                              std::string_view value) {
  c_.query(
        "INSERT INTO account_settings (account, region, principal, name, value) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, principal, name) DO UPDATE SET value = excluded.value",
        scope_.account, scope_.region, principal, name, value)
      .run();
}

void AccountSettingStore::remove(std::string_view principal, std::string_view name) {
  c_.query("DELETE FROM account_settings WHERE account = ? AND region = ? AND principal = ? AND name = ?",
           scope_.account, scope_.region, principal, name)
      .run();
}

std::optional<std::string> AccountSettingStore::get(std::string_view principal, std::string_view name) {
  auto q = c_.query(
      "SELECT value FROM account_settings WHERE account = ? AND region = ? AND principal = ? AND name = ?",
      scope_.account, scope_.region, principal, name);
  if (!q.step()) return std::nullopt;
  return q.str(0);
}

std::vector<AccountSettingRow> AccountSettingStore::list(std::string_view principal) {
  std::vector<AccountSettingRow> out;
  auto q = c_.query(
      "SELECT principal, name, value FROM account_settings WHERE account = ? AND region = ? "
      "AND principal = ? ORDER BY name",
      scope_.account, scope_.region, principal);
  while (q.step()) out.push_back({q.str(0), q.str(1), q.str(2)});
  return out;
}

}  // namespace berth::state
