// Logs Insights: the lexer and a recursive-descent parser to the AST of insights_query.h.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "logs/insights_query.h"

namespace berth::logs::insights {
namespace {

struct Token {
  enum class Kind { End, Ident, Number, Duration, String, Regex, Symbol };
  Kind kind = Kind::End;
  std::string text;  // identifiers and symbols as written; strings and regexes unquoted
  double num = 0;
  bool case_insensitive = false;
  std::size_t start = 0, end = 0;
};

struct Failure {
  std::size_t at;
};

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '@'; }
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '.' || c == '$';
}

// A `/` starts a regex unless it follows something that ends an operand (then it divides).
bool ends_operand(const std::vector<Token>& tokens) {
  if (tokens.empty()) return false;
  // `parse FIELD /regex/`: the field ends an operand but the regex follows.
  if (tokens.size() >= 2 && tokens[tokens.size() - 2].kind == Token::Kind::Ident &&
      tokens[tokens.size() - 2].text.size() == 5 && (tokens[tokens.size() - 2].text == "parse" ||
                                                      tokens[tokens.size() - 2].text == "PARSE"))
    return false;
  const Token& t = tokens.back();
  switch (t.kind) {
    case Token::Kind::Number:
    case Token::Kind::Duration:
    case Token::Kind::String:
    case Token::Kind::Regex:
      return true;
    case Token::Kind::Ident: {
      std::string lower = t.text;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      static const std::set<std::string> keywords = {"like", "and", "or", "not", "in", "parse", "filter", "by", "as"};
      return !keywords.contains(lower);
    }
    case Token::Kind::Symbol:
      return t.text == ")" || t.text == "]";
    default:
      return false;
  }
}

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    Token t;
    t.start = i;
    if (i >= s.size()) {
      t.end = i;
      out.push_back(t);
      return out;
    }
    char c = s[i];
    if (c == '#') {  // a comment runs to the end of the line
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (ident_start(c)) {
      std::size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      t.kind = Token::Kind::Ident;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '`') {
      std::size_t j = s.find('`', i + 1);
      if (j == std::string_view::npos) throw Failure{i};
      t.kind = Token::Kind::Ident;
      t.text = std::string(s.substr(i + 1, j - i - 1));
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      std::size_t j = i;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      t.num = std::strtod(std::string(s.substr(i, j - i)).c_str(), nullptr);
      t.kind = Token::Kind::Number;
      std::size_t k = j;
      while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
      if (k > j) t.kind = Token::Kind::Duration;
      t.text = std::string(s.substr(i, k - i));
      i = k;
    } else if (c == '"' || c == '\'') {
      std::string text;
      std::size_t j = i + 1;
      for (; j < s.size() && s[j] != c; ++j) {
        if (s[j] == '\\' && j + 1 < s.size() && (s[j + 1] == c || s[j + 1] == '\\')) ++j;
        text += s[j];
      }
      if (j >= s.size()) throw Failure{i};
      t.kind = Token::Kind::String;
      t.text = std::move(text);
      i = j + 1;
    } else if (c == '/' && !ends_operand(out)) {
      std::string text;
      std::size_t j = i + 1;
      for (; j < s.size() && s[j] != '/'; ++j) {
        if (s[j] == '\\' && j + 1 < s.size() && s[j + 1] == '/') ++j;
        else if (s[j] == '\\' && j + 1 < s.size()) text += s[j++];
        text += s[j];
      }
      if (j >= s.size()) throw Failure{i};
      t.kind = Token::Kind::Regex;
      t.text = std::move(text);
      i = j + 1;
      if (i < s.size() && s[i] == 'i' && (i + 1 >= s.size() || !ident_char(s[i + 1]))) {
        t.case_insensitive = true;
        ++i;
      }
    } else {
      static const char* two[] = {"!=", "<=", ">=", "=~", "=="};
      t.kind = Token::Kind::Symbol;
      t.text = std::string(1, c);
      for (const char* op : two)
        if (s.substr(i, 2) == op) t.text = op;
      if (std::string_view("|,()[]=<>+-*/%!").find(c) == std::string_view::npos) throw Failure{i};
      i += t.text.size();
    }
    t.end = i;
    out.push_back(std::move(t));
  }
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::set<std::string>& aggregate_names() {
  static const std::set<std::string> names = {"count", "sum", "avg", "min", "max", "pct", "count_distinct",
                                              "earliest", "latest", "stddev"};
  return names;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens) : text_(text), t_(std::move(tokens)) {}

  Query query() {
    Query q;
    do {
      q.commands.push_back(command());
    } while (accept_symbol("|"));
    if (peek().kind != Token::Kind::End) fail();
    return q;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const { return t_[std::min(pos_ + ahead, t_.size() - 1)]; }
  const Token& take() {
    const Token& t = t_[pos_];
    if (pos_ + 1 < t_.size()) ++pos_;
    return t;
  }
  [[noreturn]] void fail() const { throw Failure{peek().start}; }
  bool is_keyword(const Token& t, std::string_view word) const {
    return t.kind == Token::Kind::Ident && lower(t.text) == word;
  }
  bool accept_keyword(std::string_view word) {
    if (!is_keyword(peek(), word)) return false;
    take();
    return true;
  }
  bool accept_symbol(std::string_view s) {
    if (peek().kind != Token::Kind::Symbol || peek().text != s) return false;
    take();
    return true;
  }
  void expect_symbol(std::string_view s) {
    if (!accept_symbol(s)) fail();
  }
  std::string field_name() {
    if (peek().kind != Token::Kind::Ident) fail();
    return take().text;
  }

  Command command() {
    Command c;
    if (peek().kind != Token::Kind::Ident) fail();
    std::size_t head_at = peek().start;
    std::string word = lower(take().text);
    if (word == "fields") {
      c.kind = Command::Kind::Fields;
      c.items = projections(false);
    } else if (word == "display") {
      c.kind = Command::Kind::Display;
      do c.items.push_back({nullptr, field_name()});
      while (accept_symbol(","));
    } else if (word == "filter") {
      c.kind = Command::Kind::Filter;
      c.condition = expr();
    } else if (word == "parse") {
      parse_command(c);
    } else if (word == "stats") {
      c.kind = Command::Kind::Stats;
      in_stats_ = &c;
      c.items = projections(true);
      in_stats_ = nullptr;
      if (c.aggregates.empty()) fail();
      if (accept_keyword("by")) c.by = projections(false);
    } else if (word == "sort") {
      c.kind = Command::Kind::Sort;
      do {
        SortKey k;
        k.expr = expr();
        if (accept_keyword("asc")) k.descending = false;
        else accept_keyword("desc");
        c.sort.push_back(std::move(k));
      } while (accept_symbol(","));
    } else if (word == "limit") {
      c.kind = Command::Kind::Limit;
      if (peek().kind != Token::Kind::Number || peek().num < 1 || peek().num != static_cast<std::int64_t>(peek().num))
        fail();
      c.limit = static_cast<std::int64_t>(take().num);
    } else if (word == "dedup") {
      c.kind = Command::Kind::Dedup;
      do c.names.push_back(field_name());
      while (accept_symbol(","));
    } else {
      throw Failure{head_at};
    }
    return c;
  }

  void parse_command(Command& c) {
    c.kind = Command::Kind::Parse;
    // The field is optional: `parse "glob" as a` reads @message.
    if (peek().kind == Token::Kind::Ident) {
      c.source = std::make_unique<Expr>();
      c.source->kind = Expr::Kind::Field;
      c.source->text = take().text;
    } else {
      c.source = std::make_unique<Expr>();
      c.source->kind = Expr::Kind::Field;
      c.source->text = "@message";
    }
    const Token& p = peek();
    if (p.kind == Token::Kind::String) {
      c.pattern = take().text;
      if (!accept_keyword("as")) fail();
      do c.names.push_back(field_name());
      while (accept_symbol(","));
      auto stars = std::count(c.pattern.begin(), c.pattern.end(), '*');
      if (stars != static_cast<long>(c.names.size())) fail();
    } else if (p.kind == Token::Kind::Regex) {
      c.regex = true;
      c.case_insensitive = p.case_insensitive;
      NamedGroups g = named_groups(take().text);
      if (g.names.empty()) fail();
      c.pattern = g.pattern;
      c.names = g.names;
      c.group_index = g.index;
    } else {
      fail();
    }
  }

  std::vector<Projection> projections(bool aggregates) {
    std::vector<Projection> out;
    do {
      Projection p;
      p.expr = expr();
      if (accept_keyword("as")) p.name = field_name();
      else p.name = p.expr->source;
      if (aggregates && !has_aggregate(*p.expr)) fail();
      out.push_back(std::move(p));
    } while (accept_symbol(","));
    return out;
  }
  static bool has_aggregate(const Expr& e) {
    if (e.agg_slot >= 0) return true;
    return std::any_of(e.args.begin(), e.args.end(), [](const auto& a) { return has_aggregate(*a); });
  }

  std::unique_ptr<Expr> node(Expr::Kind kind, std::size_t start) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->source = std::to_string(start);  // replaced by finish()
    return e;
  }
  std::unique_ptr<Expr> finish(std::unique_ptr<Expr> e, std::size_t start) {
    std::size_t end = t_[pos_ == 0 ? 0 : pos_ - 1].end;
    e->source = std::string(text_.substr(start, end > start ? end - start : 0));
    return e;
  }
  std::unique_ptr<Expr> binary(std::string op, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r, std::size_t start) {
    auto e = node(Expr::Kind::Binary, start);
    e->op = std::move(op);
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return finish(std::move(e), start);
  }

  std::unique_ptr<Expr> expr() { return or_expr(); }
  std::unique_ptr<Expr> or_expr() {
    std::size_t start = peek().start;
    auto l = and_expr();
    while (accept_keyword("or")) l = binary("or", std::move(l), and_expr(), start);
    return l;
  }
  std::unique_ptr<Expr> and_expr() {
    std::size_t start = peek().start;
    auto l = not_expr();
    while (accept_keyword("and")) l = binary("and", std::move(l), not_expr(), start);
    return l;
  }
  std::unique_ptr<Expr> not_expr() {
    std::size_t start = peek().start;
    if (accept_keyword("not") || accept_symbol("!")) {
      auto e = node(Expr::Kind::Not, start);
      e->args.push_back(not_expr());
      return finish(std::move(e), start);
    }
    return comparison();
  }
  std::unique_ptr<Expr> comparison() {
    std::size_t start = peek().start;
    auto l = additive();
    bool negated = false;
    if (is_keyword(peek(), "not") && (is_keyword(peek(1), "like") || is_keyword(peek(1), "in"))) {
      take();
      negated = true;
    }
    std::unique_ptr<Expr> e;
    if (accept_keyword("like") || accept_symbol("=~")) {
      e = node(Expr::Kind::Like, start);
      e->args.push_back(std::move(l));
      const Token& p = peek();
      if (p.kind != Token::Kind::String && p.kind != Token::Kind::Regex) fail();
      auto pat = node(p.kind == Token::Kind::String ? Expr::Kind::String : Expr::Kind::Regex, p.start);
      pat->text = p.text;
      pat->case_insensitive = p.case_insensitive;
      take();
      e->args.push_back(finish(std::move(pat), p.start));
      e = finish(std::move(e), start);
    } else if (accept_keyword("in")) {
      e = node(Expr::Kind::In, start);
      e->args.push_back(std::move(l));
      expect_symbol("[");
      if (!accept_symbol("]")) {
        do e->args.push_back(additive());
        while (accept_symbol(","));
        expect_symbol("]");
      }
      e = finish(std::move(e), start);
    } else if (peek().kind == Token::Kind::Symbol) {
      static const std::set<std::string> ops = {"=", "==", "!=", "<", "<=", ">", ">="};
      std::string op = peek().text;
      if (!ops.contains(op)) return l;
      take();
      if (op == "==") op = "=";
      return binary(op, std::move(l), additive(), start);
    } else {
      return l;
    }
    if (!negated) return e;
    auto n = node(Expr::Kind::Not, start);
    n->args.push_back(std::move(e));
    return finish(std::move(n), start);
  }
  std::unique_ptr<Expr> additive() {
    std::size_t start = peek().start;
    auto l = multiplicative();
    while (peek().kind == Token::Kind::Symbol && (peek().text == "+" || peek().text == "-")) {
      std::string op = take().text;
      l = binary(op, std::move(l), multiplicative(), start);
    }
    return l;
  }
  std::unique_ptr<Expr> multiplicative() {
    std::size_t start = peek().start;
    auto l = unary();
    while (peek().kind == Token::Kind::Symbol && (peek().text == "*" || peek().text == "/" || peek().text == "%")) {
      std::string op = take().text;
      l = binary(op, std::move(l), unary(), start);
    }
    return l;
  }
  std::unique_ptr<Expr> unary() {
    std::size_t start = peek().start;
    if (accept_symbol("-")) {
      auto e = node(Expr::Kind::Negate, start);
      e->args.push_back(unary());
      return finish(std::move(e), start);
    }
    return primary();
  }
  std::unique_ptr<Expr> primary() {
    const Token& t = peek();
    std::size_t start = t.start;
    switch (t.kind) {
      case Token::Kind::Number: {
        auto e = node(Expr::Kind::Number, start);
        e->num = take().num;
        return finish(std::move(e), start);
      }
      case Token::Kind::String:
      case Token::Kind::Regex: {
        auto e = node(t.kind == Token::Kind::String ? Expr::Kind::String : Expr::Kind::Regex, start);
        e->case_insensitive = t.case_insensitive;
        e->text = take().text;
        return finish(std::move(e), start);
      }
      case Token::Kind::Symbol:
        if (accept_symbol("(")) {
          auto e = expr();
          expect_symbol(")");
          return e;
        }
        fail();
      case Token::Kind::Ident: {
        std::string name = take().text;
        if (!accept_symbol("(")) {
          static const std::set<std::string> reserved = {"and", "or", "not", "like", "in", "as", "by", "asc", "desc"};
          if (reserved.contains(lower(name))) throw Failure{start};
          auto e = node(Expr::Kind::Field, start);
          e->text = std::move(name);
          return finish(std::move(e), start);
        }
        auto e = node(Expr::Kind::Call, start);
        e->text = lower(name);
        bool aggregate = aggregate_names().contains(e->text);
        static const std::set<std::string> scalars = {"bin", "ispresent", "isempty", "isblank", "strlen",
                                                      "tolower", "toupper", "trim", "concat", "abs", "ceil",
                                                      "floor", "sqrt", "greatest", "least", "coalesce"};
        if (!aggregate && !scalars.contains(e->text)) throw Failure{start};
        if (aggregate && !in_stats_) throw Failure{start};
        if (e->text == "bin") {
          const Token& p = peek();
          if (p.kind != Token::Kind::Duration || !period_millis(p.text)) fail();
          auto arg = node(Expr::Kind::Number, p.start);
          arg->num = static_cast<double>(*period_millis(p.text));
          take();
          e->args.push_back(finish(std::move(arg), p.start));
          expect_symbol(")");
        } else if (!accept_symbol(")")) {
          do {
            if (peek().kind == Token::Kind::Symbol && peek().text == "*" && e->text == "count") {
              std::size_t at = peek().start;
              take();
              e->args.push_back(finish(node(Expr::Kind::Star, at), at));
            } else {
              Command* outer = in_stats_;
              in_stats_ = nullptr;  // no aggregate inside an aggregate's arguments
              e->args.push_back(expr());
              in_stats_ = outer;
            }
          } while (accept_symbol(","));
          expect_symbol(")");
        }
        e = finish(std::move(e), start);
        if (aggregate) {
          if (e->text == "pct" ? e->args.size() != 2 : e->args.size() > 1) fail();
          if (e->text != "count" && e->args.empty()) fail();
          e->agg_slot = static_cast<int>(in_stats_->aggregates.size());
          in_stats_->aggregates.push_back(e.get());
        }
        return e;
      }
      default:
        fail();
    }
  }

  std::string_view text_;
  std::vector<Token> t_;
  std::size_t pos_ = 0;
  Command* in_stats_ = nullptr;
};

// 1-based line and position of a character offset, as AWS reports them.
std::pair<int, std::size_t> line_and_position(std::string_view text, std::size_t at) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at && i < text.size(); ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return {line, at - line_start + 1};
}

}  // namespace

std::optional<Query> parse(std::string_view text, ParseError& error) {
  std::size_t at = 0;
  try {
    auto tokens = lex(text);
    if (tokens.size() == 1) {  // nothing but blanks and comments
      error = {"Query string is empty or contains only comments", 0, 0};
      return std::nullopt;
    }
    return Parser(text, std::move(tokens)).query();
  } catch (const Failure& f) {
    at = f.at;
  }
  // The offending symbol: the rest of the word (or the one character) found there.
  std::size_t end = at;
  while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '|' &&
         (end == at || ident_char(text[end])))
    ++end;
  if (end == at && at < text.size()) ++end;
  std::string symbol = at < text.size() ? std::string(text.substr(at, end - at)) : "<EOF>";
  auto [line, position] = line_and_position(text, at);
  error = {"unexpected symbol found " + symbol + " at line " + std::to_string(line) + " and position " +
               std::to_string(position),
           at, end == 0 ? 0 : end - 1};
  return std::nullopt;
}

NamedGroups named_groups(std::string_view re) {
  NamedGroups g;
  int captures = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      g.pattern += c;
      g.pattern += re[++i];
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      g.pattern += c;
      continue;
    }
    if (c == '[') in_class = true;
    if (c == '(') {
      if (re.substr(i, 3) == "(?<" && i + 3 < re.size() && re[i + 3] != '=' && re[i + 3] != '!') {
        std::size_t close = re.find('>', i + 3);
        if (close != std::string_view::npos) {
          g.names.emplace_back(re.substr(i + 3, close - i - 3));
          g.index.push_back(++captures);
          g.pattern += '(';
          i = close;
          continue;
        }
      } else if (re.substr(i, 2) == "(?P" && re.substr(i, 4) == "(?P<") {
        std::size_t close = re.find('>', i + 4);
        if (close != std::string_view::npos) {
          g.names.emplace_back(re.substr(i + 4, close - i - 4));
          g.index.push_back(++captures);
          g.pattern += '(';
          i = close;
          continue;
        }
      } else if (re.substr(i, 2) != "(?") {
        ++captures;
      }
    }
    g.pattern += c;
  }
  return g;
}

std::optional<std::int64_t> period_millis(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 12) return std::nullopt;
  std::int64_t n = std::stoll(std::string(text.substr(0, i)));
  std::string unit = lower(std::string(text.substr(i)));
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds") scale = 1000;
  else if (unit == "m" || unit == "min" || unit == "minute" || unit == "minutes") scale = 60'000;
  else if (unit == "h" || unit == "hr" || unit == "hour" || unit == "hours") scale = 3'600'000;
  else if (unit == "d" || unit == "day" || unit == "days") scale = 86'400'000;
  else if (unit == "w" || unit == "week" || unit == "weeks") scale = 7 * 86'400'000LL;
  if (scale == 0 || n <= 0) return std::nullopt;
  return n * scale;
}

}  // namespace berth::logs::insights
