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
opt=-O2
if [[ "${SANITIZE:-0}" == 1 ]]; then
  dir=build-asan
  opt=-O1  # as the sanitizers' documentation advises: usable speed, and faster to compile than -O2
  flags+=(-DBERTH_SANITIZE=ON -DBERTH_FUZZ_TARGETS=ON)
fi
if [[ "${DEBUG_INFO:-1}" == 0 ]]; then
  flags+=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt -DNDEBUG")
else
  flags+=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt -g -DNDEBUG")
fi
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir"
