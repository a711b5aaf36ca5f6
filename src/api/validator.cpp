#include "api/validator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace berth::api {
namespace {
using Type = Shape::Type;

struct TypeMismatch {
  std::string message;
};

// Strings longer than this skip the pattern check: std::regex recurses per character.
constexpr std::size_t kMaxRegexInput = 4096;

std::string token_name(const json::Value& v) {
  if (v.IsString()) return "STRING_VALUE";
  if (v.IsBool()) return v.GetBool() ? "TRUE_VALUE" : "FALSE_VALUE";
  if (v.IsNumber()) return v.IsDouble() ? "NUMBER_VALUE (float)" : "NUMBER_VALUE";
  if (v.IsObject()) return "START_OBJECT";
  return "START_ARRAY";
}

std::string type_name(Type t) {
  switch (t) {
    case Type::String: return "String";
    case Type::Integer: return "Integer";
    case Type::Long: return "Long";
    case Type::Float: return "Float";
    case Type::Double: return "Double";
    case Type::Boolean: return "Boolean";
    case Type::Timestamp: return "Date";
    case Type::Blob: return "ByteBuffer";
    default: return "Object";
  }
}

std::string render(const json::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  return json::dump(v);
}

std::string fmt_number(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  return std::to_string(d);
}

class Checker {
 public:
  explicit Checker(bool lower_camel) : lower_camel_(lower_camel) {}
  std::vector<std::string> errors;
  bool missing = false;
  // The first broken constraint, for ECR's own wording.
  struct Failure {
    std::string path, constraint;
  };
  std::optional<Failure> first_invalid;

  void check(const Shape& s, const json::Value& v, const std::string& path) {
    if (s.document) return;
    switch (s.type) {
      case Type::Structure: return structure(s, v, path);
      case Type::List: return list(s, v, path);
      case Type::Map: return map(s, v, path);
      case Type::String: return string(s, v, path);
      case Type::Integer:
      case Type::Long:
      case Type::Float:
      case Type::Double: return number(s, v, path);
      case Type::Boolean:
        if (!v.IsBool()) mismatch(s, v);
        return;
      case Type::Timestamp:
        if (!v.IsNumber() && !v.IsString()) mismatch(s, v);
        return;
      case Type::Blob:
        if (!v.IsString()) mismatch(s, v);
        return;
    }
  }

 private:
  [[noreturn]] void mismatch(const Shape& s, const json::Value& v) {
    if (v.IsObject()) throw TypeMismatch{"Start of structure or map found where not expected."};
    if (v.IsArray()) throw TypeMismatch{"Start of list found where not expected"};
    if (s.type == Type::Structure || s.type == Type::Map) throw TypeMismatch{"Expected map or null"};
    if (s.type == Type::List) throw TypeMismatch{"Expected list or null"};
    throw TypeMismatch{token_name(v) + " can not be converted to " +
                       (s.type == Type::Integer ? "an " : "a ") + type_name(s.type)};
  }

  void fail(const std::string& value, const std::string& path, const std::string& constraint) {
    errors.push_back("Value " + value + " at '" + path + "' failed to satisfy constraint: " + constraint);
    if (!first_invalid) first_invalid = Failure{path, constraint};
  }

  void length(const Shape& s, std::size_t n, const std::string& shown, const std::string& path) {
    if (s.min && static_cast<double>(n) < *s.min)
      fail(shown, path, "Member must have length greater than or equal to " + fmt_number(*s.min));
    if (s.max && static_cast<double>(n) > *s.max)
      fail(shown, path, "Member must have length less than or equal to " + fmt_number(*s.max));
  }

  std::string join(const std::string& path, const std::string& member) const {
    std::string name = member;
    if (lower_camel_ && !name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    return path.empty() ? name : path + "." + name;
  }

  void structure(const Shape& s, const json::Value& v, const std::string& path) {
    if (!v.IsObject()) mismatch(s, v);
    for (const Member& m : s.members) {
      auto it = v.FindMember(m.name.c_str());
      bool absent = it == v.MemberEnd() || it->value.IsNull();
      if (absent) {
        if (m.required) {
          missing = true;
          errors.push_back("Value null at '" + join(path, m.name) +
                           "' failed to satisfy constraint: Member must not be null");
        }
        continue;
      }
      check(*m.shape, it->value, join(path, m.name));
    }
  }

  bool lower_camel_ = false;

  void list(const Shape& s, const json::Value& v, const std::string& path) {
    if (!v.IsArray()) mismatch(s, v);
    length(s, v.Size(), "'" + render(v) + "'", path);
    rapidjson::SizeType i = 0;
    for (const auto& e : v.GetArray()) {
      ++i;
      if (e.IsNull()) continue;
      check(*s.member, e, path + "." + std::to_string(i) + ".member");
    }
  }

  void map(const Shape& s, const json::Value& v, const std::string& path) {
    if (!v.IsObject()) mismatch(s, v);
    length(s, v.MemberCount(), "'" + render(v) + "'", path);
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string key(it->name.GetString(), it->name.GetStringLength());
      if (s.key) check(*s.key, it->name, path + "." + key + ".key");
      if (!it->value.IsNull() && s.value) check(*s.value, it->value, path + "." + key + ".value");
    }
  }

  void string(const Shape& s, const json::Value& v, const std::string& path) {
    if (!v.IsString()) mismatch(s, v);
    std::string_view text(v.GetString(), v.GetStringLength());
    std::string shown = "'" + std::string(text.substr(0, 256)) + "'";
    if (!s.enum_values.empty()) {
      bool ok = false;
      for (const auto& e : s.enum_values) ok = ok || e == text;
      if (!ok) {
        std::string set;
        for (const auto& e : s.enum_values) set += (set.empty() ? "" : ", ") + e;
        fail(shown, path, "Member must satisfy enum value set: [" + set + "]");
        return;
      }
    }
    // Lengths count characters (code points), not bytes.
    std::size_t chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    length(s, chars, shown, path);
    bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (s.regex && text.size() <= kMaxRegexInput && (ascii || !s.regex_ascii_only) &&
        !std::regex_match(text.begin(), text.end(), *s.regex))
      fail(shown, path, "Member must satisfy regular expression pattern: " + s.pattern);
  }

  void number(const Shape& s, const json::Value& v, const std::string& path) {
    if (!v.IsNumber()) mismatch(s, v);
    bool integral = s.type == Type::Integer || s.type == Type::Long;
    if (integral && v.IsDouble())
      throw TypeMismatch{"NUMBER_VALUE (float) can not be converted to " +
                         std::string(s.type == Type::Integer ? "an Integer" : "a Long")};
    if (s.type == Type::Integer && !v.IsInt())
      throw TypeMismatch{"Numeric value (" + json::dump(v) + ") out of range of int"};
    if (s.type == Type::Long && !v.IsInt64())
      throw TypeMismatch{"Numeric value (" + json::dump(v) + ") out of range of long"};
    double d = v.GetDouble();
    std::string shown = "'" + json::dump(v) + "'";
    if (s.min && d < *s.min)
      fail(shown, path, "Member must have value greater than or equal to " + fmt_number(*s.min));
    if (s.max && d > *s.max)
      fail(shown, path, "Member must have value less than or equal to " + fmt_number(*s.max));
  }
};
// ECR states one broken constraint as "Invalid parameter at 'PATH' failed to satisfy
// constraint: '...'", a pattern as "'must satisfy regular expression 'P''" with the model's
// escaped slashes plain, as captured from CreateRepository.
std::string ecr_message(const std::string& path, const std::string& constraint) {
  static const std::string kPattern = "Member must satisfy regular expression pattern: ";
  std::string said = constraint;
  if (said.starts_with(kPattern)) {
    std::string pattern = said.substr(kPattern.size());
    for (std::size_t at = 0; (at = pattern.find("\\/", at)) != std::string::npos;) pattern.erase(at, 1);
    said = "must satisfy regular expression '" + pattern + "'";
  }
  return "Invalid parameter at '" + path + "' failed to satisfy constraint: '" + said + "'";
}
}  // namespace

std::optional<AwsError> validate(const Shape& shape, const json::Value& body,
                                 const ValidationCodes& codes) {
  Checker checker(codes.lower_camel_paths);
  try {
    checker.check(shape, body, "");
  } catch (const TypeMismatch& m) {
    return AwsError::serialization(m.message);
  }
  if (checker.errors.empty()) return std::nullopt;
  if (codes.ecr_wording && !checker.missing && checker.first_invalid)
    return AwsError::client(codes.invalid, ecr_message(checker.first_invalid->path, checker.first_invalid->constraint));
  std::size_t n = checker.errors.size();
  std::string msg = std::to_string(n) + (n == 1 ? " validation error detected: " : " validation errors detected: ");
  for (std::size_t i = 0; i < n; ++i) msg += (i ? "; " : "") + checker.errors[i];
  return AwsError::client(checker.missing ? codes.missing : codes.invalid, std::move(msg));
}

}  // namespace berth::api
