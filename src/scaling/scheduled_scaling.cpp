#include "scaling/scheduled_scaling.h"

#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "common/json.h"
#include "scaling/capacity_bounds.h"
#include "scaling/schedule.h"
#include "state/scaling_store.h"

namespace berth::scaling {
namespace {

// "min capacity to 2 and max capacity to 4", or the one of them the action sets.
std::string capacities(const state::ScheduledActionRow& a) {
  std::string out;
  if (a.min_capacity) out = "min capacity to " + std::to_string(*a.min_capacity);
  if (a.max_capacity) out += (out.empty() ? "" : " and ") + std::string("max capacity to ") + std::to_string(*a.max_capacity);
  return out;
}

std::optional<std::int64_t> next_after(const state::ScheduledActionRow& a, std::int64_t now) {
  auto schedule = parse_schedule(a.schedule);
  auto tz = a.timezone ? TimeZone::load(*a.timezone) : TimeZone::utc();
  if (!schedule || !tz) return std::nullopt;
  return next_fire(*schedule, *tz, {a.created, a.start_time, a.end_time}, now);
}

}  // namespace

int ScheduledScaling::run_due() {
  std::vector<std::pair<state::Scope, std::string>> woken;
  int ran = 0;
  const std::int64_t now = clock_.now_millis();
  // Most ticks find nothing due: a pooled read, so the writer is taken only when there is work.
  bool due = false;
  db_.read([&](state::Connection& c) { due = !state::ScalingStore::due_scheduled_actions(c, now).empty(); });
  if (!due) return 0;
  db_.write([&](state::Connection& c) {
    for (const auto& [scope, a] : state::ScalingStore::due_scheduled_actions(c, now)) {
      state::ScalingStore store(c, scope);
      store.set_next_fire(a.arn, next_after(a, now));
      auto target = store.target(a.key);
      if (!target) continue;
      rapidjson::Document suspended;
      suspended.Parse(target->suspended.c_str());
      if (json::get_bool(suspended, "ScheduledScalingSuspended").value_or(false)) continue;
      ++ran;
      const std::string cause = "scheduled action name " + a.name + " was triggered";
      const std::int64_t min = a.min_capacity.value_or(target->min_capacity);
      const std::int64_t max = a.max_capacity.value_or(target->max_capacity);
      if (min > max) {
        store.add_activity({0, ids::uuid_v4(), a.key, "Setting " + capacities(a), cause, now, now, "Failed",
                            "Failed to set " + capacities(a) + ". Minimum capacity cannot be greater than maximum capacity."});
        continue;
      }
      target->min_capacity = min;
      target->max_capacity = max;
      store.put_target(*target);
      store.add_activity({0, ids::uuid_v4(), a.key, "Setting " + capacities(a), cause, now, now, "Successful",
                          "Successfully set " + capacities(a)});
      if (!enforce_bounds(c, scope, capacity_, store, a.key, min, max, now)) continue;
      spdlog::info("scheduled action {} moved {} into {}..{}", a.name, a.key.resource_id, min, max);
      woken.emplace_back(scope, a.key.resource_id);
    }
    return true;
  });
  if (capacity_.wake)
    for (const auto& [scope, resource] : woken) capacity_.wake(scope, resource);
  return ran;
}

void ScheduledScaling::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, tick_, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      try {
        run_due();
      } catch (const std::exception& e) {
        spdlog::error("scheduled scaling failed: {}", e.what());
      }
      lock.lock();
    }
  });
}

void ScheduledScaling::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace berth::scaling
