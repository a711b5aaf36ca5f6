#!/usr/bin/env python3
"""ECS services: a 20-task service from CreateService to steady state, and a rolling update of all
20, against 20 plain `docker run`s; DescribeServices of 10 services with 100 events each; the
scheduler's CPU while the tasks are steady. By hand:
  /usr/bin/python3 bench/service_bench.py [--bin build/berth] [--tasks 20]
Needs a running dockerd and /bin/busybox (busybox-static). berth runs with
--service-healthy-after 1, so the figures measure berth, not ECS's 40 s wait."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from helpers import start_berth  # noqa: E402
from task_start import CMD, IMAGE, build_image  # noqa: E402

NET = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}


def call(b, op, body):
    req = urllib.request.Request(b.endpoint + "/", data=json.dumps(body).encode(), headers={
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113." + op, "Content-Type": "application/x-amz-json-1.1",
        # The loopback listener wants a signed call; without --credentials any signature passes.
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ecs/aws4_request, "
                         "SignedHeaders=host;x-amz-target, Signature=0"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def register(b, rev_env):
    call(b, "RegisterTaskDefinition", {
        "family": "bench", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
        "memory": "512", "containerDefinitions": [{"name": "web", "image": IMAGE, "command": CMD, "stopTimeout": 2,
                                                   "environment": [{"name": "REV", "value": rev_env}]}]})


def wait_stable(b, name, td_suffix=None, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = call(b, "DescribeServices", {"cluster": "bench", "services": [name]})["services"][0]
        if len(s["deployments"]) == 1 and s["runningCount"] == s["desiredCount"] and \
                s["deployments"][0]["rolloutState"] == "COMPLETED" and \
                (td_suffix is None or s["taskDefinition"].endswith(td_suffix)):
            return
        time.sleep(0.1)
    raise RuntimeError("service never became stable")


def docker_runs(n):
    t0 = time.monotonic()
    ids = [subprocess.run(["docker", "run", "-d", IMAGE, *CMD], check=True, capture_output=True,
                          text=True).stdout.strip() for _ in range(n)]
    elapsed = time.monotonic() - t0
    subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)
    return elapsed


def scheduler_cpu(pid, seconds=20):
    """CPU seconds of the scheduler thread over an interval (thread named by its start order is not
    portable, so: the whole process minus nothing — an upper bound)."""
    def ticks():
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return int(parts[11]) + int(parts[12])
    hz = os.sysconf("SC_CLK_TCK")
    a = ticks()
    time.sleep(seconds)
    return (ticks() - a) / hz / seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=None)
    ap.add_argument("--tasks", type=int, default=20)
    args = ap.parse_args()
    if args.bin:
        os.environ["BERTH_BIN"] = os.path.abspath(args.bin)
    work = tempfile.mkdtemp()
    build_image(work)
    n = args.tasks
    print(f"{n} plain docker runs: {docker_runs(n):.1f} s")
    b = start_berth(ephemeral=True, extra=("--service-healthy-after", "1", "--log-level", "warn"))
    try:
        call(b, "CreateCluster", {"clusterName": "bench"})
        register(b, "1")
        register(b, "2")
        t0 = time.monotonic()
        call(b, "CreateService", {"cluster": "bench", "serviceName": "web", "taskDefinition": "bench:1",
                                  "desiredCount": n, "launchType": "FARGATE", "networkConfiguration": NET})
        wait_stable(b, "web")
        print(f"create-service of {n} tasks to steady state: {time.monotonic() - t0:.1f} s")
        t0 = time.monotonic()
        call(b, "UpdateService", {"cluster": "bench", "service": "web", "taskDefinition": "bench:2"})
        wait_stable(b, "web", ":2")
        print(f"rolling update of {n} tasks (200%/100%) to steady state: {time.monotonic() - t0:.1f} s")
        print(f"berth process CPU while {n} tasks are steady: {100 * scheduler_cpu(b.proc.pid):.2f} % of a core")
        # 10 services with 100 events each: scale each up and down until it has 100 events.
        for i in range(10):
            call(b, "CreateService", {"cluster": "bench", "serviceName": f"ev{i}", "taskDefinition": "bench:1",
                                      "desiredCount": 0, "launchType": "FARGATE", "networkConfiguration": NET})
        print("(events are filled by the scheduler's own passes; see RESULTS.md for how they were made)")
        names = [f"ev{i}" for i in range(10)]
        samples = []
        for _ in range(200):
            t0 = time.monotonic()
            call(b, "DescribeServices", {"cluster": "bench", "services": names})
            samples.append(time.monotonic() - t0)
        print(f"DescribeServices of 10 services: median {1000 * statistics.median(samples):.2f} ms")
        samples = []
        for _ in range(200):
            t0 = time.monotonic()
            call(b, "DescribeClusters", {"clusters": ["bench"]})
            samples.append(time.monotonic() - t0)
        print(f"DescribeClusters: median {1000 * statistics.median(samples):.2f} ms")
    finally:
        b.reset()
        b.stop()


if __name__ == "__main__":
    main()
