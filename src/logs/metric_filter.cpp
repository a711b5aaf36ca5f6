#include "logs/metric_filter.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <charconv>
#include <cstdio>

namespace berth::logs {
namespace {

std::optional<double> number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return d;
}

// A selector's text for one event: "$.json.path", "$field" of a space-delimited pattern, or
// (for metric values only) a literal.
std::optional<std::string> resolve(std::string_view selector, std::string_view message,
                                   const std::vector<std::pair<std::string, std::string>>& extracted) {
  if (selector.starts_with("$.")) return json_selector_value(message, selector);
  if (selector.starts_with("$")) {
    for (const auto& [name, value] : extracted)
      if (name == selector) return value;
    return std::nullopt;
  }
  return std::string(selector);
}

}  // namespace

std::optional<std::string> json_selector_value(std::string_view message, std::string_view selector) {
  if (!selector.starts_with("$.")) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(message.data(), message.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const rapidjson::Value* v = &doc;
  std::string_view path = selector.substr(2);
  while (!path.empty()) {
    std::size_t end = path.find_first_of(".[");
    std::string_view key = path.substr(0, end);
    if (!key.empty()) {
      if (!v->IsObject()) return std::nullopt;
      // A Value, not a bare StringRef: that would convert to const char* and be read up to a NUL.
      rapidjson::Value name(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
      auto it = v->FindMember(name);
      if (it == v->MemberEnd()) return std::nullopt;
      v = &it->value;
    }
    if (end == std::string_view::npos) break;
    path = path.substr(end);
    if (path.front() == '.') {
      path.remove_prefix(1);
    } else {  // [n]
      std::size_t close = path.find(']');
      if (close == std::string_view::npos || !v->IsArray()) return std::nullopt;
      auto n = number(path.substr(1, close - 1));
      if (!n || *n < 0 || static_cast<rapidjson::SizeType>(*n) >= v->Size()) return std::nullopt;
      v = &(*v)[static_cast<rapidjson::SizeType>(*n)];
      path = path.substr(close + 1);
      if (!path.empty() && path.front() == '.') path.remove_prefix(1);
    }
  }
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsBool()) return std::string(v->GetBool() ? "true" : "false");
  if (v->IsNumber()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v->Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
  }
  return std::nullopt;
}

std::optional<MetricEmission> emission(const MetricTransformation& t, std::string_view message,
                                       const std::vector<std::pair<std::string, std::string>>& extracted) {
  auto text = resolve(t.metric_value, message, extracted);
  if (!text) return std::nullopt;
  auto value = number(*text);
  if (!value) return std::nullopt;
  MetricEmission out{*value, {}};
  for (const auto& [name, selector] : t.dimensions) {
    auto v = resolve(selector, message, extracted);
    if (!v || v->empty()) return std::nullopt;
    out.dimensions.emplace_back(name, *v);
  }
  return out;
}

std::optional<std::string> transformation_problem(const MetricTransformation& t) {
  const std::string& v = t.metric_value;
  if (v.empty()) return "Invalid metric value: the metric value must not be empty.";
  if (!v.starts_with("$") && !number(v))
    return "Invalid metric value: " + v + ". The metric value must be a number or a field selector such as $.field or $field.";
  if (t.dimensions.size() > 3) return "A metric transformation can have at most 3 dimensions.";
  if (!t.dimensions.empty() && t.default_value)
    return "A default value cannot be set for a metric transformation with dimensions.";
  for (const auto& [name, selector] : t.dimensions)
    if (!selector.starts_with("$")) return "Invalid dimension value for " + name + ": it must be a field selector.";
  return std::nullopt;
}

}  // namespace berth::logs
