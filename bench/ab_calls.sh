#!/usr/bin/env bash
# A/B of two berth binaries on the JSON path (issue 9: the protocol layer must not slow ECS):
# DescribeClusters and ListClusters with wrk, the binaries interleaved round by round so drift in
# the machine's load hits both alike. Besides calls/s and latency, each run prints berth's own CPU
# time per call (utime + stime from /proc over the run divided by the calls wrk made): that figure
# moves far less with the machine's load than throughput does. Run by hand, never in CI.
# Usage: bench/ab_calls.sh BERTH_A BERTH_B [seconds per run, default 5] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: $0 BERTH_A BERTH_B [secs] [rounds]"; exit 2; }
a=$1 b=$2 secs=${3:-5} rounds=${4:-3}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
auth='AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0'

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() {  # measure PID OP BODY URL: wrk's summary line, then berth's CPU microseconds per call
  local pid=$1 op=$2 body=$3 url=$4 before after out calls
  before=$(cpu_ticks "$pid")
  out=$(OP=$op BODY=$body wrk -t2 -c32 -d${secs}s --latency -s bench/aws_call.lua "$url")
  after=$(cpu_ticks "$pid")
  calls=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$(tail -1 <<<"$out")  berth CPU/call: $(( (after - before) * 1000000 / $(getconf CLK_TCK) / calls )) us ($calls calls)"
}

one() {  # one binary, one round: prints "OP req/s p99" lines
  local bin=$1 port url pid
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  url=http://127.0.0.1:$port
  "$bin" serve --ephemeral --listen 127.0.0.1:$port --log-level warn & pid=$!
  until curl -sf -o /dev/null "$url/_berth/health"; do sleep 0.01; done
  for i in $(seq 1 20); do
    curl -s -o /dev/null "$url/" -H 'Content-Type: application/x-amz-json-1.1' -H "Authorization: $auth" \
      -H 'X-Amz-Target: AmazonEC2ContainerServiceV20141113.CreateCluster' -d "{\"clusterName\":\"c$i\"}"
  done
  measure $pid DescribeClusters '{"clusters":["c1","c2","c3"]}' "$url"
  measure $pid ListClusters '{}' "$url"
  kill $pid; wait $pid || true
}

for r in $(seq 1 "$rounds"); do
  echo "== round $r: A ($a)"; one "$a"
  echo "== round $r: B ($b)"; one "$b"
done
