"""Shared helpers for berth's integration tests: start/stop the real binary, talk to it with the
aws CLI, boto3 and raw HTTP."""
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BERTH_BIN = os.environ.get("BERTH_BIN", str(REPO / "build" / "berth"))
AWS_CLI = "/usr/bin/aws"
TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113"
DEFAULT_ACCOUNT = "000000000000"
ROOT_PRINCIPAL = f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AwsCliError(Exception):
    def __init__(self, args, rc, stdout, stderr):
        super().__init__(f"aws {' '.join(args)} exited {rc}:\n{stderr}\n{stdout}")
        self.rc, self.stdout, self.stderr = rc, stdout, stderr


class Berth:
    """One running berth process."""

    def __init__(self, port, proc, data_dir=None, log_path=None):
        self.port = port
        self.proc = proc
        self.data_dir = data_dir
        self.log_path = log_path
        self.endpoint = f"http://127.0.0.1:{port}"

    # ---- lifecycle -------------------------------------------------------------------------
    def wait_healthy(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"berth exited early with {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/_berth/health", timeout=2) as r:
                    if r.status == 200:
                        return json.loads(r.read())
            except Exception as e:  # not listening yet
                last = e
            time.sleep(0.05)
        raise RuntimeError(f"berth not healthy after {timeout}s: {last}; {self.log()}")

    def stop(self, timeout=15.0):
        """SIGTERM, wait, and return the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"berth did not exit within {timeout}s of SIGTERM")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=15)

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        if self.log_path and Path(self.log_path).exists():
            return Path(self.log_path).read_text(errors="replace")[-4000:]
        return ""

    def reset(self):
        status, _, body = self.http("POST", "/_berth/reset", b"", {"Content-Type": "application/json"})
        assert status == 200, body
        return body

    # ---- aws CLI ---------------------------------------------------------------------------
    def cli_env(self, access_key="test", region="us-east-1"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=access_key,
            AWS_SECRET_ACCESS_KEY="test",
            AWS_DEFAULT_REGION=region,
            AWS_PAGER="",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        )
        return env

    def aws_rc(self, *args, access_key="test", region="us-east-1"):
        """Runs the aws CLI; returns (returncode, stdout, stderr)."""
        argv = ["--endpoint-url", self.endpoint, "--output", "json", *map(str, args)]
        env = self.cli_env(access_key, region)
        if AWS_IN_PROCESS and threading.current_thread() is threading.main_thread():
            return run_aws_cli_server(argv, env)
        p = subprocess.run([AWS_CLI, *argv], capture_output=True, text=True, timeout=60, env=env)
        return p.returncode, p.stdout, p.stderr

    def aws(self, *args, access_key="test", region="us-east-1"):
        """Runs the aws CLI and returns its parsed JSON output (None when it printed nothing)."""
        rc, out, err = self.aws_rc(*args, access_key=access_key, region=region)
        if rc != 0:
            raise AwsCliError(list(map(str, args)), rc, out, err)
        return json.loads(out) if out.strip() else None

    # ---- boto3 -----------------------------------------------------------------------------
    def client(self, service="ecs", access_key="test", region="us-east-1"):
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )

    # ---- raw HTTP --------------------------------------------------------------------------
    def http(self, method, path, body=b"", headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = data
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed
        finally:
            conn.close()

    def raw(self, op, body=None, *, raw_body=None, target=None, headers=None, timeout=30):
        """POSTs an awsJson1_1 request. `body` is JSON-encoded; `raw_body` (bytes/str) is sent
        as is; a header given as None is left out. Returns (status, headers with lower-case
        names, parsed JSON body)."""
        if raw_body is None:
            raw_body = json.dumps({} if body is None else body)
        if isinstance(raw_body, str):
            raw_body = raw_body.encode()
        h = {"Content-Type": "application/x-amz-json-1.1", "Authorization": sdk_authorization()}
        if target is not False:
            h["X-Amz-Target"] = target or f"{TARGET_PREFIX}.{op}"
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        return self.http("POST", "/", raw_body, h, timeout=timeout)

    def ok(self, op, body=None, **kw):
        """raw() that must succeed; returns the parsed body."""
        status, _, parsed = self.raw(op, body, **kw)
        assert status == 200, (op, status, parsed)
        return parsed


# /usr/bin/aws is a five-line script around Debian's awscli package; most of its ~1.5 s of CPU
# per call is importing that package. aws_rc sends each call to a server instead: a
# /usr/bin/python3 process (one per test process) that imported awscli once and runs the script's
# own entry point, awscli.clidriver.main(), per call with the call's environment and argv and its
# stdout/stderr captured. It is a process apart because awscli brings its own botocore, which
# must not meet the tests' boto3. BERTH_TEST_AWS=subprocess runs /usr/bin/aws instead; calls
# from other threads always do.
AWS_IN_PROCESS = os.environ.get("BERTH_TEST_AWS", "server") != "subprocess"

_AWS_SERVER_CODE = r"""
import contextlib, io, json, os, sys
import awscli.clidriver
real_stdout, data_path = sys.stdout, os.environ.get("AWS_DATA_PATH")
for line in sys.stdin:
    req = json.loads(line)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")  # .buffer, for binary output
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace", newline="")
    os.environ.clear()
    os.environ.update(req["env"])
    if data_path:
        os.environ["AWS_DATA_PATH"] = data_path
    sys.argv = ["aws", *req["argv"]]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = awscli.clidriver.main()
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except BaseException as e:
            print(f"aws CLI server: {e!r}", file=err)
            rc = 255
    out.flush()
    err.flush()
    texts = [f.buffer.getvalue().decode("utf-8", "replace") for f in (out, err)]
    real_stdout.write(json.dumps({"rc": rc, "out": texts[0], "err": texts[1]}) + "\n")
    real_stdout.flush()
"""
_aws_server = None
_aws_server_lock = threading.Lock()


def run_aws_cli_server(argv, env):
    """`aws ARGV` run by the CLI server with `env` as its environment; returns (returncode,
    stdout, stderr)."""
    global _aws_server
    with _aws_server_lock:
        if _aws_server is None or _aws_server.poll() is not None:
            _aws_server = subprocess.Popen(["/usr/bin/python3", "-c", _AWS_SERVER_CODE], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True)
        _aws_server.stdin.write(json.dumps({"argv": argv, "env": env}) + "\n")
        _aws_server.stdin.flush()
        # As subprocess.run(timeout=60) did: a berth that never answers fails the test, not the run.
        ready, _, _ = select.select([_aws_server.stdout], [], [], 60)
        if not ready:
            _aws_server.kill()
            _aws_server.wait()
            raise subprocess.TimeoutExpired(["aws", *argv], 60)
        line = _aws_server.stdout.readline()
        if not line:
            raise RuntimeError("the aws CLI server exited")
        r = json.loads(line)
        return r["rc"], r["out"], r["err"]


def sdk_authorization(access_key="test", region="us-east-1", service="ecs"):
    """An Authorization header shaped as every SDK sends one (berth requires one on AWS calls;
    it verifies the signature only with --credentials)."""
    return (f"AWS4-HMAC-SHA256 Credential={access_key}/20240101/{region}/{service}/aws4_request, "
            f"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={'0' * 64}")


def start_berth(data_dir=None, ephemeral=False, port=None, log_dir=None, extra=()):
    """Starts the binary and waits until /_berth/health answers 200."""
    port = port or free_port()
    args = [BERTH_BIN, "serve", "--listen", f"127.0.0.1:{port}", "--log-level", "warn", *extra]
    if ephemeral:
        args.append("--ephemeral")
    if data_dir is not None:
        args += ["--data-dir", str(data_dir)]
    log_path = None
    if log_dir is not None:
        log_path = Path(log_dir) / f"berth-{port}-{time.monotonic_ns()}.log"
        out = open(log_path, "wb")
    else:
        out = subprocess.DEVNULL
    proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    if out is not subprocess.DEVNULL:
        out.close()
    b = Berth(port, proc, data_dir=data_dir, log_path=log_path)
    try:
        b.wait_healthy()
    except Exception:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        raise
    return b


# ---- request bodies used by several tests ---------------------------------------------------
def container(name="app", image="public.ecr.aws/nginx/nginx:latest", **extra):
    c = {"name": name, "image": image, "memory": 128}
    c.update(extra)
    return c


def fargate_td(family, cpu="256", memory="512", **extra):
    td = {
        "family": family,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": cpu,
        "memory": memory,
        "containerDefinitions": [{"name": "app", "image": "nginx:latest", "essential": True}],
    }
    td.update(extra)
    return td


def cluster_arn(name, account=DEFAULT_ACCOUNT, region="us-east-1"):
    return f"arn:aws:ecs:{region}:{account}:cluster/{name}"


def td_arn(family, revision, account=DEFAULT_ACCOUNT, region="us-east-1"):
    return f"arn:aws:ecs:{region}:{account}:task-definition/{family}:{revision}"
