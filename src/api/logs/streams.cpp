// CreateLogStream, DeleteLogStream, DescribeLogStreams.
#include <algorithm>
#include <cstdio>

#include "api/logs/errors.h"
#include "api/logs/identifiers.h"
#include "api/pagination.h"
#include "api/services.h"
#include "logs/tokens.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
using state::LogsStore;
using state::LogStreamRow;

constexpr int kDefaultDescribeLimit = 50;

void write_stream(OpContext& ctx, json::Writer& w, std::string_view group, const LogStreamRow& s) {
  w.StartObject();
  json::kv(w, "logStreamName", s.name);
  w.Key("creationTime");
  w.Int64(s.created_at);
  if (s.first_event) {
    w.Key("firstEventTimestamp");
    w.Int64(*s.first_event);
    w.Key("lastEventTimestamp");
    w.Int64(*s.last_event);
  }
  if (s.last_ingestion) {
    w.Key("lastIngestionTime");
    w.Int64(*s.last_ingestion);
  }
  if (s.uploads > 0) json::kv(w, "uploadSequenceToken", berth::logs::sequence_token(s.uploads));
  json::kv(w, "arn", arns::log_stream(ctx.region, ctx.account, group, s.name));
  // AWS stopped reporting per-stream storedBytes in 2019: it is always 0.
  w.Key("storedBytes");
  w.Int(0);
  w.EndObject();
}

Outcome create_log_stream(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto group = store.group(json::view(in["logGroupName"]));
  if (!group) return errors::group_not_found();
  LogStreamRow row;
  row.group_id = group->id;
  row.name = std::string(json::view(in["logStreamName"]));
  row.created_at = ctx.clock.now_millis();
  if (!store.create_stream(row)) return errors::stream_exists();
  return Outcome::ok("{}");
}

Outcome delete_log_stream(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto group = store.group(json::view(in["logGroupName"]));
  if (!group) return errors::group_not_found();
  auto stream = store.stream(group->id, json::view(in["logStreamName"]));
  if (!stream) return errors::stream_not_found();
  store.delete_stream(*stream);
  return Outcome::ok("{}");
}

// Where a stream sorts: by name, or by last event time then name. The page cursor is the key
// of the last stream returned.
struct SortKey {
  std::int64_t time = 0;
  std::string name;
  auto operator<=>(const SortKey&) const = default;
};

std::string cursor_text(const SortKey& k) { return std::to_string(k.time) + ":" + k.name; }

std::optional<SortKey> parse_cursor(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  SortKey k;
  try {
    k.time = std::stoll(std::string(s.substr(0, colon)));
  } catch (...) {
    return std::nullopt;
  }
  k.name = std::string(s.substr(colon + 1));
  return k;
}

Outcome describe_log_streams(OpContext& ctx, const json::Value& in) {
  LogsStore store(ctx.db, ctx.scope());
  auto found = requested_group(ctx, store, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& group = std::get<state::LogGroupRow>(found);

  auto prefix = json::get_string(in, "logStreamNamePrefix");
  bool by_time = json::get_string(in, "orderBy").value_or("LogStreamName") == "LastEventTime";
  if (by_time && prefix) return errors::invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
  bool descending = json::get_bool(in, "descending").value_or(false);
  int limit = static_cast<int>(json::get_int(in, "limit").value_or(kDefaultDescribeLimit));
  std::optional<SortKey> after;
  if (auto t = json::get_string(in, "nextToken")) {
    auto text = pagination::decode(*t);
    if (text) after = parse_cursor(*text);
    if (!after) return errors::invalid_next_token();
  }

  auto rows = store.list_streams(group.id, prefix.value_or(""));
  auto key = [&](const LogStreamRow& r) {
    // Streams without events sort first by time, as if their last event were at 0.
    return SortKey{by_time ? r.last_event.value_or(0) : 0, r.name};
  };
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    return descending ? key(b) < key(a) : key(a) < key(b);
  });
  auto begin = rows.begin();
  if (after)
    begin = std::find_if(rows.begin(), rows.end(),
                         [&](const auto& r) { return descending ? key(r) < *after : *after < key(r); });

  Body b;
  b.w.StartObject();
  b.w.Key("logStreams");
  b.w.StartArray();
  int n = 0;
  auto it = begin;
  for (; it != rows.end() && n < limit; ++it, ++n) write_stream(ctx, b.w, group.name, *it);
  b.w.EndArray();
  if (it != rows.end()) json::kv(b.w, "nextToken", pagination::encode(cursor_text(key(*std::prev(it)))));
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_streams(OperationTable& t) {
  t.add("logs", "CreateLogStream", create_log_stream, Access::Write);
  t.add("logs", "DeleteLogStream", delete_log_stream, Access::Write);
  t.add("logs", "DescribeLogStreams", describe_log_streams, Access::Read);
}

}  // namespace berth::api::logs
