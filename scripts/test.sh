#!/usr/bin/env bash
# Installs everything, builds, and runs all tests: the doctest unit tests, then the integration
# tests, which start the real berth binary and drive it with Debian's aws CLI v2, boto3, the
# docker CLI (against a dockerd this script starts when none runs) and skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
echo "== unit tests"
build/tests/unit/berth_unit_tests
echo "== integration tests"
# Without a Docker engine the registry and task tests skip themselves, saying so.
scripts/start-dockerd.sh || echo "warning: no Docker daemon could be started; the Docker tests will be skipped"
# Debian's interpreter and aws CLI: other copies may come first on PATH.
exec /usr/bin/python3 -m pytest tests/integration -q -p no:cacheprovider "$@"
