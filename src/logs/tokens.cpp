#include "logs/tokens.h"

#include <charconv>
#include <cstdio>

namespace berth::logs {
namespace {
// 18 digits of padding + 19 of timestamp + 19 of seq: the 56 digits AWS's tokens have.
std::string digits(Position p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%018d%019lld%019lld", 0, static_cast<long long>(p.ts),
                static_cast<long long>(p.seq));
  return buf;
}

std::optional<Position> parse_digits(std::string_view s) {
  if (s.size() != 56) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  if (s.substr(0, 18) != std::string(18, '0')) return std::nullopt;
  Position p;
  auto a = s.substr(18, 19), b = s.substr(37, 19);
  if (std::from_chars(a.data(), a.data() + a.size(), p.ts).ec != std::errc()) return std::nullopt;
  if (std::from_chars(b.data(), b.data() + b.size(), p.seq).ec != std::errc()) return std::nullopt;
  return p;
}
}  // namespace

std::string forward_token(Position gap) { return "f/" + digits(gap); }
std::string backward_token(Position gap) { return "b/" + digits(gap); }

std::optional<StreamToken> parse_stream_token(std::string_view token) {
  if (token.size() < 2 || token[1] != '/' || (token[0] != 'f' && token[0] != 'b')) return std::nullopt;
  auto gap = parse_digits(token.substr(2));
  if (!gap) return std::nullopt;
  return StreamToken{token[0] == 'f', *gap};
}

PageTokens page_tokens(const std::optional<StreamToken>& sent, std::optional<Position> first,
                       std::optional<Position> last) {
  if (first && last) return {forward_token(*last), backward_token(gap_before(*first))};
  // Nothing read: stay where the request was, or at the start of the stream.
  Position at = sent ? sent->gap : Position{};
  return {forward_token(at), backward_token(at)};
}

std::string event_id(Position p) { return digits(p); }

std::string sequence_token(std::int64_t uploads) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%056lld", static_cast<long long>(uploads));
  return buf;
}

std::string filter_token(Position after) { return "F" + digits(after); }

std::optional<Position> parse_filter_token(std::string_view token) {
  if (token.size() != 57 || token[0] != 'F') return std::nullopt;
  return parse_digits(token.substr(1));
}

}  // namespace berth::logs
