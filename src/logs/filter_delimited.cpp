// Space-delimited filter patterns: [name, name = value, ..., name > 100 && name < 200].
// A message splits into fields at spaces; text in "double quotes" or [square brackets] is one
// field (without its delimiters). Each name takes one field, `...` any number of them; without
// `...` the message must have exactly as many fields as the pattern.
#include <map>
#include <vector>

#include "logs/filter_pattern_detail.h"

namespace berth::logs::detail {
namespace {
struct Condition {
  enum Kind { And, Or, Compare } kind = Compare;
  std::unique_ptr<Condition> left, right;
  std::string field;
  Op op = Op::Eq;
  Literal literal;
};

struct Field {
  bool ellipsis = false;
  std::string name;
};

std::vector<std::string_view> split_fields(std::string_view m) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < m.size()) {
    if (m[i] == ' ' || m[i] == '\t') {
      ++i;
      continue;
    }
    char close = m[i] == '"' ? '"' : m[i] == '[' ? ']' : 0;
    if (close) {
      std::size_t end = m.find(close, i + 1);
      if (end != std::string_view::npos) {
        out.push_back(m.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
    }
    std::size_t j = i;
    while (j < m.size() && m[j] != ' ' && m[j] != '\t') ++j;
    out.push_back(m.substr(i, j - i));
    i = j;
  }
  return out;
}

bool holds(std::string_view value, Op op, const Literal& lit) {
  if (!lit.quoted && lit.number)
    if (auto v = parse_number(value)) return compare_numbers(*v, op, *lit.number);
  return compare_text(value, op, lit);
}

using Bindings = std::map<std::string, std::string_view, std::less<>>;

bool eval(const Condition& c, const Bindings& b) {
  switch (c.kind) {
    case Condition::And: return eval(*c.left, b) && eval(*c.right, b);
    case Condition::Or: return eval(*c.left, b) || eval(*c.right, b);
    case Condition::Compare: {
      auto it = b.find(c.field);
      return it != b.end() && holds(it->second, c.op, c.literal);
    }
  }
  return false;
}

class DelimitedMatcher final : public Matcher {
 public:
  std::vector<Field> fields;
  std::vector<std::unique_ptr<Condition>> conditions;

  bool matches(std::string_view m) const override {
    auto values = split_fields(m);
    Bindings b;
    return align(values, 0, 0, b);
  }
  bool matches_extracting(std::string_view m, std::vector<std::pair<std::string, std::string>>& out) const override {
    auto values = split_fields(m);
    Bindings b;
    if (!align(values, 0, 0, b)) return false;
    for (const auto& f : fields)
      if (!f.ellipsis)
        if (auto it = b.find(f.name); it != b.end()) out.emplace_back("$" + f.name, std::string(it->second));
    return true;
  }

 private:
  // Tries each way the pattern's fields can line up with the message's, backtracking over
  // ellipses, until every condition holds.
  bool align(const std::vector<std::string_view>& values, std::size_t fi, std::size_t vi, Bindings& b) const {
    if (fi == fields.size()) {
      if (vi != values.size()) return false;
      for (const auto& c : conditions)
        if (!eval(*c, b)) return false;
      return true;
    }
    const Field& f = fields[fi];
    if (f.ellipsis) {
      for (std::size_t skip = vi; skip <= values.size(); ++skip)
        if (align(values, fi + 1, skip, b)) return true;
      return false;
    }
    if (vi >= values.size()) return false;
    b[f.name] = values[vi];
    return align(values, fi + 1, vi + 1, b);
  }
};

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) {}
  std::string error;

  std::unique_ptr<DelimitedMatcher> pattern() {
    auto m = std::make_unique<DelimitedMatcher>();
    if (lex_.next().kind != Token::LBracket) return fail("a space-delimited pattern starts with '['");
    if (lex_.peek().kind == Token::RBracket) return fail("a space-delimited pattern names at least one field");
    for (;;) {
      Token t = lex_.next();
      if (t.kind != Token::Word) return fail("expected a field name");
      if (t.text == "...") {
        m->fields.push_back({true, ""});
      } else {
        m->fields.push_back({false, t.text});
        if (lex_.peek().kind == Token::Cmp) {
          auto c = or_expr(t.text);
          if (!c) return nullptr;
          m->conditions.push_back(std::move(c));
        }
      }
      Token sep = lex_.next();
      if (sep.kind == Token::RBracket) break;
      if (sep.kind != Token::Comma) return fail("expected ',' or ']'");
    }
    if (lex_.next().kind != Token::End) return fail("unexpected text after ']'");
    return m;
  }

 private:
  std::nullptr_t fail(std::string why) {
    if (error.empty()) error = lex_.failed() ? lex_.error() : std::move(why);
    return nullptr;
  }

  // Conditions of one field: the first names it implicitly (`status = 4*`); further ones joined
  // with && or || may name any field (`status >= 400 && status < 500`).
  std::unique_ptr<Condition> or_expr(const std::string& implicit) {
    auto l = and_expr(implicit);
    while (l && lex_.peek().kind == Token::Or) {
      lex_.next();
      auto r = and_expr("");
      if (!r) return nullptr;
      l = join(Condition::Or, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Condition> and_expr(const std::string& implicit) {
    auto l = comparison(implicit);
    while (l && lex_.peek().kind == Token::And) {
      lex_.next();
      auto r = comparison("");
      if (!r) return nullptr;
      l = join(Condition::And, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Condition> comparison(const std::string& implicit) {
    auto c = std::make_unique<Condition>();
    if (!implicit.empty()) {
      c->field = implicit;
    } else {
      Token name = lex_.next();
      if (name.kind != Token::Word) return fail("expected a field name after && or ||");
      c->field = name.text;
    }
    Token op = lex_.next();
    if (op.kind != Token::Cmp) return fail("expected a comparison after " + c->field);
    c->op = op.op;
    if (!literal_of(lex_.next(), c->literal)) return fail("expected a value after the operator");
    bool ordering = op.op != Op::Eq && op.op != Op::Ne;
    if (ordering && (c->literal.quoted || !c->literal.number))
      return fail("'" + c->literal.text + "' is not a number");
    return c;
  }

  static std::unique_ptr<Condition> join(Condition::Kind k, std::unique_ptr<Condition> l,
                                         std::unique_ptr<Condition> r) {
    auto c = std::make_unique<Condition>();
    c->kind = k;
    c->left = std::move(l);
    c->right = std::move(r);
    return c;
  }

  Lexer lex_;
};
}  // namespace

std::unique_ptr<Matcher> parse_delimited(std::string_view text, std::string& error) {
  Parser p(text);
  auto m = p.pattern();
  if (!m) {
    error = "Invalid filter pattern: " + p.error;
    return nullptr;
  }
  return m;
}

}  // namespace berth::logs::detail
