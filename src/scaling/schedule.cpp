#include "scaling/schedule.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace berth::scaling {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The text inside `name(` ... `)`, if `text` has that form.
std::optional<std::string_view> inside(std::string_view text, std::string_view name) {
  if (text.size() < name.size() + 2 || !text.starts_with(name) || text[name.size()] != '(' || text.back() != ')')
    return std::nullopt;
  return text.substr(name.size() + 1, text.size() - name.size() - 2);
}

std::optional<int> number(std::string_view s) {
  int v = 0;
  if (s.empty() || s.size() > 9) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kWeekdays = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

// A value of a field: a number, or a month or weekday name where the field takes them.
std::optional<int> value(std::string_view s, int field) {
  if (auto n = number(s)) return n;
  std::string up(s);
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (field == 3)
    for (std::size_t i = 0; i < kMonths.size(); ++i)
      if (up == kMonths[i]) return static_cast<int>(i + 1);
  if (field == 4)
    for (std::size_t i = 0; i < kWeekdays.size(); ++i)
      if (up == kWeekdays[i]) return static_cast<int>(i + 1);
  return std::nullopt;
}

// One field's list of *, values, ranges and steps into the set of allowed values [lo, hi].
bool parse_list(std::string_view text, int field, int lo, int hi, std::vector<bool>& out) {
  out.assign(static_cast<std::size_t>(hi - lo + 1), false);
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (comma != std::string_view::npos && text.empty()) return false;
    int step = 1;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto s = number(item.substr(slash + 1));
      if (!s || *s < 1) return false;
      step = *s;
      item = item.substr(0, slash);
    }
    int from = lo, to = hi;
    if (item != "*") {
      auto dash = item.find('-');
      auto a = value(item.substr(0, dash), field);
      if (!a) return false;
      from = *a;
      to = *a;
      if (dash != std::string_view::npos) {
        auto b = value(item.substr(dash + 1), field);
        if (!b) return false;
        to = *b;
      } else if (step > 1) {
        to = hi;  // 5/15 means from 5 every 15
      }
    }
    if (from < lo || to > hi || from > to) return false;
    for (int v = from; v <= to; v += step) out[static_cast<std::size_t>(v - lo)] = true;
  }
  return true;
}

template <std::size_t N>
bool parse_field(std::string_view text, int field, int lo, int hi, std::bitset<N>& bits, int offset) {
  std::vector<bool> allowed;
  if (!parse_list(text, field, lo, hi, allowed)) return false;
  for (int v = lo; v <= hi; ++v)
    if (allowed[static_cast<std::size_t>(v - lo)]) bits.set(static_cast<std::size_t>(v - offset));
  return true;
}

std::optional<CronSchedule> parse_cron(std::string_view text) {
  std::vector<std::string_view> f;
  while (!text.empty()) {
    auto sp = text.find(' ');
    if (sp != 0) f.push_back(text.substr(0, sp));
    text = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
  }
  if (f.size() != 6) return std::nullopt;
  CronSchedule c;
  if (!parse_field(f[0], 0, 0, 59, c.minutes, 0) || !parse_field(f[1], 1, 0, 23, c.hours, 0) ||
      !parse_field(f[3], 3, 1, 12, c.months, 0) || !parse_field(f[5], 5, 1970, 2199, c.years, 1970))
    return std::nullopt;
  // Day of month: * ? L LW nW or a list.
  std::string_view dom = f[2], dow = f[4];
  if (dom == "?" || dom == "*") {
    c.days.set();
  } else if (dom == "L") {
    c.any_day = false, c.last_day = true;
  } else if (dom == "LW") {
    c.any_day = false, c.nearest_weekday = 32;
  } else if (dom.size() > 1 && dom.back() == 'W') {
    auto n = number(dom.substr(0, dom.size() - 1));
    if (!n || *n < 1 || *n > 31) return std::nullopt;
    c.any_day = false, c.nearest_weekday = *n;
  } else {
    c.any_day = false;
    if (!parse_field(dom, 2, 1, 31, c.days, 0)) return std::nullopt;
  }
  // Day of week: * ? nL d#n or a list.
  if (dow == "?" || dow == "*") {
    c.weekdays.set();
  } else if (dow.size() > 1 && dow.back() == 'L') {
    auto d = value(dow.substr(0, dow.size() - 1), 4);
    if (!d || *d < 1 || *d > 7) return std::nullopt;
    c.any_weekday = false, c.last_weekday = *d;
  } else if (auto hash = dow.find('#'); hash != std::string_view::npos) {
    auto d = value(dow.substr(0, hash), 4);
    auto n = number(dow.substr(hash + 1));
    if (!d || *d < 1 || *d > 7 || !n || *n < 1 || *n > 5) return std::nullopt;
    c.any_weekday = false, c.nth_weekday = *d, c.nth = *n;
  } else {
    c.any_weekday = false;
    if (!parse_field(dow, 4, 1, 7, c.weekdays, 0)) return std::nullopt;
  }
  // One of the two day fields must leave the day to the other.
  if (!c.any_day && !c.any_weekday) return std::nullopt;
  return c;
}

std::optional<std::int64_t> parse_at(std::string_view s) {
  // yyyy-mm-ddThh:mm:ss
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  auto y = number(s.substr(0, 4)), mo = number(s.substr(5, 2)), d = number(s.substr(8, 2)), h = number(s.substr(11, 2)),
       mi = number(s.substr(14, 2)), se = number(s.substr(17, 2));
  if (!y || !mo || !d || !h || !mi || !se || *mo < 1 || *mo > 12 || *d < 1 || *h > 23 || *mi > 59 || *se > 59)
    return std::nullopt;
  std::int64_t days = days_from_civil(*y, *mo, *d);
  int cy, cm, cd;
  civil_from_days(days, cy, cm, cd);
  if (cd != *d) return std::nullopt;  // 31 April and the like
  return days * 86400 + *h * 3600 + *mi * 60 + *se;
}

std::optional<std::int64_t> parse_rate(std::string_view s) {
  auto sp = s.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto n = number(s.substr(0, sp));
  std::string_view unit = s.substr(sp + 1);
  if (!n || *n < 1) return std::nullopt;
  std::int64_t per = 0;
  std::string_view singular = unit.ends_with('s') ? unit.substr(0, unit.size() - 1) : unit;
  if (singular == "minute") per = 60;
  else if (singular == "hour") per = 3600;
  else if (singular == "day") per = 86400;
  else return std::nullopt;
  if ((*n == 1) != (singular == unit)) return std::nullopt;  // rate(1 minute), rate(5 minutes)
  return *n * per;
}

int days_in_month(int y, int m) {
  return static_cast<int>(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - days_from_civil(y, m, 1));
}

// 1 (SUN) - 7 (SAT); 1970-01-01 was a Thursday.
int weekday_of(std::int64_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7) + 1; }

bool day_matches(const CronSchedule& c, std::int64_t days) {
  int y, m, d;
  civil_from_days(days, y, m, d);
  if (y < 1970 || y > 2199 || !c.years.test(static_cast<std::size_t>(y - 1970)) || !c.months.test(static_cast<std::size_t>(m)))
    return false;
  const int dim = days_in_month(y, m), wd = weekday_of(days);
  if (!c.any_day) {
    if (c.last_day) return d == dim;
    if (c.nearest_weekday) {
      int target = std::min(c.nearest_weekday, dim);
      int twd = weekday_of(days_from_civil(y, m, target));
      int moved = target;
      if (twd == 7) moved = target == 1 ? target + 2 : target - 1;           // Saturday
      else if (twd == 1) moved = target == dim ? target - 2 : target + 1;    // Sunday
      return d == moved;
    }
    return c.days.test(static_cast<std::size_t>(d));
  }
  if (!c.any_weekday) {
    if (c.last_weekday) return wd == c.last_weekday && d + 7 > dim;
    if (c.nth) return wd == c.nth_weekday && (d - 1) / 7 + 1 == c.nth;
    return c.weekdays.test(static_cast<std::size_t>(wd));
  }
  return true;
}

std::optional<std::int64_t> next_cron(const CronSchedule& c, const TimeZone& tz, std::int64_t after_s) {
  // Wall-clock minutes from the one after `after` on, over at most ten years of days.
  const std::int64_t local = tz.to_local(after_s);
  const std::int64_t first_minute = (local >= 0 ? local / 60 : (local - 59) / 60) + 1;
  std::int64_t day = first_minute >= 0 ? first_minute / 1440 : (first_minute - 1439) / 1440;
  for (int n = 0; n < 3660; ++n, ++day) {
    if (!day_matches(c, day)) continue;
    for (int h = 0; h < 24; ++h) {
      if (!c.hours.test(static_cast<std::size_t>(h))) continue;
      for (int mi = 0; mi < 60; ++mi) {
        if (!c.minutes.test(static_cast<std::size_t>(mi))) continue;
        std::int64_t minute = day * 1440 + h * 60 + mi;
        if (minute < first_minute) continue;
        std::int64_t utc = tz.to_utc(minute * 60);
        if (utc > after_s) return utc;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

std::optional<Schedule> parse_schedule(std::string_view text) {
  text = trim(text);
  if (auto a = inside(text, "at")) {
    if (auto t = parse_at(trim(*a))) return AtSchedule{*t};
  } else if (auto r = inside(text, "rate")) {
    if (auto s = parse_rate(trim(*r))) return RateSchedule{*s};
  } else if (auto c = inside(text, "cron")) {
    if (auto spec = parse_cron(trim(*c))) return *spec;
  }
  return std::nullopt;
}

std::optional<std::int64_t> next_fire(const Schedule& s, const TimeZone& tz, const ScheduleWindow& w,
                                      std::int64_t after_ms) {
  // Nothing fires before StartTime.
  if (w.start_ms && after_ms < *w.start_ms - 1) after_ms = *w.start_ms - 1;
  std::optional<std::int64_t> at;
  if (const auto* a = std::get_if<AtSchedule>(&s)) {
    std::int64_t t = tz.to_utc(a->local_seconds) * 1000;
    if (t > after_ms) at = t;
  } else if (const auto* r = std::get_if<RateSchedule>(&s)) {
    const std::int64_t step = r->seconds * 1000, anchor = w.start_ms.value_or(w.anchor_ms);
    std::int64_t k = after_ms < anchor ? 1 : (after_ms - anchor) / step + 1;
    at = anchor + k * step;
  } else {
    std::int64_t after_s = after_ms >= 0 ? after_ms / 1000 : (after_ms - 999) / 1000;
    if (auto t = next_cron(std::get<CronSchedule>(s), tz, after_s)) at = *t * 1000;
  }
  if (at && w.end_ms && *at > *w.end_ms) return std::nullopt;
  return at;
}

}  // namespace berth::scaling
