#!/usr/bin/env bash
# The load balancer's data plane by hand (never in CI): requests/s and latency through a listener
# against the same target reached directly (a busybox httpd container on a published port), then
# berth's resident memory per idle listener and per 1000 keep-alive client connections.
# Usage: bench/elb_listener.sh [seconds per wrk run, default 10]. Needs wrk and Docker.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bin=${BERTH_BIN:-build/berth}
image=${BENCH_IMAGE:-berth-test/lbsvc:one}  # any image with /bin/busybox
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); lport=$(free_port)
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
awsl() { /usr/bin/aws --endpoint-url "http://127.0.0.1:$port" --output text "$@"; }
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }

cid=$(docker run -d --rm -p 127.0.0.1::3000 "$image" /bin/busybox sh -c \
      'mkdir -p /w && echo hello > /w/index.html && exec /bin/busybox httpd -f -p 3000 -h /w')
"$bin" serve --ephemeral --listen 127.0.0.1:$port --log-level warn & pid=$!
trap 'kill $pid 2>/dev/null || true; docker rm -f $cid >/dev/null' EXIT INT TERM
tport=$(docker port "$cid" 3000/tcp | head -1 | sed 's/.*://')
until curl -sf -o /dev/null "http://127.0.0.1:$port/_berth/health"; do sleep 0.01; done

lb=$(awsl elbv2 create-load-balancer --name bench --subnets s-1 s-2 --query 'LoadBalancers[0].LoadBalancerArn')
tg=$(awsl elbv2 create-target-group --name bench --protocol HTTP --port 3000 --vpc-id v-1 --target-type ip \
     --health-check-interval-seconds 5 --health-check-timeout-seconds 2 --healthy-threshold-count 2 --query 'TargetGroups[0].TargetGroupArn')
awsl elbv2 create-listener --load-balancer-arn "$lb" --protocol HTTP --port "$lport" \
     --default-actions Type=forward,TargetGroupArn="$tg" >/dev/null
awsl elbv2 register-targets --target-group-arn "$tg" --targets Id=127.0.0.1,Port="$tport"
until [[ "$(awsl elbv2 describe-target-health --target-group-arn "$tg" --query 'TargetHealthDescriptions[0].TargetHealth.State')" == healthy ]]; do sleep 0.2; done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "direct   (127.0.0.1:$tport):"; wrk -t2 -c32 -d${secs}s --latency "http://127.0.0.1:$tport/" | grep -E "Requests/sec|99%"
echo "listener (127.0.0.1:$lport):"; wrk -t2 -c32 -d${secs}s --latency "http://127.0.0.1:$lport/" | grep -E "Requests/sec|99%"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

before=$(rss)
/usr/bin/python3 - "$port" "$lb" "$tg" <<'PY'
import boto3, socket, sys
elbv2 = boto3.client("elbv2", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}")
for _ in range(100):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    elbv2.create_listener(LoadBalancerArn=sys.argv[2], Protocol="HTTP", Port=p,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": sys.argv[3]}])
PY
sleep 2
echo "100 idle listeners: $(( $(rss) - before )) KiB more resident ($(( ($(rss) - before) / 100 )) KiB each)"

/usr/bin/python3 - "$lport" "$pid" <<'PY'
import socket, sys
def rss():
    return int(next(l for l in open(f"/proc/{sys.argv[2]}/status") if l.startswith("VmRSS")).split()[1])
before, conns = rss(), []
for _ in range(1000):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
    s.recv(4096)
    conns.append(s)
print(f"1000 keep-alive client connections (each after one request): {rss() - before} KiB more resident")
PY
