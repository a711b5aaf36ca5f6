// JSON filter patterns: { SELECTOR OP VALUE && ... || ... } evaluated against messages that
// are JSON objects. A selector is $ followed by .key, [index], [*] or .* steps; a comparison
// holds when any value the selector reaches satisfies it.
#include <rapidjson/document.h>

#include <functional>
#include <vector>

#include "logs/filter_pattern_detail.h"

namespace berth::logs::detail {
namespace {
struct Step {
  enum Kind { Key, Index, AnyIndex, AnyKey } kind = Key;
  std::string key;
  rapidjson::SizeType index = 0;
};

struct Node {
  enum Kind { And, Or, Compare, IsNull, IsTrue, IsFalse, NotExists, Exists } kind = Compare;
  std::unique_ptr<Node> left, right;
  std::vector<Step> selector;
  Op op = Op::Eq;
  Literal literal;
};

// Calls f on each value the selector reaches from v; stops and returns true once f does.
bool each_value(const rapidjson::Value& v, const std::vector<Step>& steps, std::size_t i,
                const std::function<bool(const rapidjson::Value&)>& f) {
  if (i == steps.size()) return f(v);
  const Step& s = steps[i];
  switch (s.kind) {
    case Step::Key: {
      if (!v.IsObject()) return false;
      auto it = v.FindMember(rapidjson::StringRef(s.key.data(), static_cast<rapidjson::SizeType>(s.key.size())));
      return it != v.MemberEnd() && each_value(it->value, steps, i + 1, f);
    }
    case Step::Index:
      return v.IsArray() && s.index < v.Size() && each_value(v[s.index], steps, i + 1, f);
    case Step::AnyIndex:
      if (v.IsArray())
        for (const auto& e : v.GetArray())
          if (each_value(e, steps, i + 1, f)) return true;
      return false;
    case Step::AnyKey:
      if (v.IsObject())
        for (const auto& m : v.GetObject())
          if (each_value(m.value, steps, i + 1, f)) return true;
      return false;
  }
  return false;
}

bool compare(const rapidjson::Value& v, Op op, const Literal& lit) {
  if (!lit.quoted) {
    if (lit.number && v.IsNumber()) return compare_numbers(v.GetDouble(), op, *lit.number);
    if ((lit.text == "true" || lit.text == "false") && v.IsBool() && (op == Op::Eq || op == Op::Ne))
      return (v.GetBool() == (lit.text == "true")) == (op == Op::Eq);
    if (lit.text == "null" && (op == Op::Eq || op == Op::Ne)) return v.IsNull() == (op == Op::Eq);
  }
  if (v.IsString()) return compare_text({v.GetString(), v.GetStringLength()}, op, lit);
  return false;
}

bool eval(const Node& n, const rapidjson::Value& doc) {
  switch (n.kind) {
    case Node::And: return eval(*n.left, doc) && eval(*n.right, doc);
    case Node::Or: return eval(*n.left, doc) || eval(*n.right, doc);
    case Node::NotExists: return !each_value(doc, n.selector, 0, [](const auto&) { return true; });
    case Node::Exists: return each_value(doc, n.selector, 0, [](const auto&) { return true; });
    case Node::IsNull: return each_value(doc, n.selector, 0, [](const auto& v) { return v.IsNull(); });
    case Node::IsTrue: return each_value(doc, n.selector, 0, [](const auto& v) { return v.IsBool() && v.GetBool(); });
    case Node::IsFalse: return each_value(doc, n.selector, 0, [](const auto& v) { return v.IsBool() && !v.GetBool(); });
    case Node::Compare:
      return each_value(doc, n.selector, 0, [&](const auto& v) { return compare(v, n.op, n.literal); });
  }
  return false;
}

bool upper_eq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) {}
  std::string error;

  std::unique_ptr<Node> pattern() {
    if (lex_.next().kind != Token::LBrace) return fail("a JSON pattern starts with '{'");
    auto n = or_expr();
    if (!n) return nullptr;
    if (lex_.next().kind != Token::RBrace) return fail("expected '}'");
    if (lex_.next().kind != Token::End) return fail("unexpected text after '}'");
    return n;
  }

 private:
  std::unique_ptr<Node> fail(std::string why) {
    if (error.empty()) error = lex_.failed() ? lex_.error() : std::move(why);
    return nullptr;
  }

  std::unique_ptr<Node> join(Node::Kind k, std::unique_ptr<Node> l, std::unique_ptr<Node> r) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->left = std::move(l);
    n->right = std::move(r);
    return n;
  }

  std::unique_ptr<Node> or_expr() {
    auto l = and_expr();
    while (l && lex_.peek().kind == Token::Or) {
      lex_.next();
      auto r = and_expr();
      if (!r) return nullptr;
      l = join(Node::Or, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Node> and_expr() {
    auto l = primary();
    while (l && lex_.peek().kind == Token::And) {
      lex_.next();
      auto r = primary();
      if (!r) return nullptr;
      l = join(Node::And, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Node> primary() {
    Token t = lex_.next();
    if (t.kind == Token::LParen) {
      auto n = or_expr();
      if (!n) return nullptr;
      if (lex_.next().kind != Token::RParen) return fail("expected ')'");
      return n;
    }
    if (t.kind != Token::Word || t.text.empty() || t.text[0] != '$') return fail("expected a selector starting with '$'");
    auto n = std::make_unique<Node>();
    if (!selector(t.text, n->selector)) return fail("invalid selector '" + t.text + "'");
    Token c = lex_.next();
    if (c.kind == Token::Cmp) {
      n->op = c.op;
      if (!literal_of(lex_.next(), n->literal)) return fail("expected a value after the operator");
      bool ordering = c.op != Op::Eq && c.op != Op::Ne;
      if (ordering && (n->literal.quoted || !n->literal.number))
        return fail("'" + n->literal.text + "' is not a number");
      return n;
    }
    if (c.kind == Token::Word && upper_eq(c.text, "IS")) {
      Token v = lex_.next();
      if (v.kind == Token::Word && upper_eq(v.text, "NULL")) n->kind = Node::IsNull;
      else if (v.kind == Token::Word && upper_eq(v.text, "TRUE")) n->kind = Node::IsTrue;
      else if (v.kind == Token::Word && upper_eq(v.text, "FALSE")) n->kind = Node::IsFalse;
      else return fail("expected NULL, TRUE or FALSE after IS");
      return n;
    }
    if (c.kind == Token::Word && upper_eq(c.text, "NOT")) {
      Token v = lex_.next();
      if (v.kind != Token::Word || !upper_eq(v.text, "EXISTS")) return fail("expected EXISTS after NOT");
      n->kind = Node::NotExists;
      return n;
    }
    if (c.kind == Token::Word && upper_eq(c.text, "EXISTS")) {
      n->kind = Node::Exists;
      return n;
    }
    return fail("expected an operator after " + t.text);
  }

  static bool selector(std::string_view s, std::vector<Step>& out) {
    std::size_t i = 1;  // past '$'
    while (i < s.size()) {
      if (s[i] == '.') {
        std::size_t j = ++i;
        while (j < s.size() && s[j] != '.' && s[j] != '[') ++j;
        if (j == i) return false;
        std::string_view key = s.substr(i, j - i);
        out.push_back(key == "*" ? Step{Step::AnyKey, "", 0} : Step{Step::Key, std::string(key), 0});
        i = j;
      } else if (s[i] == '[') {
        std::size_t close = s.find(']', i);
        if (close == std::string_view::npos) return false;
        std::string_view inside = s.substr(i + 1, close - i - 1);
        if (inside == "*") {
          out.push_back({Step::AnyIndex, "", 0});
        } else {
          auto n = parse_number(inside);
          if (!n || *n < 0 || *n != static_cast<double>(static_cast<rapidjson::SizeType>(*n))) return false;
          out.push_back({Step::Index, "", static_cast<rapidjson::SizeType>(*n)});
        }
        i = close + 1;
      } else {
        return false;
      }
    }
    return true;
  }

  Lexer lex_;
};

class JsonMatcher final : public Matcher {
 public:
  explicit JsonMatcher(std::unique_ptr<Node> root) : root_(std::move(root)) {}

  bool matches(std::string_view m) const override {
    std::size_t i = m.find_first_not_of(" \t\r\n");
    if (i == std::string_view::npos || m[i] != '{') return false;
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(m.data(), m.size());
    return !doc.HasParseError() && doc.IsObject() && eval(*root_, doc);
  }

 private:
  std::unique_ptr<Node> root_;
};
}  // namespace

std::unique_ptr<Matcher> parse_json(std::string_view text, std::string& error) {
  Parser p(text);
  auto root = p.pattern();
  if (!root) {
    error = "Invalid filter pattern: " + p.error;
    return nullptr;
  }
  return std::make_unique<JsonMatcher>(std::move(root));
}

}  // namespace berth::logs::detail
