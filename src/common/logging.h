#pragma once
#include <string_view>

namespace berth::logging {
// Sets up the process-wide spdlog logger on stderr; returns false for an unknown level.
bool setup(std::string_view level);
}
