#pragma once
// AWS partitions state by account and region; every store call names both. A global service
// (IAM) keeps its state per account: its region is empty.
#include <string>

namespace berth::state {
struct Scope {
  std::string account;
  std::string region;
};
}  // namespace berth::state
