#include "scaling/time_zone.h"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace berth::scaling {
namespace {

std::int64_t be(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  // Sign-extend 4-byte values.
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
           c == '-' || c == '+';
  });
}

}  // namespace

std::optional<TimeZone> TimeZone::load(std::string_view name, const std::string& root) {
  if (name == "UTC" || name == "Etc/UTC" || name == "GMT") return utc();
  if (!valid_name(name)) return std::nullopt;
  std::ifstream in(root + "/" + std::string(name), std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // TZif: a 44-byte header, the 32-bit data block, then (version 2+) a second header and a
  // 64-bit block, which is the one read when present.
  auto header = [&](std::size_t at, std::int64_t counts[6]) {
    if (data.size() < at + 44 || std::string_view(reinterpret_cast<const char*>(&data[at]), 4) != "TZif") return false;
    for (int i = 0; i < 6; ++i) counts[i] = be(&data[at + 20 + 4 * i], 4);
    return true;
  };
  std::int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!header(0, c)) return std::nullopt;
  std::size_t at = 44;
  int time_bytes = 4;
  if (data[4] >= '2') {
    at += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!header(at, c)) return std::nullopt;
    at += 44;
    time_bytes = 8;
  }
  const std::int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt < 1 || data.size() < at + timecnt * (time_bytes + 1) + typecnt * 6) return std::nullopt;
  std::vector<std::int64_t> times(timecnt);
  std::vector<std::int32_t> offsets(timecnt);
  const std::size_t idx_at = at + timecnt * time_bytes, types_at = idx_at + timecnt;
  auto type_offset = [&](std::size_t t) { return static_cast<std::int32_t>(be(&data[types_at + t * 6], 4)); };
  for (std::int64_t i = 0; i < timecnt; ++i) {
    times[i] = be(&data[at + i * time_bytes], time_bytes);
    std::size_t t = data[idx_at + i];
    if (static_cast<std::int64_t>(t) >= typecnt) return std::nullopt;
    offsets[i] = type_offset(t);
  }
  return TimeZone(std::move(times), std::move(offsets), type_offset(0));
}

std::int64_t TimeZone::offset_at(std::int64_t utc_seconds) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  if (it == transitions_.begin()) return initial_;
  return offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

std::int64_t TimeZone::to_utc(std::int64_t local_seconds) const {
  // Try the offsets in force around the wall time; the earliest consistent reading wins.
  std::int64_t before = offset_at(local_seconds - 86400), after = offset_at(local_seconds + 86400);
  for (std::int64_t off : {std::max(before, after), std::min(before, after)}) {
    std::int64_t u = local_seconds - off;
    if (offset_at(u) == off) return u;
  }
  return local_seconds - before;  // in a gap
}

}  // namespace berth::scaling
