// GetLogRecord (the whole event an Insights @ptr points at, with the fields discovered in it)
// and GetLogGroupFields (the fields found in a group's recent events, with how often).
#include <algorithm>
#include <cmath>
#include <map>

#include "api/logs/errors.h"
#include "api/logs/identifiers.h"
#include "api/logs/registration.h"
#include "api/services.h"
#include "logs/insights_values.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
namespace insights = berth::logs::insights;

constexpr std::int64_t kMinute = 60'000;

Outcome get_log_record(OpContext& ctx, const json::Value& in) {
  std::int64_t group_id = 0, ts = 0, seq = 0;
  if (!insights::parse_pointer(json::view(in["logRecordPointer"]), group_id, ts, seq))
    return errors::invalid_parameter("The specified logRecordPointer is not valid.");
  state::LogsStore store(ctx.db, ctx.scope());
  auto group = store.group_by_id(group_id);
  auto event = group ? store.event(group_id, ts, seq) : std::nullopt;
  if (!event || ts < cutoff_of(ctx, *group))
    return AwsError::client("ResourceNotFoundException", "The specified log record does not exist.");
  Body b;
  b.w.StartObject();
  b.w.Key("logRecord");
  b.w.StartObject();
  for (const auto& [name, value] : insights::json_fields(event->message)) json::kv(b.w, name.c_str(), insights::display(value));
  json::kv(b.w, "@ingestionTime", std::to_string(event->ingested));
  json::kv(b.w, "@log", ctx.account + ":" + group->name);
  json::kv(b.w, "@logStream", event->stream);
  json::kv(b.w, "@message", event->message);
  json::kv(b.w, "@timestamp", std::to_string(event->ts));
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}

Outcome get_log_group_fields(OpContext& ctx, const json::Value& in) {
  state::LogsStore store(ctx.db, ctx.scope());
  auto found = requested_group(ctx, store, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& group = std::get<state::LogGroupRow>(found);
  // With `time` (epoch seconds) the 8 minutes either side of it; without, the last 15 minutes.
  std::int64_t start = 0, end = 0;
  if (auto t = json::get_int(in, "time")) {
    start = *t * 1000 - 8 * kMinute;
    end = *t * 1000 + 8 * kMinute;
  } else {
    end = ctx.clock.now_millis();
    start = end - 15 * kMinute;
  }
  start = std::max(start, cutoff_of(ctx, group));
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> counts;
  store.scan_newest_first(group.id, start, end, [&](const state::StoredEvent& e) {
    ++total;
    for (const auto& [name, value] : insights::json_fields(e.message)) ++counts[name];
    return true;
  });
  std::vector<std::pair<std::string, std::int64_t>> fields;
  if (total > 0)
    for (const char* name : {"@ingestionTime", "@log", "@logStream", "@message", "@timestamp"})
      fields.emplace_back(name, 100);
  for (const auto& [name, n] : counts)
    fields.emplace_back(name, static_cast<std::int64_t>(std::llround(100.0 * static_cast<double>(n) /
                                                                      static_cast<double>(total))));
  std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  Body b;
  b.w.StartObject();
  b.w.Key("logGroupFields");
  b.w.StartArray();
  for (const auto& [name, percent] : fields) {
    b.w.StartObject();
    json::kv(b.w, "name", name);
    b.w.Key("percent");
    b.w.Int64(percent);
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_records(OperationTable& t) {
  t.add("logs", "GetLogRecord", get_log_record, Access::Read);
  t.add("logs", "GetLogGroupFields", get_log_group_fields, Access::Read);
}

}  // namespace berth::api::logs
