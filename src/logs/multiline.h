#pragma once
// The awslogs driver's multi-line rules: with awslogs-multiline-pattern or
// awslogs-datetime-format, a line matching the pattern starts a new event and the lines after
// it belong to that event until the next match (or until output pauses).
#include <cstdint>
#include <optional>
#include <regex>
#include <string>

namespace berth::logs {

struct LineEvent {
  std::int64_t ts_ms = 0;
  std::string text;
};

// A regex for awslogs-datetime-format (strftime directives such as %Y-%m-%d %H:%M:%S),
// anchored at the start of a line; nullopt when the format cannot be read.
std::optional<std::regex> datetime_format_regex(const std::string& format);
// A regex for awslogs-multiline-pattern, matched at the start of a line.
std::optional<std::regex> multiline_regex(const std::string& pattern);

class MultilineJoiner {
 public:
  // Without a start pattern every line is its own event.
  explicit MultilineJoiner(std::optional<std::regex> start = std::nullopt) : start_(std::move(start)) {}

  // CloudWatch's largest event: 256 KiB less the 26 bytes it counts per event. A longer line is
  // cut; an event that would grow past it is completed and the line starts the next one.
  static constexpr std::size_t kMaxEventBytes = 256 * 1024 - 26;

  // Takes a line; returns the event it completes, if any.
  std::optional<LineEvent> push(LineEvent line);
  // The event being joined, if any (at the end of output, or when it has waited long enough).
  std::optional<LineEvent> take_pending();
  // When the pending event's first line arrived: a caller flushing after a pause measures from
  // here, so an endless run of continuation lines is still flushed in bounded time.
  std::optional<std::int64_t> pending_since() const;

 private:
  std::optional<std::regex> start_;
  std::optional<LineEvent> pending_;
  std::int64_t pending_started_ = 0;
};

}  // namespace berth::logs
