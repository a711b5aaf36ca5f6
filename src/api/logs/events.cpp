// PutLogEvents, GetLogEvents, FilterLogEvents.
#include <algorithm>
#include <unordered_map>

#include "api/logs/errors.h"
#include "api/logs/identifiers.h"
#include "api/services.h"
#include "logs/filter_pattern.h"
#include "logs/ingest.h"
#include "logs/tokens.h"
#include "runtime/log_metric_filters.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
namespace rules = berth::logs;
using state::LogsStore;
using state::StoredEvent;

constexpr int kMaxEventsPerPage = 10'000;
constexpr std::size_t kMaxPageBytes = 1'048'576;

// A page stops at `limit` events or about 1 MB of messages, always holding at least one event.
struct PageBudget {
  int limit;
  int count = 0;
  std::size_t bytes = 0;
  bool admit(const StoredEvent& e) {
    std::size_t size = e.message.size() + rules::kEventOverheadBytes;
    if (count >= limit || (count > 0 && bytes + size > kMaxPageBytes)) return false;
    ++count;
    bytes += size;
    return true;
  }
};

Outcome put_log_events(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto group = store.group(json::view(in["logGroupName"]));
  if (!group) return errors::group_not_found();
  auto stream = store.stream(group->id, json::view(in["logStreamName"]));
  if (!stream) return errors::stream_not_found();

  const auto& list = in["logEvents"];
  std::vector<rules::InputEvent> events;
  events.reserve(list.Size());
  for (const auto& e : list.GetArray()) events.push_back({e["timestamp"].GetInt64(), json::view(e["message"])});

  const std::int64_t now = ctx.clock.now_millis();
  const std::int64_t cutoff = cutoff_of(ctx, *group);
  auto verdict = rules::check_batch(events, now, cutoff);
  if (verdict.error) return errors::invalid_parameter(*verdict.error);

  // Retention is enforced on every write to the group, so a sweep is never the only way.
  if (group->retention_days) store.expire(group->id, cutoff);
  std::vector<state::EventToStore> accepted;
  accepted.reserve(verdict.accepted_end - verdict.accepted_begin);
  for (std::size_t i = verdict.accepted_begin; i < verdict.accepted_end; ++i)
    accepted.push_back({events[i].timestamp, events[i].message});
  std::int64_t uploads = store.append(*group, *stream, accepted, now);
  runtime::publish_metric_filters(ctx.db, ctx.scope(), *group, accepted, now);

  Body b;
  b.w.StartObject();
  json::kv(b.w, "nextSequenceToken", rules::sequence_token(uploads));
  if (verdict.rejected_any()) {
    b.w.Key("rejectedLogEventsInfo");
    b.w.StartObject();
    if (verdict.too_new_start) {
      b.w.Key("tooNewLogEventStartIndex");
      b.w.Uint64(*verdict.too_new_start);
    }
    if (verdict.too_old_end) {
      b.w.Key("tooOldLogEventEndIndex");
      b.w.Uint64(*verdict.too_old_end);
    }
    if (verdict.expired_end) {
      b.w.Key("expiredLogEventEndIndex");
      b.w.Uint64(*verdict.expired_end);
    }
    b.w.EndObject();
  }
  b.w.EndObject();
  return b.done();
}

struct OwnedEvent {
  std::int64_t ts, seq, ingested;
  std::string message;
};

Outcome get_log_events(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto found = requested_group(ctx, store, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& group = std::get<state::LogGroupRow>(found);
  auto stream = store.stream(group.id, json::view(in["logStreamName"]));
  if (!stream) return errors::stream_not_found();

  std::optional<rules::StreamToken> sent;
  if (auto t = json::get_string(in, "nextToken")) {
    sent = rules::parse_stream_token(*t);
    if (!sent) return errors::invalid_next_token();
  }
  // Without a token, read forward from the head or backward from the tail.
  bool forward = sent ? sent->forward : json::get_bool(in, "startFromHead").value_or(false);
  rules::Position gap = sent ? sent->gap : forward ? rules::Position{0, 0} : rules::Position{INT64_MAX, INT64_MAX};
  // startTime is inclusive, endTime exclusive; expired events are gone even before a sweep.
  std::int64_t start = std::max(json::get_int(in, "startTime").value_or(0), cutoff_of(ctx, group));
  std::int64_t end = json::get_int(in, "endTime").value_or(INT64_MAX);
  if (end != INT64_MAX) --end;

  PageBudget budget{static_cast<int>(json::get_int(in, "limit").value_or(kMaxEventsPerPage))};
  std::vector<OwnedEvent> events;
  store.read_stream(stream->id, start, end, forward, gap.ts, gap.seq, budget.limit, [&](const StoredEvent& e) {
    if (!budget.admit(e)) return false;
    events.push_back({e.ts, e.seq, e.ingested, std::string(e.message)});
    return true;
  });
  if (!forward) std::reverse(events.begin(), events.end());

  std::optional<rules::Position> first, last;
  if (!events.empty()) {
    first = rules::Position{events.front().ts, events.front().seq};
    last = rules::Position{events.back().ts, events.back().seq};
  }
  auto tokens = rules::page_tokens(sent, first, last);
  Body b;
  b.w.StartObject();
  b.w.Key("events");
  b.w.StartArray();
  for (const auto& e : events) {
    b.w.StartObject();
    b.w.Key("timestamp");
    b.w.Int64(e.ts);
    json::kv(b.w, "message", e.message);
    b.w.Key("ingestionTime");
    b.w.Int64(e.ingested);
    b.w.EndObject();
  }
  b.w.EndArray();
  json::kv(b.w, "nextForwardToken", tokens.forward);
  json::kv(b.w, "nextBackwardToken", tokens.backward);
  b.w.EndObject();
  return b.done();
}

Outcome filter_log_events(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto found = requested_group(ctx, store, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& group = std::get<state::LogGroupRow>(found);

  const json::Value* names = json::member(in, "logStreamNames");
  auto prefix = json::get_string(in, "logStreamNamePrefix");
  if (names && prefix)
    return errors::invalid_parameter("logStreamNames and logStreamNamePrefix are mutually exclusive.");
  std::string pattern_error;
  auto pattern = rules::FilterPattern::parse(json::get_string(in, "filterPattern").value_or(""), pattern_error);
  if (!pattern) return errors::invalid_parameter(pattern_error);

  state::GroupScan scan;
  if (auto t = json::get_string(in, "nextToken")) {
    auto after = rules::parse_filter_token(*t);
    if (!after) return errors::invalid_next_token();
    scan.after_ts = after->ts;
    scan.after_seq = after->seq;
  }
  scan.start = std::max(json::get_int(in, "startTime").value_or(0), cutoff_of(ctx, group));
  scan.end = json::get_int(in, "endTime").value_or(INT64_MAX);
  scan.contains = pattern->required_text();

  std::unordered_map<std::int64_t, std::string> stream_names;
  for (auto& s : store.list_streams(group.id, prefix.value_or(""))) stream_names.emplace(s.id, std::move(s.name));
  if (names || prefix) {
    scan.stream_ids.emplace();
    if (names) {
      std::unordered_map<std::int64_t, std::string> wanted;
      for (const auto& n : names->GetArray())
        for (const auto& [id, name] : stream_names)
          if (name == json::view(n)) wanted.emplace(id, name);
      stream_names = std::move(wanted);
    }
    for (const auto& [id, name] : stream_names) scan.stream_ids->push_back(id);
  }

  PageBudget budget{static_cast<int>(json::get_int(in, "limit").value_or(kMaxEventsPerPage))};
  std::optional<rules::Position> last, more;
  Body b;
  b.w.StartObject();
  b.w.Key("events");
  b.w.StartArray();
  if (!scan.stream_ids || !scan.stream_ids->empty())
    store.scan_group(group.id, scan, [&](const StoredEvent& e) {
      if (!pattern->matches(e.message)) return true;
      if (!budget.admit(e)) {
        more = last;
        return false;
      }
      b.w.StartObject();
      json::kv(b.w, "logStreamName", stream_names[e.stream_id]);
      b.w.Key("timestamp");
      b.w.Int64(e.ts);
      json::kv(b.w, "message", e.message);
      b.w.Key("ingestionTime");
      b.w.Int64(e.ingested);
      json::kv(b.w, "eventId", rules::event_id({e.ts, e.seq}));
      b.w.EndObject();
      last = rules::Position{e.ts, e.seq};
      return true;
    });
  b.w.EndArray();
  // AWS stopped reporting searched streams in 2020: the list is always empty.
  b.w.Key("searchedLogStreams");
  b.w.StartArray();
  b.w.EndArray();
  if (more) json::kv(b.w, "nextToken", rules::filter_token(*more));
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_events(OperationTable& t) {
  t.add("logs", "PutLogEvents", put_log_events, Access::Write);
  t.add("logs", "GetLogEvents", get_log_events, Access::Read);
  t.add("logs", "FilterLogEvents", filter_log_events, Access::Read);
}

}  // namespace berth::api::logs
