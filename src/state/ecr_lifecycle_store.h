#pragma once
// What ECR remembers about lifecycle policies besides the policy text (kept on the repository
// row): the last preview of each repository, and when its policy was last applied.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"

namespace berth::state {

struct LifecyclePreviewRow {
  std::string policy;   // the policy text the preview evaluated
  std::string status;   // IN_PROGRESS, COMPLETE, EXPIRED or FAILED
  std::string results;  // JSON array of LifecyclePolicyPreviewResult, as the API shows them
  std::int64_t started_at = 0;
};

// A repository whose lifecycle policy the periodic job applies.
struct LifecycleTarget {
  std::int64_t repository_id = 0;
  std::string account;
  std::string region;
  std::string name;
  std::string policy;
};

class EcrLifecycleStore {
 public:
  explicit EcrLifecycleStore(Connection& c) : c_(c) {}

  // A repository has at most one preview: a new one replaces the last.
  void put_preview(std::int64_t repository_id, const LifecyclePreviewRow& row);
  std::optional<LifecyclePreviewRow> preview(std::int64_t repository_id);

  void set_evaluated(std::int64_t repository_id, std::int64_t at);
  std::optional<std::int64_t> evaluated_at(std::int64_t repository_id);

  // Every repository of every account and region that has a lifecycle policy.
  std::vector<LifecycleTarget> targets();

 private:
  Connection& c_;
};

}  // namespace berth::state
