#!/usr/bin/env bash
# Installs everything, builds, and runs berth on 127.0.0.1:4566 (extra arguments go to `berth serve`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --build
scripts/build.sh
exec build/berth serve "$@"
