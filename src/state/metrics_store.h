#pragma once
// CloudWatch metric state: series (namespace, name, canonical dimensions) per account and
// region, their datapoints as statistic sets, the 5-minute and 1-hour roll-ups that replace
// aged datapoints, alarms and their history. Alarm tags live in TagsStore by alarm ARN.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct MetricSeriesRow {
  std::int64_t id = 0;
  std::string namespace_, name;
  std::string dimensions;  // canonical JSON array of {"Name","Value"}, sorted by Name
  std::int64_t last_put = 0;
};

struct MetricPointRow {
  std::int64_t ts = 0;
  std::string unit;  // "None" when put without one
  double count = 1, sum = 0, min = 0, max = 0;
  std::optional<double> value;
};

struct MetricAlarmRow {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> namespace_, metric_name, dimensions;
  std::string state = "INSUFFICIENT_DATA";
  std::string state_reason;
  std::optional<std::string> state_reason_data;
  std::int64_t state_updated = 0, state_transitioned = 0, updated = 0;
  bool actions_enabled = true;
  std::string doc;
};

struct AlarmHistoryRow {
  std::string alarm_name, alarm_type, item_type, summary, data;
  std::int64_t ts = 0;
  std::int64_t id = 0;
};

class MetricsStore {
 public:
  MetricsStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  // ---- series and datapoints ----
  // The id of the series, created if new; its last_put becomes `now`.
  std::int64_t touch_series(std::string_view ns, std::string_view name, std::string_view dimensions, std::int64_t now);
  std::optional<std::int64_t> find_series(std::string_view ns, std::string_view name, std::string_view dimensions);
  // Series in id order after `after_id`, optionally of one namespace and name, put to since
  // `active_since`.
  std::vector<MetricSeriesRow> list_series(std::optional<std::string_view> ns, std::optional<std::string_view> name,
                                           std::int64_t after_id, std::int64_t active_since, int limit);
  void add_point(std::int64_t series_id, const MetricPointRow& p);
  // The datapoints of a series with start <= ts < end, raw and rolled up, oldest first.
  void scan(std::int64_t series_id, std::int64_t start, std::int64_t end,
            const std::function<void(const MetricPointRow&)>& f);
  // Moves raw datapoints older than `minute_cutoff` into 300-second roll-ups, those older than
  // `five_minute_cutoff` into 3600-second ones, and deletes what is older than `hour_cutoff`
  // (with series nothing refers to any more). Returns the rows removed.
  static std::int64_t roll_up(Connection& c, std::int64_t minute_cutoff, std::int64_t five_minute_cutoff, std::int64_t hour_cutoff);

  // ---- alarms ----
  std::optional<MetricAlarmRow> alarm(std::string_view name);
  // Creates or replaces the alarm's configuration; a replaced alarm keeps its state.
  void put_alarm(const MetricAlarmRow& row);
  bool delete_alarm(std::string_view name);
  // Alarms by name with name > after, optionally with a prefix.
  std::vector<MetricAlarmRow> list_alarms(std::string_view prefix, std::string_view after, int limit);
  void set_state(std::string_view name, std::string_view state, std::string_view reason,
                 const std::optional<std::string>& reason_data, std::int64_t now);
  void set_actions_enabled(std::string_view name, bool enabled);
  // Records the actions of a state change for the evaluator to run.
  void set_pending_actions(std::string_view name, std::string_view json);
  // Every alarm's pending actions (scope, name, JSON), cleared.
  static std::vector<std::tuple<Scope, std::string, std::string>> take_pending_actions(Connection& c);
  // Every account and region's alarms (the evaluator's pass).
  static std::vector<std::pair<Scope, std::string>> all_alarms(Connection& c);

  void add_history(const AlarmHistoryRow& h);
  // History newest first, ids below `before_id` (0: from the newest).
  std::vector<AlarmHistoryRow> history(std::optional<std::string_view> alarm_name, std::optional<std::string_view> item_type,
                                       std::int64_t start, std::int64_t end, std::int64_t before_id, int limit,
                                       bool oldest_first);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
