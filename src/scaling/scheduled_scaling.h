#pragma once
// Scheduled actions at work: a thread that, every tick (a second), runs the scheduled actions
// whose time has come: the scalable target's new MinCapacity/MaxCapacity, the service's
// desiredCount moved inside them when it falls outside, both recorded as scaling activities in
// Application Auto Scaling's words, and the action's next time computed from its schedule.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "scaling/service_capacity.h"
#include "state/db.h"

namespace berth::scaling {

class ScheduledScaling {
 public:
  ScheduledScaling(state::Database& db, const Clock& clock, ServiceCapacity capacity,
                   std::chrono::milliseconds tick = std::chrono::seconds(1))
      : db_(db), clock_(clock), capacity_(std::move(capacity)), tick_(tick) {}
  ~ScheduledScaling() { stop(); }
  void start();
  void stop();
  // One pass over the due actions (the thread's work; tests call it). Returns how many ran.
  int run_due();

 private:
  state::Database& db_;
  const Clock& clock_;
  ServiceCapacity capacity_;
  std::chrono::milliseconds tick_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::scaling
