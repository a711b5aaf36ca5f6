#include "scaling/scaling_actions.h"

#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "common/json.h"
#include "metrics/alarm_evaluator.h"
#include "metrics/alarm_rules.h"
#include "scaling/capacity.h"
#include "state/metrics_store.h"
#include "state/scaling_store.h"

namespace berth::scaling {
namespace {

// The alarm's latest value over its periods (what the policy acts on).
std::optional<double> latest_value(state::MetricsStore& metrics_store, const state::MetricAlarmRow& alarm,
                                   std::int64_t now) {
  rapidjson::Document doc;
  doc.Parse(alarm.doc.c_str());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto values = metrics::alarm_periods(metrics_store, doc, now, metrics::kExtraPeriods);
  for (auto it = values.rbegin(); it != values.rend(); ++it)
    if (*it) return **it;
  return std::nullopt;
}

std::vector<StepAdjustment> steps_of(const json::Value& config) {
  std::vector<StepAdjustment> out;
  if (const auto* list = json::member(config, "StepAdjustments"); list && list->IsArray())
    for (const auto& s : list->GetArray()) {
      StepAdjustment a;
      if (const auto* l = json::member(s, "MetricIntervalLowerBound"); l && l->IsNumber()) a.lower = l->GetDouble();
      if (const auto* u = json::member(s, "MetricIntervalUpperBound"); u && u->IsNumber()) a.upper = u->GetDouble();
      a.adjustment = json::get_int(s, "ScalingAdjustment").value_or(0);
      out.push_back(a);
    }
  return out;
}

}  // namespace

void ScalingActions::on_alarm(const metrics::FiredActions& fired) {
  std::vector<std::pair<state::Scope, std::string>> woken;
  const std::int64_t now = clock_.now_millis();
  db_.write([&](state::Connection& c) {
    state::ScalingStore store(c, fired.scope);
    state::MetricsStore metrics_store(c, fired.scope);
    auto alarm = metrics_store.alarm(fired.alarm_name);
    if (!alarm || !capacity_.read) return false;
    for (const auto& arn : fired.actions) {
      auto policy = store.policy_by_arn(arn);
      if (!policy) continue;
      auto target = store.target(policy->key);
      if (!target) continue;
      auto service = capacity_.read(c, fired.scope, policy->key.resource_id);
      if (!service) continue;
      rapidjson::Document config;
      config.Parse(policy->config.c_str());
      auto value = latest_value(metrics_store, *alarm, now);
      if (!value) continue;  // no scaling on missing data
      std::optional<std::int64_t> wanted;
      const std::int64_t default_cooldown = scaled_seconds(kDefaultCooldownSeconds, time_scale_);
      std::int64_t out_cooldown = default_cooldown, in_cooldown = default_cooldown;
      bool disable_in = false;
      if (policy->policy_type == "TargetTrackingScaling") {
        wanted = target_tracking_capacity(service->desired, *value, config["TargetValue"].GetDouble());
        out_cooldown = json::get_int(config, "ScaleOutCooldown").value_or(default_cooldown);
        in_cooldown = json::get_int(config, "ScaleInCooldown").value_or(default_cooldown);
        disable_in = json::get_bool(config, "DisableScaleIn").value_or(false);
      } else {
        rapidjson::Document adoc;
        adoc.Parse(alarm->doc.c_str());
        double threshold = json::member(adoc, "Threshold") ? adoc["Threshold"].GetDouble() : 0;
        wanted = step_capacity(service->desired, std::string(json::get_string(config, "AdjustmentType").value_or("ChangeInCapacity")),
                               steps_of(config), *value - threshold, json::get_int(config, "MinAdjustmentMagnitude").value_or(1));
        out_cooldown = in_cooldown = json::get_int(config, "Cooldown").value_or(default_cooldown);
      }
      if (!wanted) continue;
      auto next = clamp(*wanted, target->min_capacity, target->max_capacity);
      if (next == service->desired) continue;
      bool out = next > service->desired;
      rapidjson::Document suspended;
      suspended.Parse(target->suspended.c_str());
      if (out && json::get_bool(suspended, "DynamicScalingOutSuspended").value_or(false)) continue;
      if (!out && (disable_in || service->deploying || json::get_bool(suspended, "DynamicScalingInSuspended").value_or(false)))
        continue;
      // A scale-out waits for its own cooldown; a scale-in also for a recent scale-out's.
      if (out && !cooled(target->last_scale_out, out_cooldown, now)) continue;
      if (!out && (!cooled(target->last_scale_in, in_cooldown, now) || !cooled(target->last_scale_out, out_cooldown, now)))
        continue;
      capacity_.set_desired(c, fired.scope, policy->key.resource_id, next);
      store.note_scaled(policy->key, out, now);
      auto n = std::to_string(next);
      store.add_activity({0, ids::uuid_v4(), policy->key, "Setting desired count to " + n + ".",
                          "monitor alarm " + fired.alarm_name + " in state " + fired.state + " triggered policy " + policy->name,
                          now, now, "Successful",
                          "Successfully set desired count to " + n + ". Change successfully fulfilled by ecs."});
      spdlog::info("scaling {}: desired count {} -> {}", policy->key.resource_id, service->desired, next);
      woken.emplace_back(fired.scope, policy->key.resource_id);
    }
    return true;
  });
  if (capacity_.wake)
    for (const auto& [scope, resource] : woken) capacity_.wake(scope, resource);
}

}  // namespace berth::scaling
