#pragma once
// CloudWatch Logs state: groups (per account and region), their streams, and the events of
// each stream. Events are keyed within their group by (timestamp, seq); seq counts up per group
// so events of equal timestamp keep their arrival order. Retention is enforced two ways: write
// calls delete what has expired (expire, expire_all), and every read takes a `cutoff` below
// which events count as gone even before they are deleted.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct LogGroupRow {
  std::int64_t id = 0;
  std::string name;
  std::int64_t created_at = 0;
  std::optional<int> retention_days;
  std::optional<std::string> kms_key_id;
  std::string log_group_class = "STANDARD";
  bool deletion_protection = false;
  std::int64_t next_seq = 1;
};

struct LogStreamRow {
  std::int64_t id = 0;
  std::int64_t group_id = 0;
  std::string name;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> first_event, last_event, last_ingestion;
  std::int64_t stored_bytes = 0;
  std::int64_t uploads = 0;
};

// A metric or subscription filter of a group.
struct LogFilterRow {
  std::string kind;  // "metric" or "subscription"
  std::string name;
  std::int64_t created_at = 0;
  std::string pattern;
  std::string doc;  // the filter's JSON as Describe* shows it, without logGroupName
};

struct LogResourcePolicyRow {
  std::string name, document, revision;
  std::int64_t updated_at = 0;
};

struct StoredEvent {
  std::int64_t ts = 0;
  std::int64_t seq = 0;
  std::int64_t stream_id = 0;
  std::int64_t ingested = 0;
  std::string_view message;  // valid only inside the callback or until the next read
};

// One event read out whole, with its stream's name (GetLogRecord).
struct EventRecord {
  std::int64_t ts = 0, seq = 0, ingested = 0;
  std::string stream;
  std::string message;
};

struct EventToStore {
  std::int64_t ts;
  std::string_view message;
};

// Which events of a group a scan visits: time range [start, end], strictly after `after`,
// optionally only some streams and only messages containing a substring.
struct GroupScan {
  std::int64_t start = 0;
  std::int64_t end = INT64_MAX;
  std::int64_t after_ts = -1, after_seq = 0;
  std::optional<std::vector<std::int64_t>> stream_ids;
  std::optional<std::string> contains;
};

class LogsStore {
 public:
  LogsStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  // ---- groups ----
  std::optional<LogGroupRow> group(std::string_view name);
  // The group with this id when it belongs to this account and region.
  std::optional<LogGroupRow> group_by_id(std::int64_t id);
  // false when a group of that name exists.
  bool create_group(const LogGroupRow& row);
  // Deletes the group with its streams, events and nothing else (tags are keyed by ARN).
  void delete_group(std::int64_t group_id);
  // Groups by name with name > after, optionally with a prefix or containing a substring.
  std::vector<LogGroupRow> list_groups(std::string_view prefix, std::string_view contains,
                                       std::string_view after, int limit);
  void set_retention(std::int64_t group_id, std::optional<int> days);
  void set_deletion_protection(std::int64_t group_id, bool on);
  // Bytes of the messages stored in the group with timestamp >= cutoff.
  std::int64_t stored_bytes(std::int64_t group_id, std::int64_t cutoff);

  // ---- metric and subscription filters ----
  // Creates or replaces a filter; a replaced one keeps its creation time.
  void put_filter(std::int64_t group_id, const LogFilterRow& row);
  bool delete_filter(std::int64_t group_id, std::string_view kind, std::string_view name);
  // A group's filters of a kind by name, with name > after and the prefix.
  std::vector<LogFilterRow> filters(std::int64_t group_id, std::string_view kind, std::string_view prefix,
                                    std::string_view after = "");
  // Every metric filter of the scope with its group name, by group then name.
  std::vector<std::pair<std::string, LogFilterRow>> all_filters(std::string_view kind);
  int filter_count(std::int64_t group_id, std::string_view kind);

  // ---- resource policies ----
  std::optional<LogResourcePolicyRow> resource_policy(std::string_view name);
  std::vector<LogResourcePolicyRow> resource_policies();
  void put_resource_policy(const LogResourcePolicyRow& row);
  bool delete_resource_policy(std::string_view name);

  // ---- streams ----
  std::optional<LogStreamRow> stream(std::int64_t group_id, std::string_view name);
  bool create_stream(const LogStreamRow& row);
  void delete_stream(const LogStreamRow& row);
  // The group's streams whose name starts with prefix, by name.
  std::vector<LogStreamRow> list_streams(std::int64_t group_id, std::string_view prefix);

  // ---- events ----
  // Appends events (already checked and in chronological order) to a stream in the caller's
  // transaction, and records the upload. Returns the stream's new upload count.
  std::int64_t append(const LogGroupRow& group, const LogStreamRow& stream,
                      const std::vector<EventToStore>& events, std::int64_t ingested);
  // Counts an upload in which no event was stored (all were rejected).
  std::int64_t count_upload(const LogStreamRow& stream);

  // Up to limit events of a stream with timestamp in [start, end]: when forward, ascending from
  // just after (ts, seq); else descending from (ts, seq) included. f is called per event in that
  // order and returns false to stop early.
  void read_stream(std::int64_t stream_id, std::int64_t start, std::int64_t end, bool forward,
                   std::int64_t ts, std::int64_t seq, int limit,
                   const std::function<bool(const StoredEvent&)>& f);
  // Events of a group in (ts, seq) order; f returns false to stop.
  void scan_group(std::int64_t group_id, const GroupScan& scan,
                  const std::function<bool(const StoredEvent&)>& f);

  // Events of a group with timestamp in [start, end], newest first (Logs Insights' order); f
  // returns false to stop.
  void scan_newest_first(std::int64_t group_id, std::int64_t start, std::int64_t end,
                         const std::function<bool(const StoredEvent&)>& f);

  // The event stored at (ts, seq) in a group.
  std::optional<EventRecord> event(std::int64_t group_id, std::int64_t ts, std::int64_t seq);

  // Deletes the group's events with timestamp < cutoff; returns how many.
  std::int64_t expire(std::int64_t group_id, std::int64_t cutoff);

 private:
  Connection& c_;
  Scope scope_;
};

// Deletes, in every account and region, the events older than their group's retention at
// now_millis. Run it inside a write transaction (a periodic job). Returns the events deleted.
std::int64_t expire_log_events(Connection& c, std::int64_t now_millis);

}  // namespace berth::state
