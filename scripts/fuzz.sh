#!/usr/bin/env bash
# Fuzz targets (tests/fuzz/), one per parser of outside input.
#   scripts/fuzz.sh [SECONDS [TARGET...]]
#                               builds the targets with clang's libFuzzer + ASan + UBSan into
#                               build-fuzz/ and runs each (all by default) for SECONDS (default
#                               60), growing its corpus in build-fuzz/corpus/TARGET from the
#                               committed seeds; a finding is left as build-fuzz/crash-TARGET-*
#   scripts/fuzz.sh build       only builds them
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

# -O1 as libFuzzer's documentation builds; line tables only: stack traces for less compile time than -g.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_CXX_COMPILER=clang++ -DBERTH_SANITIZE=ON -DBERTH_FUZZ=ON -DBERTH_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link -fsanitize-ignorelist=$PWD/tests/fuzz/ubsan_ignorelist.txt" >/dev/null
cmake --build build-fuzz --target $(printf 'fuzz_%s ' "${targets[@]}")
[[ "${1:-}" == build ]] && exit 0

seconds=${1:-60}
shift || true
(( $# )) && targets=("$@")
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  echo "== fuzz_$t for ${seconds}s"
  mkdir -p "build-fuzz/corpus/$t"
  build-fuzz/tests/fuzz/fuzz_$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/crash-$t-" "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t"
done
