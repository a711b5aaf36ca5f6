// PutLogEvents batch rules, retention values and GetLogEvents token semantics, without storage.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "logs/ingest.h"
#include "logs/retention.h"
#include "logs/tokens.h"

using namespace berth::logs;

namespace {
constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;
}  // namespace

TEST_CASE("a batch must be in chronological order and span at most 24 hours") {
  std::vector<InputEvent> ordered = {{kNow - 10, "a"}, {kNow - 10, "b"}, {kNow, "c"}};
  auto ok = check_batch(ordered, kNow, 0);
  CHECK_FALSE(ok.error);
  CHECK(ok.accepted_begin == 0);
  CHECK(ok.accepted_end == 3);
  CHECK_FALSE(ok.rejected_any());

  std::vector<InputEvent> unordered = {{kNow, "a"}, {kNow - 1, "b"}};
  CHECK(check_batch(unordered, kNow, 0).error ==
        "Log events in a single PutLogEvents request must be in chronological order.");
  std::vector<InputEvent> wide = {{kNow - kDay - 1, "a"}, {kNow, "b"}};
  CHECK(check_batch(wide, kNow, 0).error ==
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  std::vector<InputEvent> exactly_a_day = {{kNow - kDay, "a"}, {kNow, "b"}};
  CHECK_FALSE(check_batch(exactly_a_day, kNow, 0).error);
}

TEST_CASE("a batch is at most 1,048,576 bytes, counting 26 bytes per event") {
  std::string big(kMaxBatchBytes - kEventOverheadBytes, 'x');
  std::vector<InputEvent> fits = {{kNow, big}};
  CHECK_FALSE(check_batch(fits, kNow, 0).error);
  big.push_back('x');
  std::vector<InputEvent> over = {{kNow, big}};
  CHECK(check_batch(over, kNow, 0).error == "Upload too large: 1048577 bytes exceeds limit of 1048576");
  // UTF-8 bytes, not characters: 2 bytes each.
  std::string accents;
  for (std::size_t i = 0; i < (kMaxBatchBytes - kEventOverheadBytes) / 2 + 1; ++i) accents += "\xc3\xa9";
  std::vector<InputEvent> utf8 = {{kNow, accents}};
  CHECK(check_batch(utf8, kNow, 0).error);
}

TEST_CASE("too old, expired and too new events are left out and reported by index") {
  std::vector<InputEvent> old_one = {{kNow - 15 * kDay + 5 * kHour, "too old"}};
  auto v = check_batch(old_one, kNow, 0);
  CHECK(v.too_old_end == 1u);
  CHECK_FALSE(v.expired_end);
  CHECK(v.accepted_begin == v.accepted_end);

  std::vector<InputEvent> expiring = {
      {kNow - 7 * kDay - 2 * kHour, "expired"}, {kNow - 7 * kDay - 1, "expired too"}, {kNow - 7 * kDay + kHour, "kept"}};
  auto r = check_batch(expiring, kNow, retention_cutoff(kNow, 7));
  CHECK_FALSE(r.too_old_end);
  CHECK(r.expired_end == 2u);
  CHECK(r.accepted_begin == 2);
  CHECK(r.accepted_end == 3);

  std::vector<InputEvent> future = {{kNow, "now"}, {kNow + 2 * kHour, "edge"}, {kNow + 2 * kHour + 1, "too new"}};
  auto f = check_batch(future, kNow, 0);
  CHECK(f.too_new_start == 2u);
  CHECK(f.accepted_begin == 0);
  CHECK(f.accepted_end == 2);
}

TEST_CASE("retention values are AWS's list") {
  for (int d : {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653})
    CHECK(valid_retention(d));
  for (int d : {0, 2, 4, 10, 366, 3650, -1}) CHECK_FALSE(valid_retention(d));
  CHECK(retention_values_text().starts_with("[1, 3, 5, 7, 14, 30"));
  CHECK(retention_cutoff(kNow, std::nullopt) == 0);
  CHECK(retention_cutoff(kNow, 1) == kNow - kDay);
}

TEST_CASE("stream tokens round-trip and look like AWS's") {
  auto f = forward_token({kNow, 42});
  CHECK(f.size() == 58);
  CHECK(f.starts_with("f/"));
  auto parsed = parse_stream_token(f);
  REQUIRE(parsed);
  CHECK(parsed->forward);
  CHECK(parsed->gap == Position{kNow, 42});
  auto b = parse_stream_token(backward_token({1, 0}));
  REQUIRE(b);
  CHECK_FALSE(b->forward);
  CHECK_FALSE(parse_stream_token("invalid-token"));
  CHECK_FALSE(parse_stream_token("f/123"));
  CHECK_FALSE(parse_stream_token("x/" + f.substr(2)));
  CHECK(event_id({kNow, 1}).size() == 56);
  CHECK(sequence_token(3).size() == 56);
  CHECK(parse_filter_token(filter_token({5, 6})) == Position{5, 6});
  CHECK_FALSE(parse_filter_token(f));
}

TEST_CASE("page tokens: the gap after the last event and before the first; the same token when nothing is read") {
  auto page = page_tokens(std::nullopt, Position{10, 3}, Position{20, 7});
  CHECK(page.forward == forward_token({20, 7}));
  CHECK(page.backward == backward_token({10, 2}));

  auto sent = parse_stream_token(page.forward);
  auto empty = page_tokens(sent, std::nullopt, std::nullopt);
  CHECK(empty.forward == page.forward);
  auto sent_back = parse_stream_token(page.backward);
  CHECK(page_tokens(sent_back, std::nullopt, std::nullopt).backward == page.backward);
  auto nothing = page_tokens(std::nullopt, std::nullopt, std::nullopt);
  CHECK(nothing.forward == forward_token({0, 0}));
}
