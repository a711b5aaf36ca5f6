#!/usr/bin/env bash
# Fuzz targets (tests/fuzz/), one per parser of outside input.
#   scripts/fuzz.sh [SECONDS]   builds them with clang's libFuzzer + ASan + UBSan into build-fuzz/
#                               and runs each for SECONDS (default 60), growing its corpus in
#                               build-fuzz/corpus/TARGET from the committed seeds
#   scripts/fuzz.sh replay      runs the committed corpora through the replay builds of
#                               build-asan/ (scripts/build.sh SANITIZE=1): the CI regression check
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(json_validator filter_pattern chunked_decoder manifest image_archive multiline metadata_path query_form cbor
         sigv4)

if [[ "${1:-}" == replay ]]; then
  dir=build-asan
  for t in "${targets[@]}"; do
    printf '%-16s ' "$t"
    "$dir/tests/fuzz/fuzz_$t" "tests/fuzz/corpus/$t"
  done
  exit 0
fi

seconds=${1:-60}
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link -fsanitize-ignorelist=$PWD/tests/fuzz/ubsan_ignorelist.txt" -DBERTH_SANITIZE=ON -DBERTH_FUZZ=ON -DBERTH_TESTS=OFF >/dev/null
cmake --build build-fuzz --target $(printf 'fuzz_%s ' "${targets[@]}")
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  echo "== fuzz_$t for ${seconds}s"
  mkdir -p "build-fuzz/corpus/$t"
  build-fuzz/tests/fuzz/fuzz_$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/crash-$t-" "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t"
done
