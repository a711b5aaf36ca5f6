#include "metrics/alarm_transition.h"

#include "common/json.h"

namespace berth::metrics {

std::optional<FiredActions> transition(state::MetricsStore& store, const state::Scope& scope,
                                       const state::MetricAlarmRow& alarm, const std::string& new_state,
                                       const std::string& reason, const std::optional<std::string>& reason_data,
                                       std::int64_t now) {
  store.set_state(alarm.name, new_state, reason, reason_data, now);
  if (alarm.state == new_state) return std::nullopt;
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "version", "1.0");
  w.Key("oldState");
  w.StartObject();
  json::kv(w, "stateValue", alarm.state);
  json::kv(w, "stateReason", alarm.state_reason);
  w.EndObject();
  w.Key("newState");
  w.StartObject();
  json::kv(w, "stateValue", new_state);
  json::kv(w, "stateReason", reason);
  if (reason_data) {
    w.Key("stateReasonData");
    json::raw(w, *reason_data);
  }
  w.EndObject();
  w.EndObject();
  store.add_history({alarm.name, "MetricAlarm", "StateUpdate",
                     "Alarm updated from " + alarm.state + " to " + new_state,
                     std::string(buf.GetString(), buf.GetSize()), now, 0});
  if (!alarm.actions_enabled) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(alarm.doc.c_str());
  const char* member = new_state == "ALARM" ? "AlarmActions" : new_state == "OK" ? "OKActions" : "InsufficientDataActions";
  FiredActions fired{scope, alarm.name, new_state, {}};
  if (!doc.HasParseError() && doc.IsObject())
    if (const auto* list = json::member(doc, member); list && list->IsArray())
      for (const auto& a : list->GetArray())
        if (a.IsString()) fired.actions.emplace_back(json::view(a));
  if (fired.actions.empty()) return std::nullopt;
  return fired;
}

}  // namespace berth::metrics
