#pragma once
// The CloudWatch Logs filter pattern language (FilterLogEvents, `aws logs tail --filter-pattern`).
// A pattern is parsed once and then matched against many messages. Three kinds:
//
//   terms            ERROR   "exact phrase"   ?ERROR ?WARN   ERROR -healthcheck
//   JSON             { $.level = "error" && ($.latency > 100 || $.user.id NOT EXISTS) }
//   space-delimited  [ip, user, ..., status = 5*, size > 1000]
//
// An empty pattern matches every message. Matching is case-sensitive, as on AWS.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace berth::logs {

namespace detail {
class Matcher;
}

class FilterPattern {
 public:
  // The parsed pattern, or nullopt with `error` saying what is wrong with it.
  static std::optional<FilterPattern> parse(std::string_view text, std::string& error);

  bool matches(std::string_view message) const;
  // A substring every matching message contains, when the pattern has one: a store may use it
  // to skip messages before calling matches().
  std::optional<std::string> required_text() const;
  bool matches_everything() const { return !matcher_; }

 private:
  std::shared_ptr<const detail::Matcher> matcher_;  // null: matches everything
};

}  // namespace berth::logs
