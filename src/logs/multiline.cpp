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

namespace {
// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
void cap(std::string& text, std::size_t limit) {
  if (text.size() <= limit) return;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
}
}  // namespace

std::optional<LineEvent> MultilineJoiner::push(LineEvent line) {
  cap(line.text, kMaxEventBytes);
  if (!start_) return line;
  // Long lines are matched on their start only: std::regex recurses per character.
  std::string_view head(line.text.data(), std::min<std::size_t>(line.text.size(), 256));
  bool starts = std::regex_search(head.begin(), head.end(), *start_, std::regex_constants::match_continuous);
  std::optional<LineEvent> done;
  // A full event goes out as it is and the line starts the next, as the awslogs driver does.
  bool full = pending_ && pending_->text.size() + 1 + line.text.size() > kMaxEventBytes;
  if (starts || !pending_ || full) {
    done = std::move(pending_);
    pending_ = std::move(line);
    pending_started_ = pending_->ts_ms;
  } else {
    pending_->text += '\n';
    pending_->text += line.text;
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
  return pending_started_;
}

}  // namespace berth::logs
