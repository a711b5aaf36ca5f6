#pragma once
// ECS clusters. The row keeps what berth filters on; `doc` is the API object berth echoes.
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct ClusterRow {
  std::string name;
  std::string arn;
  std::string status;  // ACTIVE or INACTIVE (deleted; still describable, as in ECS)
  std::int64_t created_at = 0;
  std::string doc;
};

class ClusterStore {
 public:
  ClusterStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  std::optional<ClusterRow> get(std::string_view name);
  // Inserts the cluster or replaces the row of the same name.
  void put(const ClusterRow& row);
  // ACTIVE clusters with name > after, by name, at most limit.
  std::vector<ClusterRow> list_active(std::string_view after, int limit);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
