#pragma once
// The CloudWatch Logs filter pattern language (FilterLogEvents, `aws logs tail --filter-pattern`).
// A pattern is parsed once and then matched against many messages. Three kinds:
//
//   terms            ERROR   "exact phrase"   ?ERROR ?WARN   ERROR -healthcheck
//   JSON             { $.level = "error" && ($.latency > 100 || $.user.id NOT EXISTS) }
//   space-delimited  [ip, user, ..., status = 5*, size > 1000]
//   regex            %ERROR|WARN%   (the whole pattern between percent signs)
//
// An empty pattern matches every message. Matching is case-sensitive, as on AWS.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::logs {

namespace detail {
class Matcher;
}

class FilterPattern {
 public:
  // The parsed pattern, or nullopt with `error` saying what is wrong with it.
  static std::optional<FilterPattern> parse(std::string_view text, std::string& error);

  bool matches(std::string_view message) const;
  // matches(), also giving the values of a space-delimited pattern's named fields as "$name"
  // (TestMetricFilter's extractedValues, metric values and dimensions).
  bool matches_extracting(std::string_view message, std::vector<std::pair<std::string, std::string>>& extracted) const;
  // A substring every matching message contains, when the pattern has one: a store may use it
  // to skip messages before calling matches().
  std::optional<std::string> required_text() const;
  bool matches_everything() const { return !matcher_; }

 private:
  std::shared_ptr<const detail::Matcher> matcher_;  // null: matches everything
};

}  // namespace berth::logs
