// Logs Insights queries over six hand-made events, each answer computed by hand.
#include <doctest/doctest.h>

#include "logs/insights_eval.h"

using namespace berth::logs::insights;

namespace {

// 2023-11-14 22:20:00.000 UTC, then one event a minute.
constexpr std::int64_t T = 1'700'000'400'000;

const std::vector<Event>& events() {
  static const std::vector<std::string> messages = {
      R"({"level":"INFO","latency":100,"user":{"id":"u1"}})",
      R"({"level":"ERROR","latency":300,"user":{"id":"u2"}})",
      R"({"level":"INFO","latency":200,"user":{"id":"u1"}})",
      "user=bob action=login status=200",
      "user=alice action=logout status=500",
      R"({"level":"ERROR","latency":400,"user":{"id":"u3"},"tags":["x","y"]})",
  };
  static const std::vector<std::string> streams = {"a", "a", "b", "b", "b", "a"};
  static std::vector<Event> out;
  if (out.empty())
    for (int i = 5; i >= 0; --i)  // newest first
      out.push_back({T + i * 60'000, T + i * 60'000 + 5, messages[i], streams[i], "123456789012:app", 7, i + 1});
  return out;
}

Result query(std::string_view text, std::size_t max_rows = 10'000) {
  ParseError error;
  auto q = parse(text, error);
  REQUIRE_MESSAGE(q, error.message);
  return run(*q, events(), max_rows);
}

std::string field(const ResultRow& row, std::string_view name) {
  for (const auto& [n, v] : row)
    if (n == name) return v;
  return "<absent>";
}

std::string parse_error(std::string_view text) {
  ParseError error;
  CHECK_FALSE(parse(text, error));
  return error.message;
}

}  // namespace

TEST_CASE("insights: fields and limit show the newest events with @ptr") {
  auto r = query("fields @timestamp, @message, @logStream, @log | limit 2");
  REQUIRE(r.rows.size() == 2);
  CHECK(field(r.rows[0], "@timestamp") == "2023-11-14 22:25:00.000");
  CHECK(field(r.rows[0], "@message") == events()[0].message);
  CHECK(field(r.rows[0], "@logStream") == "a");
  CHECK(field(r.rows[0], "@log") == "123456789012:app");
  CHECK(field(r.rows[1], "@timestamp") == "2023-11-14 22:24:00.000");
  std::int64_t g, ts, seq;
  REQUIRE(parse_pointer(field(r.rows[0], "@ptr"), g, ts, seq));
  CHECK(g == 7);
  CHECK(ts == T + 300'000);
  CHECK(seq == 6);
  CHECK(r.rows[0].back().first == "@ptr");
  CHECK(r.records_scanned == 2);  // the limit stopped the scan
}

TEST_CASE("insights: a query without fields shows @timestamp and @message") {
  auto r = query("filter level = \"ERROR\" | limit 1");
  REQUIRE(r.rows.size() == 1);
  REQUIRE(r.rows[0].size() == 3);
  CHECK(r.rows[0][0].first == "@timestamp");
  CHECK(r.rows[0][1].first == "@message");
}

TEST_CASE("insights: stats over a filter, with statistics") {
  auto r = query("filter level = \"ERROR\" | stats count(*) as n, sum(latency) as total, avg(latency), "
                 "min(latency), max(latency)");
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0] == ResultRow{{"n", "2"}, {"total", "700"}, {"avg(latency)", "350"}, {"min(latency)", "300"},
                               {"max(latency)", "400"}});
  CHECK(r.records_matched == 2);
  CHECK(r.records_scanned == 6);
  std::int64_t bytes = 0;
  for (const auto& e : events()) bytes += static_cast<std::int64_t>(e.message.size());
  CHECK(r.bytes_scanned == bytes);
}

TEST_CASE("insights: stats by a field groups in first-seen order; a missing key is left out") {
  auto r = query("stats count(*) by level");
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0] == ResultRow{{"level", "ERROR"}, {"count(*)", "2"}});
  CHECK(r.rows[1] == ResultRow{{"count(*)", "2"}});
  CHECK(r.rows[2] == ResultRow{{"level", "INFO"}, {"count(*)", "2"}});
}

TEST_CASE("insights: stats by bin()") {
  auto r = query("stats count(*) as n by bin(2m)");
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0] == ResultRow{{"bin(2m)", "2023-11-14 22:24:00.000"}, {"n", "2"}});
  CHECK(r.rows[2] == ResultRow{{"bin(2m)", "2023-11-14 22:20:00.000"}, {"n", "2"}});
}

TEST_CASE("insights: pct, earliest, latest, count_distinct") {
  auto r = query("stats pct(latency, 50) as p50, pct(latency, 90) as p90, earliest(level) as first, "
                 "latest(level) as last, count_distinct(user.id) as users, count(latency) as timed");
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0] == ResultRow{{"p50", "200"}, {"p90", "400"}, {"first", "INFO"}, {"last", "ERROR"},
                               {"users", "3"}, {"timed", "4"}});
}

TEST_CASE("insights: parse with a glob, sort and display") {
  auto r = query("parse @message \"user=* action=* status=*\" as user, action, status | filter ispresent(action) "
                 "| sort status desc | display user, status");
  REQUIRE(r.rows.size() == 2);
  CHECK(field(r.rows[0], "user") == "alice");
  CHECK(field(r.rows[0], "status") == "500");
  CHECK(field(r.rows[1], "user") == "bob");
  CHECK(field(r.rows[1], "status") == "200");
  CHECK(r.rows[0].size() == 3);  // display's fields and @ptr
  CHECK(r.rows[0].back().first == "@ptr");
}

TEST_CASE("insights: parse with a regex's named groups, like /regex/") {
  auto r = query(R"(parse @message /user=(?<who>\w+) action=(?<act>\w+)/ | filter act like /log(in|out)/ )"
                 "| stats count_distinct(who) as people");
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0] == ResultRow{{"people", "2"}});
}

TEST_CASE("insights: in, or, like a string, dotted JSON fields") {
  auto r = query("filter latency in [100, 400] or @message like \"alice\" | fields user.id");
  REQUIRE(r.rows.size() == 3);
  CHECK(field(r.rows[0], "user.id") == "u3");
  CHECK(field(r.rows[1], "user.id") == "<absent>");
  CHECK(field(r.rows[2], "user.id") == "u1");
  CHECK(query("filter tags.1 = \"y\" | fields latency").rows.size() == 1);
}

TEST_CASE("insights: not, numeric comparison of parsed text, case-insensitive regex") {
  auto r = query("parse \"status=*\" as status | filter status >= 500 and not level = \"INFO\" | fields status");
  REQUIRE(r.rows.size() == 1);
  CHECK(field(r.rows[0], "status") == "500");
  CHECK(query("filter @message like /ALICE/i").rows.size() == 1);
  CHECK(query("filter @message =~ /ALICE/").rows.empty());
  CHECK(query("filter level != \"INFO\" and ispresent(level)").rows.size() == 2);
}

TEST_CASE("insights: dedup, arithmetic and sort asc") {
  CHECK(query("fields @logStream | dedup @logStream").rows.size() == 2);
  auto r = query("filter ispresent(latency) | fields latency / 100 as l | sort l asc | limit 1");
  REQUIRE(r.rows.size() == 1);
  CHECK(field(r.rows[0], "l") == "1");
  auto s = query("stats sum(latency) / count(latency) as mean, max(@timestamp) as newest");
  CHECK(s.rows[0] == ResultRow{{"mean", "250"}, {"newest", "2023-11-14 22:25:00.000"}});
}

TEST_CASE("insights: the query's row limit") { CHECK(query("fields @message", 4).rows.size() == 4); }

TEST_CASE("insights: malformed queries say where, as AWS does") {
  CHECK(parse_error("stats count(*) | sortt x") == "unexpected symbol found sortt at line 1 and position 18");
  CHECK(parse_error("fields a\n| filter count(*) > 1") == "unexpected symbol found count at line 2 and position 10");
  CHECK(parse_error("filter") == "unexpected symbol found <EOF> at line 1 and position 7");
  CHECK(parse_error("stats level by level") == "unexpected symbol found by at line 1 and position 13");
  CHECK(parse_error("parse @message \"a=* b=*\" as a") == "unexpected symbol found <EOF> at line 1 and position 30");
  CHECK(parse_error("  # only a comment") == "Query string is empty or contains only comments");
}

TEST_CASE("insights: periods and named groups") {
  CHECK(period_millis("5m") == 300'000);
  CHECK(period_millis("1h") == 3'600'000);
  CHECK(period_millis("100ms") == 100);
  CHECK_FALSE(period_millis("5parsecs"));
  auto g = named_groups(R"((\d+) (?<a>x(?:y)) [(] (?<b>z))");
  CHECK(g.pattern == R"((\d+) (x(?:y)) [(] (z))");
  CHECK(g.names == std::vector<std::string>{"a", "b"});
  CHECK(g.index == std::vector<int>{2, 3});
}

TEST_CASE("insights: kept rows own their text once the fed event's views are gone") {
  ParseError error;
  auto q = parse("fields @message, @logStream, @log | sort @timestamp asc", error);
  REQUIRE(q);
  Evaluator ev(*q, 10);
  for (int i = 0; i < 2; ++i) {
    std::string message = "message " + std::to_string(i), stream = "stream-" + std::to_string(i), log = "1:/g";
    ev.add({T + i, T + i, message, stream, log, 1, i});
    message.assign(message.size(), 'x');  // the caller reuses its buffers
    stream.assign(stream.size(), 'x');
    log.assign(log.size(), 'x');
  }
  auto r = ev.finish();
  REQUIRE(r.rows.size() == 2);
  CHECK(field(r.rows[0], "@message") == "message 0");
  CHECK(field(r.rows[0], "@logStream") == "stream-0");
  CHECK(field(r.rows[1], "@log") == "1:/g");
}

// `sort | limit N` keeps only the N rows that sort first (a heap): its answer must equal the
// first N rows of the same sort without a limit, ties in arrival order as a stable sort keeps them.
TEST_CASE("insights: a sort followed by a limit keeps the first rows, ties stable") {
  std::vector<std::string> messages, streams;
  for (int i = 0; i < 200; ++i) {
    messages.push_back("n=" + std::to_string((i * 37) % 11));
    streams.push_back("s" + std::to_string(i));
  }
  std::vector<Event> evs;
  for (int i = 199; i >= 0; --i) evs.push_back({T + (i / 3) * 1000, T, messages[i], streams[i], "1:/g", 1, i + 1});
  for (std::string_view order : {"asc", "desc"}) {
    ParseError error;
    auto full = parse("parse @message \"n=*\" as n | sort n " + std::string(order) + ", @timestamp desc", error);
    auto top = parse("parse @message \"n=*\" as n | sort n " + std::string(order) + ", @timestamp desc | limit 7",
                     error);
    REQUIRE(full);
    REQUIRE(top);
    auto all = run(*full, evs);
    auto first = run(*top, evs);
    REQUIRE(all.rows.size() == 200);
    REQUIRE(first.rows.size() == 7);
    for (std::size_t i = 0; i < 7; ++i) CHECK(first.rows[i] == all.rows[i]);
  }
  // The output cap bounds a sort without a limit the same way.
  ParseError error;
  auto q = parse("sort @timestamp asc", error);
  REQUIRE(q);
  auto capped = run(*q, evs, 5);
  REQUIRE(capped.rows.size() == 5);
  // Events 0-2 share the oldest timestamp and arrived 2, 1, 0 (newest first); then 5, 4, 3.
  CHECK(field(capped.rows[0], "@message") == messages[2]);
  CHECK(field(capped.rows[2], "@message") == messages[0]);
  CHECK(field(capped.rows[4], "@message") == messages[4]);
  // A filter after the sort drops rows: every row must be kept, not only the first 3.
  auto filtered = parse("parse @message \"n=*\" as n | sort n asc | filter n = 10 | limit 3", error);
  REQUIRE(filtered);
  auto f = run(*filtered, evs);
  REQUIRE(f.rows.size() == 3);
  for (const auto& row : f.rows) CHECK(field(row, "@message") == "n=10");
}

TEST_CASE("insights: `sort @timestamp desc | limit N` stops the newest-first scan once N rows are kept") {
  ParseError error;
  auto q = parse("fields @message | sort @timestamp desc | limit 2", error);
  REQUIRE(q);
  Evaluator ev(*q, 100);
  CHECK(ev.add(events()[0]));
  CHECK_FALSE(ev.add(events()[1]));
  auto r = ev.finish();
  REQUIRE(r.rows.size() == 2);
  CHECK(r.records_scanned == 2);
  CHECK(field(r.rows[0], "@message") == events()[0].message);
  // Ascending, or a @timestamp the query redefines, must read everything.
  for (std::string_view text : {"sort @timestamp asc | limit 2", "fields @ingestionTime as @timestamp | sort @timestamp desc | limit 2",
                                "stats count(*) by bin(1m) as @timestamp | sort @timestamp desc | limit 1"}) {
    auto other = parse(text, error);
    REQUIRE_MESSAGE(other, error.message);
    CHECK(run(*other, events()).records_scanned == 6);
  }
}
