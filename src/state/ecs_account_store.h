#pragma once
// ECS account settings: per principal, with account-wide defaults (principal '').
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct AccountSettingRow {
  std::string principal;
  std::string name;
  std::string value;
};

class AccountSettingStore {
 public:
  AccountSettingStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}
  void put(std::string_view principal, std::string_view name, std::string_view value);
  void remove(std::string_view principal, std::string_view name);
  std::optional<std::string> get(std::string_view principal, std::string_view name);
  // Every setting stored for the principal ('' for defaults).
  std::vector<AccountSettingRow> list(std::string_view principal);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
