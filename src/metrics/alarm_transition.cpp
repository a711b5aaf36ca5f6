#include "metrics/alarm_transition.h"

#include "common/json.h"

namespace berth::metrics {

bool transition(state::MetricsStore& store, const state::MetricAlarmRow& alarm, const std::string& new_state,
                const std::string& reason, const std::optional<std::string>& reason_data, std::int64_t now) {
  store.set_state(alarm.name, new_state, reason, reason_data, now);
  if (alarm.state == new_state) return false;
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
  if (!alarm.actions_enabled) return true;
  rapidjson::Document doc;
  doc.Parse(alarm.doc.c_str());
  const char* member = new_state == "ALARM" ? "AlarmActions" : new_state == "OK" ? "OKActions" : "InsufficientDataActions";
  const json::Value* list = doc.HasParseError() || !doc.IsObject() ? nullptr : json::member(doc, member);
  if (!list || !list->IsArray() || list->Empty()) return true;
  rapidjson::StringBuffer pending;
  json::Writer pw(pending);
  pw.StartObject();
  json::kv(pw, "state", new_state);
  pw.Key("actions");
  json::raw(pw, json::dump(*list));
  pw.EndObject();
  store.set_pending_actions(alarm.name, std::string_view(pending.GetString(), pending.GetSize()));
  return true;
}

std::vector<FiredActions> take_fired(state::Connection& c) {
  std::vector<FiredActions> out;
  for (auto& [scope, name, text] : state::MetricsStore::take_pending_actions(c)) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    if (doc.HasParseError() || !doc.IsObject()) continue;
    FiredActions f{scope, name, std::string(json::get_string(doc, "state").value_or("")), {}};
    if (const auto* list = json::member(doc, "actions"); list && list->IsArray())
      for (const auto& a : list->GetArray())
        if (a.IsString()) f.actions.emplace_back(json::view(a));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace berth::metrics
