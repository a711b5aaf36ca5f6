#include "common/cbor.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <optional>

namespace berth::cbor {
namespace {

struct Malformed {
  std::string why;
};

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}

  Item item(int depth) {
    if (depth > kMaxDepth) throw Malformed{"nesting deeper than " + std::to_string(kMaxDepth)};
    std::uint8_t initial = byte();
    int major = initial >> 5;
    int info = initial & 0x1f;
    Item it;
    switch (major) {
      case 0:
        it.kind = Item::Kind::Unsigned;
        it.number = argument(info);
        return it;
      case 1:
        it.kind = Item::Kind::Negative;
        it.number = argument(info);
        return it;
      case 2:
      case 3:
        it.kind = major == 2 ? Item::Kind::Bytes : Item::Kind::Text;
        it.text = string(major, info);
        return it;
      case 4:
        it.kind = Item::Kind::Array;
        if (info == 31) {
          while (!at_break()) it.items.push_back(item(depth + 1));
        } else {
          std::uint64_t n = count(argument(info), 1);
          it.items.reserve(n);
          for (std::uint64_t i = 0; i < n; ++i) it.items.push_back(item(depth + 1));
        }
        return it;
      case 5:
        it.kind = Item::Kind::Map;
        if (info == 31) {
          while (!at_break()) {
            it.items.push_back(item(depth + 1));
            it.items.push_back(item(depth + 1));
          }
        } else {
          std::uint64_t n = count(argument(info), 2);
          it.items.reserve(n * 2);
          for (std::uint64_t i = 0; i < 2 * n; ++i) it.items.push_back(item(depth + 1));
        }
        return it;
      case 6:
        it.kind = Item::Kind::Tag;
        it.number = argument(info);
        it.items.push_back(item(depth + 1));
        return it;
      default:
        return simple(info);
    }
  }

  bool done() const { return pos_ == b_.size(); }

 private:
  std::uint8_t byte() {
    if (pos_ >= b_.size()) throw Malformed{"unexpected end of data"};
    return static_cast<std::uint8_t>(b_[pos_++]);
  }

  std::uint64_t big_endian(int n) {
    if (b_.size() - pos_ < static_cast<std::size_t>(n)) throw Malformed{"unexpected end of data"};
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(b_[pos_++]);
    return v;
  }

  std::uint64_t argument(int info) {
    if (info < 24) return static_cast<std::uint64_t>(info);
    switch (info) {
      case 24: return big_endian(1);
      case 25: return big_endian(2);
      case 26: return big_endian(4);
      case 27: return big_endian(8);
      default: throw Malformed{"reserved or indefinite length where a number is due"};
    }
  }

  // A declared element count, refused when the bytes left cannot hold it (each element takes
  // at least one byte), so a hostile length allocates nothing.
  std::uint64_t count(std::uint64_t n, std::uint64_t per) {
    if (n > (b_.size() - pos_) / per) throw Malformed{"length beyond the end of data"};
    return n;
  }

  bool at_break() {
    if (pos_ >= b_.size()) throw Malformed{"unexpected end of data"};
    if (static_cast<std::uint8_t>(b_[pos_]) != 0xff) return false;
    ++pos_;
    return true;
  }

  std::string string(int major, int info) {
    if (info != 31) {
      std::uint64_t n = count(argument(info), 1);
      std::string s(b_.substr(pos_, n));
      pos_ += n;
      return s;
    }
    std::string s;
    while (!at_break()) {
      std::uint8_t initial = byte();
      if ((initial >> 5) != major || (initial & 0x1f) == 31)
        throw Malformed{"a chunk of an indefinite string must be a definite string of its type"};
      std::uint64_t n = count(argument(initial & 0x1f), 1);
      s.append(b_.substr(pos_, n));
      pos_ += n;
    }
    return s;
  }

  Item simple(int info) {
    Item it;
    switch (info) {
      case 20: it.kind = Item::Kind::False; return it;
      case 21: it.kind = Item::Kind::True; return it;
      case 22: it.kind = Item::Kind::Null; return it;
      case 23: it.kind = Item::Kind::Undefined; return it;
      case 25: it.kind = Item::Kind::Float; it.real = half(static_cast<std::uint16_t>(big_endian(2))); return it;
      case 26: it.kind = Item::Kind::Float; it.real = std::bit_cast<float>(static_cast<std::uint32_t>(big_endian(4))); return it;
      case 27: it.kind = Item::Kind::Float; it.real = std::bit_cast<double>(big_endian(8)); return it;
      case 31: throw Malformed{"unexpected break"};
      default: throw Malformed{"unsupported simple value " + std::to_string(info)};
    }
  }

  static double half(std::uint16_t h) {
    int exponent = (h >> 10) & 0x1f;
    double mantissa = h & 0x3ff;
    double v;
    if (exponent == 0) v = std::ldexp(mantissa, -24);
    else if (exponent == 31) v = mantissa == 0 ? INFINITY : NAN;
    else v = std::ldexp(mantissa + 1024, exponent - 25);
    return (h & 0x8000) ? -v : v;
  }

  std::string_view b_;
  std::size_t pos_ = 0;
};

// The half-precision bits of `v` when a half holds it exactly.
std::optional<std::uint16_t> as_half(double v) {
  if (std::isnan(v)) return 0x7e00;
  if (std::isinf(v)) return v > 0 ? 0x7c00 : 0xfc00;
  std::uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  double a = std::fabs(v);
  if (a == 0) return sign;
  int exp;
  double frac = std::frexp(a, &exp);  // a = frac * 2^exp, frac in [0.5, 1)
  int e = exp + 14;                   // biased half exponent of a = 1.m * 2^(exp-1)
  if (e >= 31) return std::nullopt;
  if (e <= 0) {  // subnormal: a = m * 2^-24
    double m = std::ldexp(a, 24);
    if (m != std::floor(m) || m >= 1024) return std::nullopt;
    return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(m));
  }
  double m = std::ldexp(frac * 2 - 1, 10);
  if (m != std::floor(m)) return std::nullopt;
  return static_cast<std::uint16_t>(sign | (e << 10) | static_cast<std::uint16_t>(m));
}
}  // namespace

double Item::as_double() const {
  if (kind == Kind::Unsigned) return static_cast<double>(number);
  return -1.0 - static_cast<double>(number);
}

std::variant<Item, std::string> decode(std::string_view bytes) {
  try {
    Reader r(bytes);
    Item it = r.item(0);
    if (!r.done()) return std::string("bytes after the end of the data item");
    return it;
  } catch (const Malformed& m) {
    return m.why;
  }
}

void Writer::head(int major, std::uint64_t v) {
  char m = static_cast<char>(major << 5);
  auto put = [&](int info, int n) {
    out_.push_back(static_cast<char>(m | info));
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  if (v < 24) out_.push_back(static_cast<char>(m | static_cast<char>(v)));
  else if (v <= 0xff) put(24, 1);
  else if (v <= 0xffff) put(25, 2);
  else if (v <= 0xffffffffULL) put(26, 4);
  else put(27, 8);
}

void Writer::integer(std::int64_t v) {
  if (v >= 0) head(0, static_cast<std::uint64_t>(v));
  else head(1, static_cast<std::uint64_t>(-(v + 1)));
}

void Writer::bytes(std::string_view b) {
  head(2, b.size());
  out_.append(b);
}

void Writer::text(std::string_view t) {
  head(3, t.size());
  out_.append(t);
}

void Writer::float16(std::uint16_t bits) {
  out_.push_back(static_cast<char>(0xf9));
  out_.push_back(static_cast<char>(bits >> 8));
  out_.push_back(static_cast<char>(bits & 0xff));
}

void Writer::float32(float v) {
  std::uint32_t bits = std::bit_cast<std::uint32_t>(v);
  out_.push_back(static_cast<char>(0xfa));
  for (int i = 3; i >= 0; --i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void Writer::float64(double v) {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
  out_.push_back(static_cast<char>(0xfb));
  for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void Writer::floating(double v) {
  if (auto h = as_half(v)) return float16(*h);
  float f = static_cast<float>(v);
  if (static_cast<double>(f) == v) return float32(f);
  float64(v);
}

}  // namespace berth::cbor
