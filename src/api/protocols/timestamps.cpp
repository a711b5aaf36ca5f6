#include "api/protocols/timestamps.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace berth::api::protocols {
namespace {
// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t y;
  unsigned m, d;
};
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

struct Split {
  Civil date;
  int hh, mm, ss, millis;
  unsigned weekday;  // 0 = Sunday
};
Split split(double epoch_seconds) {
  auto total_ms = static_cast<std::int64_t>(std::llround(epoch_seconds * 1000.0));
  std::int64_t secs = total_ms >= 0 ? total_ms / 1000 : (total_ms - 999) / 1000;
  int millis = static_cast<int>(total_ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int rem = static_cast<int>(secs - days * 86400);
  unsigned weekday = static_cast<unsigned>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  return {civil_from_days(days), rem / 3600, rem / 60 % 60, rem % 60, millis, weekday};
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

std::string iso8601(double epoch_seconds) {
  Split t = split(epoch_seconds);
  char buf[64];
  if (t.millis)
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(t.date.y), t.date.m,
                  t.date.d, t.hh, t.mm, t.ss, t.millis);
  else
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(t.date.y), t.date.m,
                  t.date.d, t.hh, t.mm, t.ss);
  return buf;
}

std::string rfc822(double epoch_seconds) {
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Split t = split(std::floor(epoch_seconds));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02d:%02d:%02d GMT", days[t.weekday], t.date.d,
                months[t.date.m - 1], static_cast<long long>(t.date.y), t.hh, t.mm, t.ss);
  return buf;
}

std::optional<double> parse_iso8601(std::string_view s) {
  int y, mo, d, hh = 0, mi = 0, ss = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  std::size_t pos = 10;
  double fraction = 0;
  int offset = 0;  // seconds east of UTC
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!digits(s, pos + 1, 2, hh) || s.size() < pos + 6 || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, ss)) return std::nullopt;
      pos += 3;
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      double scale = 0.1;
      ++pos;
      std::size_t start = pos;
      for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, scale /= 10) fraction += (s[pos] - '0') * scale;
      if (pos == start) return std::nullopt;
    }
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
      ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      int oh, om = 0;
      int sign = s[pos] == '+' ? 1 : -1;
      if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size()) {
        if (!digits(s, pos, 2, om)) return std::nullopt;
        pos += 2;
      }
      offset = sign * (oh * 3600 + om * 60);
    }
    if (pos != s.size() || hh > 23 || mi > 59 || ss > 60) return std::nullopt;
  }
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return static_cast<double>(days * 86400 + hh * 3600 + mi * 60 + ss - offset) + fraction;
}

}  // namespace berth::api::protocols
