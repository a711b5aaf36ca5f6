#include "api/ecs/fargate.h"

#include <cctype>
#include <cstdlib>

namespace berth::api::ecs::fargate {
namespace {
// A number followed by an optional unit word; the unit comes back lower-cased.
std::optional<std::pair<double, std::string>> number_and_unit(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0) return std::nullopt;
  std::string unit;
  for (const char* p = end; *p; ++p)
    if (!std::isspace(static_cast<unsigned char>(*p))) unit.push_back(static_cast<char>(std::tolower(*p)));
  return std::make_pair(v, unit);
}
}  // namespace

std::optional<long> parse_cpu(std::string_view text) {
  auto nu = number_and_unit(text);
  if (!nu) return std::nullopt;
  auto [v, unit] = *nu;
  if (unit == "vcpu") v *= 1024;
  else if (!unit.empty()) return std::nullopt;
  if (v != static_cast<double>(static_cast<long>(v)) || v < 1) return std::nullopt;
  return static_cast<long>(v);
}

std::optional<long> parse_memory(std::string_view text) {
  auto nu = number_and_unit(text);
  if (!nu) return std::nullopt;
  auto [v, unit] = *nu;
  if (unit == "gb") v *= 1024;
  else if (!unit.empty() && unit != "mb" && unit != "mib") return std::nullopt;
  if (v != static_cast<double>(static_cast<long>(v)) || v < 1) return std::nullopt;
  return static_cast<long>(v);
}

bool supported(long cpu, long memory) {
  struct Range {
    long cpu, low, high, step;
  };
  static const Range table[] = {
      {256, 512, 512, 1},         {256, 1024, 2048, 1024},   {512, 1024, 4096, 1024},
      {1024, 2048, 8192, 1024},   {2048, 4096, 16384, 1024}, {4096, 8192, 30720, 1024},
      {8192, 16384, 61440, 4096}, {16384, 32768, 122880, 8192},
  };
  for (const auto& r : table)
    if (r.cpu == cpu && memory >= r.low && memory <= r.high && (memory - r.low) % r.step == 0) return true;
  return false;
}

}  // namespace berth::api::ecs::fargate
