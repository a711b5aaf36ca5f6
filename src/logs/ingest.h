#pragma once
// The rules PutLogEvents applies to a batch before anything is stored. A batch either fails as
// a whole (too large, out of order, spanning more than a day) or is accepted with its too-old,
// expired and too-new events left out and reported by index.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace berth::logs {

constexpr std::size_t kMaxBatchEvents = 10'000;
constexpr std::size_t kMaxBatchBytes = 1'048'576;
constexpr std::size_t kEventOverheadBytes = 26;  // counted per event on top of its UTF-8 message
constexpr std::int64_t kMaxBatchSpanMillis = 24 * 3'600'000LL;
constexpr std::int64_t kMaxAgeMillis = 14 * 86'400'000LL;
constexpr std::int64_t kMaxFutureMillis = 2 * 3'600'000LL;

struct InputEvent {
  std::int64_t timestamp = 0;
  std::string_view message;
};

struct BatchVerdict {
  std::optional<std::string> error;  // set: InvalidParameterException with this message
  // Accepted events are [accepted_begin, accepted_end).
  std::size_t accepted_begin = 0, accepted_end = 0;
  // rejectedLogEventsInfo: end indexes are exclusive, the start index inclusive.
  std::optional<std::size_t> too_old_end, expired_end, too_new_start;

  bool rejected_any() const { return too_old_end || expired_end || too_new_start; }
};

// `retention_cutoff` is the group's (0 when it keeps events forever).
BatchVerdict check_batch(std::span<const InputEvent> events, std::int64_t now_millis,
                         std::int64_t retention_cutoff);

}  // namespace berth::logs
