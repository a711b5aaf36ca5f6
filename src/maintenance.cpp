#include "maintenance.h"

#include <spdlog/spdlog.h>

namespace berth {

void Maintenance::add(std::string name, std::chrono::seconds every, std::function<void()> job) {
  jobs_.push_back({std::move(name), every, std::move(job), std::chrono::steady_clock::now() + every});
}

void Maintenance::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      auto next = std::chrono::steady_clock::time_point::max();
      for (auto& job : jobs_) next = std::min(next, job.next);
      cv_.wait_until(lock, next, [this] { return stopping_; });
      if (stopping_) break;
      auto now = std::chrono::steady_clock::now();
      for (auto& job : jobs_) {
        if (job.next > now) continue;
        job.next = now + job.every;
        lock.unlock();
        try {
          job.run();
        } catch (const std::exception& e) {
          spdlog::error("maintenance job {} failed: {}", job.name, e.what());
        }
        lock.lock();
      }
    }
  });
}

void Maintenance::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace berth
