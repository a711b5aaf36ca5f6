#include "state/logs_store.h"

#include <algorithm>
#include <compare>
#include <string>

namespace berth::state {
namespace {
constexpr std::int64_t kDayMillis = 86'400'000;

constexpr const char* kGroupColumns =
    "id, name, created_at, retention_days, kms_key_id, log_group_class, deletion_protection, next_seq";

LogGroupRow group_of(const Query& q) {
  LogGroupRow r;
  r.id = q.int64(0);
  r.name = q.str(1);
  r.created_at = q.int64(2);
  if (!q.is_null(3)) r.retention_days = static_cast<int>(q.int64(3));
  r.kms_key_id = q.opt_str(4);
  r.log_group_class = q.str(5);
  r.deletion_protection = q.int64(6) != 0;
  r.next_seq = q.int64(7);
  return r;
}

constexpr const char* kStreamColumns =
    "id, group_id, name, created_at, first_event, last_event, last_ingestion, stored_bytes, uploads";


LogStreamRow stream_of(const Query& q) {
  LogStreamRow r;
  r.id = q.int64(0);
  r.group_id = q.int64(1);
  r.name = q.str(2);
  r.created_at = q.int64(3);
  r.first_event = q.opt_int64(4);
  r.last_event = q.opt_int64(5);
  r.last_ingestion = q.opt_int64(6);
  r.stored_bytes = q.int64(7);
  r.uploads = q.int64(8);
  return r;
}

// The ids as a JSON array, for `IN (SELECT value FROM json_each(?))`: one statement text for any
// number of streams, so the statement cache stays small.
std::string json_ids(const std::vector<std::int64_t>& ids) {
  std::string s = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s + "]";
}
}  // namespace

std::optional<LogGroupRow> LogsStore::group(std::string_view name) {
  auto q = c_.query(std::string("SELECT ") + kGroupColumns +
                        " FROM log_groups WHERE account = ? AND region = ? AND name = ?",
                    scope_.account, scope_.region, name);
  if (!q.step()) return std::nullopt;
  return group_of(q);
}

std::optional<LogGroupRow> LogsStore::group_by_id(std::int64_t id) {
  auto q = c_.query(std::string("SELECT ") + kGroupColumns +
                        " FROM log_groups WHERE account = ? AND region = ? AND id = ?",
                    scope_.account, scope_.region, id);
  if (!q.step()) return std::nullopt;
  return group_of(q);
}

std::optional<EventRecord> LogsStore::event(std::int64_t group_id, std::int64_t ts, std::int64_t seq) {
  auto q = c_.query(
      "SELECT e.ts, e.seq, e.ingested, s.name, e.message FROM log_events e JOIN log_streams s ON s.id = e.stream_id "
      "WHERE e.group_id = ? AND e.ts = ? AND e.seq = ?",
      group_id, ts, seq);
  if (!q.step()) return std::nullopt;
  return EventRecord{q.int64(0), q.int64(1), q.int64(2), q.str(3), q.str(4)};
}

bool LogsStore::create_group(const LogGroupRow& row) {
  c_.query(
        "INSERT INTO log_groups (account, region, name, created_at, retention_days, kms_key_id, "
        "log_group_class, deletion_protection, next_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) "
        "ON CONFLICT (account, region, name) DO NOTHING",
        scope_.account, scope_.region, row.name, row.created_at, row.retention_days, row.kms_key_id,
        row.log_group_class, row.deletion_protection ? 1 : 0)
      .run();
  return c_.changes() == 1;
}

void LogsStore::delete_group(std::int64_t group_id) {
  c_.query("DELETE FROM log_events WHERE group_id = ?", group_id).run();
  c_.query("DELETE FROM log_streams WHERE group_id = ?", group_id).run();
  c_.query("DELETE FROM log_filters WHERE group_id = ?", group_id).run();
  c_.query("DELETE FROM log_groups WHERE id = ?", group_id).run();
}

void LogsStore::put_filter(std::int64_t group_id, const LogFilterRow& row) {
  c_.query(
        "INSERT INTO log_filters (group_id, kind, name, created_at, pattern, doc) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (group_id, kind, name) DO UPDATE SET pattern = excluded.pattern, doc = excluded.doc",
        group_id, row.kind, row.name, row.created_at, row.pattern, row.doc)
      .run();
}

bool LogsStore::delete_filter(std::int64_t group_id, std::string_view kind, std::string_view name) {
  c_.query("DELETE FROM log_filters WHERE group_id = ? AND kind = ? AND name = ?", group_id, kind, name).run();
  return c_.changes() == 1;
}

std::vector<LogFilterRow> LogsStore::filters(std::int64_t group_id, std::string_view kind, std::string_view prefix,
                                             std::string_view after) {
  std::vector<LogFilterRow> out;
  auto q = c_.query(
      "SELECT kind, name, created_at, pattern, doc FROM log_filters WHERE group_id = ?1 AND kind = ?2 "
      "AND substr(name, 1, length(?3)) = ?3 AND name > ?4 ORDER BY name",
      group_id, kind, prefix, after);
  while (q.step()) out.push_back({q.str(0), q.str(1), q.int64(2), q.str(3), q.str(4)});
  return out;
}

std::vector<std::pair<std::string, LogFilterRow>> LogsStore::all_filters(std::string_view kind) {
  std::vector<std::pair<std::string, LogFilterRow>> out;
  auto q = c_.query(
      "SELECT g.name, f.kind, f.name, f.created_at, f.pattern, f.doc FROM log_filters f "
      "JOIN log_groups g ON g.id = f.group_id WHERE g.account = ? AND g.region = ? AND f.kind = ? "
      "ORDER BY g.name, f.name",
      scope_.account, scope_.region, kind);
  while (q.step()) out.emplace_back(q.str(0), LogFilterRow{q.str(1), q.str(2), q.int64(3), q.str(4), q.str(5)});
  return out;
}

int LogsStore::filter_count(std::int64_t group_id, std::string_view kind) {
  auto q = c_.query("SELECT count(*) FROM log_filters WHERE group_id = ? AND kind = ?", group_id, kind);
  q.step();
  return static_cast<int>(q.int64(0));
}

std::optional<LogResourcePolicyRow> LogsStore::resource_policy(std::string_view name) {
  auto q = c_.query(
      "SELECT name, document, revision, updated_at FROM log_resource_policies WHERE account = ? AND region = ? "
      "AND name = ?",
      scope_.account, scope_.region, name);
  if (!q.step()) return std::nullopt;
  return LogResourcePolicyRow{q.str(0), q.str(1), q.str(2), q.int64(3)};
}

std::vector<LogResourcePolicyRow> LogsStore::resource_policies() {
  std::vector<LogResourcePolicyRow> out;
  auto q = c_.query(
      "SELECT name, document, revision, updated_at FROM log_resource_policies WHERE account = ? AND region = ? "
      "ORDER BY name",
      scope_.account, scope_.region);
  while (q.step()) out.push_back({q.str(0), q.str(1), q.str(2), q.int64(3)});
  return out;
}

void LogsStore::put_resource_policy(const LogResourcePolicyRow& row) {
  c_.query(
        "INSERT INTO log_resource_policies (account, region, name, document, updated_at, revision) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET document = excluded.document, "
        "updated_at = excluded.updated_at, revision = excluded.revision",
        scope_.account, scope_.region, row.name, row.document, row.updated_at, row.revision)
      .run();
}

bool LogsStore::delete_resource_policy(std::string_view name) {
  c_.query("DELETE FROM log_resource_policies WHERE account = ? AND region = ? AND name = ?", scope_.account,
           scope_.region, name)
      .run();
  return c_.changes() == 1;
}

std::vector<LogGroupRow> LogsStore::list_groups(std::string_view prefix, std::string_view contains,
                                                std::string_view after, int limit) {
  std::vector<LogGroupRow> out;
  // substr() rather than LIKE: group names may hold '_' and LIKE is case-insensitive.
  auto q = c_.query(std::string("SELECT ") + kGroupColumns +
                        " FROM log_groups WHERE account = ? AND region = ? AND name > ? "
                        "AND substr(name, 1, length(?4)) = ?4 AND (?5 = '' OR instr(name, ?5) > 0) "
                        "ORDER BY name LIMIT ?6",
                    scope_.account, scope_.region, after, prefix, contains, limit);
  while (q.step()) out.push_back(group_of(q));
  return out;
}

void LogsStore::set_deletion_protection(std::int64_t group_id, bool on) {
  c_.query("UPDATE log_groups SET deletion_protection = ? WHERE id = ?", on ? 1 : 0, group_id).run();
}

void LogsStore::set_retention(std::int64_t group_id, std::optional<int> days) {
  c_.query("UPDATE log_groups SET retention_days = ? WHERE id = ?", days, group_id).run();
}

std::int64_t LogsStore::stored_bytes(std::int64_t group_id, std::int64_t cutoff) {
  auto total = c_.query("SELECT coalesce(sum(stored_bytes), 0) FROM log_streams WHERE group_id = ?", group_id);
  total.step();
  // Expired but not yet deleted events no longer count.
  auto expired = c_.query(
      "SELECT coalesce(sum(length(CAST(message AS BLOB))), 0) FROM log_events WHERE group_id = ? AND ts < ?",
      group_id, cutoff);
  expired.step();
  return total.int64(0) - expired.int64(0);
}

std::optional<LogStreamRow> LogsStore::stream(std::int64_t group_id, std::string_view name) {
  auto q = c_.query(std::string("SELECT ") + kStreamColumns + " FROM log_streams WHERE group_id = ? AND name = ?",
                    group_id, name);
  if (!q.step()) return std::nullopt;
  return stream_of(q);
}

bool LogsStore::create_stream(const LogStreamRow& row) {
  c_.query(
        "INSERT INTO log_streams (group_id, name, created_at, stored_bytes, uploads) VALUES (?, ?, ?, 0, 0) "
        "ON CONFLICT (group_id, name) DO NOTHING",
        row.group_id, row.name, row.created_at)
      .run();
  return c_.changes() == 1;
}

void LogsStore::delete_stream(const LogStreamRow& row) {
  c_.query("DELETE FROM log_events WHERE stream_id = ?", row.id).run();
  c_.query("DELETE FROM log_streams WHERE id = ?", row.id).run();
}

std::vector<LogStreamRow> LogsStore::list_streams(std::int64_t group_id, std::string_view prefix) {
  std::vector<LogStreamRow> out;
  auto q = c_.query(std::string("SELECT ") + kStreamColumns +
                        " FROM log_streams WHERE group_id = ?1 AND substr(name, 1, length(?2)) = ?2 ORDER BY name",
                    group_id, prefix);
  while (q.step()) out.push_back(stream_of(q));
  return out;
}

std::int64_t LogsStore::append(const LogGroupRow& group, const LogStreamRow& stream,
                               const std::vector<EventToStore>& events, std::int64_t ingested) {
  if (events.empty()) return count_upload(stream);
  // The group's next_seq is re-read: the row passed in may predate earlier appends of this
  // transaction.
  auto next = c_.query("SELECT next_seq FROM log_groups WHERE id = ?", group.id);
  next.step();
  std::int64_t seq = next.int64(0);
  std::int64_t bytes = 0;
  for (const auto& e : events) {
    c_.query("INSERT INTO log_events (group_id, ts, seq, stream_id, ingested, message) VALUES (?, ?, ?, ?, ?, ?)",
             group.id, e.ts, seq++, stream.id, ingested, e.message)
        .run();
    bytes += static_cast<std::int64_t>(e.message.size());
  }
  c_.query("UPDATE log_groups SET next_seq = ? WHERE id = ?", seq, group.id).run();
  c_.query(
        "UPDATE log_streams SET first_event = min(coalesce(first_event, ?1), ?1), "
        "last_event = max(coalesce(last_event, ?2), ?2), last_ingestion = ?3, "
        "stored_bytes = stored_bytes + ?4, uploads = uploads + 1 WHERE id = ?5",
        events.front().ts, events.back().ts, ingested, bytes, stream.id)
      .run();
  return stream.uploads + 1;
}

std::int64_t LogsStore::count_upload(const LogStreamRow& stream) {
  c_.query("UPDATE log_streams SET uploads = uploads + 1 WHERE id = ?", stream.id).run();
  return stream.uploads + 1;
}

namespace {
struct Key {
  std::int64_t ts, seq;
  auto operator<=>(const Key&) const = default;
};
// The later of "just after (ts, seq)" and "from timestamp start on", as one exclusive lower
// bound: SQLite then walks the index from that bound instead of filtering a wider range.
Key lower_bound(std::int64_t ts, std::int64_t seq, std::int64_t start) {
  return std::max(Key{ts, seq}, Key{start - 1, INT64_MAX});  // ts >= start is (ts, seq) > (start - 1, max)
}
// The earlier of "up to and including (ts, seq)" and "up to timestamp end", inclusive.
Key upper_bound(std::int64_t ts, std::int64_t seq, std::int64_t end) {
  return std::min(Key{ts, seq}, Key{end, INT64_MAX});
}
}  // namespace

void LogsStore::read_stream(std::int64_t stream_id, std::int64_t start, std::int64_t end, bool forward,
                            std::int64_t ts, std::int64_t seq, int limit,
                            const std::function<bool(const StoredEvent&)>& f) {
  Key lo = forward ? lower_bound(ts, seq, start) : Key{start - 1, INT64_MAX};
  Key hi = forward ? Key{end, INT64_MAX} : upper_bound(ts, seq, end);
  auto q = forward ? c_.query(
                         "SELECT ts, seq, ingested, message FROM log_events WHERE stream_id = ?1 "
                         "AND (ts, seq) > (?2, ?3) AND (ts, seq) <= (?4, ?5) ORDER BY ts, seq LIMIT ?6",
                         stream_id, lo.ts, lo.seq, hi.ts, hi.seq, limit)
                   : c_.query(
                         "SELECT ts, seq, ingested, message FROM log_events WHERE stream_id = ?1 "
                         "AND (ts, seq) > (?2, ?3) AND (ts, seq) <= (?4, ?5) ORDER BY ts DESC, seq DESC LIMIT ?6",
                         stream_id, lo.ts, lo.seq, hi.ts, hi.seq, limit);
  while (q.step()) {
    StoredEvent e{q.int64(0), q.int64(1), stream_id, q.int64(2), q.text(3)};
    if (!f(e)) break;
  }
}

void LogsStore::scan_group(std::int64_t group_id, const GroupScan& scan,
                           const std::function<bool(const StoredEvent&)>& f) {
  std::optional<std::string> ids;
  if (scan.stream_ids) ids = json_ids(*scan.stream_ids);
  Key lo = lower_bound(scan.after_ts, scan.after_seq, scan.start);
  auto q = c_.query(
      "SELECT ts, seq, stream_id, ingested, message FROM log_events WHERE group_id = ?1 "
      "AND (ts, seq) > (?2, ?3) AND (ts, seq) <= (?4, ?5) "
      "AND (?6 IS NULL OR stream_id IN (SELECT value FROM json_each(?6))) "
      "AND (?7 IS NULL OR instr(message, ?7) > 0) ORDER BY ts, seq",
      group_id, lo.ts, lo.seq, scan.end, INT64_MAX, ids, scan.contains);
  while (q.step()) {
    StoredEvent e{q.int64(0), q.int64(1), q.int64(2), q.int64(3), q.text(4)};
    if (!f(e)) break;
  }
}

void LogsStore::scan_newest_first(std::int64_t group_id, std::int64_t start, std::int64_t end,
                                  const std::function<bool(const StoredEvent&)>& f) {
  auto q = c_.query(
      "SELECT ts, seq, stream_id, ingested, message FROM log_events WHERE group_id = ?1 "
      "AND ts >= ?2 AND ts <= ?3 ORDER BY ts DESC, seq DESC",
      group_id, start, end);
  while (q.step()) {
    StoredEvent e{q.int64(0), q.int64(1), q.int64(2), q.int64(3), q.text(4)};
    if (!f(e)) break;
  }
}

std::int64_t LogsStore::expire(std::int64_t group_id, std::int64_t cutoff) {
  {
    auto any = c_.query("SELECT 1 FROM log_events WHERE group_id = ? AND ts < ? LIMIT 1", group_id, cutoff);
    if (!any.step()) return 0;
  }
  c_.query(
        "UPDATE log_streams SET stored_bytes = stored_bytes - coalesce((SELECT sum(length(CAST(e.message AS BLOB))) "
        "FROM log_events e WHERE e.stream_id = log_streams.id AND e.ts < ?2), 0) WHERE group_id = ?1",
        group_id, cutoff)
      .run();
  c_.query("DELETE FROM log_events WHERE group_id = ? AND ts < ?", group_id, cutoff).run();
  return c_.changes();
}

std::int64_t expire_log_events(Connection& c, std::int64_t now_millis) {
  struct Due {
    std::int64_t id;
    std::int64_t cutoff;
    Scope scope;
  };
  std::vector<Due> due;
  {
    auto q = c.query("SELECT id, retention_days, account, region FROM log_groups WHERE retention_days IS NOT NULL");
    while (q.step()) due.push_back({q.int64(0), now_millis - q.int64(1) * kDayMillis, {q.str(2), q.str(3)}});
  }
  std::int64_t deleted = 0;
  for (const auto& d : due) deleted += LogsStore(c, d.scope).expire(d.id, d.cutoff);
  return deleted;
}

}  // namespace berth::state
