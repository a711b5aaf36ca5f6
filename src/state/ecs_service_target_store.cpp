#include "state/ecs_service_target_store.h"

#include <set>

namespace berth::state {
namespace {
const char* kColumns = "task_arn, tg_arn, service_arn, target_id, port, draining_until, stop_reason";
}

std::vector<ServiceTargetRow> ServiceTargetStore::of_service(std::string_view service_arn) {
  std::vector<ServiceTargetRow> out;
  auto q = c_.query(std::string("SELECT ") + kColumns +
                        " FROM service_targets WHERE service_arn = ? ORDER BY task_arn, tg_arn",
                    service_arn);
  while (q.step()) {
    ServiceTargetRow r;
    r.task_arn = q.str(0);
    r.tg_arn = q.str(1);
    r.service_arn = q.str(2);
    r.target_id = q.str(3);
    r.port = static_cast<int>(q.int64(4));
    r.draining_until = q.opt_int64(5);
    r.stop_reason = q.opt_str(6);
    out.push_back(std::move(r));
  }
  return out;
}

void ServiceTargetStore::put(const ServiceTargetRow& r) {
  c_.query(std::string("INSERT OR REPLACE INTO service_targets (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?)",
           r.task_arn, r.tg_arn, r.service_arn, r.target_id, r.port, r.draining_until, r.stop_reason)
      .run();
}

void ServiceTargetStore::remove(std::string_view task_arn, std::string_view tg_arn) {
  c_.query("DELETE FROM service_targets WHERE task_arn = ? AND tg_arn = ?", task_arn, tg_arn).run();
}

std::vector<std::string> ServiceTargetStore::services_in(const std::vector<std::string>& tg_arns) {
  std::set<std::string> out;
  for (const auto& tg : tg_arns) {
    auto q = c_.query("SELECT DISTINCT service_arn FROM service_targets WHERE tg_arn = ?", tg);
    while (q.step()) out.insert(q.str(0));
  }
  return {out.begin(), out.end()};
}

}  // namespace berth::state
