#include "state/ecs_container_instance_store.h"

namespace berth::state {
namespace {
constexpr const char* kColumns = "arn, cluster, ec2_instance_id, status, registered_at, version, doc";
ContainerInstanceRow row_of(const Query& q) {
  return {q.str(0), q.str(1), q.str(2), q.str(3), q.int64(4), q.int64(5), q.str(6)};
}
}  // namespace

std::optional<ContainerInstanceRow> ContainerInstanceStore::get(std::string_view arn) {
  auto q = c_.query(std::string("SELECT ") + kColumns +
                        " FROM container_instances WHERE arn = ? AND account = ? AND region = ?",
                    arn, scope_.account, scope_.region);
  if (!q.step()) return std::nullopt;
  return row_of(q);
}

std::vector<ContainerInstanceRow> ContainerInstanceStore::in_cluster(std::string_view cluster) {
  std::vector<ContainerInstanceRow> out;
  auto q = c_.query(std::string("SELECT ") + kColumns +
                        " FROM container_instances WHERE account = ? AND region = ? AND cluster = ? "
                        "ORDER BY registered_at, arn",
                    scope_.account, scope_.region, cluster);
  while (q.step()) out.push_back(row_of(q));
  return out;
}

void ContainerInstanceStore::put(const ContainerInstanceRow& r) {
  c_.query("INSERT INTO container_instances (arn, account, region, cluster, ec2_instance_id, status, registered_at, "
           "version, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET "
           "status = excluded.status, version = container_instances.version + 1, doc = excluded.doc",
           r.arn, scope_.account, scope_.region, r.cluster, r.ec2_instance_id, r.status, r.registered_at, r.version,
           r.doc)
      .run();
}

void ContainerInstanceStore::remove(std::string_view arn) {
  c_.query("DELETE FROM container_instances WHERE arn = ? AND account = ? AND region = ?", arn, scope_.account,
           scope_.region)
      .run();
}

std::vector<std::pair<Scope, ContainerInstanceRow>> ContainerInstanceStore::all(Connection& c) {
  std::vector<std::pair<Scope, ContainerInstanceRow>> out;
  auto q = c.query(std::string("SELECT ") + kColumns + ", account, region FROM container_instances ORDER BY arn");
  while (q.step()) out.emplace_back(Scope{q.str(7), q.str(8)}, row_of(q));
  return out;
}

}  // namespace berth::state
