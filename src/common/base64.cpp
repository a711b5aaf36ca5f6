#include "common/base64.h"

namespace berth::base64 {
namespace {
const char* chars(Alphabet a) {
  return a == Alphabet::Standard ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                                 : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
}
}  // namespace

std::string encode(std::string_view in, Alphabet alphabet, bool pad) {
  const char* table = chars(alphabet);
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(table[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(table[((val << 8) >> (bits + 8)) & 0x3F]);
  if (pad)
    while (out.size() % 4) out.push_back('=');
  return out;
}

std::optional<std::string> decode(std::string_view in, Alphabet alphabet) {
  int index[256];
  for (int& i : index) i = -1;
  const char* table = chars(alphabet);
  for (int i = 0; i < 64; ++i) index[static_cast<unsigned char>(table[i])] = i;
  std::string out;
  unsigned val = 0;
  int bits = -8;
  for (char c : in) {
    if (c == '=') break;
    int i = index[static_cast<unsigned char>(c)];
    if (i < 0) return std::nullopt;
    val = (val << 6) + static_cast<unsigned>(i);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

}  // namespace berth::base64
