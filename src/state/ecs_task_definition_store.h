#pragma once
// ECS task definitions: revisions per family, with status and dates outside the stored doc.
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct TaskDefinitionRow {
  std::string family;
  std::int64_t revision = 0;
  std::string arn;
  std::string status;  // ACTIVE, INACTIVE, DELETE_IN_PROGRESS
  std::int64_t registered_at = 0;
  std::optional<std::int64_t> deregistered_at;
  std::optional<std::int64_t> deleted_at;
  std::string doc;
};

struct FamilyCursor {
  std::string family;
  std::int64_t revision = 0;
};

class TaskDefinitionStore {
 public:
  TaskDefinitionStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  // Reserves the next revision number of a family (1 for a new family).
  std::int64_t next_revision(std::string_view family);
  void insert(const TaskDefinitionRow& row);
  std::optional<TaskDefinitionRow> get(std::string_view family, std::int64_t revision);
  // The highest ACTIVE revision of a family.
  std::optional<TaskDefinitionRow> latest_active(std::string_view family);
  void set_status(std::string_view family, std::int64_t revision, std::string_view status,
                  std::int64_t at);

  // Revisions with the given status, optionally of one family, ordered by (family, revision)
  // ascending or descending, strictly after `after`.
  std::vector<TaskDefinitionRow> list(std::string_view status,
                                      std::optional<std::string_view> family,
                                      bool descending, const std::optional<FamilyCursor>& after,
                                      int limit);
  // Family names: "ACTIVE" (with an active revision), "INACTIVE" (none active), or "ALL".
  std::vector<std::string> families(std::string_view status,
                                    std::optional<std::string_view> prefix,
                                    std::string_view after, int limit);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
