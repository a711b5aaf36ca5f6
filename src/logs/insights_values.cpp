#include "logs/insights_values.h"

#include <rapidjson/document.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "common/base64.h"

namespace berth::logs::insights {

std::string display(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Null:
      return "";
    case Value::Kind::String:
      return v.str;
    case Value::Kind::Bool:
      return v.num != 0 ? "true" : "false";
    case Value::Kind::Time: {
      auto millis = static_cast<std::int64_t>(v.num);
      std::time_t secs = static_cast<std::time_t>(millis >= 0 ? millis / 1000 : (millis - 999) / 1000);
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char buf[48];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((millis % 1000) + 1000) % 1000));
      return buf;
    }
    case Value::Kind::Number: {
      char buf[40];
      if (std::isfinite(v.num) && std::fabs(v.num) < 1e15 && v.num == std::floor(v.num))
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v.num));
      else
        std::snprintf(buf, sizeof buf, "%.15g", v.num);
      return buf;
    }
  }
  return "";
}

bool as_number(const Value& v, double& out) {
  switch (v.kind) {
    case Value::Kind::Number:
    case Value::Kind::Time:
    case Value::Kind::Bool:
      out = v.num;
      return true;
    case Value::Kind::String: {
      if (v.str.empty()) return false;
      const char* begin = v.str.c_str();
      char* end = nullptr;
      out = std::strtod(begin, &end);
      return end == begin + v.str.size() && !std::isspace(static_cast<unsigned char>(v.str[0]));
    }
    default:
      return false;
  }
}

bool truthy(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Null:
      return false;
    case Value::Kind::String:
      return !v.str.empty();
    default:
      return v.num != 0;
  }
}

int compare(const Value& a, const Value& b) {
  if (a.null() || b.null()) return a.null() == b.null() ? 0 : a.null() ? 1 : -1;
  double x, y;
  if (as_number(a, x) && as_number(b, y)) return x < y ? -1 : x > y ? 1 : 0;
  std::string l = display(a), r = display(b);
  return l < r ? -1 : l > r ? 1 : 0;
}

std::string pointer(std::int64_t group_id, std::int64_t timestamp, std::int64_t seq) {
  return base64::encode("berth:" + std::to_string(group_id) + ":" + std::to_string(timestamp) + ":" +
                        std::to_string(seq));
}

bool parse_pointer(std::string_view ptr, std::int64_t& group_id, std::int64_t& timestamp, std::int64_t& seq) {
  auto raw = base64::decode(ptr);
  if (!raw) return false;
  long long g = 0, t = 0, s = 0;
  int used = 0;
  if (std::sscanf(raw->c_str(), "berth:%lld:%lld:%lld%n", &g, &t, &s, &used) != 3 ||
      used != static_cast<int>(raw->size()))
    return false;
  group_id = g;
  timestamp = t;
  seq = s;
  return true;
}

namespace {
void flatten(const rapidjson::Value& v, const std::string& name, std::vector<std::pair<std::string, Value>>& out) {
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string key(it->name.GetString(), it->name.GetStringLength());
      flatten(it->value, name.empty() ? key : name + "." + key, out);
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) flatten(v[i], name + "." + std::to_string(i), out);
  } else if (v.IsString()) {
    out.emplace_back(name, Value::string(std::string(v.GetString(), v.GetStringLength())));
  } else if (v.IsNumber()) {
    out.emplace_back(name, Value::number(v.GetDouble()));
  } else if (v.IsBool()) {
    out.emplace_back(name, Value::boolean(v.GetBool()));
  }
}
}  // namespace

std::vector<std::pair<std::string, Value>> json_fields(std::string_view message) {
  std::vector<std::pair<std::string, Value>> out;
  std::size_t i = 0;
  while (i < message.size() && std::isspace(static_cast<unsigned char>(message[i]))) ++i;
  if (i == message.size() || message[i] != '{') return out;
  rapidjson::Document doc;
  doc.Parse(message.data(), message.size());
  if (doc.HasParseError() || !doc.IsObject()) return out;
  flatten(doc, "", out);
  return out;
}

}  // namespace berth::logs::insights
