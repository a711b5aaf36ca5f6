#!/usr/bin/env bash
# Installs everything, builds, and runs all tests: the doctest unit tests (with a Docker daemon,
# which this script starts when none runs); the same unit tests, the HTTP robustness and
# bad-input files and the fuzz targets' corpora against an ASan + UBSan build; and last the
# integration tests, which start the real berth binary and drive it with Debian's aws CLI v2,
# boto3, the docker CLI and skopeo (their summary ends the output).
#   SANITIZE=0  skips the sanitizer build and its runs (a second full build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
WERROR=1 scripts/build.sh
# The Docker-daemon unit tests need one; without it doctest reports them as skipped.
scripts/start-dockerd.sh || echo "warning: no Docker daemon could be started; the Docker tests will be skipped"
echo "== unit tests"
build/tests/unit/berth_unit_tests
if [[ "${SANITIZE:-1}" == 1 ]]; then
  echo "== sanitizers (ASan + UBSan)"
  WERROR=1 SANITIZE=1 scripts/build.sh
  (
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    build-asan/tests/unit/berth_unit_tests
    BERTH_BIN="$PWD/build-asan/berth" /usr/bin/python3 -m pytest tests/integration/test_http.py \
      tests/integration/test_bad_inputs.py tests/integration/test_listener_policy.py -q -p no:cacheprovider
    echo "== fuzz corpora"
    scripts/fuzz.sh replay
  )
fi
echo "== integration tests"
# Debian's interpreter and aws CLI: other copies may come first on PATH.
# Two workers, a file's tests on one worker (they share that file's berth and images).
/usr/bin/python3 -m pytest tests/integration -q -p no:cacheprovider -n 2 --dist loadfile "$@"
