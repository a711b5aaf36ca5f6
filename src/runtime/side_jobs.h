#pragma once
// Slow Docker work of a task (pulling its images, stopping its containers) runs here, off the
// engine's workers: a task waiting for its pull or its stops holds no worker, so four slow
// stops or pulls never keep other tasks (or a StopTask) waiting. A job is keyed (a pull by its
// image and credentials, so tasks of one image share it); every task that asked for it is woken
// when it ends, and its next pass takes the outcome.
#include <atomic>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace berth::runtime {

class SideJobs {
 public:
  using Wake = std::function<void(const std::vector<std::string>& task_arns)>;
  // `inline_jobs` runs each job on the caller's thread at once (unit tests drive single passes).
  SideJobs(Wake wake, bool inline_jobs);
  ~SideJobs();

  // The outcome of the job under `key` for the task `task_arn`: nullopt while it runs (started
  // now with `job` when none runs; the task is woken when it ends), else what the job returned
  // (empty on success, else the error), handed once to each task that waited for it.
  std::optional<std::string> poll(const std::string& key, const std::string& task_arn,
                                  const std::function<std::string()>& job);
  // Forgets finished outcomes nobody took (after a reset); running jobs end on their own.
  void forget_finished();
  void stop();  // waits for running jobs

 private:
  struct Entry {
    bool done = false;
    std::string error;
    std::set<std::string> waiters;
  };
  struct Runner {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  void reap_locked();

  Wake wake_;
  bool inline_;
  std::mutex mu_;
  std::map<std::string, Entry> jobs_;
  std::list<Runner> runners_;
};

}  // namespace berth::runtime
