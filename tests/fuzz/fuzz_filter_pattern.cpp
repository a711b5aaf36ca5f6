// CloudWatch Logs filter patterns: the first line is the pattern, the rest the messages.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "logs/filter_pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view pattern = in.substr(0, nl);
  std::string error;
  auto p = berth::logs::FilterPattern::parse(pattern, error);
  if (!p || nl == std::string_view::npos) return 0;
  std::string_view rest = in.substr(nl + 1);
  while (!rest.empty()) {
    auto end = rest.find('\n');
    (void)p->matches(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return 0;
}
