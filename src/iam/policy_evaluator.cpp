#include "iam/policy_evaluator.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace berth::iam {
namespace {
using rapidjson::Value;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A string or an array of strings (other scalars stringified, as IAM reads them).
std::vector<std::string> strings_of(const Value& v) {
  std::vector<std::string> out;
  auto one = [&](const Value& x) {
    if (x.IsString()) out.emplace_back(x.GetString(), x.GetStringLength());
    else if (x.IsBool()) out.emplace_back(x.GetBool() ? "true" : "false");
    else if (x.IsInt64()) out.push_back(std::to_string(x.GetInt64()));
    else if (x.IsNumber()) out.push_back(std::to_string(x.GetDouble()));
  };
  if (v.IsArray())
    for (const auto& x : v.GetArray()) one(x);
  else
    one(v);
  return out;
}

bool any_matches(const std::vector<std::string>& patterns, std::string_view text, bool ignore_case) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return wildcard_match(p, text, ignore_case); });
}

const std::vector<std::string>* key_values(const AuthzRequest& r, std::string_view key) {
  std::string k = lower(key);
  for (const auto& [name, values] : r.keys)
    if (lower(name) == k) return &values;
  return nullptr;
}

std::optional<double> number(std::string_view s) {
  std::string t(s);
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  if (t.empty() || *end) return std::nullopt;
  return d;
}

// One value from the request against one from the policy, for a non-negated operator.
bool value_matches(std::string_view op, std::string_view have, std::string_view want) {
  if (op == "StringEquals" || op == "ArnEquals") return have == want;
  if (op == "StringEqualsIgnoreCase") return lower(have) == lower(want);
  if (op == "StringLike" || op == "ArnLike") return wildcard_match(want, have, false);
  if (op == "Bool") return lower(have) == lower(want);
  if (op.starts_with("Numeric")) {
    auto h = number(have), w = number(want);
    if (!h || !w) return false;
    if (op == "NumericEquals") return *h == *w;
    if (op == "NumericLessThan") return *h < *w;
    if (op == "NumericLessThanEquals") return *h <= *w;
    if (op == "NumericGreaterThan") return *h > *w;
    if (op == "NumericGreaterThanEquals") return *h >= *w;
  }
  return false;
}

// Negated operators are the complement of their positive twin.
std::string_view positive_of(std::string_view op, bool& negated) {
  static const std::pair<std::string_view, std::string_view> pairs[] = {
      {"StringNotEquals", "StringEquals"},
      {"StringNotEqualsIgnoreCase", "StringEqualsIgnoreCase"},
      {"StringNotLike", "StringLike"},
      {"ArnNotEquals", "ArnEquals"},
      {"ArnNotLike", "ArnLike"},
      {"NumericNotEquals", "NumericEquals"},
  };
  for (auto [neg, pos] : pairs)
    if (op == neg) {
      negated = true;
      return pos;
    }
  negated = false;
  return op;
}

bool condition_holds(std::string_view full_op, std::string_view key, const std::vector<std::string>& wanted,
                     const AuthzRequest& r) {
  std::string_view op = full_op;
  enum { Single, AnyValue, AllValues } set = Single;
  if (op.starts_with("ForAnyValue:")) op.remove_prefix(12), set = AnyValue;
  else if (op.starts_with("ForAllValues:")) op.remove_prefix(13), set = AllValues;
  bool if_exists = op.ends_with("IfExists");
  if (if_exists) op.remove_suffix(8);
  const std::vector<std::string>* have = key_values(r, key);
  if (op == "Null") {
    bool is_null = !have || have->empty();
    return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) { return (lower(w) == "true") == is_null; });
  }
  bool negated = false;
  std::string_view pos = positive_of(op, negated);
  if (!have || have->empty()) {
    if (set == AllValues) return true;
    // A missing key matches nothing: positive operators fail, negated ones hold.
    return if_exists || (negated && set == Single);
  }
  auto one = [&](const std::string& h) {
    bool m = std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) { return value_matches(pos, h, w); });
    return negated ? !m : m;
  };
  if (set == AllValues) return std::all_of(have->begin(), have->end(), one);
  if (set == AnyValue) return std::any_of(have->begin(), have->end(), one);
  return one(have->front());
}

bool principal_value_matches(const PrincipalRef& who, const Value& p) {
  if (p.IsString()) return std::string_view(p.GetString(), p.GetStringLength()) == "*";
  if (!p.IsObject()) return false;
  for (const auto& m : p.GetObject()) {
    std::string_view kind(m.name.GetString(), m.name.GetStringLength());
    for (const auto& want : strings_of(m.value)) {
      if (kind == "AWS") {
        if (who.account.empty()) continue;  // a service is not an AWS principal
        if (want == "*" || want == who.account || want == "arn:aws:iam::" + who.account + ":root") return true;
        if (std::find(who.arns.begin(), who.arns.end(), want) != who.arns.end()) return true;
      } else if (kind == "Service") {
        if (!who.service.empty() && want == who.service) return true;
      }
      // "Federated" and "CanonicalUser": berth has no such callers.
    }
  }
  return false;
}

bool statement_applies(const Value& st, const AuthzRequest& r) {
  if (r.principal) {
    if (auto p = st.FindMember("Principal"); p != st.MemberEnd()) {
      if (!principal_value_matches(*r.principal, p->value)) return false;
    } else if (auto np = st.FindMember("NotPrincipal"); np != st.MemberEnd()) {
      if (principal_value_matches(*r.principal, np->value)) return false;
    } else {
      return false;  // a resource-based statement without a principal grants nobody
    }
  }
  if (auto a = st.FindMember("Action"); a != st.MemberEnd()) {
    if (!any_matches(strings_of(a->value), r.action, true)) return false;
  } else if (auto na = st.FindMember("NotAction"); na != st.MemberEnd()) {
    if (any_matches(strings_of(na->value), r.action, true)) return false;
  } else {
    return false;
  }
  if (auto res = st.FindMember("Resource"); res != st.MemberEnd()) {
    if (!any_matches(strings_of(res->value), r.resource, false)) return false;
  } else if (auto nr = st.FindMember("NotResource"); nr != st.MemberEnd()) {
    if (any_matches(strings_of(nr->value), r.resource, false)) return false;
  }
  if (auto c = st.FindMember("Condition"); c != st.MemberEnd()) {
    if (!c->value.IsObject()) return false;
    for (const auto& op : c->value.GetObject()) {
      if (!op.value.IsObject()) return false;
      for (const auto& kv : op.value.GetObject())
        if (!condition_holds(std::string_view(op.name.GetString(), op.name.GetStringLength()),
                             std::string_view(kv.name.GetString(), kv.name.GetStringLength()), strings_of(kv.value), r))
          return false;
    }
  }
  return true;
}

template <class F>
void for_each_statement(const rapidjson::Document& doc, F f) {
  auto s = doc.FindMember("Statement");
  if (s == doc.MemberEnd()) return;
  if (s->value.IsObject()) f(s->value);
  else if (s->value.IsArray())
    for (const auto& st : s->value.GetArray())
      if (st.IsObject()) f(st);
}
}  // namespace

bool principal_matches(const PrincipalRef& who, std::string_view principal_json) {
  rapidjson::Document doc;
  doc.Parse(principal_json.data(), principal_json.size());
  return !doc.HasParseError() && principal_value_matches(who, doc);
}

bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
  auto eq = [&](char a, char b) {
    return ignore_case ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b))
                       : a == b;
  };
  // Iterative glob with one backtrack point: linear in practice, never recursive.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && eq(pattern[p], text[t])))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Decision evaluate(const std::vector<std::string_view>& documents, const AuthzRequest& request) {
  bool allowed = false, denied = false;
  for (auto text : documents) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError() || !doc.IsObject()) continue;
    for_each_statement(doc, [&](const Value& st) {
      auto e = st.FindMember("Effect");
      if (e == st.MemberEnd() || !e->value.IsString()) return;
      std::string_view effect(e->value.GetString(), e->value.GetStringLength());
      if (!statement_applies(st, request)) return;
      if (effect == "Deny") denied = true;
      else if (effect == "Allow") allowed = true;
    });
  }
  if (denied) return Decision::ExplicitDeny;
  return allowed ? Decision::Allow : Decision::ImplicitDeny;
}

std::optional<std::string> policy_syntax_error(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return "This policy contains invalid Json";
  auto s = doc.FindMember("Statement");
  if (s == doc.MemberEnd() || !(s->value.IsObject() || s->value.IsArray())) return "Syntax errors in policy.";
  std::optional<std::string> err;
  auto check = [&](const Value& st) {
    if (!st.IsObject()) return void(err = "Syntax errors in policy.");
    auto e = st.FindMember("Effect");
    if (e == st.MemberEnd() || !e->value.IsString() ||
        (std::string_view(e->value.GetString()) != "Allow" && std::string_view(e->value.GetString()) != "Deny"))
      return void(err = "Syntax errors in policy.");
    if (!st.HasMember("Action") && !st.HasMember("NotAction")) err = "Policy statement must contain actions.";
  };
  if (s->value.IsObject()) check(s->value);
  else
    for (const auto& st : s->value.GetArray())
      if (!err) check(st);
  return err;
}

}  // namespace berth::iam
