#include "ecs/cluster_query.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>

namespace berth::ecs {

struct ClusterQuery::Node {
  enum Kind { And, Or, Not, Compare } kind = Compare;
  std::shared_ptr<const Node> left, right;  // And/Or: both; Not: left
  // Compare:
  std::string subject;  // "attribute", "ec2InstanceId", "agentConnected", "agentVersion", ...
  std::string attribute;  // for attribute:NAME
  std::string op;         // ==, !=, exists, !exists, in, !in, =~, !~, >, >=, <, <=
  std::vector<std::string> values;
  std::optional<std::regex> pattern;  // =~ and !~
};

namespace {
using Node = ClusterQuery::Node;
using NodePtr = std::shared_ptr<const Node>;

struct Token {
  enum Type { Word, Symbol, Quoted, End } type = End;
  std::string text;
};

bool is_symbol_char(char c) { return std::string_view("()[],!=<>&|~").find(c) != std::string_view::npos; }

std::variant<std::vector<Token>, std::string> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '\'' || c == '"') {
      auto end = s.find(c, i + 1);
      if (end == std::string_view::npos) return std::string("unterminated quoted value");
      out.push_back({Token::Quoted, std::string(s.substr(i + 1, end - i - 1))});
      i = end + 1;
      continue;
    }
    if (is_symbol_char(c)) {
      for (std::string_view two : {"==", "!=", "=~", "!~", ">=", "<=", "&&", "||"})
        if (s.substr(i, 2) == two) {
          out.push_back({Token::Symbol, std::string(two)});
          i += 2;
          goto next;
        }
      if (std::string_view("()[],!<>").find(c) == std::string_view::npos)
        return "unexpected '" + std::string(1, c) + "'";
      out.push_back({Token::Symbol, std::string(1, c)});
      ++i;
      continue;
    }
    {
      std::size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) &&
             std::string_view("()[],!=<>&|").find(s[j]) == std::string_view::npos)
        ++j;
      out.push_back({Token::Word, std::string(s.substr(i, j - i))});
      i = j;
    }
  next:;
  }
  out.push_back({Token::End, ""});
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> t) : t_(std::move(t)) {}
  std::variant<NodePtr, std::string> run() {
    auto n = expr();
    if (!error_.empty()) return error_;
    if (peek().type != Token::End) return "unexpected '" + peek().text + "'";
    return n;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const { return t_[std::min(pos_ + ahead, t_.size() - 1)]; }
  Token take() { return t_[std::min(pos_++, t_.size() - 1)]; }
  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  bool is_word(const Token& t, std::string_view w) const { return t.type == Token::Word && lower(t.text) == w; }
  bool is_sym(const Token& t, std::string_view s) const { return t.type == Token::Symbol && t.text == s; }

  NodePtr join(Node::Kind k, NodePtr l, NodePtr r) {
    auto n = std::make_shared<Node>();
    n->kind = k;
    n->left = std::move(l);
    n->right = std::move(r);
    return n;
  }
  NodePtr expr() {
    NodePtr l = conj();
    while (error_.empty() && (is_word(peek(), "or") || is_sym(peek(), "||"))) {
      take();
      l = join(Node::Or, l, conj());
    }
    return l;
  }
  NodePtr conj() {
    NodePtr l = unary();
    while (error_.empty() && (is_word(peek(), "and") || is_sym(peek(), "&&"))) {
      take();
      l = join(Node::And, l, unary());
    }
    return l;
  }
  NodePtr unary() {
    if (!error_.empty()) return nullptr;
    if (is_word(peek(), "not") || is_sym(peek(), "!")) {
      take();
      return join(Node::Not, unary(), nullptr);
    }
    if (is_sym(peek(), "(")) {
      take();
      NodePtr n = expr();
      if (!is_sym(take(), ")")) fail("missing ')'");
      return n;
    }
    return compare();
  }

  NodePtr compare() {
    Token subject = take();
    if (subject.type != Token::Word) {
      fail(subject.type == Token::End ? "expression ends where a subject is expected"
                                      : "unexpected '" + subject.text + "'");
      return nullptr;
    }
    auto n = std::make_shared<Node>();
    std::string s = subject.text;
    if (s.starts_with("attribute:") && s.size() > 10) {
      n->subject = "attribute";
      n->attribute = s.substr(10);
    } else if (s == "task:group" || s == "ec2InstanceId" || s == "agentConnected" || s == "agentVersion" ||
               s == "runningTasksCount" || s == "registeredAt") {
      n->subject = s;
    } else {
      fail("unknown subject '" + s + "'");
      return nullptr;
    }
    // The operator: a symbol, a word (equals, in, exists...), or ! before exists/in.
    Token o = take();
    std::string op;
    if (o.type == Token::Symbol && o.text == "!" && peek().type == Token::Word &&
        (lower(peek().text) == "exists" || lower(peek().text) == "in")) {
      op = "!" + lower(take().text);
    } else if (o.type == Token::Symbol) {
      op = o.text;
    } else if (o.type == Token::Word) {
      static const std::map<std::string, std::string> words = {
          {"equals", "=="}, {"not_equals", "!="}, {"exists", "exists"}, {"in", "in"}, {"not_in", "!in"},
          {"matches", "=~"}, {"not_matches", "!~"}, {"greater_than", ">"}, {"less_than", "<"}};
      auto it = words.find(lower(o.text));
      if (it == words.end()) {
        fail("unknown operator '" + o.text + "'");
        return nullptr;
      }
      op = it->second;
    }
    static const std::vector<std::string> ops = {"==", "!=", "exists", "!exists", "in", "!in", "=~", "!~",
                                                 ">",  ">=", "<",      "<="};
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) {
      fail(o.type == Token::End ? "missing operator after '" + s + "'" : "unknown operator '" + o.text + "'");
      return nullptr;
    }
    bool ordering = op == ">" || op == ">=" || op == "<" || op == "<=";
    if (ordering && n->subject != "runningTasksCount" && n->subject != "registeredAt") {
      fail("operator " + op + " does not apply to " + s);
      return nullptr;
    }
    if ((op == "exists" || op == "!exists") && n->subject != "attribute") {
      fail("operator " + op + " applies only to attributes");
      return nullptr;
    }
    n->op = op;
    if (op == "in" || op == "!in") {
      Token open = take();
      std::string close = is_sym(open, "[") ? "]" : is_sym(open, "(") ? ")" : "";
      if (close.empty()) {
        fail("a list in [] is expected after " + op);
        return nullptr;
      }
      while (true) {
        Token v = take();
        if (v.type != Token::Word && v.type != Token::Quoted) {
          fail("a value is expected in the list");
          return nullptr;
        }
        n->values.push_back(v.text);
        Token sep = take();
        if (is_sym(sep, close)) break;
        if (!is_sym(sep, ",")) {
          fail("',' or '" + close + "' is expected in the list");
          return nullptr;
        }
      }
    } else if (op != "exists" && op != "!exists") {
      Token v = take();
      if (v.type != Token::Word && v.type != Token::Quoted) {
        fail("a value is expected after " + op);
        return nullptr;
      }
      n->values.push_back(v.text);
    }
    if (op == "=~" || op == "!~") {
      try {
        n->pattern.emplace(n->values[0]);
      } catch (const std::regex_error&) {
        fail("'" + n->values[0] + "' is not a valid regular expression");
        return nullptr;
      }
    }
    if (n->subject == "runningTasksCount") {
      for (const auto& v : n->values) {
        std::int64_t x = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
        if (ec != std::errc() || p != v.data() + v.size()) {
          fail("runningTasksCount takes a number, not '" + v + "'");
          return nullptr;
        }
      }
    }
    return n;
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
  std::string error_;
};

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// A registeredAt argument: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC), as epoch millis.
std::optional<std::int64_t> date_millis(const std::string& v) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(v.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) < 3) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  return ((days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 24 + h) * 60 + mi) * 60000LL +
         s * 1000LL;
}

bool compare_numbers(std::int64_t a, const std::string& op, std::int64_t b) {
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  return a <= b;
}

// One value against the comparison (for string subjects).
bool value_matches(const Node& n, const std::string& v) {
  if (n.op == "==" ) return v == n.values[0];
  if (n.op == "in") return std::find(n.values.begin(), n.values.end(), v) != n.values.end();
  if (n.op == "=~") return std::regex_match(v, *n.pattern);
  return false;
}

bool positive(const std::string& op) { return op == "==" || op == "in" || op == "=~"; }
std::string positive_of(const std::string& op) { return op == "!=" ? "==" : op == "!in" ? "in" : "=~"; }

bool eval(const Node& n, const InstanceFacts& f) {
  switch (n.kind) {
    case Node::And: return eval(*n.left, f) && eval(*n.right, f);
    case Node::Or: return eval(*n.left, f) || eval(*n.right, f);
    case Node::Not: return !eval(*n.left, f);
    case Node::Compare: break;
  }
  if (n.subject == "runningTasksCount" || n.subject == "registeredAt") {
    std::int64_t have = n.subject == "runningTasksCount" ? f.running_tasks : f.registered_at_millis;
    auto arg = [&](const std::string& v) -> std::optional<std::int64_t> {
      if (n.subject == "registeredAt") return date_millis(v);
      return std::stoll(v);
    };
    if (n.op == "in" || n.op == "!in") {
      bool any = false;
      for (const auto& v : n.values)
        if (auto x = arg(v)) any |= have == *x;
      return n.op == "in" ? any : !any;
    }
    auto x = arg(n.values[0]);
    if (!x) return false;
    return compare_numbers(have, n.op, *x);
  }
  // String subjects: a negated operator holds when its positive form does not.
  std::vector<std::string> candidates;
  if (n.subject == "attribute") {
    auto it = f.attributes.find(n.attribute);
    if (n.op == "exists") return it != f.attributes.end();
    if (n.op == "!exists") return it == f.attributes.end();
    if (it != f.attributes.end()) candidates.push_back(it->second.value_or(""));
  } else if (n.subject == "ec2InstanceId") {
    candidates.push_back(f.ec2_instance_id);
  } else if (n.subject == "agentVersion") {
    candidates.push_back(f.agent_version);
  } else if (n.subject == "agentConnected") {
    candidates.push_back(f.agent_connected ? "true" : "false");
  } else if (n.subject == "task:group") {
    candidates = f.task_groups;
  }
  Node probe = n;
  if (!positive(n.op)) probe.op = positive_of(n.op);
  bool any = std::any_of(candidates.begin(), candidates.end(), [&](const std::string& v) { return value_matches(probe, v); });
  return positive(n.op) ? any : !any;
}
}  // namespace

std::variant<ClusterQuery, std::string> ClusterQuery::parse(std::string_view text) {
  auto tokens = tokenize(text);
  if (auto* e = std::get_if<std::string>(&tokens)) return *e;
  if (std::get<std::vector<Token>>(tokens).size() == 1) return std::string("the expression is empty");
  auto root = Parser(std::move(std::get<std::vector<Token>>(tokens))).run();
  if (auto* e = std::get_if<std::string>(&root)) return *e;
  ClusterQuery q;
  q.root_ = std::get<NodePtr>(root);
  return q;
}

bool ClusterQuery::matches(const InstanceFacts& facts) const { return root_ && eval(*root_, facts); }

}  // namespace berth::ecs
