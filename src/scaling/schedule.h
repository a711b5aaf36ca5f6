#pragma once
// Scheduled actions' Schedule, pure: at(yyyy-mm-ddThh:mm:ss), rate(value unit) and
// cron(minutes hours day-of-month month day-of-week year) as Application Auto Scaling (and
// EventBridge) write them, and when one fires next in its Timezone within StartTime/EndTime.
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "scaling/time_zone.h"

namespace berth::scaling {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;          // day of month 1-31
  bool any_day = true;           // day of month is * or ?
  bool last_day = false;         // L
  int nearest_weekday = 0;       // nW: the weekday nearest day n; 32 for LW
  std::bitset<13> months;        // 1-12
  std::bitset<8> weekdays;       // 1 (SUN) - 7 (SAT)
  bool any_weekday = true;       // day of week is * or ?
  int last_weekday = 0;          // nL: the last such weekday of the month
  int nth_weekday = 0, nth = 0;  // d#n: the nth such weekday of the month
  std::bitset<230> years;        // 1970 - 2199
};
struct AtSchedule {
  std::int64_t local_seconds = 0;  // wall time in the action's Timezone, seconds since 1970
};
struct RateSchedule {
  std::int64_t seconds = 0;
};
using Schedule = std::variant<AtSchedule, RateSchedule, CronSchedule>;

// The parsed schedule, or nullopt when it is not one of the three forms (rate's unit must be
// singular for 1 and plural otherwise, as AWS requires).
std::optional<Schedule> parse_schedule(std::string_view text);

struct ScheduleWindow {
  std::int64_t anchor_ms = 0;  // rate(): counted from StartTime, else from the action's creation
  std::optional<std::int64_t> start_ms, end_ms;  // StartTime, EndTime
};
// The first time (UTC epoch ms) the schedule fires strictly after `after_ms`, or nullopt when it
// never fires again (an at() in the past, an EndTime passed).
std::optional<std::int64_t> next_fire(const Schedule& s, const TimeZone& tz, const ScheduleWindow& window,
                                      std::int64_t after_ms);

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d);
void civil_from_days(std::int64_t days, int& y, int& m, int& d);

}  // namespace berth::scaling
