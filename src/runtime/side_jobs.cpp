#include "runtime/side_jobs.h"

namespace berth::runtime {

SideJobs::SideJobs(Wake wake, bool inline_jobs) : wake_(std::move(wake)), inline_(inline_jobs) {}

SideJobs::~SideJobs() { stop(); }

std::optional<std::string> SideJobs::poll(const std::string& key, const std::string& task_arn,
                                          const std::function<std::string()>& job) {
  if (inline_) return job();
  std::lock_guard lock(mu_);
  reap_locked();
  auto it = jobs_.find(key);
  if (it != jobs_.end() && it->second.done) {
    std::string error = it->second.error;
    it->second.waiters.erase(task_arn);
    if (it->second.waiters.empty()) jobs_.erase(it);
    return error;
  }
  if (it != jobs_.end()) {
    it->second.waiters.insert(task_arn);
    return std::nullopt;
  }
  jobs_[key].waiters.insert(task_arn);
  auto finished = std::make_shared<std::atomic<bool>>(false);
  runners_.push_back({std::thread([this, key, job, finished] {
                        std::string error = job();
                        std::vector<std::string> waiters;
                        {
                          std::lock_guard lock(mu_);
                          auto& e = jobs_[key];
                          e.done = true;
                          e.error = std::move(error);
                          waiters.assign(e.waiters.begin(), e.waiters.end());
                        }
                        wake_(waiters);
                        *finished = true;
                      }),
                      finished});
  return std::nullopt;
}

void SideJobs::forget_finished() {
  std::lock_guard lock(mu_);
  for (auto it = jobs_.begin(); it != jobs_.end();)
    it = it->second.done ? jobs_.erase(it) : std::next(it);
}

void SideJobs::reap_locked() {
  for (auto it = runners_.begin(); it != runners_.end();) {
    if (*it->finished) {
      it->thread.join();
      it = runners_.erase(it);
    } else {
      ++it;
    }
  }
}

void SideJobs::stop() {
  std::list<Runner> runners;
  {
    std::lock_guard lock(mu_);
    runners.swap(runners_);
  }
  for (auto& r : runners)
    if (r.thread.joinable()) r.thread.join();
}

}  // namespace berth::runtime
