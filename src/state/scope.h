#pragma once
// AWS partitions state by account and region; every store call names both.
#include <string>

namespace berth::state {
struct Scope {
  std::string account;
  std::string region;
};
}  // namespace berth::state
