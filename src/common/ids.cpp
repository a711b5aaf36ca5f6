#include "common/ids.h"

#include <random>

namespace berth::ids {
namespace {
std::mt19937_64& rng() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}
void append_hex(std::string& out, std::uint64_t v, int digits) {
  static const char* hex = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out.push_back(hex[(v >> (i * 4)) & 0xf]);
}
}  // namespace

std::string uuid_v4() {
  std::uint64_t hi = rng()(), lo = rng()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  std::string s;
  s.reserve(36);
  append_hex(s, hi >> 32, 8);
  s += '-';
  append_hex(s, (hi >> 16) & 0xffff, 4);
  s += '-';
  append_hex(s, hi & 0xffff, 4);
  s += '-';
  append_hex(s, lo >> 48, 4);
  s += '-';
  append_hex(s, lo & 0xffffffffffffULL, 12);
  return s;
}

std::string hex32() {
  std::string s;
  s.reserve(32);
  append_hex(s, rng()(), 16);
  append_hex(s, rng()(), 16);
  return s;
}

std::string aws_unique_id(std::string_view prefix, int n) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string s(prefix);
  for (int i = 0; i < n; ++i) s.push_back(alphabet[rng()() % 32]);
  return s;
}

bool is_twelve_digits(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace berth::ids
