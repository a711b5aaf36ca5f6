#pragma once
// The tokens and ids CloudWatch Logs hands out for events.
//
// An event's position in its stream is (timestamp, seq). GetLogEvents tokens name a gap between
// events: "f/<gap>" reads forward from the gap, "b/<gap>" reads backward from it. A gap is
// written as the position of the event just before it, so after reading events e1..en the
// forward token is the gap after en and the backward token the gap before e1. When a read from
// a token finds nothing, the same token comes back: that is how clients know to stop.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::logs {

struct Position {
  std::int64_t ts = 0;
  std::int64_t seq = 0;  // 0 is before every event (seqs start at 1)
  bool operator==(const Position&) const = default;
};

struct StreamToken {
  bool forward = true;
  Position gap;
};

std::string forward_token(Position gap);   // "f/" and 56 digits
std::string backward_token(Position gap);  // "b/" and 56 digits
std::optional<StreamToken> parse_stream_token(std::string_view token);

// The gap just before an event.
inline Position gap_before(Position p) { return {p.ts, p.seq - 1}; }

// Tokens for one GetLogEvents answer. `sent` is the request's token, if any; first and last
// are the positions of the events returned (none when empty).
struct PageTokens {
  std::string forward, backward;
};
PageTokens page_tokens(const std::optional<StreamToken>& sent, std::optional<Position> first,
                       std::optional<Position> last);

// FilterLogEvents' eventId: 56 digits, unique within a log group.
std::string event_id(Position p);
// PutLogEvents' nextSequenceToken and DescribeLogStreams' uploadSequenceToken.
std::string sequence_token(std::int64_t uploads);

// FilterLogEvents' nextToken: where the next page starts (after this position).
std::string filter_token(Position after);
std::optional<Position> parse_filter_token(std::string_view token);

}  // namespace berth::logs
