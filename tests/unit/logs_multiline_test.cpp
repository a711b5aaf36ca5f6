#include <doctest/doctest.h>

#include "logs/multiline.h"

using namespace berth::logs;

TEST_CASE("without a pattern every line is an event") {
  MultilineJoiner j;
  auto e = j.push({1, "a"});
  REQUIRE(e);
  CHECK(e->text == "a");
  CHECK_FALSE(j.take_pending());
}

TEST_CASE("a multiline pattern starts events; other lines join the current one") {
  MultilineJoiner j(multiline_regex("INFO|ERROR"));
  CHECK_FALSE(j.push({1, "ERROR boom"}));
  CHECK_FALSE(j.push({2, "  at frame 1"}));
  CHECK_FALSE(j.push({3, "  at frame 2"}));
  auto e = j.push({4, "INFO next"});
  REQUIRE(e);
  CHECK(e->ts_ms == 1);
  CHECK(e->text == "ERROR boom\n  at frame 1\n  at frame 2");
  CHECK(j.pending_since() == 4);
  auto last = j.take_pending();
  REQUIRE(last);
  CHECK(last->text == "INFO next");
}

TEST_CASE("a datetime format becomes a start-of-line pattern") {
  auto re = datetime_format_regex("%Y-%m-%d %H:%M:%S");
  REQUIRE(re);
  MultilineJoiner j(std::move(re));
  CHECK_FALSE(j.push({1, "2024-01-02 03:04:05 first"}));
  CHECK_FALSE(j.push({2, "continued"}));
  auto e = j.push({3, "2024-01-02 03:04:06 second"});
  REQUIRE(e);
  CHECK(e->text == "2024-01-02 03:04:05 first\ncontinued");
  CHECK_FALSE(datetime_format_regex("%Q"));
  auto bracketed = datetime_format_regex("[%b %d, %Y %H:%M:%S]");
  REQUIRE(bracketed);
  CHECK(std::regex_search("[May 01, 2017 19:00:01] x", *bracketed));
  CHECK_FALSE(std::regex_search("x [May 01, 2017 19:00:01]", *bracketed));
}

TEST_CASE("lines before the first start line form their own event") {
  MultilineJoiner j(multiline_regex("START"));
  CHECK_FALSE(j.push({1, "orphan"}));
  CHECK_FALSE(j.push({2, "orphan 2"}));
  auto e = j.push({3, "START x"});
  REQUIRE(e);
  CHECK(e->text == "orphan\norphan 2");
}
