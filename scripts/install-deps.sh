#!/usr/bin/env bash
# Installs what berth needs from Debian bookworm's archive: `--build` for building and
# running, `--test` adds what the test suites drive (aws CLI v2, boto3, pytest).
set -euo pipefail
build=(cmake ninja-build g++ ccache pkg-config libboost1.81-dev rapidjson-dev libsqlite3-dev
       libarchive-dev libspdlog-dev doctest-dev libssl-dev)
test=(awscli python3-boto3 python3-pytest curl docker.io skopeo busybox-static mmdebstrap clang)
want=("${build[@]}")
[[ "${1:-}" == "--test" ]] && want+=("${test[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
