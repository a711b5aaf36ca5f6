#include "common/clock.h"

#include <chrono>

namespace berth {

std::int64_t SystemClock::now_millis() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace berth
