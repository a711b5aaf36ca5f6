// The pattern kinds' dispatch, term patterns, and the shared lexer and comparisons.
#include "logs/filter_pattern.h"

#include <algorithm>
#include <charconv>
#include <regex>
#include <vector>

#include "logs/filter_pattern_detail.h"

namespace berth::logs {
namespace detail {
namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Terms: every plain term must occur, at least one ?term must occur when there are any, and no
// -term may occur. Terms are matched as substrings, case-sensitively.
class TermMatcher final : public Matcher {
 public:
  std::vector<std::string> required, optional, excluded;

  bool matches(std::string_view m) const override {
    for (const auto& t : required)
      if (m.find(t) == std::string_view::npos) return false;
    for (const auto& t : excluded)
      if (m.find(t) != std::string_view::npos) return false;
    if (optional.empty()) return true;
    return std::any_of(optional.begin(), optional.end(),
                       [&](const std::string& t) { return m.find(t) != std::string_view::npos; });
  }

  std::optional<std::string> required_text() const override {
    if (required.empty()) return std::nullopt;
    // The longest term is the most selective one to scan for.
    return *std::max_element(required.begin(), required.end(),
                             [](const auto& a, const auto& b) { return a.size() < b.size(); });
  }
};
}  // namespace

std::unique_ptr<Matcher> parse_terms(std::string_view text, std::string& error) {
  auto m = std::make_unique<TermMatcher>();
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    char kind = 0;
    if (text[i] == '?' || text[i] == '-') kind = text[i++];
    std::string term;
    if (i < text.size() && text[i] == '"') {
      std::size_t j = ++i;
      bool closed = false;
      for (; j < text.size(); ++j) {
        if (text[j] == '\\' && j + 1 < text.size()) {
          term.push_back(text[++j]);
        } else if (text[j] == '"') {
          closed = true;
          break;
        } else {
          term.push_back(text[j]);
        }
      }
      if (!closed) {
        error = "Invalid filter pattern: unterminated quoted term";
        return nullptr;
      }
      i = j + 1;
    } else {
      std::size_t j = i;
      while (j < text.size() && !is_space(text[j])) ++j;
      term = std::string(text.substr(i, j - i));
      i = j;
    }
    if (term.empty()) {
      if (kind) {
        error = std::string("Invalid filter pattern: '") + kind + "' must be followed by a term";
        return nullptr;
      }
      continue;  // "" alone matches everything
    }
    (kind == '?' ? m->optional : kind == '-' ? m->excluded : m->required).push_back(std::move(term));
  }
  if (m->required.empty() && m->optional.empty() && m->excluded.empty()) return nullptr;
  return m;
}

namespace {
// %regex%: the message matches when the regex occurs in it.
class RegexMatcher final : public Matcher {
 public:
  explicit RegexMatcher(std::regex re) : re_(std::move(re)) {}
  bool matches(std::string_view m) const override { return std::regex_search(m.begin(), m.end(), re_); }

 private:
  std::regex re_;
};
}  // namespace

std::unique_ptr<Matcher> parse_regex(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = "Invalid filter pattern: empty regular expression";
    return nullptr;
  }
  try {
    return std::make_unique<RegexMatcher>(std::regex(std::string(text), std::regex::ECMAScript));
  } catch (const std::regex_error&) {
    error = "Invalid filter pattern: invalid regular expression";
    return nullptr;
  }
}

bool glob_match(std::string_view p, std::string_view t) {
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && p[pi] == t[ti]) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return d;
}

bool compare_numbers(double a, Op op, double b) {
  switch (op) {
    case Op::Eq: return a == b;
    case Op::Ne: return a != b;
    case Op::Lt: return a < b;
    case Op::Le: return a <= b;
    case Op::Gt: return a > b;
    case Op::Ge: return a >= b;
  }
  return false;
}

bool compare_text(std::string_view field, Op op, const Literal& lit) {
  bool eq = lit.text.find('*') != std::string::npos ? glob_match(lit.text, field) : field == lit.text;
  if (op == Op::Eq) return eq;
  if (op == Op::Ne) return !eq;
  return false;
}

bool literal_of(const Token& t, Literal& out) {
  if (t.kind == Token::String) {
    out = {t.text, true, std::nullopt};
    return true;
  }
  if (t.kind == Token::Word) {
    out = {t.text, false, parse_number(t.text)};
    return true;
  }
  return false;
}

Token Lexer::peek() {
  if (!peeked_) peeked_ = next();
  return *peeked_;
}

Token Lexer::next() {
  if (peeked_) {
    Token t = std::move(*peeked_);
    peeked_.reset();
    return t;
  }
  while (i_ < s_.size() && is_space(s_[i_])) ++i_;
  if (i_ >= s_.size()) return {};
  char c = s_[i_];
  auto two = [&](char a, char b) { return c == a && i_ + 1 < s_.size() && s_[i_ + 1] == b; };
  auto simple = [&](Token::Kind k, std::size_t n) {
    Token t{k, std::string(s_.substr(i_, n))};
    i_ += n;
    return t;
  };
  auto cmp = [&](Op op, std::size_t n) {
    Token t = simple(Token::Cmp, n);
    t.op = op;
    return t;
  };
  if (two('&', '&')) return simple(Token::And, 2);
  if (two('|', '|')) return simple(Token::Or, 2);
  if (two('!', '=')) return cmp(Op::Ne, 2);
  if (two('<', '=')) return cmp(Op::Le, 2);
  if (two('>', '=')) return cmp(Op::Ge, 2);
  if (two('=', '=')) return cmp(Op::Eq, 2);
  switch (c) {
    case '(': return simple(Token::LParen, 1);
    case ')': return simple(Token::RParen, 1);
    case ',': return simple(Token::Comma, 1);
    case '[': return simple(Token::LBracket, 1);
    case ']': return simple(Token::RBracket, 1);
    case '{': return simple(Token::LBrace, 1);
    case '}': return simple(Token::RBrace, 1);
    case '=': return cmp(Op::Eq, 1);
    case '<': return cmp(Op::Lt, 1);
    case '>': return cmp(Op::Gt, 1);
    default: break;
  }
  if (c == '"') {
    Token t{Token::String, ""};
    for (++i_; i_ < s_.size(); ++i_) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
        t.text.push_back(s_[++i_]);
      } else if (s_[i_] == '"') {
        ++i_;
        return t;
      } else {
        t.text.push_back(s_[i_]);
      }
    }
    error_ = "unterminated quoted string";
    return {};
  }
  const bool selector = c == '$';
  std::size_t j = i_;
  while (j < s_.size()) {
    char d = s_[j];
    if (is_space(d) || d == '(' || d == ')' || d == ',' || d == '}' || d == '"' || d == '=' || d == '<' ||
        d == '>' || d == '!' || d == '&' || d == '|')
      break;
    if ((d == '[' || d == ']') && !selector) break;
    ++j;
  }
  if (j == i_) {
    error_ = std::string("unexpected character '") + c + "'";
    return {};
  }
  Token t{Token::Word, std::string(s_.substr(i_, j - i_))};
  i_ = j;
  return t;
}
}  // namespace detail

std::optional<FilterPattern> FilterPattern::parse(std::string_view text, std::string& error) {
  std::string_view t = detail::trim(text);
  FilterPattern p;
  if (t.empty()) return p;
  std::unique_ptr<detail::Matcher> m;
  if (t.size() >= 2 && t.front() == '%' && t.back() == '%')
    m = detail::parse_regex(t.substr(1, t.size() - 2), error);
  else if (t.front() == '{')
    m = detail::parse_json(t, error);
  else if (t.front() == '[')
    m = detail::parse_delimited(t, error);
  else {
    m = detail::parse_terms(t, error);
    if (!m && error.empty()) return p;  // only empty phrases: everything matches
  }
  if (!m) return std::nullopt;
  p.matcher_ = std::move(m);
  return p;
}

bool FilterPattern::matches(std::string_view message) const { return !matcher_ || matcher_->matches(message); }

bool FilterPattern::matches_extracting(std::string_view message,
                                       std::vector<std::pair<std::string, std::string>>& extracted) const {
  return !matcher_ || matcher_->matches_extracting(message, extracted);
}

std::optional<std::string> FilterPattern::required_text() const {
  return matcher_ ? matcher_->required_text() : std::nullopt;
}

}  // namespace berth::logs
