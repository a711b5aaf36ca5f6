#include "api/pagination.h"

namespace berth::api::pagination {
namespace {
const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kMagic = "berth1:";

int index_of(char c) {
  for (int i = 0; i < 64; ++i)
    if (kAlphabet[i] == c) return i;
  return -1;
}
}  // namespace

std::string encode(std::string_view cursor) {
  std::string in(kMagic);
  in.append(cursor);
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(kAlphabet[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(kAlphabet[((val << 8) >> (bits + 8)) & 0x3F]);
  return out;
}

std::optional<std::string> decode(std::string_view token) {
  std::string out;
  unsigned val = 0;
  int bits = -8;
  for (char c : token) {
    int i = index_of(c);
    if (i < 0) return std::nullopt;
    val = (val << 6) + static_cast<unsigned>(i);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  if (!out.starts_with(kMagic)) return std::nullopt;
  return out.substr(kMagic.size());
}

}  // namespace berth::api::pagination
