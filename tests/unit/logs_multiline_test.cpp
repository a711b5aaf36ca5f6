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

TEST_CASE("a joined event never passes CloudWatch's event size, and its age counts from its first line") {
  MultilineJoiner j(multiline_regex("START"));
  CHECK_FALSE(j.push({1, "START"}));
  std::string chunk(16 * 1024, 'x');
  std::optional<LineEvent> full;
  int lines = 0;
  for (std::int64_t t = 2; !full && lines < 100; ++t, ++lines) {
    full = j.push({t, chunk});
    CHECK(j.pending_since() == (full ? t : 1));  // continuation lines do not refresh it
  }
  REQUIRE(full);
  CHECK(full->text.size() <= MultilineJoiner::kMaxEventBytes);
  CHECK(full->text.size() > MultilineJoiner::kMaxEventBytes - chunk.size() - 1);
  CHECK(full->text.starts_with("START\n"));
  auto next = j.take_pending();
  REQUIRE(next);
  CHECK(next->text == chunk);

  // One line longer than an event is cut, at a UTF-8 boundary.
  MultilineJoiner plain;
  std::string huge = "a" + std::string(300 * 1024, '\xC3');
  for (std::size_t i = 1; i < huge.size(); i += 2) huge[i + 1 < huge.size() ? i + 1 : i] = '\xA9';
  auto cut = plain.push({1, huge});
  REQUIRE(cut);
  CHECK(cut->text.size() <= MultilineJoiner::kMaxEventBytes);
  CHECK((static_cast<unsigned char>(cut->text.back()) & 0xC0) == 0x80);
}
