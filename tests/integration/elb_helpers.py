"""Helpers for the load balancer tests: ELBv2 calls through the aws CLI v2, HTTP targets served
by this test process, and waits on target health."""
import http.client
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from helpers import free_port


def kebab(op):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", op).lower()


def elb(b, op, **params):
    """One ELBv2 call with the API's own parameter names (via --cli-input-json)."""
    return b.aws("elbv2", kebab(op), "--cli-input-json", json.dumps(params))


def elb_rc(b, op, **params):
    return b.aws_rc("elbv2", kebab(op), "--cli-input-json", json.dumps(params))


class Target:
    """An HTTP server on 127.0.0.1 that answers with its name; /health answers `health_status`.
    Records the headers of the requests it served."""

    def __init__(self, name):
        self.name = name
        self.health_status = 200
        self.delay = 0.0
        self.requests = []
        self.health_agents = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                if self.path == "/health":
                    outer.health_agents.append(self.headers.get("User-Agent"))
                    self._answer(outer.health_status, b"health")
                    return
                outer.requests.append(dict(self.headers))
                if outer.delay:
                    time.sleep(outer.delay)
                self._answer(200, outer.name.encode())

            def _answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def get(port, path="/", host=None, headers=None, timeout=10):
    """GET through a listener: (status, headers, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = dict(headers or {})
        if host:
            h["Host"] = host
        conn.request("GET", path, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode(errors="replace")
    finally:
        conn.close()


def wait_until(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached in {timeout}s (last: {last})")


def health(b, tg):
    out = elb(b, "DescribeTargetHealth", TargetGroupArn=tg)["TargetHealthDescriptions"]
    return {(d["Target"]["Id"], d["Target"]["Port"]): d["TargetHealth"] for d in out}


def wait_health(b, tg, target, state, timeout=20):
    return wait_until(lambda: (health(b, tg).get(target) or {}).get("State") == state and health(b, tg)[target],
                      timeout, f"{target} {state}")


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
