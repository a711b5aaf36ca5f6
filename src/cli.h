#pragma once
// The command line: `berth serve [options]`, `berth image import|export ...`, `berth --version`,
// `berth --help`, `berth --coverage`.
#include <optional>
#include <string>

#include "common/config.h"

namespace berth {

// `berth image import FILE --repository NAME[:TAG]` / `berth image export --repository NAME[:TAG] FILE`.
struct ImageArgs {
  bool import = true;              // false: export
  std::string file;                // the archive
  std::string repository;
  std::optional<std::string> tag;  // export: "latest" when absent; import: the archive's own
};

// Knobs of the CloudWatch and Application Auto Scaling threads (AWS's pace by default; tests
// shorten them).
struct MetricsArgs {
  int alarm_interval_seconds = 60;  // --alarm-interval: how often alarms are evaluated
  int stats_interval_seconds = 10;  // --stats-interval: how often task containers are sampled
  int metrics_publish_seconds = 60;  // --metrics-publish-interval: AWS/ECS datapoints (a minute)
};

struct Command {
  enum class Kind { Serve, Version, Help, Coverage, Image } kind = Kind::Help;
  Config config;  // data dir, account and region also serve `image`
  ImageArgs image;
  MetricsArgs metrics;
};

// Parses argv; on a usage error returns nullopt and fills `error`.
std::optional<Command> parse_command_line(int argc, char** argv, std::string& error);
const char* usage();

}  // namespace berth
