#pragma once
// ECS container instances: berth's Docker engine as registered in a cluster (once on its own,
// more through RegisterContainerInstance). The row keeps what berth filters on; `doc` holds the
// registeredResources, versionInfo, attributes and capacityProviderName berth echoes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct ContainerInstanceRow {
  std::string arn;
  std::string cluster;
  std::string ec2_instance_id;
  std::string status = "ACTIVE";  // ACTIVE or DRAINING
  std::int64_t registered_at = 0;
  std::int64_t version = 1;
  std::string doc = "{}";
};

class ContainerInstanceStore {
 public:
  ContainerInstanceStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  std::optional<ContainerInstanceRow> get(std::string_view arn);
  // The cluster's instances, oldest first.
  std::vector<ContainerInstanceRow> in_cluster(std::string_view cluster);
  // Inserts or replaces by ARN; a replacement bumps the version.
  void put(const ContainerInstanceRow& row);
  void remove(std::string_view arn);
  // Every instance of every account and region (the reservation metrics).
  static std::vector<std::pair<Scope, ContainerInstanceRow>> all(Connection& c);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
