#pragma once
// CBOR (RFC 8949), as the smithy-rpc-v2-cbor protocol uses it: every major type, definite and
// indefinite lengths, half, single and double floats, tags. `decode` is a pure function over
// bytes with bounded nesting, fit for fuzzing; `Writer` appends the shortest heads.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::cbor {

struct Item {
  enum class Kind { Unsigned, Negative, Bytes, Text, Array, Map, Tag, False, True, Null, Undefined, Float };
  Kind kind = Kind::Null;
  std::uint64_t number = 0;  // Unsigned: the value; Negative: the value is -1 - number; Tag: the tag
  double real = 0;           // Float
  std::string text;          // Bytes and Text (chunks of an indefinite string joined)
  std::vector<Item> items;   // Array: elements; Map: key, value, key, value...; Tag: the tagged item

  bool is_integer() const { return kind == Kind::Unsigned || kind == Kind::Negative; }
  // Unsigned and Negative as a double (exact up to 2^53).
  double as_double() const;
};

constexpr int kMaxDepth = 200;

// One data item filling `bytes` exactly; an error message when the bytes are not that (cut
// short, trailing bytes, reserved or unsupported heads, nesting past kMaxDepth, a chunk of an
// indefinite string of the wrong type, text that is not UTF-8 is accepted as bytes are).
std::variant<Item, std::string> decode(std::string_view bytes);

class Writer {
 public:
  void unsigned_int(std::uint64_t v) { head(0, v); }
  void integer(std::int64_t v);
  void bytes(std::string_view b);
  void text(std::string_view t);
  void array(std::uint64_t n) { head(4, n); }
  void map(std::uint64_t n) { head(5, n); }
  void array_indefinite() { out_.push_back(static_cast<char>(0x9f)); }
  void map_indefinite() { out_.push_back(static_cast<char>(0xbf)); }
  void bytes_indefinite() { out_.push_back(static_cast<char>(0x5f)); }
  void text_indefinite() { out_.push_back(static_cast<char>(0x7f)); }
  void end() { out_.push_back(static_cast<char>(0xff)); }  // closes an indefinite item
  void tag(std::uint64_t t) { head(6, t); }
  void boolean(bool b) { out_.push_back(static_cast<char>(b ? 0xf5 : 0xf4)); }
  void null() { out_.push_back(static_cast<char>(0xf6)); }
  void undefined() { out_.push_back(static_cast<char>(0xf7)); }
  // The shortest of half, single and double that holds `v` exactly (NaN and infinities as halves).
  void floating(double v);
  void float16(std::uint16_t bits);
  void float32(float v);
  void float64(double v);

  const std::string& data() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void head(int major, std::uint64_t v);
  std::string out_;
};

}  // namespace berth::cbor
