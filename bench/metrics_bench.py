#!/usr/bin/env python3
"""CloudWatch metrics benchmark (issue 12), run by hand (never in CI).

1. PutMetricData throughput: SERIES series x MINUTES one-minute datapoints (default 1,000 x 1,440:
   one day), 1,000 MetricDatum per call (CloudWatch's limit) over one keep-alive connection, JSON 1.0
   as boto3 sends it. Aim: 10,000 datapoints/s.
2. GetMetricData over those 1,000 series x 1 day at 1-minute resolution. Aim: under 100 ms.
   Timed three ways: SUM(METRICS()) over all series (1,000 MetricStat queries in three calls of
   at most 499 plus the expression, CloudWatch's limit being 500 per call, each returning one
   1,440-point sum: every stored point is read), 500 MetricStat queries at Period 3600 (half the points read, 12,000 returned), and
   every 1-minute point returned (1.44M, paged by MaxDatapoints 100,800).
3. berth's CPU while sampling N RUNNING containers (--containers N, 0 to skip): N bridge tasks
   sleeping, berth's utime+stime from /proc over --cpu-window seconds at the default
   --stats-interval (10 s), against the same window with no task running.

    /usr/bin/python3 bench/metrics_bench.py [--bin build/berth] [--series 1000] [--minutes 1440]
        [--containers 100] [--cpu-window 60]

Paste the printed figures into bench/RESULTS.md with the machine's load (uptime).
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CW = "GraniteServiceVersion20100801."
CW_AUTH = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0"
ECS = "AmazonEC2ContainerServiceV20141113."
ECS_AUTH = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0"
IMAGE = "berth-bench/sleep:one"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(self, target, auth, version, op, body, extra=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"X-Amz-Target": target + op, "Authorization": auth,
                   "Content-Type": f"application/x-amz-json-{version}"}
        headers.update(extra or {})
        self.conn.request("POST", "/", data, headers)
        resp = self.conn.getresponse()
        out = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{op}: {resp.status} {out[:300]!r}")
        return json.loads(out)

    def cw(self, op, body):
        return self.call(CW, CW_AUTH, "1.0", op, body, {"x-amzn-query-mode": "true"})

    def ecs(self, op, body):
        return self.call(ECS, ECS_AUTH, "1.1", op, body)


def dims(i):
    return [{"Name": "ClusterName", "Value": "bench"}, {"Name": "ServiceName", "Value": f"svc-{i:04d}"}]


def put_bodies(series, minutes, start):
    """Bodies of 1,000 datums each, minute by minute across all series, built before the clock starts."""
    datums = ({"MetricName": "Latency", "Dimensions": dims(i), "Timestamp": start + m * 60,
               "Value": float((i * 7 + m) % 500), "Unit": "Milliseconds"}
              for m in range(minutes) for i in range(series))
    bodies, batch = [], []
    for d in datums:
        batch.append(d)
        if len(batch) == 1000:
            bodies.append(json.dumps({"Namespace": "Bench", "MetricData": batch}).encode())
            batch = []
    if batch:
        bodies.append(json.dumps({"Namespace": "Bench", "MetricData": batch}).encode())
    return bodies


def stat_query(i, period, stat="Average", return_data=True):
    return {"Id": f"m{i}", "ReturnData": return_data,
            "MetricStat": {"Metric": {"Namespace": "Bench", "MetricName": "Latency", "Dimensions": dims(i)},
                           "Period": period, "Stat": stat}}


def timed(f, repeat):
    out, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = f()
        out.append((time.perf_counter() - t0) * 1000)
    return out, result


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def build_image():
    ctx = Path(tempfile.mkdtemp(prefix="berth-bench-image-"))
    shutil.copy("/bin/busybox", ctx / "busybox")
    (ctx / "Dockerfile").write_text('FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "sleep", "3600"]\n')
    subprocess.run(["docker", "build", "-q", "-t", IMAGE, str(ctx)], check=True, capture_output=True,
                   env=dict(os.environ, DOCKER_BUILDKIT="0"))
    shutil.rmtree(ctx)


def bench_sampling(c, pid, n, window):
    build_image()
    c.ecs("CreateCluster", {"clusterName": "sampled"})
    c.ecs("RegisterTaskDefinition", {"family": "sleeper", "networkMode": "bridge", "requiresCompatibilities": ["EC2"],
                                     "cpu": "128", "memory": "64", "containerDefinitions": [{"name": "s", "image": IMAGE, "memory": 16, "cpu": 10,
                                                               "essential": True, "stopTimeout": 1,
                                                               "command": ["/bin/busybox", "sleep", "3600"]}]})
    t0 = cpu_seconds(pid)
    time.sleep(window)
    idle = cpu_seconds(pid) - t0
    arns = []
    while len(arns) < n:
        out = c.ecs("RunTask", {"cluster": "sampled", "taskDefinition": "sleeper", "launchType": "EC2",
                                "count": min(10, n - len(arns))})
        arns += [t["taskArn"] for t in out["tasks"]]
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        running = 0
        for i in range(0, len(arns), 100):
            tasks = c.ecs("DescribeTasks", {"cluster": "sampled", "tasks": arns[i:i + 100]})["tasks"]
            running += sum(t["lastStatus"] == "RUNNING" for t in tasks)
        if running == n:
            break
        time.sleep(2)
    print(f"{n} tasks RUNNING", flush=True)
    time.sleep(15)  # the engine's start-up work settles
    t0 = cpu_seconds(pid)
    w0 = time.monotonic()
    time.sleep(window)
    busy = cpu_seconds(pid) - t0
    span = time.monotonic() - w0
    # The cluster's AWS/ECS series gets one sample per sampling pass: how many passes the window saw.
    now = int(time.time())
    dp = c.cw("GetMetricStatistics", {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization",
                                      "Dimensions": [{"Name": "ClusterName", "Value": "sampled"}],
                                      "StartTime": now - int(span) - 60, "EndTime": now + 60, "Period": 60,
                                      "Statistics": ["SampleCount"]})["Datapoints"]
    passes = sum(p["SampleCount"] for p in dp)
    print(f"sampling passes with every container measured, in the window and the minute before: {passes:.0f}")
    print(f"berth CPU with {n} containers sampled every 10 s: {busy / span * 100:.2f}% of a core "
          f"({busy:.2f} s over {span:.0f} s); idle before: {idle / window * 100:.2f}%; "
          f"difference {(busy / span - idle / window) * 100:.2f}%")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("BERTH_BIN", "build/berth"))
    ap.add_argument("--series", type=int, default=1000)
    ap.add_argument("--minutes", type=int, default=1440)
    ap.add_argument("--containers", type=int, default=100)
    ap.add_argument("--cpu-window", type=int, default=60)
    args = ap.parse_args()

    port = free_port()
    # Ephemeral: every container and the data directory go when berth exits.
    proc = subprocess.Popen([args.bin, "serve", "--listen", f"127.0.0.1:{port}", "--log-level", "warn",
                             "--ephemeral"])
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        c = Client(port)
        print(f"load before: {os.getloadavg()}", flush=True)
        if args.series == 0:
            bench_sampling(c, proc.pid, args.containers, args.cpu_window)
            return
        end = int(time.time()) // 60 * 60
        start = end - args.minutes * 60
        bodies = put_bodies(args.series, args.minutes, start)
        points = args.series * args.minutes
        cpu0 = cpu_seconds(proc.pid)
        t0 = time.perf_counter()
        for b in bodies:
            c.cw("PutMetricData", b)
        put_s = time.perf_counter() - t0
        put_cpu = cpu_seconds(proc.pid) - cpu0
        # On a shared machine the wall-clock rate says more about the load than about berth: the
        # rate per second of berth's own CPU is printed beside it.
        print(f"PutMetricData: {points:,} datapoints in {len(bodies):,} calls of 1,000 in {put_s:.2f} s = "
              f"{points / put_s:,.0f} datapoints/s; berth CPU {put_cpu:.1f} s = {points / put_cpu:,.0f} "
              f"datapoints per CPU-second", flush=True)
        db = next(Path(os.readlink(f)) for f in Path(f"/proc/{proc.pid}/fd").iterdir()
                  if os.readlink(f).endswith("/berth.db"))
        print(f"database: {db.stat().st_size / 1e6:.0f} MB", flush=True)

        half = min(500, args.series // 2)
        # 500 queries per call at most, the expression included.
        chunks = [(lo, min(lo + 499, args.series)) for lo in range(0, args.series, 499)]

        def sum_all():
            total = 0
            for lo, hi in chunks:
                q = [stat_query(i, 60, return_data=False) for i in range(lo, hi)]
                q.append({"Id": "total", "Expression": "SUM(METRICS())"})
                out = c.cw("GetMetricData", {"MetricDataQueries": q, "StartTime": start, "EndTime": end})
                total += len(out["MetricDataResults"][0]["Values"])
            return total

        cpu0 = cpu_seconds(proc.pid)
        ms, n = timed(sum_all, 3)
        print(f"  (berth CPU per SUM(METRICS()) run: {(cpu_seconds(proc.pid) - cpu0) / 3 * 1000:.0f} ms)")
        print(f"GetMetricData SUM(METRICS()) of {args.series:,} series x {args.minutes} min ({len(chunks)} calls): median {statistics.median(ms):.0f} ms, best {min(ms):.0f} ms ({n} values)", flush=True)

        def hourly():
            out = c.cw("GetMetricData", {"MetricDataQueries": [stat_query(i, 3600) for i in range(half)],
                                         "StartTime": start, "EndTime": end})
            return sum(len(r["Values"]) for r in out["MetricDataResults"])

        ms, n = timed(hourly, 3)
        print(f"GetMetricData {half} series at Period 3600 over the day: median {statistics.median(ms):.0f} ms, "
              f"best {min(ms):.0f} ms ({n:,} values)", flush=True)

        def every_point():
            total = 0
            for lo, hi in ((0, half), (half, args.series)):
                if lo >= hi:
                    continue
                token = None
                while True:
                    body = {"MetricDataQueries": [stat_query(i, 60) for i in range(lo, hi)],
                            "StartTime": start, "EndTime": end}
                    if token:
                        body["NextToken"] = token
                    out = c.cw("GetMetricData", body)
                    total += sum(len(r["Values"]) for r in out["MetricDataResults"])
                    token = out.get("NextToken")
                    if not token:
                        break
            return total

        ms, n = timed(every_point, 1)
        print(f"GetMetricData every 1-minute point of {args.series:,} series (paged): {ms[0]:.0f} ms "
              f"({n:,} values)", flush=True)

        def one_series():
            out = c.cw("GetMetricData", {"MetricDataQueries": [stat_query(7, 60)], "StartTime": start, "EndTime": end})
            return len(out["MetricDataResults"][0]["Values"])

        ms, n = timed(one_series, 20)
        print(f"GetMetricData one series x 1 day at 60 s: median {statistics.median(ms):.1f} ms ({n} values)",
              flush=True)

        if args.containers:
            bench_sampling(c, proc.pid, args.containers, args.cpu_window)
        print(f"load after: {os.getloadavg()}", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
