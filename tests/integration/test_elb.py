"""The local Application Load Balancer: the ELBv2 API through the aws CLI v2 and berth's data
plane in front of HTTP targets (servers of this test process on 127.0.0.1, registered by IP and
port). Health checks run 10x faster (--elb-health-check-scale 0.1) so thresholds pass in seconds."""
import json
import socket
import threading
import time

import pytest

from registry_helpers import Docker, build_test_image, needs_docker
from elb_helpers import Target, elb, elb_rc, get, health, port_is_free, wait_health, wait_until
from helpers import free_port, start_berth


@pytest.fixture(scope="module")
def lb_berth(tmp_path_factory):
    b = start_berth(data_dir=tmp_path_factory.mktemp("berth-elb"), log_dir=tmp_path_factory.mktemp("log"),
                    extra=("--elb-health-check-scale", "0.1", "--metrics-publish-interval", "1"))
    yield b
    b.stop()


@pytest.fixture(autouse=True)
def _fresh(lb_berth):
    lb_berth.reset()
    yield


@pytest.fixture
def targets():
    made = []

    def make(name):
        t = Target(name)
        made.append(t)
        return t

    yield make
    for t in made:
        t.stop()


def web_lb(b, listener_port, *, health_path="/health", delay=None, extra_attrs=()):
    lb = elb(b, "CreateLoadBalancer", Name="web-lb", Subnets=["subnet-1", "subnet-2"], SecurityGroups=["sg-1"])
    lb = lb["LoadBalancers"][0]
    tg = elb(b, "CreateTargetGroup", Name="web-tg", Protocol="HTTP", Port=3000, VpcId="vpc-1", TargetType="ip",
             HealthCheckPath=health_path, HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2,
             HealthyThresholdCount=2, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
    attrs = [{"Key": "deregistration_delay.timeout_seconds", "Value": str(delay if delay is not None else 2)}]
    elb(b, "ModifyTargetGroupAttributes", TargetGroupArn=tg, Attributes=attrs + list(extra_attrs))
    listener = elb(b, "CreateListener", LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=listener_port,
                   DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]
    return lb, tg, listener


def register(b, tg, *ts):
    elb(b, "RegisterTargets", TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": t.port} for t in ts])


def test_two_targets_answer_in_turn_through_the_listener_and_berths_port(lb_berth, targets):
    b = lb_berth
    port = free_port()
    a, c = targets("a"), targets("c")
    lb, tg, _ = web_lb(b, port)
    register(b, tg, a, c)
    first = health(b, tg)[("127.0.0.1", a.port)]
    # The first check runs at once, so a slow client may already see the target healthy.
    assert first["State"] == "healthy" or (
        first["State"] == "initial" and first["Reason"] in ("Elb.RegistrationInProgress", "Elb.InitialHealthChecking"))
    for t in (a, c):
        wait_health(b, tg, ("127.0.0.1", t.port), "healthy")
    assert health(b, tg)[("127.0.0.1", a.port)] == {"State": "healthy"}
    assert a.health_agents[0] == "ELB-HealthChecker/2.0"
    wait_until(lambda: elb(b, "DescribeLoadBalancers", Names=["web-lb"])["LoadBalancers"][0]["State"]["Code"] == "active")

    answers = [get(port)[2] for _ in range(6)]
    assert sorted(answers) == ["a", "a", "a", "c", "c", "c"]
    assert all(answers[i] != answers[i + 1] for i in range(5)), answers  # in turn

    # The same balancer through berth's own port, by its DNS name in the Host header.
    status, headers, body = get(b.port, host=f"{lb['DNSName']}:{b.port}")
    assert status == 200 and body in ("a", "c")
    status, _, body = get(b.port, host=f"{lb['DNSName']}:{port}")
    assert status == 200 and body in ("a", "c")

    # What the target sees: X-Forwarded-For appended, proto, port, a trace id.
    a.requests.clear()
    c.requests.clear()
    get(port, headers={"X-Forwarded-For": "203.0.113.7"})
    seen = (a.requests + c.requests)[0]
    assert seen["X-Forwarded-For"] == "203.0.113.7, 127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["X-Forwarded-Port"] == str(port)
    assert seen["X-Amzn-Trace-Id"].startswith("Root=1-")


def test_unhealthy_target_leaves_rotation_and_comes_back(lb_berth, targets):
    b = lb_berth
    port = free_port()
    a, c = targets("a"), targets("c")
    _, tg, _ = web_lb(b, port)
    register(b, tg, a, c)
    for t in (a, c):
        wait_health(b, tg, ("127.0.0.1", t.port), "healthy")
    a.health_status = 500
    h = wait_health(b, tg, ("127.0.0.1", a.port), "unhealthy")
    assert h["Reason"] == "Target.ResponseCodeMismatch"
    assert h["Description"] == "Health checks failed with these codes: [500]"
    assert {get(port)[2] for _ in range(6)} == {"c"}
    # Every target unhealthy: the balancer fails open and uses them all.
    c.health_status = 404
    wait_health(b, tg, ("127.0.0.1", c.port), "unhealthy")
    assert {get(port)[2] for _ in range(6)} == {"a", "c"}
    a.health_status = 200
    wait_health(b, tg, ("127.0.0.1", a.port), "healthy")
    assert {get(port)[2] for _ in range(6)} == {"a"}


def test_stopped_target_gets_no_traffic_and_deregistration_drains(lb_berth, targets):
    b = lb_berth
    port = free_port()
    a, c = targets("a"), targets("c")
    _, tg, _ = web_lb(b, port, delay=300)  # ELB's default: only an early end lets a target go in time
    register(b, tg, a, c)
    for t in (a, c):
        wait_health(b, tg, ("127.0.0.1", t.port), "healthy")
    c.stop()
    h = wait_health(b, tg, ("127.0.0.1", c.port), "unhealthy")
    assert h["Reason"] == "Target.FailedHealthChecks"
    assert all(get(port)[0:3:2] == (200, "a") for _ in range(5))

    # Nothing in flight on c: deregistered, it leaves at once, not after the 300 s delay.
    elb(b, "DeregisterTargets", TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": c.port}])
    wait_until(lambda: ("127.0.0.1", c.port) not in health(b, tg), 5, "the idle target left early")

    # A request in flight on a target being deregistered finishes; new ones go elsewhere, and the
    # target drains until that request is done, then leaves (long before the delay).
    c2 = targets("c2")
    register(b, tg, c2)
    wait_health(b, tg, ("127.0.0.1", c2.port), "healthy")
    for t in (a, c2):
        t.requests.clear()
        t.delay = 3
    result = {}
    slow = threading.Thread(target=lambda: result.update(r=get(port)))
    slow.start()
    busy = wait_until(lambda: next((t for t in (a, c2) if t.requests), None), 5, "the slow request reached a target")
    other = c2 if busy is a else a
    other.delay = 0
    elb(b, "DeregisterTargets", TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": busy.port}])
    assert health(b, tg)[("127.0.0.1", busy.port)] == {
        "State": "draining", "Reason": "Target.DeregistrationInProgress",
        "Description": "Target deregistration is in progress"}
    time.sleep(0.3)  # the routing table is rebuilt after the commit
    assert all(get(port)[2] == other.name for _ in range(3))
    assert slow.is_alive()  # still in flight (3 s), so the target still drains
    assert health(b, tg)[("127.0.0.1", busy.port)]["State"] == "draining"
    slow.join()
    assert result["r"][0:3:2] == (200, busy.name)  # the request in flight finished
    wait_until(lambda: ("127.0.0.1", busy.port) not in health(b, tg), 5, "draining ended with the request")


def test_no_targets_503_reset_502_timeout_504(lb_berth, targets):
    b = lb_berth
    port = free_port()
    lb, tg, _ = web_lb(b, port)
    status, headers, body = get(port)
    assert status == 503 and "503 Service Temporarily Unavailable" in body
    assert headers["server"] == "awselb/2.0"

    # A target that accepts and closes without an answer: 502.
    rude = socket.socket()
    rude.bind(("127.0.0.1", 0))
    rude.listen(16)
    rude_port = rude.getsockname()[1]
    stop = threading.Event()

    def slam():
        rude.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = rude.accept()
                conn.recv(65536)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()
            except OSError:
                pass

    t = threading.Thread(target=slam, daemon=True)
    t.start()
    try:
        elb(b, "RegisterTargets", TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": rude_port}])
        assert get(port)[0] == 502
    finally:
        stop.set()
        t.join()
        rude.close()
    elb(b, "DeregisterTargets", TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": rude_port}])

    # A target slower than the idle timeout: 504.
    slow = targets("slow")
    slow.delay = 3
    elb(b, "ModifyLoadBalancerAttributes", LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "1"}])
    register(b, tg, slow)
    time.sleep(0.3)  # the routing table is rebuilt after the commit
    assert get(port)[0] == 504


def test_rules_fixed_response_redirect_and_host(lb_berth, targets):
    b = lb_berth
    port = free_port()
    a = targets("a")
    lb, tg, listener = web_lb(b, port)
    register(b, tg, a)
    elb(b, "CreateRule", ListenerArn=listener, Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/status/*"]}],
        Actions=[{"Type": "fixed-response",
                  "FixedResponseConfig": {"StatusCode": "418", "ContentType": "text/plain", "MessageBody": "teapot"}}])
    elb(b, "CreateRule", ListenerArn=listener, Priority=20,
        Conditions=[{"Field": "path-pattern", "Values": ["/old/*"]}],
        Actions=[{"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_301", "Path": "/new/#{path}"}}])
    elb(b, "CreateRule", ListenerArn=listener, Priority=30,
        Conditions=[{"Field": "host-header", "Values": ["admin.*"]}],
        Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "403"}}])
    time.sleep(0.3)
    status, headers, body = get(port, "/status/x")
    assert (status, body, headers["content-type"]) == (418, "teapot", "text/plain")
    status, headers, _ = get(port, "/old/page?q=1")
    assert status == 301
    assert headers["location"] == f"http://127.0.0.1:{port}/new/old/page?q=1"
    assert get(port, "/", host="ADMIN.example.com")[0] == 403
    wait_health(b, tg, ("127.0.0.1", a.port), "healthy")
    assert get(port, "/anything")[2] == "a"
    rules = elb(b, "DescribeRules", ListenerArn=listener)["Rules"]
    assert [r["Priority"] for r in rules] == ["10", "20", "30", "default"]


def test_api_errors_and_deleting_in_use(lb_berth):
    b = lb_berth
    port = free_port()
    lb, tg, listener = web_lb(b, port)
    rc, _, err = elb_rc(b, "DeleteTargetGroup", TargetGroupArn=tg)
    assert rc != 0 and "ResourceInUse" in err
    rc, _, err = elb_rc(b, "CreateListener", LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=port,
                        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}])
    assert rc != 0 and "DuplicateListener" in err
    rc, _, err = elb_rc(b, "DescribeTargetGroups", TargetGroupArns=[tg + "0"])
    assert rc != 0 and "TargetGroupNotFound" in err
    elb(b, "ModifyLoadBalancerAttributes", LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}])
    rc, _, err = elb_rc(b, "DeleteLoadBalancer", LoadBalancerArn=lb["LoadBalancerArn"])
    assert rc != 0 and "OperationNotPermitted" in err
    elb(b, "ModifyLoadBalancerAttributes", LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}])
    elb(b, "DeleteLoadBalancer", LoadBalancerArn=lb["LoadBalancerArn"])
    wait_until(lambda: port_is_free(port), 5, "the listener's port is released")
    elb(b, "DeleteTargetGroup", TargetGroupArn=tg)


def test_tcp_listener_relays_bytes(lb_berth):
    b = lb_berth
    echo = socket.socket()
    echo.bind(("127.0.0.1", 0))
    echo.listen(8)
    echo_port = echo.getsockname()[1]

    def serve():
        while True:
            try:
                conn, _ = echo.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    conn.sendall(data.upper())

    threading.Thread(target=serve, daemon=True).start()
    try:
        lb = elb(b, "CreateLoadBalancer", Name="tcp-lb", Type="network", Subnets=["subnet-1"])["LoadBalancers"][0]
        tg = elb(b, "CreateTargetGroup", Name="tcp-tg", Protocol="TCP", Port=echo_port, VpcId="vpc-1",
                 TargetType="ip", HealthCheckIntervalSeconds=5,
                 HealthCheckTimeoutSeconds=2)["TargetGroups"][0]["TargetGroupArn"]
        port = free_port()
        elb(b, "CreateListener", LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        elb(b, "RegisterTargets", TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1"}])
        wait_health(b, tg, ("127.0.0.1", echo_port), "healthy")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"hello through the nlb")
            got = b""
            while len(got) < 21:
                got += s.recv(1024)
            assert got == b"HELLO THROUGH THE NLB"
            # An open relayed connection keeps its target draining (here for up to 300 s) ...
            elb(b, "ModifyTargetGroupAttributes", TargetGroupArn=tg,
                Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "300"}])
            elb(b, "DeregisterTargets", TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1"}])
            time.sleep(0.5)  # several drain checks (every 100 ms) pass with the connection open
            assert health(b, tg)[("127.0.0.1", echo_port)]["State"] == "draining"
            s.sendall(b"still relayed")
            got = b""
            while len(got) < 13:
                got += s.recv(1024)
            assert got == b"STILL RELAYED"
        # ... and once it is closed, the target leaves.
        wait_until(lambda: ("127.0.0.1", echo_port) not in health(b, tg), 5, "draining ended with the connection")
    finally:
        echo.close()


def test_restart_with_kill_9_brings_listeners_and_health_back(tmp_path, targets):
    data = tmp_path / "data"
    b = start_berth(data_dir=data, log_dir=tmp_path, extra=("--elb-health-check-scale", "0.1"))
    try:
        port = free_port()
        a = targets("a")
        _, tg, _ = web_lb(b, port)
        register(b, tg, a)
        wait_health(b, tg, ("127.0.0.1", a.port), "healthy")
        b.kill9()
        b = start_berth(data_dir=data, log_dir=tmp_path, port=b.port, extra=("--elb-health-check-scale", "0.1"))
        assert health(b, tg)[("127.0.0.1", a.port)]["State"] == "healthy"
        assert wait_until(lambda: _try_get(port), 10, "listener back") == "a"
    finally:
        if b.alive():
            b.stop()


def _try_get(port):
    try:
        status, _, body = get(port, timeout=2)
        return body if status == 200 else None
    except OSError:
        return None


@needs_docker
def test_awsvpc_task_behind_the_balancer(lb_berth, tmp_path):
    """A real task (busybox httpd in an awsvpc namespace) registered by its private IP answers
    through the listener once its health check passes, and its stop takes it out of rotation."""
    b = lb_berth
    image = build_test_image(Docker(tmp_path / "docker-config"), tmp_path / "img", "berth-test/elb:one", marker="one")
    b.aws("ecs", "create-cluster", "--cluster-name", "demo")
    td = {"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
          "memory": "512", "containerDefinitions": [
              {"name": "web", "image": image, "essential": True, "stopTimeout": 2,
               "command": ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/"],
               "portMappings": [{"containerPort": 8080}]}]}
    b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
    task = b.aws("ecs", "run-task", "--cluster", "demo", "--launch-type", "FARGATE", "--task-definition", "web",
                 "--network-configuration",
                 "awsvpcConfiguration={subnets=[subnet-12345],assignPublicIp=ENABLED}")["tasks"][0]
    try:
        def running_ip():
            t = b.aws("ecs", "describe-tasks", "--cluster", "demo", "--tasks", task["taskArn"])["tasks"][0]
            if t["lastStatus"] != "RUNNING":
                return None
            details = {d["name"]: d["value"] for a in t["attachments"] for d in a["details"]}
            return details.get("privateIPv4Address")
        ip = wait_until(running_ip, 60, "task RUNNING with an IP")
        port = free_port()
        _, tg, _ = web_lb(b, port, health_path="/marker.txt")
        elb(b, "RegisterTargets", TargetGroupArn=tg, Targets=[{"Id": ip, "Port": 8080}])
        wait_health(b, tg, (ip, 8080), "healthy", timeout=30)
        status, _, body = get(port, "/marker.txt")
        assert (status, body.strip()) == (200, "one")
        b.aws("ecs", "stop-task", "--cluster", "demo", "--task", task["taskArn"])
        h = wait_health(b, tg, (ip, 8080), "unhealthy", timeout=30)
        assert h["Reason"] in ("Target.FailedHealthChecks", "Target.Timeout")
    finally:
        b.reset()  # removes this berth's containers


def _raw_exchange(port, requests, timeout=10):
    """Sends each raw request on one keep-alive connection; returns the answers' (status, body)."""
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        f = s.makefile("rb")
        for r in requests:
            s.sendall(r.encode())
            status = int(f.readline().split()[1])
            length = 0
            while (line := f.readline().strip()):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            out.append((status, f.read(length).decode()))
    return out


def test_handoff_by_host_is_app_traffic_and_never_reaches_berths_api(lb_berth, targets):
    b = lb_berth
    a = targets("a")
    lb, tg, _ = web_lb(b, free_port())
    register(b, tg, a)
    wait_health(b, tg, ("127.0.0.1", a.port), "healthy")
    host = f"{lb['DNSName']}:{b.port}"
    # A page of another origin may use the app behind the balancer (berth's API would refuse it).
    status, _, body = get(b.port, host=host, headers={"Origin": "https://evil.example"})
    assert (status, body) == (200, "a")
    status, _, body = get(b.port, path="/_berth/health", headers={"Origin": "https://evil.example"})
    assert status == 403
    # Once handed over, the connection stays the balancer's: a later request naming berth
    # (Host localhost, berth's own health path) is answered by the target, not by berth.
    answers = _raw_exchange(b.port, [
        f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n",
        f"GET /_berth/health HTTP/1.1\r\nHost: localhost:{b.port}\r\n\r\n",
    ])
    assert answers == [(200, "a"), (200, "a")]
    assert len(a.requests) == 3


def test_a_target_on_berths_own_port_is_refused_not_looped(lb_berth, targets):
    b = lb_berth
    lb, tg, _ = web_lb(b, free_port(), health_path="/_berth/health")
    elb(b, "RegisterTargets", TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": b.port}])
    # Forwarded with its Host (the balancer's name), the request would come straight back.
    status, _, _ = get(b.port, host=f"{lb['DNSName']}:{b.port}")
    assert status == 502
    assert get(b.port, path="/_berth/health")[0] == 200  # berth is still serving


def _statistics(b, metric, dims, start, end):
    out = b.aws("cloudwatch", "get-metric-statistics", "--namespace", "AWS/ApplicationELB", "--metric-name", metric,
                "--dimensions", *[f"Name={k},Value={v}" for k, v in dims], "--start-time", str(int(start)),
                "--end-time", str(int(end)), "--period", "60", "--statistics", "Sum")
    return sum(p["Sum"] for p in out["Datapoints"])


def test_requests_through_the_listener_publish_application_elb_metrics(lb_berth, targets):
    b = lb_berth
    port = free_port()
    a, c = targets("a"), targets("c")
    lb, tg, _ = web_lb(b, port)
    register(b, tg, a, c)
    for t in (a, c):
        wait_health(b, tg, ("127.0.0.1", t.port), "healthy")
    start = time.time() - 120
    for _ in range(10):
        assert get(port)[0] == 200
    lb_dim = lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    tg_dim = tg.split(":")[-1]
    assert lb_dim.startswith("app/web-lb/") and tg_dim.startswith("targetgroup/web-tg/")
    # Published each second here (--metrics-publish-interval 1): 10 requests over 2 healthy targets.
    wait_until(lambda: _statistics(b, "RequestCountPerTarget", [("TargetGroup", tg_dim)], start, time.time() + 60) == 5,
               timeout=30)
    both = [("LoadBalancer", lb_dim), ("TargetGroup", tg_dim)]
    assert _statistics(b, "RequestCount", both, start, time.time() + 60) == 10
    assert _statistics(b, "HTTPCode_Target_2XX_Count", [("LoadBalancer", lb_dim)], start, time.time() + 60) == 10
    names = {m["MetricName"] for m in b.aws("cloudwatch", "list-metrics", "--namespace", "AWS/ApplicationELB")["Metrics"]}
    assert {"RequestCount", "RequestCountPerTarget", "TargetResponseTime", "HTTPCode_Target_2XX_Count",
            "HealthyHostCount", "UnHealthyHostCount"} <= names
