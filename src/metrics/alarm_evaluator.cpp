#include "metrics/alarm_evaluator.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/json.h"
#include "metrics/alarm_rules.h"
#include "metrics/metric_math.h"
#include "metrics/series_reader.h"

namespace berth::metrics {
namespace {

std::string dims_of(const rapidjson::Value& v) {
  std::vector<std::pair<std::string, std::string>> dims;
  if (const auto* list = json::member(v, "Dimensions"); list && list->IsArray())
    for (const auto& d : list->GetArray())
      dims.emplace_back(json::get_string(d, "Name").value_or(""), json::get_string(d, "Value").value_or(""));
  return canonical_dimensions(dims);
}

std::optional<std::string> unit_of(const rapidjson::Value& v) {
  if (auto u = json::get_string(v, "Unit")) return std::string(*u);
  return std::nullopt;
}

// One metric's statistic per period over the timeline.
std::vector<std::optional<double>> read_metric(state::MetricsStore& store, const rapidjson::Value& metric,
                                               const std::string& stat, const std::optional<std::string>& unit,
                                               const std::vector<std::int64_t>& times, std::int64_t period) {
  std::vector<std::optional<double>> out(times.size());
  if (times.empty()) return out;
  auto id = store.find_series(json::get_string(metric, "Namespace").value_or(""),
                              json::get_string(metric, "MetricName").value_or(""), dims_of(metric));
  if (!id) return out;
  auto values = read_statistic(store, *id, times.front(), times.back() + period * 1000, period, unit, stat);
  for (std::size_t k = 0; k < times.size(); ++k)
    if (auto it = values.find(times[k]); it != values.end()) out[k] = it->second;
  return out;
}

}  // namespace

std::vector<std::optional<double>> alarm_periods(state::MetricsStore& store, const rapidjson::Value& doc,
                                                 std::int64_t now, int extra) {
  const int n = static_cast<int>(json::get_int(doc, "EvaluationPeriods").value_or(1)) + extra;
  std::int64_t period = json::get_int(doc, "Period").value_or(60);
  const auto* metrics = json::member(doc, "Metrics");
  if (metrics && metrics->IsArray())
    for (const auto& q : metrics->GetArray()) {
      if (const auto* ms = json::member(q, "MetricStat")) period = json::get_int(*ms, "Period").value_or(period);
      else if (auto p = json::get_int(q, "Period")) period = *p;
    }
  const std::int64_t step = period * 1000;
  const std::int64_t end = now / step * step;  // complete periods only
  std::vector<std::int64_t> times;
  for (int k = n; k >= 1; --k) times.push_back(end - k * step);

  if (!metrics || !metrics->IsArray()) {
    std::string stat(json::get_string(doc, "Statistic").value_or(json::get_string(doc, "ExtendedStatistic").value_or("Average")));
    return read_metric(store, doc, stat, unit_of(doc), times, period);
  }
  // A math alarm: every MetricStat read, expressions evaluated in order, the one returning
  // data is the alarm's value.
  MathScope scope;
  scope.times = times;
  std::vector<std::optional<double>> result(times.size());
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& q : metrics->GetArray()) {
      std::string id(json::get_string(q, "Id").value_or(""));
      bool returns = json::get_bool(q, "ReturnData").value_or(true);
      if (const auto* ms = json::member(q, "MetricStat"); ms && pass == 0) {
        Series s{id, id, read_metric(store, (*ms)["Metric"], std::string(json::get_string(*ms, "Stat").value_or("Average")),
                                     unit_of(*ms), times, period)};
        scope.metrics.push_back(s);
        scope.by_id[id] = {s};
        if (returns) result = s.values;
      } else if (auto e = json::get_string(q, "Expression"); e && pass == 1) {
        auto v = evaluate_math(*e, scope);
        if (auto* list = std::get_if<std::vector<Series>>(&v); list && !list->empty()) {
          scope.by_id[id] = *list;
          if (returns) result = list->front().values;
        }
      }
    }
  return result;
}

std::vector<FiredActions> AlarmEvaluator::evaluate_all() {
  std::vector<FiredActions> fired, repeated;
  const std::int64_t now = clock_.now_millis();
  db_.write([&](state::Connection& c) {
    for (const auto& [scope, name] : state::MetricsStore::all_alarms(c)) {
      state::MetricsStore store(c, scope);
      auto alarm = store.alarm(name);
      if (!alarm) continue;
      rapidjson::Document doc;
      doc.Parse(alarm->doc.c_str());
      if (doc.HasParseError() || !doc.IsObject()) continue;
      AlarmRule rule;
      rule.comparison = std::string(json::get_string(doc, "ComparisonOperator").value_or(""));
      if (const auto* t = json::member(doc, "Threshold"); t && t->IsNumber()) rule.threshold = t->GetDouble();
      rule.evaluation_periods = static_cast<int>(json::get_int(doc, "EvaluationPeriods").value_or(1));
      rule.datapoints_to_alarm = static_cast<int>(json::get_int(doc, "DatapointsToAlarm").value_or(rule.evaluation_periods));
      rule.treat_missing = std::string(json::get_string(doc, "TreatMissingData").value_or("missing"));
      auto values = evaluation_window(alarm_periods(store, doc, now, kExtraPeriods), rule.evaluation_periods);
      auto current = parse_state(alarm->state).value_or(AlarmState::InsufficientData);
      auto next = evaluate(rule, values, current);
      if (next == current) {
        // CloudWatch invokes Auto Scaling actions again at every period the alarm stays in ALARM.
        if (next == AlarmState::Alarm && alarm->actions_enabled)
          if (const auto* list = json::member(doc, "AlarmActions"); list && list->IsArray()) {
            FiredActions again{scope, name, "ALARM", {}};
            for (const auto& a : list->GetArray())
              if (a.IsString() && json::view(a).starts_with("arn:aws:autoscaling:")) again.actions.emplace_back(json::view(a));
            if (!again.actions.empty()) repeated.push_back(std::move(again));
          }
        continue;
      }
      transition(store, *alarm, std::string(state_name(next)), state_reason(rule, values, current, next), std::nullopt,
                 now);
    }
    // This pass's changes and SetAlarmState's since the last pass.
    fired = take_fired(c);
    for (auto& r : repeated)
      if (std::none_of(fired.begin(), fired.end(), [&](const FiredActions& f) { return f.alarm_name == r.alarm_name; }))
        fired.push_back(std::move(r));
    return true;
  });
  for (const auto& f : fired) {
    spdlog::info("alarm {} is {}: {} action(s)", f.alarm_name, f.state, f.actions.size());
    if (sink_) sink_(f);
  }
  return fired;
}

void AlarmEvaluator::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, interval_, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      try {
        evaluate_all();
      } catch (const std::exception& e) {
        spdlog::error("alarm evaluation failed: {}", e.what());
      }
      lock.lock();
    }
  });
}

void AlarmEvaluator::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace berth::metrics
