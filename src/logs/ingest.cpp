#include "logs/ingest.h"

#include <algorithm>

namespace berth::logs {

BatchVerdict check_batch(std::span<const InputEvent> events, std::int64_t now_millis,
                         std::int64_t retention_cutoff) {
  BatchVerdict v;
  std::size_t bytes = 0;
  for (const auto& e : events) bytes += e.message.size() + kEventOverheadBytes;
  if (bytes > kMaxBatchBytes) {
    v.error = "Upload too large: " + std::to_string(bytes) + " bytes exceeds limit of " + std::to_string(kMaxBatchBytes);
    return v;
  }
  if (events.size() > kMaxBatchEvents) {
    v.error = "The maximum number of log events in a batch is " + std::to_string(kMaxBatchEvents) + ".";
    return v;
  }
  for (std::size_t i = 1; i < events.size(); ++i)
    if (events[i].timestamp < events[i - 1].timestamp) {
      v.error = "Log events in a single PutLogEvents request must be in chronological order.";
      return v;
    }
  if (!events.empty() && events.back().timestamp - events.front().timestamp > kMaxBatchSpanMillis) {
    v.error = "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.";
    return v;
  }

  // Chronological order makes the rejected events a prefix (too old, expired) and a suffix
  // (too new).
  const std::int64_t oldest = now_millis - kMaxAgeMillis;
  const std::int64_t newest = now_millis + kMaxFutureMillis;
  std::size_t too_old = 0, expired = 0, too_new_from = events.size();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].timestamp < oldest) too_old = i + 1;
    if (events[i].timestamp < retention_cutoff) expired = i + 1;
    if (events[i].timestamp > newest && too_new_from == events.size()) too_new_from = i;
  }
  if (too_old) v.too_old_end = too_old;
  if (expired) v.expired_end = expired;
  if (too_new_from < events.size()) v.too_new_start = too_new_from;
  v.accepted_begin = std::max(too_old, expired);
  v.accepted_end = std::max(v.accepted_begin, too_new_from);
  return v;
}

}  // namespace berth::logs
