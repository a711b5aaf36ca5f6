#!/usr/bin/env bash
# Benchmarks berth by hand (never in CI): cold start, idle memory, and API calls per second
# with wrk at 32 connections. Usage: bench/run.sh [seconds per wrk run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bin=${BERTH_BIN:-build/berth}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
call() {
  curl -s -o /dev/null -w '%{http_code}' "$url/" -H 'Content-Type: application/x-amz-json-1.1' \
    -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0" -d "$2"
}

# Cold start: from exec to the first 200 from /_berth/health, best of 5.
best=""
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$bin" serve --ephemeral --listen 127.0.0.1:$port --log-level warn & pid=$!
  until curl -sf -o /dev/null "$url/_berth/health"; do sleep 0.001; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  [[ -z "$best" || $ms -lt $best ]] && best=$ms
  kill $pid; wait $pid || true
done
echo "cold start to first health 200: ${best} ms (best of 5, includes curl polling)"

"$bin" serve --ephemeral --listen 127.0.0.1:$port --log-level warn & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "$url/_berth/health"; do sleep 0.01; done
sleep 1
echo "idle resident memory: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$pid/status)"

for i in $(seq 1 20); do call CreateCluster "{\"clusterName\":\"c$i\"}" >/dev/null; done
td='{"family":"bench","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"web","image":"nginx","portMappings":[{"containerPort":80}]}]}'

OP=DescribeClusters BODY='{"clusters":["c1","c2","c3"]}' wrk -t2 -c32 -d${secs}s --latency -s bench/aws_call.lua "$url" | tail -1
OP=ListClusters BODY='{}' wrk -t2 -c32 -d${secs}s --latency -s bench/aws_call.lua "$url" | tail -1
# IAM over the query protocol next to ListClusters: GetRole of one role.
trust='%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ecs-tasks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D'
curl -s -o /dev/null "$url/" -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
  -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' \
  -d "Action=CreateRole&Version=2010-05-08&RoleName=bench&AssumeRolePolicyDocument=$trust"
wrk -t2 -c32 -d${secs}s --latency -s bench/query_call.lua "$url" | tail -1
OP=RegisterTaskDefinition BODY="$td" wrk -t2 -c32 -d${secs}s --latency -s bench/aws_call.lua "$url" | tail -1
echo "resident memory after the runs: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$pid/status)"
