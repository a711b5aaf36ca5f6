#pragma once
// The alarm evaluator: a thread that, each interval (a minute, as CloudWatch; --alarm-interval
// shortens it for tests), evaluates every metric alarm over its last EvaluationPeriods complete
// periods, records state changes with history, and hands the actions of each change to the
// sink once the change has committed.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "metrics/alarm_transition.h"
#include "state/db.h"

namespace berth::metrics {

class AlarmEvaluator {
 public:
  AlarmEvaluator(state::Database& db, const Clock& clock, std::chrono::milliseconds interval, AlarmActionSink sink)
      : db_(db), clock_(clock), interval_(interval), sink_(std::move(sink)) {}
  ~AlarmEvaluator() { stop(); }
  void start();
  void stop();
  // One pass over every alarm (the thread's work; tests call it directly). Returns the
  // actions fired, after having handed them to the sink.
  std::vector<FiredActions> evaluate_all();

 private:
  state::Database& db_;
  const Clock& clock_;
  std::chrono::milliseconds interval_;
  AlarmActionSink sink_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// The values of the alarm's last EvaluationPeriods + `extra` complete periods at `now`, oldest
// first (nullopt for a period without data). `doc` is the alarm's configuration
// (PutMetricAlarm's input).
std::vector<std::optional<double>> alarm_periods(state::MetricsStore& store, const rapidjson::Value& doc,
                                                 std::int64_t now, int extra = 0);

}  // namespace berth::metrics
