#pragma once
// RapidJSON conveniences: typed optional getters and the writer type every handler uses.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::json {

using Value = rapidjson::Value;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const Value* member(const Value& obj, const char* name);
std::optional<std::string_view> get_string(const Value& obj, const char* name);
std::optional<std::int64_t> get_int(const Value& obj, const char* name);
std::optional<bool> get_bool(const Value& obj, const char* name);
std::string_view view(const Value& v);  // v must be a string

// Serializes a value (compact).
std::string dump(const Value& v);

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s);
// `s` with every ill-formed sequence replaced by U+FFFD, as the Unicode standard recommends.
std::string to_valid_utf8(std::string_view s);

// Writes a string value. Strings echo requests (names, paths, error messages), which may hold
// any bytes: this is the one place they become valid UTF-8, so every answer stays valid JSON.
inline void str(Writer& w, std::string_view value) {
  if (valid_utf8(value)) {
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  } else {
    std::string fixed = to_valid_utf8(value);
    w.String(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()));
  }
}
// Writes a key and a string value.
inline void kv(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  str(w, value);
}
// Embeds already-serialized JSON text.
inline void raw(Writer& w, std::string_view json_text) {
  w.RawValue(json_text.data(), json_text.size(), rapidjson::kObjectType);
}
// awsJson1_1 timestamps are epoch seconds as JSON numbers, with millisecond precision.
inline void epoch_seconds(Writer& w, std::int64_t millis) {
  if (millis % 1000 == 0)
    w.Int64(millis / 1000);
  else
    w.Double(static_cast<double>(millis) / 1000.0);
}

}  // namespace berth::json
