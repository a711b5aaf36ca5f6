#!/usr/bin/env python3
"""Reliability figures of issue 13, run by hand (never in CI): two experiments against the real
berth binary, a real dockerd and a real SQLite file.

  load   N clients (default 64) for S seconds (default 60) over ECS, ECR (API and registry
         pushes) and Logs on keep-alive connections. Counts every error (a non-2xx answer, a
         reset, a timeout), then checks that every acknowledged write is there, both from the
         running berth and after a restart on the same data directory.
  kill9  R rounds (default 5): RunTask, `docker push` and PutLogEvents run concurrently and berth
         is killed with SIGKILL at a random moment; a new berth on the same data directory must
         show every acknowledged task, image and log event. Afterwards: every berth-labelled
         container of this data directory is a task berth knows, and every blob file has its row.

    /usr/bin/python3 bench/reliability.py load [--bin build/berth] [--clients 64] [--seconds 60]
    /usr/bin/python3 bench/reliability.py kill9 [--bin build/berth] [--rounds 5]

Exit status 0 when nothing was lost and no error was seen. Paste the summary into bench/RESULTS.md.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ECS = "AmazonEC2ContainerServiceV20141113."
ECR = "AmazonEC2ContainerRegistry_V20150921."
LOGS = "Logs_20140328."
SERVICE = {ECS: "ecs", ECR: "ecr", LOGS: "logs"}
IMAGE = "berth-bench/reliability:one"
ACCOUNT = "000000000000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def auth(service):
    return f"AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"


class ApiError(Exception):
    pass


class Client:
    """One keep-alive connection; any failure reconnects for the next call."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self.conn

    def raw(self, method, path, body=b"", headers=None):
        try:
            c = self._conn()
            c.request(method, path, body, headers or {})
            r = c.getresponse()
            return r.status, r.read(), r
        except Exception:
            self.conn = None
            raise

    def call(self, target, op, body):
        status, out, _ = self.raw("POST", "/", json.dumps(body).encode(), {
            "X-Amz-Target": target + op, "Authorization": auth(SERVICE[target]),
            "Content-Type": "application/x-amz-json-1.1"})
        if status != 200:
            raise ApiError(f"{op}: {status} {out[:200]!r}")
        return json.loads(out) if out else {}


class Berth:
    def __init__(self, binary, data_dir, port, log):
        self.binary, self.data_dir, self.port, self.log = binary, data_dir, port, log
        self.proc = None

    def start(self):
        logf = open(self.log, "a")
        self.proc = subprocess.Popen([self.binary, "serve", "--listen", f"127.0.0.1:{self.port}",
                                      "--data-dir", str(self.data_dir), "--log-level", "warn"],
                                     stdout=logf, stderr=logf)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                Client(self.port).call(ECS, "ListClusters", {})
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"berth exited with {self.proc.returncode}; see {self.log}")
                time.sleep(0.05)
        raise RuntimeError("berth did not answer within 30 s")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise RuntimeError("berth took more than 60 s to exit on SIGTERM")


def registry_password(client):
    token = client.call(ECR, "GetAuthorizationToken", {})["authorizationData"][0]["authorizationToken"]
    return base64.b64decode(token).decode().split(":", 1)[1]


def push_http(client, basic, repo, tag, payload):
    """An image of one layer pushed through /v2/ with monolithic uploads: config, layer, manifest."""
    def blob(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        status, out, _ = client.raw("POST", f"/v2/{repo}/blobs/uploads/?digest={digest}", data,
                                    {"Authorization": basic, "Content-Type": "application/octet-stream"})
        if status != 201:
            raise ApiError(f"blob upload: {status} {out[:200]!r}")
        return digest, len(data)
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
                         "config": {}, "tag": tag}).encode()
    cd, cs = blob(config)
    ld, ls = blob(payload)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]}).encode()
    status, out, _ = client.raw("PUT", f"/v2/{repo}/manifests/{tag}", manifest,
                                {"Authorization": basic, "Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    if status != 201:
        raise ApiError(f"manifest: {status} {out[:200]!r}")
    return "sha256:" + hashlib.sha256(manifest).hexdigest()


class Ledger:
    """What berth acknowledged, and what went wrong, across threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clusters, self.revisions, self.images, self.events, self.tasks = set(), set(), set(), {}, set()
        self.errors = []
        self.calls = 0

    def add(self, kind, value):
        with self.lock:
            self.calls += 1
            if kind == "events":
                stream, n = value
                self.events[stream] = self.events.get(stream, 0) + n
            else:
                getattr(self, kind).add(value)

    def error(self, text):
        with self.lock:
            self.errors.append(text)


def load_worker(i, port, basic, deadline, ledger):
    c = Client(port)
    group = "/bench/reliability"
    stream = f"s{i}"
    try:
        c.call(LOGS, "CreateLogStream", {"logGroupName": group, "logStreamName": stream})
    except Exception as e:
        ledger.error(f"CreateLogStream: {e}")
    n = 0
    while time.monotonic() < deadline:
        n += 1
        kind = (i + n) % 3
        try:
            if kind == 0:
                name = f"c{i}-{n}"
                c.call(ECS, "CreateCluster", {"clusterName": name})
                ledger.add("clusters", name)
                out = c.call(ECS, "RegisterTaskDefinition", {
                    "family": f"f{i}", "containerDefinitions": [{"name": "app", "image": IMAGE, "memory": 64}]})
                ledger.add("revisions", (f"f{i}", out["taskDefinition"]["revision"]))
                c.call(ECS, "DescribeClusters", {"clusters": [name]})
            elif kind == 1:
                repo = f"r{i}"
                if n < 4:
                    try:
                        c.call(ECR, "CreateRepository", {"repositoryName": repo})
                    except ApiError as e:
                        if "RepositoryAlreadyExistsException" not in str(e):
                            raise
                tag = f"t{n}"
                digest = push_http(c, basic, repo, tag, os.urandom(2048))
                ledger.add("images", (repo, tag, digest))
            else:
                now = int(time.time() * 1000)
                c.call(LOGS, "PutLogEvents", {"logGroupName": group, "logStreamName": stream,
                                              "logEvents": [{"timestamp": now, "message": f"{i} {n} {k}"} for k in range(10)]})
                ledger.add("events", (stream, 10))
        except Exception as e:
            ledger.error(f"{['ecs', 'ecr', 'logs'][kind]}: {e}")


def count_events(c, group, stream):
    n, token = 0, None
    while True:
        body = {"logGroupName": group, "logStreamName": stream, "startFromHead": True, "limit": 10000}
        if token:
            body["nextToken"] = token
        out = c.call(LOGS, "GetLogEvents", body)
        n += len(out["events"])
        if out["nextForwardToken"] == token or not out["events"]:
            return n
        token = out["nextForwardToken"]


def verify(port, ledger, group="/bench/reliability", cluster=None):
    """The acknowledged writes berth does not show, as readable lines."""
    c = Client(port)
    missing = []
    clusters = sorted(ledger.clusters)
    for k in range(0, len(clusters), 100):
        out = c.call(ECS, "DescribeClusters", {"clusters": clusters[k:k + 100]})
        missing += [f"cluster {f['arn']}" for f in out.get("failures", [])]
        missing += [f"cluster {x['clusterName']} {x['status']}" for x in out["clusters"] if x["status"] != "ACTIVE"]
    for family, rev in sorted(ledger.revisions):
        try:
            c.call(ECS, "DescribeTaskDefinition", {"taskDefinition": f"{family}:{rev}"})
        except ApiError as e:
            missing.append(f"task definition {family}:{rev}: {e}")
    by_repo = {}
    for repo, tag, digest in ledger.images:
        by_repo.setdefault(repo, []).append({"imageTag": tag, "imageDigest": digest})
    for repo, ids in sorted(by_repo.items()):
        for k in range(0, len(ids), 100):
            out = c.call(ECR, "BatchGetImage", {"repositoryName": repo, "imageIds": ids[k:k + 100]})
            missing += [f"image {repo} {f['imageId']}" for f in out.get("failures", [])]
    for stream, n in sorted(ledger.events.items()):
        got = count_events(c, group, stream)
        if got < n:
            missing.append(f"log stream {stream}: {got} of {n} acknowledged events")
    tasks = sorted(ledger.tasks)
    statuses = {}
    for k in range(0, len(tasks), 100):
        out = c.call(ECS, "DescribeTasks", {"cluster": cluster, "tasks": tasks[k:k + 100]})
        missing += [f"task {f['arn']}" for f in out.get("failures", [])]
        for t in out["tasks"]:
            key = (t["lastStatus"], t.get("stoppedReason", ""))
            statuses[key] = statuses.get(key, 0) + 1
    if statuses:
        print("  tasks: " + "; ".join(f"{n} {s} {r!r}" for (s, r), n in sorted(statuses.items())))
    return missing


def experiment_load(args):
    work = Path(tempfile.mkdtemp(prefix="berth-reliability-"))
    port = free_port()
    berth = Berth(args.bin, work / "data", port, work / "berth.log")
    berth.start()
    try:
        c = Client(port)
        c.call(LOGS, "CreateLogGroup", {"logGroupName": "/bench/reliability"})
        basic = "Basic " + base64.b64encode(f"AWS:{registry_password(c)}".encode()).decode()
        ledger = Ledger()
        deadline = time.monotonic() + args.seconds
        t0 = time.monotonic()
        threads = [threading.Thread(target=load_worker, args=(i, port, basic, deadline, ledger)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        missing = verify(port, ledger)
        berth.stop()
        berth.start()
        missing_after_restart = verify(port, ledger)
        rss = Path(f"/proc/{berth.proc.pid}/status").read_text()
        print(f"load: {args.clients} clients, {elapsed:.1f} s, {ledger.calls} acknowledged writes "
              f"({ledger.calls / elapsed:.0f}/s): {len(ledger.clusters)} clusters, {len(ledger.revisions)} task "
              f"definitions, {len(ledger.images)} images pushed, {sum(ledger.events.values())} log events")
        print(f"errors: {len(ledger.errors)}" + "".join(f"\n  {e}" for e in ledger.errors[:20]))
        print(f"missing while running: {len(missing)}" + "".join(f"\n  {m}" for m in missing[:20]))
        print(f"missing after restart: {len(missing_after_restart)}" + "".join(f"\n  {m}" for m in missing_after_restart[:20]))
        print("berth after restart: " + " ".join(l for l in rss.splitlines() if l.startswith("VmRSS")))
        berth.stop()
        return 0 if not (ledger.errors or missing or missing_after_restart) else 1
    finally:
        if berth.proc.poll() is None:
            berth.kill9()
        shutil.rmtree(work, ignore_errors=True)


def build_image(work):
    ctx = work / "ctx"
    ctx.mkdir()
    shutil.copy("/bin/busybox", ctx / "busybox")
    (ctx / "Dockerfile").write_text('FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "sleep", "1"]\n')
    subprocess.run(["docker", "build", "-q", "-t", IMAGE, str(ctx)], check=True, capture_output=True,
                   env=dict(os.environ, DOCKER_BUILDKIT="0"))


def docker_env(work):
    return dict(os.environ, DOCKER_CONFIG=str(work / "docker-config"))


def kill9_round(args, work, berth, rnd, ledger):
    port = berth.port
    stop = threading.Event()
    env = docker_env(work)

    def run_tasks():
        c = Client(port)
        while not stop.is_set():
            try:
                out = c.call(ECS, "RunTask", {"cluster": "rel", "taskDefinition": "rel", "launchType": "EC2"})
                for t in out["tasks"]:
                    ledger.add("tasks", t["taskArn"])
            except Exception:
                pass  # berth may die mid-call: only acknowledged tasks count

    def push_images():
        n = 0
        while not stop.is_set():
            n += 1
            ref = f"127.0.0.1:{port}/rel{rnd}:p{n}"
            subprocess.run(["docker", "tag", IMAGE, ref], env=env, capture_output=True)
            p = subprocess.run(["docker", "push", ref], env=env, capture_output=True, text=True)
            if p.returncode == 0:
                digest = next((w for w in p.stdout.split() if w.startswith("sha256:")), None)
                ledger.add("images", (f"rel{rnd}", f"p{n}", digest))
            subprocess.run(["docker", "rmi", ref], env=env, capture_output=True)

    def put_events():
        c = Client(port)
        stream, n = f"round{rnd}", 0
        while not stop.is_set():
            n += 1
            try:
                c.call(LOGS, "PutLogEvents", {"logGroupName": "/bench/reliability", "logStreamName": stream,
                                              "logEvents": [{"timestamp": int(time.time() * 1000), "message": f"{n} {k}"}
                                                            for k in range(100)]})
                ledger.add("events", (stream, 100))
            except Exception:
                pass

    threads = [threading.Thread(target=f) for f in (run_tasks, run_tasks, push_images, put_events, put_events)]
    for t in threads:
        t.start()
    time.sleep(random.uniform(2, 8))  # the random moment of the kill is the experiment itself
    berth.kill9()
    stop.set()
    for t in threads:
        t.join()


def all_tasks(c, **filters):
    arns, token = [], None
    while True:
        body = {"cluster": "rel", "maxResults": 100, **filters}
        if token:
            body["nextToken"] = token
        out = c.call(ECS, "ListTasks", body)
        arns += out["taskArns"]
        token = out.get("nextToken")
        if not token:
            return arns


def stop_everything(port, timeout=600):
    """Stops every task of the experiment and waits until all are STOPPED."""
    c = Client(port)
    for arn in all_tasks(c, desiredStatus="RUNNING"):
        c.call(ECS, "StopTask", {"cluster": "rel", "task": arn, "reason": "reliability experiment over"})
    deadline = time.monotonic() + timeout
    while True:
        arns = all_tasks(c, desiredStatus="STOPPED")
        live = 0
        for k in range(0, len(arns), 100):
            live += sum(t["lastStatus"] != "STOPPED" for t in
                        c.call(ECS, "DescribeTasks", {"cluster": "rel", "tasks": arns[k:k + 100]})["tasks"])
        if not live or time.monotonic() > deadline:
            return len(arns), live
        time.sleep(1)


def orphans(work, port):
    """Once every task is STOPPED: berth-labelled containers of this data dir that still run
    (other than warm pause containers) or belong to no task berth knows, and blob files with no
    registry_blobs row."""
    data = str(work / "data")
    out = subprocess.run(["docker", "ps", "-a", "--filter", f"label=berth.instance={data}", "--format",
                          '{{.ID}}|{{.State}}|{{.Label "berth.pool"}}|{{.Label "com.amazonaws.ecs.task-arn"}}'],
                         capture_output=True, text=True, check=True).stdout.split()
    known = set(all_tasks(Client(port), desiredStatus="STOPPED"))
    stray = []
    for line in out:
        cid, state, pool, task = line.split("|")
        if pool:
            continue
        if state == "running" or task not in known:
            stray.append(f"{cid} {state} {task or 'no task label'}")
    db = sqlite3.connect(f"file:{work / 'data' / 'berth.db'}?mode=ro", uri=True)
    rows = {r[0] for r in db.execute("SELECT digest FROM registry_blobs")}
    db.close()
    files = {"sha256:" + p.name for p in (work / "data" / "registry" / "blobs" / "sha256").rglob("*") if p.is_file()}
    return stray, sorted(files - rows), len(out)


def experiment_kill9(args):
    work = Path(tempfile.mkdtemp(prefix="berth-kill9-"))
    (work / "docker-config").mkdir()
    build_image(work)
    port = free_port()
    berth = Berth(args.bin, work / "data", port, work / "berth.log")
    ledger = Ledger()
    failed = False
    try:
        berth.start()
        c = Client(port)
        c.call(ECS, "CreateCluster", {"clusterName": "rel"})
        c.call(ECS, "RegisterTaskDefinition", {"family": "rel", "containerDefinitions": [
            {"name": "app", "image": IMAGE, "memory": 32, "command": ["/bin/busybox", "sleep", "1"]}]})
        c.call(LOGS, "CreateLogGroup", {"logGroupName": "/bench/reliability"})
        for rnd in range(1, args.rounds + 1):
            for stream in (f"round{rnd}",):
                c.call(LOGS, "CreateLogStream", {"logGroupName": "/bench/reliability", "logStreamName": stream})
            password = registry_password(c)
            subprocess.run(["docker", "login", "-u", "AWS", "--password-stdin", f"127.0.0.1:{port}"], input=password,
                           text=True, env=docker_env(work), check=True, capture_output=True)
            c.call(ECR, "CreateRepository", {"repositoryName": f"rel{rnd}"})
            before = (len(ledger.tasks), len(ledger.images), sum(ledger.events.values()))
            kill9_round(args, work, berth, rnd, ledger)
            berth.start()
            c = Client(port)
            missing = verify(port, ledger, cluster="rel")
            after = (len(ledger.tasks), len(ledger.images), sum(ledger.events.values()))
            print(f"round {rnd}: acknowledged before the kill: {after[0] - before[0]} tasks, {after[1] - before[1]} "
                  f"pushes, {after[2] - before[2]} log events; missing after restart: {len(missing)}"
                  + "".join(f"\n  {m}" for m in missing[:20]))
            failed |= bool(missing)
        # Orphans, once every task of every round has been stopped and berth has reconciled them.
        total_tasks, live = stop_everything(port)
        print(f"stopped all {total_tasks} tasks; not STOPPED after 10 minutes: {live}")
        stray, blobs, total = orphans(work, port)
        failed |= bool(live)
        print(f"after {args.rounds} rounds: {total} berth containers of this data dir, "
              f"{len(stray)} not a known task's {stray[:10]}, {len(blobs)} blob files without a row {blobs[:5]}")
        failed |= bool(stray or blobs)
    finally:
        if berth.proc and berth.proc.poll() is None:
            try:
                status, out, _ = Client(port).raw("POST", "/_berth/reset", b"{}", {"Authorization": auth("ecs"), "Content-Type": "application/json"})
                if status != 200:
                    print(f"reset: {status} {out[:200]!r}")
            except Exception as e:
                print(f"reset: {e}")
            berth.stop()
        left = subprocess.run(["docker", "ps", "-aq", "--filter", "label=berth.managed", "--filter",
                               f"label=berth.instance={work / 'data'}"], capture_output=True, text=True).stdout.split()
        if left:
            print(f"left after reset and stop: {len(left)} containers (removed now)")
            print(subprocess.run(["docker", "ps", "-a", "--filter", f"label=berth.instance={work / 'data'}", "--format",
                                  "{{.ID}} {{.Status}} {{.Labels}}"], capture_output=True, text=True).stdout)
            subprocess.run(["docker", "rm", "-f", "-v", *left], capture_output=True)
            failed = True
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("experiment", choices=["load", "kill9"])
    p.add_argument("--bin", default=str(Path(__file__).resolve().parent.parent / "build" / "berth"))
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    raise SystemExit(experiment_load(args) if args.experiment == "load" else experiment_kill9(args))


if __name__ == "__main__":
    main()
