#pragma once
// ECR's registry-wide settings of one account and region, each a JSON document under a kind
// and a key (ecr_registry_settings), and the record of image scans started (ecr_image_scans).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

// The kinds of setting, shared by the ECR handlers and registry/replication.
namespace ecr_setting {
inline constexpr const char* kRegistryPolicy = "registry-policy";
inline constexpr const char* kReplication = "replication";      // key ""
inline constexpr const char* kScanning = "scanning";            // key ""
inline constexpr const char* kAccountSetting = "account-setting";
inline constexpr const char* kPullThroughCache = "pull-through-cache";
inline constexpr const char* kCreationTemplate = "creation-template";
}  // namespace ecr_setting

struct EcrSettingRow {
  std::string key;
  std::string doc;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

class EcrSettingsStore {
 public:
  EcrSettingsStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  std::optional<EcrSettingRow> get(std::string_view kind, std::string_view key);
  // Every setting of a kind, by key.
  std::vector<EcrSettingRow> all(std::string_view kind);
  // Inserts or replaces; a replaced row keeps its created_at.
  void put(std::string_view kind, std::string_view key, std::string_view doc, std::int64_t now);
  bool remove(std::string_view kind, std::string_view key);

  // Image scans (the repository id is global, not scoped).
  std::optional<std::int64_t> scan_started(std::int64_t repository_id, std::string_view digest);
  void start_scan(std::int64_t repository_id, std::string_view digest, std::int64_t now);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
