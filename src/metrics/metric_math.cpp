#include "metrics/metric_math.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace berth::metrics {
namespace {

using Array = std::vector<Series>;
using Value = std::variant<double, Series, Array>;

struct MathError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Parser {
 public:
  Parser(std::string_view text, const MathScope& scope) : s_(text), scope_(scope) {}

  Value parse() {
    Value v = expr();
    skip();
    if (i_ != s_.size()) throw MathError("Syntax error at position " + std::to_string(i_ + 1) + ".");
    return v;
  }

 private:
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) throw MathError(std::string("Syntax error: expected '") + c + "' at position " + std::to_string(i_ + 1) + ".");
  }

  Value expr() {
    Value v = term();
    for (;;) {
      if (eat('+')) v = binary(v, term(), '+');
      else if (eat('-')) v = binary(v, term(), '-');
      else return v;
    }
  }
  Value term() {
    Value v = unary();
    for (;;) {
      if (eat('*')) v = binary(v, unary(), '*');
      else if (eat('/')) v = binary(v, unary(), '/');
      else return v;
    }
  }
  Value unary() {
    if (eat('-')) return binary(0.0, unary(), '-');
    return primary();
  }
  Value primary() {
    skip();
    if (i_ >= s_.size()) throw MathError("Syntax error: the expression ends too early.");
    char c = s_[i_];
    if (c == '(') {
      ++i_;
      Value v = expr();
      expect(')');
      return v;
    }
    if (c == '[') {
      ++i_;
      Array all;
      do {
        Value v = expr();
        if (auto* s = std::get_if<Series>(&v)) all.push_back(*s);
        else if (auto* a = std::get_if<Array>(&v)) all.insert(all.end(), a->begin(), a->end());
        else all.push_back(constant(std::get<double>(v)));
      } while (eat(','));
      expect(']');
      return all;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::string rest(s_.substr(i_));
      char* end = nullptr;
      double d = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) throw MathError("Syntax error at position " + std::to_string(i_ + 1) + ".");
      i_ += static_cast<std::size_t>(end - rest.c_str());
      return d;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = i_;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
      std::string name(s_.substr(start, i_ - start));
      skip();
      if (i_ < s_.size() && s_[i_] == '(') {
        ++i_;
        return call(name);
      }
      auto it = scope_.by_id.find(name);
      if (it == scope_.by_id.end()) throw MathError("Unrecognized id: " + name + ".");
      if (it->second.size() == 1) return it->second.front();
      return it->second;
    }
    throw MathError(std::string("Syntax error: unexpected '") + c + "' at position " + std::to_string(i_ + 1) + ".");
  }

  std::string string_literal() {
    skip();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) throw MathError("Syntax error: expected a string.");
    char q = s_[i_++];
    auto end = s_.find(q, i_);
    if (end == std::string_view::npos) throw MathError("Syntax error: unterminated string.");
    std::string out(s_.substr(i_, end - i_));
    i_ = end + 1;
    return out;
  }

  Value call(const std::string& fn) {
    if (fn == "METRICS") {
      std::string filter;
      if (!eat(')')) {
        filter = string_literal();
        expect(')');
      }
      Array out;
      for (const auto& m : scope_.metrics)
        if (filter.empty() || m.label.find(filter) != std::string::npos) out.push_back(m);
      return out;
    }
    if (fn == "SUM" || fn == "AVG" || fn == "MIN" || fn == "MAX") {
      Value v = expr();
      expect(')');
      return reduce(fn, v);
    }
    if (fn == "RATE") {
      Value v = expr();
      expect(')');
      return each(v, [&](Series s) { return rate(std::move(s)); });
    }
    if (fn == "FILL") {
      Value v = expr();
      expect(',');
      skip();
      if (s_.substr(i_, 6) == "REPEAT") {
        i_ += 6;
        expect(')');
        return each(v, [](Series s) {
          std::optional<double> last;
          for (auto& x : s.values) {
            if (x) last = x;
            else x = last;
          }
          return s;
        });
      }
      Value fill = expr();
      expect(')');
      auto* d = std::get_if<double>(&fill);
      if (!d) throw MathError("FILL takes a number or REPEAT as its second argument.");
      double value = *d;
      return each(v, [value](Series s) {
        for (auto& x : s.values)
          if (!x) x = value;
        return s;
      });
    }
    throw MathError("The function " + fn + " is not supported by berth.");
  }

  Series constant(double d) const {
    Series s;
    s.values.assign(scope_.times.size(), d);
    return s;
  }

  template <class F>
  Value each(const Value& v, F f) {
    if (auto* s = std::get_if<Series>(&v)) return f(*s);
    if (auto* a = std::get_if<Array>(&v)) {
      Array out;
      for (const auto& s : *a) out.push_back(f(s));
      return out;
    }
    return f(constant(std::get<double>(v)));
  }

  Series rate(Series s) const {
    std::optional<double> prev;
    std::int64_t prev_t = 0;
    for (std::size_t k = 0; k < s.values.size(); ++k) {
      auto cur = s.values[k];
      if (cur && prev && scope_.times[k] != prev_t) s.values[k] = (*cur - *prev) / ((scope_.times[k] - prev_t) / 1000.0);
      else s.values[k] = std::nullopt;
      if (cur) {
        prev = cur;
        prev_t = scope_.times[k];
      }
    }
    return s;
  }

  static std::optional<double> fold(const std::string& fn, const std::vector<double>& xs) {
    if (xs.empty()) return std::nullopt;
    if (fn == "MIN") return *std::min_element(xs.begin(), xs.end());
    if (fn == "MAX") return *std::max_element(xs.begin(), xs.end());
    double sum = 0;
    for (double x : xs) sum += x;
    return fn == "AVG" ? sum / static_cast<double>(xs.size()) : sum;
  }

  Value reduce(const std::string& fn, const Value& v) {
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* s = std::get_if<Series>(&v)) {
      std::vector<double> xs;
      for (const auto& x : s->values)
        if (x) xs.push_back(*x);
      auto r = fold(fn, xs);
      return r ? *r : std::nan("");
    }
    const auto& a = std::get<Array>(v);
    Series out;
    out.values.resize(scope_.times.size());
    for (std::size_t k = 0; k < scope_.times.size(); ++k) {
      std::vector<double> xs;
      for (const auto& s : a)
        if (k < s.values.size() && s.values[k]) xs.push_back(*s.values[k]);
      out.values[k] = fold(fn, xs);
    }
    return out;
  }

  static std::optional<double> apply(std::optional<double> a, std::optional<double> b, char op) {
    if (!a || !b) return std::nullopt;
    switch (op) {
      case '+': return *a + *b;
      case '-': return *a - *b;
      case '*': return *a * *b;
      default:
        if (*b == 0) return std::nullopt;  // CloudWatch drops datapoints divided by zero
        return *a / *b;
    }
  }

  Series zip(const Series& a, const Series& b, char op) const {
    Series out = a;
    for (std::size_t k = 0; k < out.values.size(); ++k)
      out.values[k] = apply(a.values[k], k < b.values.size() ? b.values[k] : std::nullopt, op);
    return out;
  }

  Value binary(const Value& l, const Value& r, char op) {
    if (std::holds_alternative<double>(l) && std::holds_alternative<double>(r)) {
      auto v = apply(std::get<double>(l), std::get<double>(r), op);
      return v ? *v : std::nan("");
    }
    if (std::holds_alternative<Array>(l) && std::holds_alternative<Array>(r))
      throw MathError("Arithmetic between two arrays of time series is not supported.");
    auto as_series = [&](const Value& v) { return std::holds_alternative<double>(v) ? constant(std::get<double>(v)) : std::get<Series>(v); };
    if (auto* a = std::get_if<Array>(&l)) {
      Array out;
      auto other = as_series(r);
      for (const auto& s : *a) out.push_back(zip(s, other, op));
      return out;
    }
    if (auto* a = std::get_if<Array>(&r)) {
      Array out;
      auto other = as_series(l);
      for (const auto& s : *a) out.push_back(zip(other, s, op));
      return out;
    }
    auto out = zip(as_series(l), as_series(r), op);
    if (!std::holds_alternative<Series>(l)) out.label = std::get<Series>(r).label;
    return out;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  const MathScope& scope_;
};

}  // namespace

std::variant<std::vector<Series>, std::string> evaluate_math(std::string_view expression, const MathScope& scope) {
  if (expression.find("SEARCH") != std::string_view::npos)
    return std::string("SEARCH expressions are not supported by berth.");
  try {
    Value v = Parser(expression, scope).parse();
    if (auto* s = std::get_if<Series>(&v)) return std::vector<Series>{*s};
    if (auto* a = std::get_if<Array>(&v)) return *a;
    Series s;
    double d = std::get<double>(v);
    if (!std::isnan(d)) s.values.assign(scope.times.size(), d);
    else s.values.assign(scope.times.size(), std::nullopt);
    return std::vector<Series>{s};
  } catch (const MathError& e) {
    return std::string(e.what());
  }
}

std::vector<std::string> referenced_ids(std::string_view e) {
  std::vector<std::string> ids;
  std::size_t i = 0;
  while (i < e.size()) {
    char c = e[i];
    if (c == '\'' || c == '"') {
      auto end = e.find(c, i + 1);
      i = end == std::string_view::npos ? e.size() : end + 1;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = i;
      while (i < e.size() && (std::isalnum(static_cast<unsigned char>(e[i])) || e[i] == '_')) ++i;
      std::size_t j = i;
      while (j < e.size() && std::isspace(static_cast<unsigned char>(e[j]))) ++j;
      bool is_call = j < e.size() && e[j] == '(';
      std::string word(e.substr(start, i - start));
      if (!is_call && word != "REPEAT" && word != "LINEAR" && std::find(ids.begin(), ids.end(), word) == ids.end())
        ids.push_back(word);
      continue;
    }
    ++i;
  }
  return ids;
}

}  // namespace berth::metrics
