// The awslogs multi-line joiner: a pattern (first line) and log lines; events stay bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "logs/multiline.h"

using namespace berth::logs;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string pattern(in.substr(0, std::min<std::size_t>(nl, 64)));
  auto re = !pattern.empty() && pattern[0] == '%' ? datetime_format_regex(pattern) : multiline_regex(pattern);
  MultilineJoiner j(std::move(re));
  auto check = [](const std::optional<LineEvent>& e) {
    if (e && e->text.size() > MultilineJoiner::kMaxEventBytes) std::abort();
  };
  std::string_view rest = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  std::int64_t t = 0;
  while (!rest.empty()) {
    auto end = rest.find('\n');
    // A line repeated makes events large without large inputs.
    std::string line(rest.substr(0, end));
    if (!line.empty() && line[0] == '*') line = std::string(static_cast<unsigned char>(line.size()) * 1024u, 'x');
    check(j.push({++t, line}));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  check(j.take_pending());
  return 0;
}
