// The filter pattern language: each kind, with messages that match and messages that do not.
#include <doctest/doctest.h>

#include "logs/filter_pattern.h"

using berth::logs::FilterPattern;

namespace {
FilterPattern parse(std::string_view text) {
  std::string error;
  auto p = FilterPattern::parse(text, error);
  REQUIRE_MESSAGE(p, "pattern " << text << " did not parse: " << error);
  return *p;
}

bool rejects(std::string_view text) {
  std::string error;
  bool bad = !FilterPattern::parse(text, error);
  if (bad) CHECK_FALSE(error.empty());
  return bad;
}
}  // namespace

TEST_CASE("an empty pattern matches everything") {
  CHECK(parse("").matches("anything"));
  CHECK(parse("   ").matches(""));
  CHECK(parse("\"\"").matches("x"));
  CHECK(parse("").matches_everything());
}

TEST_CASE("terms: all plain terms must occur, case-sensitively") {
  auto p = parse("ERROR Exception");
  CHECK(p.matches("[ERROR 500] NullPointerException at x"));
  CHECK_FALSE(p.matches("[ERROR 500] timeout"));
  CHECK_FALSE(p.matches("error exception"));
  CHECK(p.required_text() == "Exception");
}

TEST_CASE("terms: quoted phrases match exactly, spaces and punctuation included") {
  auto p = parse("\"GET /\" -health");
  CHECK(p.matches("10.0.0.1 - - \"GET / HTTP/1.1\" 200"));
  CHECK_FALSE(p.matches("10.0.0.1 - - \"GET /health HTTP/1.1\" 200"));
  CHECK_FALSE(p.matches("POST / HTTP/1.1"));
  CHECK(parse("\"INTERNAL SERVER ERROR\"").matches("500 INTERNAL SERVER ERROR today"));
  CHECK_FALSE(parse("\"INTERNAL SERVER ERROR\"").matches("INTERNAL ERROR SERVER"));
}

TEST_CASE("terms: ?alternatives need one of them, -exclusions none") {
  auto any = parse("?ERROR ?WARN");
  CHECK(any.matches("WARN disk almost full"));
  CHECK(any.matches("ERROR disk full"));
  CHECK_FALSE(any.matches("INFO all good"));
  CHECK_FALSE(any.required_text());

  auto excl = parse("ERROR -ARGUMENTS");
  CHECK(excl.matches("[ERROR 401] UNAUTHORIZED REQUEST"));
  CHECK_FALSE(excl.matches("[ERROR 419] MISSING ARGUMENTS"));

  auto only_excl = parse("-DEBUG");
  CHECK(only_excl.matches("INFO started"));
  CHECK_FALSE(only_excl.matches("DEBUG noise"));
  CHECK(rejects("\"unterminated"));
}

TEST_CASE("JSON: string, numeric, && and || with parentheses") {
  auto p = parse(R"({ $.level = "error" && $.latency > 100 })");
  CHECK(p.matches(R"({"level":"error","latency":250})"));
  CHECK_FALSE(p.matches(R"({"level":"error","latency":50})"));
  CHECK_FALSE(p.matches(R"({"level":"info","latency":250})"));
  CHECK_FALSE(p.matches(R"({"level":"error","latency":"250"})"));
  CHECK_FALSE(p.matches("level=error latency=250"));
  CHECK_FALSE(p.matches(R"({"level":"error","latency":250)"));  // not valid JSON

  auto q = parse(R"({ ($.status = 500 || $.status = 503) && $.path != "/health" })");
  CHECK(q.matches(R"({"status":503,"path":"/api"})"));
  CHECK_FALSE(q.matches(R"({"status":503,"path":"/health"})"));
  CHECK_FALSE(q.matches(R"({"status":200,"path":"/api"})"));

  auto le = parse("{ $.n <= 1e3 }");
  CHECK(le.matches(R"({"n":1000})"));
  CHECK_FALSE(le.matches(R"({"n":1000.5})"));
  CHECK(parse("{ $.n >= -5 }").matches(R"({"n":-5})"));
  CHECK(parse("{ $.n != 3 }").matches(R"({"n":4})"));
}

TEST_CASE("JSON: wildcards in values, nested selectors and arrays") {
  CHECK(parse(R"({ $.sourceIPAddress = 123.123.* })").matches(R"({"sourceIPAddress":"123.123.0.9"})"));
  CHECK_FALSE(parse(R"({ $.sourceIPAddress != 123.123.* })").matches(R"({"sourceIPAddress":"123.123.0.9"})"));
  CHECK(parse(R"({ $.eventType = "Update*" })").matches(R"({"eventType":"UpdateTrail"})"));
  CHECK(parse(R"({ $.msg = *timeout* })").matches(R"({"msg":"read timeout after 3s"})"));
  CHECK(parse(R"({ $.user.id = "u-1" })").matches(R"({"user":{"id":"u-1"}})"));
  CHECK_FALSE(parse(R"({ $.user.id = "u-1" })").matches(R"({"user":{"id":"u-2"}})"));
  CHECK(parse(R"({ $.items[1].qty > 2 })").matches(R"({"items":[{"qty":1},{"qty":3}]})"));
  CHECK_FALSE(parse(R"({ $.items[0].qty > 2 })").matches(R"({"items":[{"qty":1},{"qty":3}]})"));
  CHECK(parse(R"({ $.tags[*] = "prod" })").matches(R"({"tags":["dev","prod"]})"));
  CHECK(parse(R"({ $.eventType = UpdateTrail })").matches(R"({"eventType":"UpdateTrail"})"));
}

TEST_CASE("JSON: IS NULL, NOT EXISTS, IS TRUE, IS FALSE") {
  auto null = parse("{ $.error IS NULL }");
  CHECK(null.matches(R"({"error":null})"));
  CHECK_FALSE(null.matches(R"({"error":"x"})"));
  CHECK_FALSE(null.matches(R"({})"));
  auto missing = parse("{ $.error NOT EXISTS }");
  CHECK(missing.matches(R"({"ok":1})"));
  CHECK_FALSE(missing.matches(R"({"error":null})"));
  CHECK(parse("{ $.flag IS TRUE }").matches(R"({"flag":true})"));
  CHECK_FALSE(parse("{ $.flag IS TRUE }").matches(R"({"flag":"true"})"));
  CHECK(parse("{ $.flag IS FALSE }").matches(R"({"flag":false})"));
  CHECK_FALSE(parse("{ $.flag IS FALSE }").matches(R"({"flag":true})"));
}

TEST_CASE("JSON: malformed patterns are refused") {
  CHECK(rejects("{ $.a = 1"));
  CHECK(rejects("{ a = 1 }"));
  CHECK(rejects("{ $.a > abc }"));
  CHECK(rejects("{ $.a IS MAYBE }"));
  CHECK(rejects("{ $.a = 1 && }"));
  CHECK(rejects("{ ($.a = 1 }"));
}

TEST_CASE("space-delimited: fields by position, quotes and brackets group words") {
  const char* line = R"(127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534)";
  auto all = parse("[ip, user, username, timestamp, request, status_code, bytes]");
  CHECK(all.matches(line));
  CHECK_FALSE(all.matches("too few fields"));
  auto status = parse("[ip, user, username, timestamp, request, status_code = 4*, bytes > 1000]");
  CHECK(status.matches(line));
  CHECK_FALSE(status.matches(R"(127.0.0.1 - frank [t] "GET / HTTP/1.0" 200 1534)"));
  CHECK_FALSE(status.matches(R"(127.0.0.1 - frank [t] "GET / HTTP/1.0" 404 999)"));
  CHECK(parse("[ip, user, username, timestamp, request = *.gif*, status_code, bytes]").matches(line));
  CHECK_FALSE(parse("[ip, user, username, timestamp, request = *.png*, status_code, bytes]").matches(line));
}

TEST_CASE("space-delimited: ellipsis, != and combined conditions") {
  auto p = parse("[ip, user, ..., status = 5*, size > 1000]");
  CHECK(p.matches("10.0.0.1 alice GET /x 503 2048"));
  CHECK(p.matches("10.0.0.1 alice 500 2048"));
  CHECK_FALSE(p.matches("10.0.0.1 alice GET /x 200 2048"));
  CHECK_FALSE(p.matches("10.0.0.1 alice GET /x 503 10"));
  auto range = parse("[..., code >= 400 && code < 500, size]");
  CHECK(range.matches("a b 404 1"));
  CHECK_FALSE(range.matches("a b 500 1"));
  auto either = parse("[..., code = 401 || code = 403, size]");
  CHECK(either.matches("x 403 5"));
  CHECK_FALSE(either.matches("x 404 5"));
  CHECK(parse("[method != GET, path]").matches("POST /a"));
  CHECK_FALSE(parse("[method != GET, path]").matches("GET /a"));
  CHECK(rejects("[a, b"));
  CHECK(rejects("[]"));
  CHECK(rejects("[a > x]"));
}
