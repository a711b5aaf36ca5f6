#!/usr/bin/env python3
"""Throughput of a task's published port: berth relays awsvpc ports itself (src/runtime/port_proxy.h),
compared with Docker's own publishing (`docker run -p`, docker-proxy on loopback) for the same image.
By hand: /usr/bin/python3 bench/task_port_throughput.py [--bin build/berth] [--mib 512]
Needs a running dockerd and /bin/busybox (busybox-static)."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from helpers import start_berth  # noqa: E402
from task_start import IMAGE, build_image, call, wait_running  # noqa: E402


def serve_cmd(mib):
    # A file of MIB MiB in the container's /tmp, served by busybox httpd.
    return ["/bin/busybox", "sh", "-c",
            f"/bin/busybox mkdir -p /w && /bin/busybox dd if=/dev/zero of=/w/f bs=1048576 count={mib} 2>/dev/null && "
            "exec /bin/busybox httpd -f -p 8080 -h /w"]


def download_seconds(port, mib):
    # curl, so the client costs little next to the relay being measured.
    deadline = time.monotonic() + 30
    while True:
        r = subprocess.run(["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                            f"http://127.0.0.1:{port}/f"], capture_output=True, text=True)
        if r.returncode == 0:
            size, seconds = r.stdout.split()
            assert int(size) == mib << 20, size
            return float(seconds)
        if time.monotonic() > deadline:
            raise RuntimeError(r.stderr)
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/berth")
    ap.add_argument("--mib", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    os.environ["BERTH_BIN"] = os.path.abspath(args.bin)
    work = tempfile.mkdtemp()
    build_image(work)
    cid = subprocess.run(["docker", "run", "-d", "-p", "127.0.0.1::8080", IMAGE, *serve_cmd(args.mib)], check=True,
                         capture_output=True, text=True).stdout.strip()
    b = start_berth(data_dir=os.path.join(work, "data"))
    try:
        port = subprocess.run(["docker", "port", cid, "8080/tcp"], capture_output=True, text=True,
                              check=True).stdout.split(":")[-1].strip()
        docker = [download_seconds(port, args.mib) for _ in range(args.rounds)]

        call(b, "CreateCluster", {"clusterName": "bench"})
        call(b, "RegisterTaskDefinition", {
            "family": "big", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
            "memory": "1024", "containerDefinitions": [{"name": "web", "image": IMAGE, "command": serve_cmd(args.mib),
                                                        "stopTimeout": 1, "portMappings": [{"containerPort": 8080}]}]})
        arn = call(b, "RunTask", {"cluster": "bench", "taskDefinition": "big", "launchType": "FARGATE",
                                  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}
                   )["tasks"][0]["taskArn"]
        wait_running(b, [arn])
        task = call(b, "DescribeTasks", {"cluster": "bench", "tasks": [arn]})["tasks"][0]
        berth = [download_seconds(task["containers"][0]["networkBindings"][0]["hostPort"], args.mib)
                 for _ in range(args.rounds)]
        d, r = statistics.median(docker), statistics.median(berth)
        print(f"{args.mib} MiB over loopback, median of {args.rounds}: docker -p {args.mib / d:.0f} MiB/s, "
              f"berth {args.mib / r:.0f} MiB/s (ratio {d / r:.2f})")
    finally:
        subprocess.run(["docker", "rm", "-f", cid], capture_output=True)
        b.reset()
        b.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
