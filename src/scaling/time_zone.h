#pragma once
// An IANA time zone read from the system's TZif files (/usr/share/zoneinfo), for scheduled
// actions' Timezone: libstdc++ 12 has no std::chrono::locate_zone. Offsets after the file's last
// transition stay as they were then (Debian's "fat" files list transitions up to 2037).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::scaling {

class TimeZone {
 public:
  static TimeZone utc() { return TimeZone(); }
  // The zone `name` names (e.g. "America/New_York", "Etc/GMT+9", "UTC"); nullopt for a name that
  // is not a zone file under `root` (names with "..", absolute paths and odd characters never are).
  static std::optional<TimeZone> load(std::string_view name, const std::string& root = "/usr/share/zoneinfo");

  // Offset from UTC, in seconds, at a UTC instant.
  std::int64_t offset_at(std::int64_t utc_seconds) const;
  // The UTC instant of a local wall-clock time, both in seconds since 1970 (in a fold the earlier
  // one; in a gap, the wall time read with the offset before the gap).
  std::int64_t to_utc(std::int64_t local_seconds) const;
  std::int64_t to_local(std::int64_t utc_seconds) const { return utc_seconds + offset_at(utc_seconds); }

  // From parsed TZif data; tests build zones this way.
  TimeZone(std::vector<std::int64_t> transitions, std::vector<std::int32_t> offsets, std::int32_t initial)
      : transitions_(std::move(transitions)), offsets_(std::move(offsets)), initial_(initial) {}

 private:
  TimeZone() = default;
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<std::int32_t> offsets_;      // the offset from each transition on
  std::int32_t initial_ = 0;               // before the first transition
};

}  // namespace berth::scaling
