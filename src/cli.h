#pragma once
// The command line: `berth serve [options]`, `berth --version`, `berth --help`, `berth --coverage`.
#include <optional>
#include <string>

#include "common/config.h"

namespace berth {

struct Command {
  enum class Kind { Serve, Version, Help, Coverage } kind = Kind::Help;
  Config config;
};

// Parses argv; on a usage error returns nullopt and fills `error`.
std::optional<Command> parse_command_line(int argc, char** argv, std::string& error);
const char* usage();

}  // namespace berth
