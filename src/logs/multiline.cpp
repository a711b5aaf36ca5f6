#include "logs/multiline.h"

namespace berth::logs {

std::optional<std::regex> datetime_format_regex(const std::string& format) {
  std::string re = "^";
  for (std::size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) re += '\\';
      re += c;
      continue;
    }
    if (++i >= format.size()) return std::nullopt;
    switch (format[i]) {
      case 'Y': re += "\\d{4}"; break;
      case 'y': case 'm': case 'd': case 'H': case 'I': case 'M': case 'S': case 'U': case 'W': re += "\\d{2}"; break;
      case 'e': re += "[ \\d]\\d"; break;
      case 'j': re += "\\d{3}"; break;
      case 'f': re += "\\d{1,9}"; break;
      case 'L': re += "\\d{3}"; break;
      case 'b': case 'h': case 'a': re += "[A-Za-z]{3}"; break;
      case 'B': case 'A': re += "[A-Za-z]+"; break;
      case 'p': re += "(?:AM|PM|am|pm)"; break;
      case 'z': re += "[+-]\\d{4}"; break;
      case 'Z': re += "[A-Za-z]+"; break;
      case 'T': re += "\\d{2}:\\d{2}:\\d{2}"; break;
      case 'F': re += "\\d{4}-\\d{2}-\\d{2}"; break;
      case '%': re += "%"; break;
      default: return std::nullopt;
    }
  }
  try {
    return std::regex(re, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
}

std::optional<std::regex> multiline_regex(const std::string& pattern) {
  try {
    return std::regex("^(?:" + pattern + ")", std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
}

std::optional<LineEvent> MultilineJoiner::push(LineEvent line) {
  if (!start_) return line;
  // Long lines are matched on their start only: std::regex recurses per character.
  std::string_view head(line.text.data(), std::min<std::size_t>(line.text.size(), 256));
  bool starts = std::regex_search(head.begin(), head.end(), *start_, std::regex_constants::match_continuous);
  std::optional<LineEvent> done;
  pending_touched_ = line.ts_ms;
  if (starts || !pending_) {
    done = std::move(pending_);
    pending_ = std::move(line);
  } else {
    pending_->text += "\n" + line.text;
  }
  return done;
}

std::optional<LineEvent> MultilineJoiner::take_pending() {
  auto out = std::move(pending_);
  pending_.reset();
  return out;
}

std::optional<std::int64_t> MultilineJoiner::pending_since() const {
  if (!pending_) return std::nullopt;
  return pending_touched_;
}

}  // namespace berth::logs
