#!/usr/bin/env bash
# Configures and builds berth and its unit tests into build/.
#   WERROR=1    warnings are errors (CI)
#   SANITIZE=1  an AddressSanitizer + UndefinedBehaviorSanitizer build into build-asan/, with the
#               fuzz targets built as corpus replays (scripts/fuzz.sh replay)
#   DEBUG_INFO=0  -O2 without -g (.ci/run: a quarter less compile time, and CI reads failures
#               from the tests' output, not a debugger)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
flags=(-DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DBERTH_WERROR="${WERROR:-OFF}")
if [[ "${DEBUG_INFO:-1}" == 0 ]]; then
  flags+=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG")
fi
if [[ "${SANITIZE:-0}" == 1 ]]; then
  dir=build-asan
  flags+=(-DBERTH_SANITIZE=ON -DBERTH_FUZZ_TARGETS=ON)
fi
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir"
