#include "state/metrics_store.h"

namespace berth::state {

std::int64_t MetricsStore::touch_series(std::string_view ns, std::string_view name, std::string_view dims,
                                        std::int64_t now) {
  auto q = c_.query(
      "INSERT INTO metric_series (account, region, namespace, name, dimensions, last_put) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (account, region, namespace, name, dimensions) DO UPDATE SET last_put = max(last_put, excluded.last_put) "
      "RETURNING id",
      scope_.account, scope_.region, ns, name, dims, now);
  q.step();
  return q.int64(0);
}

std::optional<std::int64_t> MetricsStore::find_series(std::string_view ns, std::string_view name, std::string_view dims) {
  auto q = c_.query(
      "SELECT id FROM metric_series WHERE account = ? AND region = ? AND namespace = ? AND name = ? AND dimensions = ?",
      scope_.account, scope_.region, ns, name, dims);
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

std::vector<MetricSeriesRow> MetricsStore::list_series(std::optional<std::string_view> ns,
                                                       std::optional<std::string_view> name, std::int64_t after_id,
                                                       std::int64_t active_since, int limit) {
  std::vector<MetricSeriesRow> out;
  auto q = c_.query(
      "SELECT id, namespace, name, dimensions, last_put FROM metric_series WHERE account = ? AND region = ? "
      "AND (?3 IS NULL OR namespace = ?3) AND (?4 IS NULL OR name = ?4) AND id > ?5 AND last_put >= ?6 "
      "ORDER BY id LIMIT ?7",
      scope_.account, scope_.region, ns ? std::optional<std::string>(std::string(*ns)) : std::nullopt,
      name ? std::optional<std::string>(std::string(*name)) : std::nullopt, after_id, active_since, limit);
  while (q.step()) out.push_back({q.int64(0), q.str(1), q.str(2), q.str(3), q.int64(4)});
  return out;
}

void MetricsStore::add_point(std::int64_t series_id, const MetricPointRow& p) {
  c_.query(
        "INSERT INTO metric_points (series_id, ts, seq, unit, count, sum, min, max, value) VALUES (?1, ?2, "
        "(SELECT coalesce(max(seq), 0) + 1 FROM metric_points WHERE series_id = ?1 AND ts = ?2), ?3, ?4, ?5, ?6, ?7, ?8)",
        series_id, p.ts, p.unit, p.count, p.sum, p.min, p.max, p.value)
      .run();
}

void MetricsStore::scan(std::int64_t series_id, std::int64_t start, std::int64_t end,
                        const std::function<void(const MetricPointRow&)>& f) {
  MetricPointRow p;
  // Roll-ups first: they hold only data older than any raw datapoint left.
  auto r = c_.query(
      "SELECT ts, unit, count, sum, min, max FROM metric_rollups WHERE series_id = ? AND ts >= ? AND ts < ? "
      "ORDER BY resolution DESC, ts",
      series_id, start, end);
  // One row object reused: no allocation per datapoint once the unit's buffer is there.
  auto fill = [&p](Query& q) {
    p.ts = q.int64(0);
    p.unit.assign(q.text(1));
    p.count = q.real(2);
    p.sum = q.real(3);
    p.min = q.real(4);
    p.max = q.real(5);
  };
  while (r.step()) {
    fill(r);
    p.value.reset();
    f(p);
  }
  auto q = c_.query(
      "SELECT ts, unit, count, sum, min, max, value FROM metric_points WHERE series_id = ? AND ts >= ? AND ts < ? "
      "ORDER BY ts, seq",
      series_id, start, end);
  while (q.step()) {
    fill(q);
    p.value.reset();
    if (!q.is_null(6)) p.value = q.real(6);
    f(p);
  }
}

std::int64_t MetricsStore::roll_up(Connection& c, std::int64_t minute_cutoff, std::int64_t five_minute_cutoff,
                                   std::int64_t hour_cutoff) {
  static constexpr const char* kMerge =
      " ON CONFLICT (series_id, resolution, ts, unit) DO UPDATE SET count = count + excluded.count, "
      "sum = sum + excluded.sum, min = min(min, excluded.min), max = max(max, excluded.max)";
  std::int64_t removed = 0;
  c.query(std::string("INSERT INTO metric_rollups (series_id, resolution, ts, unit, count, sum, min, max) "
                      "SELECT series_id, 300, ts - ts % 300000, unit, sum(count), sum(sum), min(min), max(max) "
                      "FROM metric_points WHERE ts < ? GROUP BY series_id, ts - ts % 300000, unit") + kMerge,
          minute_cutoff)
      .run();
  c.query("DELETE FROM metric_points WHERE ts < ?", minute_cutoff).run();
  removed += c.changes();
  c.query(std::string("INSERT INTO metric_rollups (series_id, resolution, ts, unit, count, sum, min, max) "
                      "SELECT series_id, 3600, ts - ts % 3600000, unit, sum(count), sum(sum), min(min), max(max) "
                      "FROM metric_rollups WHERE resolution = 300 AND ts < ? GROUP BY series_id, ts - ts % 3600000, unit") +
              kMerge,
          five_minute_cutoff)
      .run();
  c.query("DELETE FROM metric_rollups WHERE resolution = 300 AND ts < ?", five_minute_cutoff).run();
  removed += c.changes();
  c.query("DELETE FROM metric_rollups WHERE ts < ?", hour_cutoff).run();
  removed += c.changes();
  c.query(
       "DELETE FROM metric_series WHERE last_put < ? AND NOT EXISTS (SELECT 1 FROM metric_rollups r WHERE r.series_id = "
       "metric_series.id) AND NOT EXISTS (SELECT 1 FROM metric_points p WHERE p.series_id = metric_series.id)",
       hour_cutoff)
      .run();
  return removed;
}

namespace {
MetricAlarmRow alarm_of(Query& q) {
  MetricAlarmRow a;
  a.id = q.int64(0);
  a.name = q.str(1);
  a.namespace_ = q.opt_str(2);
  a.metric_name = q.opt_str(3);
  a.dimensions = q.opt_str(4);
  a.state = q.str(5);
  a.state_reason = q.str(6);
  a.state_reason_data = q.opt_str(7);
  a.state_updated = q.int64(8);
  a.state_transitioned = q.int64(9);
  a.actions_enabled = q.int64(10) != 0;
  a.updated = q.int64(11);
  a.doc = q.str(12);
  return a;
}
constexpr const char* kAlarmColumns =
    "SELECT id, name, namespace, metric_name, dimensions, state, state_reason, state_reason_data, state_updated, "
    "state_transitioned, actions_enabled, updated, doc FROM metric_alarms ";
}  // namespace

std::optional<MetricAlarmRow> MetricsStore::alarm(std::string_view name) {
  auto q = c_.query(std::string(kAlarmColumns) + "WHERE account = ? AND region = ? AND name = ?", scope_.account,
                    scope_.region, name);
  if (!q.step()) return std::nullopt;
  return alarm_of(q);
}

void MetricsStore::put_alarm(const MetricAlarmRow& a) {
  c_.query(
        "INSERT INTO metric_alarms (account, region, name, namespace, metric_name, dimensions, state, state_reason, "
        "state_reason_data, state_updated, state_transitioned, actions_enabled, updated, doc) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET "
        "namespace = excluded.namespace, metric_name = excluded.metric_name, dimensions = excluded.dimensions, "
        "actions_enabled = excluded.actions_enabled, updated = excluded.updated, doc = excluded.doc",
        scope_.account, scope_.region, a.name, a.namespace_, a.metric_name, a.dimensions, a.state, a.state_reason,
        a.state_reason_data, a.state_updated, a.state_transitioned, a.actions_enabled ? 1 : 0, a.updated, a.doc)
      .run();
}

bool MetricsStore::delete_alarm(std::string_view name) {
  c_.query("DELETE FROM metric_alarms WHERE account = ? AND region = ? AND name = ?", scope_.account, scope_.region, name)
      .run();
  bool gone = c_.changes() > 0;
  if (gone)
    c_.query("DELETE FROM metric_alarm_history WHERE account = ? AND region = ? AND alarm_name = ?", scope_.account,
             scope_.region, name)
        .run();
  return gone;
}

std::vector<MetricAlarmRow> MetricsStore::list_alarms(std::string_view prefix, std::string_view after, int limit) {
  std::vector<MetricAlarmRow> out;
  auto q = c_.query(std::string(kAlarmColumns) +
                        "WHERE account = ? AND region = ? AND substr(name, 1, length(?3)) = ?3 AND name > ? "
                        "ORDER BY name LIMIT ?",
                    scope_.account, scope_.region, prefix, after, limit);
  while (q.step()) out.push_back(alarm_of(q));
  return out;
}

void MetricsStore::set_state(std::string_view name, std::string_view state, std::string_view reason,
                             const std::optional<std::string>& reason_data, std::int64_t now) {
  c_.query(
        "UPDATE metric_alarms SET state_transitioned = CASE WHEN state = ?1 THEN state_transitioned ELSE ?4 END, "
        "state = ?1, state_reason = ?2, state_reason_data = ?3, state_updated = ?4 "
        "WHERE account = ?5 AND region = ?6 AND name = ?7",
        state, reason, reason_data, now, scope_.account, scope_.region, name)
      .run();
}

void MetricsStore::set_actions_enabled(std::string_view name, bool enabled) {
  c_.query("UPDATE metric_alarms SET actions_enabled = ? WHERE account = ? AND region = ? AND name = ?", enabled ? 1 : 0,
           scope_.account, scope_.region, name)
      .run();
}

void MetricsStore::set_pending_actions(std::string_view name, std::string_view json) {
  c_.query("UPDATE metric_alarms SET pending_actions = ? WHERE account = ? AND region = ? AND name = ?", json,
           scope_.account, scope_.region, name)
      .run();
}

std::vector<std::tuple<Scope, std::string, std::string>> MetricsStore::take_pending_actions(Connection& c) {
  std::vector<std::tuple<Scope, std::string, std::string>> out;
  {
    auto q = c.query("SELECT account, region, name, pending_actions FROM metric_alarms WHERE pending_actions IS NOT NULL");
    while (q.step()) out.emplace_back(Scope{q.str(0), q.str(1)}, q.str(2), q.str(3));
  }
  if (!out.empty()) c.exec("UPDATE metric_alarms SET pending_actions = NULL WHERE pending_actions IS NOT NULL");
  return out;
}

std::vector<std::pair<Scope, std::string>> MetricsStore::all_alarms(Connection& c) {
  std::vector<std::pair<Scope, std::string>> out;
  auto q = c.query("SELECT account, region, name FROM metric_alarms ORDER BY account, region, name");
  while (q.step()) out.push_back({Scope{q.str(0), q.str(1)}, q.str(2)});
  return out;
}

void MetricsStore::add_history(const AlarmHistoryRow& h) {
  c_.query(
        "INSERT INTO metric_alarm_history (account, region, alarm_name, alarm_type, ts, item_type, summary, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        scope_.account, scope_.region, h.alarm_name, h.alarm_type, h.ts, h.item_type, h.summary, h.data)
      .run();
}

std::vector<AlarmHistoryRow> MetricsStore::history(std::optional<std::string_view> alarm_name,
                                                   std::optional<std::string_view> item_type, std::int64_t start,
                                                   std::int64_t end, std::int64_t before_id, int limit,
                                                   bool oldest_first) {
  std::vector<AlarmHistoryRow> out;
  auto opt = [](std::optional<std::string_view> v) {
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
  };
  std::string order = oldest_first ? "id > ?7 ORDER BY id" : "(?7 = 0 OR id < ?7) ORDER BY id DESC";
  auto q = c_.query(
      "SELECT alarm_name, alarm_type, item_type, summary, data, ts, id FROM metric_alarm_history "
      "WHERE account = ?1 AND region = ?2 AND (?3 IS NULL OR alarm_name = ?3) AND (?4 IS NULL OR item_type = ?4) "
      "AND ts >= ?5 AND ts < ?6 AND " + order + " LIMIT ?8",
      scope_.account, scope_.region, opt(alarm_name), opt(item_type), start, end, before_id, limit);
  while (q.step()) out.push_back({q.str(0), q.str(1), q.str(2), q.str(3), q.str(4), q.int64(5), q.int64(6)});
  return out;
}

}  // namespace berth::state
