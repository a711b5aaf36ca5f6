#!/usr/bin/env bash
# Starts a Docker daemon when none answers (CI machines have the client only), and waits for
# it. The registry and task tests need one; they skip themselves when none is reachable.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null; then
  echo "dockerd is not installed (apt-get install docker.io)" >&2
  exit 1
fi
log=${DOCKERD_LOG:-/tmp/berth-dockerd.log}
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "dockerd did not come up; see $log" >&2
tail -20 "$log" >&2
exit 1
