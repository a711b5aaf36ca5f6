#!/usr/bin/env python3
"""Time from RunTask to RUNNING against a plain `docker run` of the same image, and 50 tasks
started at once. By hand: /usr/bin/python3 bench/task_start.py [--bin build/berth] [--rounds 5]
Needs a running dockerd and /bin/busybox (busybox-static)."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from helpers import start_berth  # noqa: E402

IMAGE = "berth-bench/httpd:1"
CMD = ["/bin/busybox", "httpd", "-f", "-p", "8080"]


def build_image(work):
    ctx = os.path.join(work, "ctx")
    os.makedirs(ctx)
    shutil.copy("/bin/busybox", ctx)
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY busybox /bin/busybox\n")
    subprocess.run(["docker", "build", "-q", "-t", IMAGE, ctx], check=True, capture_output=True,
                   env=dict(os.environ, DOCKER_BUILDKIT="0"))


def docker_run_seconds():
    t0 = time.monotonic()
    cid = subprocess.run(["docker", "run", "-d", "-p", "127.0.0.1::8080", IMAGE, *CMD], check=True,
                         capture_output=True, text=True).stdout.strip()
    while subprocess.run(["docker", "inspect", "-f", "{{.State.Running}}", cid], capture_output=True,
                         text=True).stdout.strip() != "true":
        time.sleep(0.01)
    elapsed = time.monotonic() - t0
    subprocess.run(["docker", "rm", "-f", cid], capture_output=True)
    return elapsed


def call(b, op, body):
    req = urllib.request.Request(b.endpoint + "/", data=json.dumps(body).encode(), headers={
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113." + op, "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def wait_running(b, arns):
    while True:
        tasks = call(b, "DescribeTasks", {"cluster": "bench", "tasks": arns})["tasks"]
        if all(t["lastStatus"] == "RUNNING" for t in tasks):
            return
        if any(t["lastStatus"] == "STOPPED" for t in tasks):
            raise RuntimeError(tasks)
        time.sleep(0.01)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/berth")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    os.environ["BERTH_BIN"] = os.path.abspath(args.bin)
    work = tempfile.mkdtemp()
    build_image(work)
    b = start_berth(data_dir=os.path.join(work, "data"))
    try:
        call(b, "CreateCluster", {"clusterName": "bench"})
        call(b, "RegisterTaskDefinition", {
            "family": "httpd", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
            "memory": "512", "containerDefinitions": [{"name": "web", "image": IMAGE, "command": CMD, "stopTimeout": 1,
                                                       "portMappings": [{"containerPort": 8080}]}]})
        net = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
        docker_times, berth_times = [], []
        for _ in range(args.rounds):
            docker_times.append(docker_run_seconds())
            t0 = time.monotonic()
            arn = call(b, "RunTask", {"cluster": "bench", "taskDefinition": "httpd", "launchType": "FARGATE",
                                      "networkConfiguration": net})["tasks"][0]["taskArn"]
            wait_running(b, [arn])
            berth_times.append(time.monotonic() - t0)
            call(b, "StopTask", {"cluster": "bench", "task": arn})
        d, r = statistics.median(docker_times), statistics.median(berth_times)
        print(f"docker run to running: median {d * 1000:.0f} ms; RunTask to RUNNING: median {r * 1000:.0f} ms; "
              f"ratio {r / d:.2f} (rounds {args.rounds})")

        t0 = time.monotonic()
        arns = []
        for _ in range(5):
            arns += [t["taskArn"] for t in call(b, "RunTask", {"cluster": "bench", "taskDefinition": "httpd",
                                                               "launchType": "FARGATE", "networkConfiguration": net,
                                                               "count": 10})["tasks"]]
        wait_running(b, arns)
        print(f"50 tasks from RunTask to all RUNNING: {time.monotonic() - t0:.2f} s")
    finally:
        b.reset()
        b.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
