#!/usr/bin/env bash
# Push and pull of a ~200 MB image in 4 layers against berth and against the CNCF distribution
# registry (Debian's docker-registry) in one run, by hand: bench/registry_push_pull.sh [ROUNDS]
# Docker compresses layers while pushing, and whoever is pushed to first in a round pays for
# warming docker's caches, so rounds alternate the order on fresh storage and the best time of
# each side is kept. Prints seconds, the ratios and berth's peak resident memory during pushes.
# Needs a running dockerd, docker-registry, busybox-static and bc.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${BERTH_BIN:-build/berth}")
rounds=${1:-2}
work=$(mktemp -d)
export DOCKER_CONFIG=$work/docker-config DOCKER_BUILDKIT=0
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
bpid="" rpid=""
stop_registries() { kill $bpid $rpid 2>/dev/null || true; wait $bpid $rpid 2>/dev/null || true; }
cleanup() {
  stop_registries
  docker rmi -f bench/big:1 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/ctx"
cp /bin/busybox "$work/ctx/"
for i in 1 2 3 4; do head -c 50000000 /dev/urandom > "$work/ctx/blob$i"; done
printf 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY blob1 /b1\nCOPY blob2 /b2\nCOPY blob3 /b3\nCOPY blob4 /b4\n' > "$work/ctx/Dockerfile"
docker build -q -t bench/big:1 "$work/ctx" >/dev/null

start_registries() {
  local round=$1
  bport=$(free_port); rport=$(free_port)
  "$bin" serve --data-dir "$work/berth-$round" --listen 127.0.0.1:$bport --log-level warn --registry-auth none & bpid=$!
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work/cncf-$round" "$rport" > "$work/registry-$round.yml"
  docker-registry serve "$work/registry-$round.yml" >"$work/registry-$round.log" 2>&1 & rpid=$!
  until curl -sf -o /dev/null http://127.0.0.1:$bport/_berth/health; do sleep 0.05; done
  until curl -sf -o /dev/null http://127.0.0.1:$rport/v2/; do sleep 0.05; done
  curl -s -o /dev/null http://127.0.0.1:$bport/ -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.CreateRepository' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=0' -d '{"repositoryName":"big"}'
}
timed() { local s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
min() { echo "if ($1 < $2) $1 else $2" | bc; }
watch_rss() { local peak=0 r; while kill -0 $bpid 2>/dev/null; do r=$(awk '/VmRSS/ {print $2}' /proc/$bpid/status 2>/dev/null || echo 0); ((r > peak)) && peak=$r && echo $peak > "$work/peak"; sleep 0.05; done; }

best_bpush=999 best_rpush=999 best_bpull=999 best_rpull=999
for round in $(seq 1 $rounds); do
  start_registries $round
  watch_rss & wpid=$!
  b=localhost:$bport/big:1 r=localhost:$rport/big:1
  docker tag bench/big:1 $b; docker tag bench/big:1 $r
  if ((round % 2)); then order="b r"; else order="r b"; fi
  for who in $order; do
    if [[ $who == b ]]; then best_bpush=$(min $best_bpush $(timed docker push $b)); else best_rpush=$(min $best_rpush $(timed docker push $r)); fi
  done
  # Pulls start with no layer of the image left locally; the last pull becomes the source again.
  docker rmi -f bench/big:1 $b $r >/dev/null
  for who in $order; do
    if [[ $who == b ]]; then ref=$b; best_bpull=$(min $best_bpull $(timed docker pull $b))
    else ref=$r; best_rpull=$(min $best_rpull $(timed docker pull $r)); fi
    [[ $who == ${order##* } ]] && docker tag $ref bench/big:1
    docker rmi -f $ref >/dev/null
  done
  kill $wpid 2>/dev/null || true
  stop_registries
done
printf 'push (best of %d): berth %.2f s, distribution %.2f s, berth/distribution %.2f\n' $rounds $best_bpush $best_rpush $(echo "$best_bpush / $best_rpush" | bc -l)
printf 'pull (best of %d): berth %.2f s, distribution %.2f s, berth/distribution %.2f\n' $rounds $best_bpull $best_rpull $(echo "$best_bpull / $best_rpull" | bc -l)
echo "berth peak resident memory: $(cat "$work/peak" 2>/dev/null || echo '?') kB"
