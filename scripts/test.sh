#!/usr/bin/env bash
# Installs everything, builds, and runs all tests: the doctest unit tests (with a Docker daemon,
# which this script starts when none runs), the integration tests, which start the real berth
# binary and drive it with Debian's aws CLI v2, boto3, the docker CLI and skopeo, then the same
# unit tests and the HTTP robustness and bad-input files against an ASan + UBSan build, and the
# fuzz targets' corpora replayed as regression tests.
#   SANITIZE=0  skip the sanitizer build (it costs a second full build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
WERROR=1 scripts/build.sh
# The Docker-daemon unit tests need one; without it doctest reports them as skipped.
scripts/start-dockerd.sh || echo "warning: no Docker daemon could be started; the Docker tests will be skipped"
echo "== unit tests"
build/tests/unit/berth_unit_tests
echo "== integration tests"
# Debian's interpreter and aws CLI: other copies may come first on PATH.
/usr/bin/python3 -m pytest tests/integration -q -p no:cacheprovider "$@"
if [[ "${SANITIZE:-1}" == 1 ]]; then
  echo "== sanitizers (ASan + UBSan)"
  WERROR=1 SANITIZE=1 scripts/build.sh
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  build-asan/tests/unit/berth_unit_tests
  BERTH_BIN="$PWD/build-asan/berth" /usr/bin/python3 -m pytest tests/integration/test_http.py \
    tests/integration/test_bad_inputs.py tests/integration/test_listener_policy.py -q -p no:cacheprovider
  if [[ -x build-asan/tests/fuzz/fuzz_replay ]]; then
    echo "== fuzz corpora"
    scripts/fuzz.sh replay
  fi
fi
