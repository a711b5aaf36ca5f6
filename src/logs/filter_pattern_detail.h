#pragma once
// Pieces shared by the three kinds of filter pattern: the matcher interface, a lexer for the
// expression syntax of JSON and space-delimited patterns, and value comparison.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::logs::detail {

class Matcher {
 public:
  virtual ~Matcher() = default;
  virtual bool matches(std::string_view message) const = 0;
  // matches(), also naming the values a space-delimited pattern's fields took ("$name").
  virtual bool matches_extracting(std::string_view message,
                                  std::vector<std::pair<std::string, std::string>>& extracted) const {
    (void)extracted;
    return matches(message);
  }
  virtual std::optional<std::string> required_text() const { return std::nullopt; }
};

// Each returns null and sets error when the text is not a pattern of its kind.
std::unique_ptr<Matcher> parse_terms(std::string_view text, std::string& error);
std::unique_ptr<Matcher> parse_json(std::string_view text, std::string& error);
std::unique_ptr<Matcher> parse_delimited(std::string_view text, std::string& error);
std::unique_ptr<Matcher> parse_regex(std::string_view text, std::string& error);  // %regex%

enum class Op { Eq, Ne, Lt, Le, Gt, Ge };

// A literal on the right of a comparison.
struct Literal {
  std::string text;
  bool quoted = false;
  std::optional<double> number;  // when unquoted and numeric
};

// '*' in the pattern stands for any run of characters.
bool glob_match(std::string_view pattern, std::string_view text);
std::optional<double> parse_number(std::string_view text);
bool compare_numbers(double lhs, Op op, double rhs);
// A string field against a literal with = or != (wildcards allowed).
bool compare_text(std::string_view field, Op op, const Literal& lit);

struct Token {
  enum Kind { End, LParen, RParen, And, Or, Cmp, Comma, LBracket, RBracket, LBrace, RBrace, String, Word };
  Kind kind = End;
  std::string text;
  Op op = Op::Eq;  // for Cmp
};

// Splits a JSON or space-delimited pattern into tokens. Words run until whitespace or an
// operator character; a word starting with '$' (a JSON selector) may contain [ and ].
class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}
  Token next();
  Token peek();
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  std::optional<Token> peeked_;
  std::string error_;
};

// Reads the literal after a comparison operator; false when the token is not one.
bool literal_of(const Token& t, Literal& out);

}  // namespace berth::logs::detail
