"""ECS services behind the local Application Load Balancer, with real containers and the aws CLI
v2: the scheduler registers each RUNNING task's IP, counts it healthy only when its target is,
drains before stopping, replaces tasks failing ELB health checks, and resumes after kill -9.

berth runs with --elb-health-check-scale 0.1 (a 6 s interval checks every 0.6 s, timing out after
0.5 s, so a loaded machine does not flap them) and target groups use a 1 s deregistration
delay, so each flow takes seconds."""
import json
import threading
import time

import pytest

from elb_helpers import elb, get, wait_until
from helpers import free_port, start_berth
from registry_helpers import Docker, build_test_image, needs_docker

pytestmark = needs_docker
NET = "awsvpcConfiguration={subnets=[subnet-12345],assignPublicIp=ENABLED}"
KNOBS = ("--elb-health-check-scale", "0.1", "--service-healthy-after", "1")
# Each task serves a random name on port 3000; /health exists unless HEALTHY=no (answers 404).
SERVE = ("B=/bin/busybox; $B mkdir -p /w && $B head -c 6 /dev/urandom | $B md5sum | $B cut -c1-12 > /w/index.html"
         " && if [ \"$HEALTHY\" != no ]; then echo ok > /w/health; fi && exec $B httpd -f -p 3000 -h /w")


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    docker = Docker(tmp_path_factory.mktemp("docker-config"))
    return build_test_image(docker, tmp_path_factory.mktemp("img"), "berth-test/lbsvc:one", marker="one")


@pytest.fixture(scope="module")
def lbs(tmp_path_factory):
    b = start_berth(data_dir=tmp_path_factory.mktemp("berth-lbsvc"), log_dir=tmp_path_factory.mktemp("log"), extra=KNOBS)
    yield b
    b.reset()  # removes this berth's containers
    b.stop()


@pytest.fixture(autouse=True)
def _fresh(request):
    if "lbs" in request.fixturenames:
        b = request.getfixturevalue("lbs")
        b.reset()
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
    yield


def register_td(b, image, healthy=True):
    c = {"name": "web", "image": image, "essential": True, "stopTimeout": 2,
         "command": ["/bin/busybox", "sh", "-c", SERVE], "portMappings": [{"containerPort": 3000}],
         "environment": [{"name": "HEALTHY", "value": "yes" if healthy else "no"}]}
    td = {"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
          "memory": "512", "containerDefinitions": [c]}
    return b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))["taskDefinition"]


def balancer(b, listener_port):
    """LB + ip target group (health /health, 1 s deregistration delay) + HTTP listener."""
    lb = elb(b, "CreateLoadBalancer", Name="web-lb", Subnets=["subnet-1", "subnet-2"],
             SecurityGroups=["sg-1"])["LoadBalancers"][0]
    tg = elb(b, "CreateTargetGroup", Name="web-tg", Protocol="HTTP", Port=3000, VpcId="vpc-1", TargetType="ip",
             HealthCheckPath="/health", HealthCheckIntervalSeconds=6, HealthCheckTimeoutSeconds=5,
             HealthyThresholdCount=2, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
    # ELB's default delay: tasks stop within these tests' waits only because idle targets end
    # their draining early, and the scheduler hears of it at once.
    elb(b, "ModifyTargetGroupAttributes", TargetGroupArn=tg,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "300"}])
    elb(b, "CreateListener", LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=listener_port,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    return lb, tg


def create(b, tg, desired=2, *extra):
    return b.aws("ecs", "create-service", "--cluster", "demo", "--service-name", "web", "--task-definition", "web:1",
                 "--desired-count", desired, "--launch-type", "FARGATE", "--network-configuration", NET,
                 "--load-balancers", f"targetGroupArn={tg},containerName=web,containerPort=3000", *extra)["service"]


# Waits poll through boto3 (one process, no CLI start-up per sample); changes go through the CLI.
_clients = {}


def client(b, service):
    key = (b.port, service)
    if key not in _clients:
        _clients[key] = b.client(service)
    return _clients[key]


def describe(b):
    return client(b, "ecs").describe_services(cluster="demo", services=["web"])["services"][0]


def tasks(b, desired="RUNNING"):
    ecs = client(b, "ecs")
    arns = ecs.list_tasks(cluster="demo", serviceName="web", desiredStatus=desired)["taskArns"]
    return ecs.describe_tasks(cluster="demo", tasks=arns)["tasks"] if arns else []


def live_tasks(b):
    return tasks(b)


def health(b, tg):
    out = client(b, "elbv2").describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    return {(d["Target"]["Id"], d["Target"]["Port"]): d["TargetHealth"] for d in out}


def ip_of(t):
    return {d["name"]: d["value"] for a in t.get("attachments", []) for d in a["details"]}.get("privateIPv4Address")


def steady(b, desired, td=None):
    """One deployment, COMPLETED, desired tasks RUNNING, and exactly their targets healthy."""
    s = describe(b)
    if len(s["deployments"]) != 1 or s["deployments"][0]["rolloutState"] != "COMPLETED":
        return None
    if s["runningCount"] != desired or (td and s["taskDefinition"] != td):
        return None
    tg = s["loadBalancers"][0]["targetGroupArn"]
    ips = sorted((ip_of(t), 3000) for t in live_tasks(b) if t["lastStatus"] == "RUNNING")
    h = health(b, tg)
    if len(ips) != desired or sorted(h) != ips or any(v["State"] != "healthy" for v in h.values()):
        return None
    return s


class Prober:
    """A GET through the listener every 100 ms on its own thread; records every status."""

    def __init__(self, port):
        self.port, self.results, self.stop_flag = port, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop_flag.is_set():
            try:
                status, _, body = get(self.port, timeout=5)
            except Exception as e:  # noqa: BLE001 - a refused or reset connection is a failure too
                status, body = repr(e), ""
            self.results.append((time.monotonic(), status, body.strip()))
            time.sleep(0.1)

    def finish(self):
        self.stop_flag.set()
        self.thread.join()
        failures = [r for r in self.results if r[1] != 200]
        return failures


def test_service_behind_the_balancer_answers_through_both_ports(lbs, image):
    b = lbs
    port = free_port()
    register_td(b, image)
    lb, tg = balancer(b, port)
    # A target group no listener uses is refused with the text Terraform retries on.
    idle = elb(b, "CreateTargetGroup", Name="idle-tg", Protocol="HTTP", Port=3000, VpcId="vpc-1",
               TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    rc, _, err = b.aws_rc("ecs", "create-service", "--cluster", "demo", "--service-name", "web", "--task-definition",
                          "web:1", "--desired-count", "1", "--launch-type", "FARGATE", "--network-configuration", NET,
                          "--load-balancers", f"targetGroupArn={idle},containerName=web,containerPort=3000")
    assert rc != 0 and f"The target group with targetGroupArn {idle} does not have an associated load balancer." in err
    assert b.aws("ecs", "list-services", "--cluster", "demo")["serviceArns"] == []

    s = create(b, tg, 2)
    assert s["loadBalancers"] == [{"targetGroupArn": tg, "containerName": "web", "containerPort": 3000}]
    s = wait_until(lambda: steady(b, 2), 60, "service steady behind the balancer")
    assert "loadBalancers" not in s["deployments"][0]
    ips = sorted(ip_of(t) for t in live_tasks(b))
    assert sorted(i for i, _ in health(b, tg)) == ips
    msgs = [e["message"] for e in s["events"]]
    assert msgs.count(f"(service web) registered 1 targets in (target-group {tg})") == 2

    answers = {get(port)[2].strip() for _ in range(8)}
    assert len(answers) == 2, answers  # both tasks answer, in turn
    via_host = {get(b.port, host=f"{lb['DNSName']}:{b.port}")[2].strip() for _ in range(4)}
    assert via_host == answers


def test_rolling_update_and_scaling_lose_no_request(lbs, image):
    """The acceptance test: a request every 100 ms through the listener during update-service to
    a new revision, a failing deployment and its rollback, scale-out and scale-in."""
    b = lbs
    port = free_port()
    register_td(b, image)
    td2 = register_td(b, image)["taskDefinitionArn"]
    td3 = register_td(b, image, healthy=False)["taskDefinitionArn"]
    _, tg = balancer(b, port)
    create(b, tg, 2, "--deployment-configuration",
           "deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=100")
    wait_until(lambda: steady(b, 2), 60, "service steady")
    prober = Prober(port)
    try:
        b.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--task-definition", "web:2")
        s = wait_until(lambda: steady(b, 2, td2), 60, "rolled to web:2")
        msgs = [e["message"] for e in s["events"]]
        assert f"(service web) deregistered 1 targets in (target-group {tg})" in msgs
        assert any(m.startswith("(service web, taskSet ecs-svc/") and m.endswith(
            ") has begun draining connections on 1 tasks.") for m in msgs)

        b.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "3")
        wait_until(lambda: steady(b, 3, td2), 60, "scaled out to 3")
        b.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "1")
        wait_until(lambda: steady(b, 1, td2), 60, "scaled in to 1")

        # web:3 never passes its health check: the breaker fails it and rolls back to web:2,
        # while the old task keeps answering.
        b.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--task-definition", "web:3")
        wait_until(lambda: any(d["rolloutState"] == "FAILED" and d["taskDefinition"] == td3
                               for d in describe(b)["deployments"]) or None, 90, "web:3 failed")
        s = wait_until(lambda: steady(b, 1, td2), 60, "rolled back to web:2")
        assert any("is unhealthy in (target-group" in e["message"] for e in s["events"])
    finally:
        failures = prober.finish()
    assert len(prober.results) > 50
    assert failures == [], failures[:10]


def test_task_failing_elb_health_checks_is_replaced(lbs, image):
    b = lbs
    port = free_port()
    register_td(b, image, healthy=False)
    _, tg = balancer(b, port)
    create(b, tg, 1)

    def stopped_for_elb():
        return [t for t in tasks(b, "STOPPED")
                if t.get("stoppedReason") == f"Task failed ELB health checks in (target-group {tg})"]

    stopped = wait_until(stopped_for_elb, 60, "a task stopped for ELB health checks")[0]
    assert stopped["stopCode"] == "ServiceSchedulerInitiated"
    task_id = stopped["taskArn"].rsplit("/", 1)[1]
    msgs = [e["message"] for e in describe(b)["events"]]
    assert (f"(service web) (task {task_id}) (port 3000) is unhealthy in (target-group {tg}) due to "
            f"(reason Health checks failed with these codes: [404])") in msgs
    # A replacement runs (the service keeps trying), and the stopped task's target is gone.
    wait_until(lambda: any(t["taskArn"] != stopped["taskArn"] and t.get("startedAt")
                           for t in tasks(b) + tasks(b, "STOPPED")), 60, "a replacement started")
    wait_until(lambda: (ip_of(stopped), 3000) not in health(b, tg), 30, "the stopped task's target gone")
    b.aws("ecs", "delete-service", "--cluster", "demo", "--service", "web", "--force")
    wait_until(lambda: describe(b)["status"] == "INACTIVE", 60, "service INACTIVE")
    assert health(b, tg) == {}  # no target left behind


def test_kill9_behind_the_balancer_resumes_targets_and_health(tmp_path, image):
    data = tmp_path / "data"
    b = start_berth(data_dir=data, log_dir=tmp_path, extra=KNOBS)
    port = free_port()
    try:
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
        register_td(b, image)
        _, tg = balancer(b, port)
        create(b, tg, 2)
        wait_until(lambda: steady(b, 2), 60, "service steady")
        before = sorted(t["taskArn"] for t in live_tasks(b))
        b.kill9()
        b = start_berth(data_dir=data, log_dir=tmp_path, port=b.port, extra=KNOBS)
        s = wait_until(lambda: steady(b, 2), 60, "steady again after kill -9")
        assert sorted(t["taskArn"] for t in live_tasks(b)) == before  # adopted, not duplicated
        assert len({get(port)[2].strip() for _ in range(8)}) == 2
        # Scale-in after the restart leaves exactly the remaining task's target.
        b.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "1")
        wait_until(lambda: steady(b, 1), 60, "scaled in to 1")
        assert len(health(b, tg)) == 1
        assert s["runningCount"] == 2
    finally:
        b.reset()
        b.stop()


def test_bridge_ec2_service_behind_an_instance_target_group(lbs, image):
    """bridge tasks are registered as the container instance and their published (dynamic) host
    port, and answer through the listener."""
    b = lbs
    port = free_port()
    c = {"name": "web", "image": image, "essential": True, "stopTimeout": 2, "memory": 64,
         "command": ["/bin/busybox", "sh", "-c", SERVE], "portMappings": [{"containerPort": 3000}],
         "environment": [{"name": "HEALTHY", "value": "yes"}]}
    b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(
        {"family": "bridged", "networkMode": "bridge", "requiresCompatibilities": ["EC2"], "containerDefinitions": [c]}))
    lb = elb(b, "CreateLoadBalancer", Name="web-lb", Subnets=["subnet-1", "subnet-2"])["LoadBalancers"][0]
    tg = elb(b, "CreateTargetGroup", Name="inst-tg", Protocol="HTTP", Port=3000, VpcId="vpc-1", TargetType="instance",
             HealthCheckPath="/health", HealthCheckIntervalSeconds=6, HealthCheckTimeoutSeconds=5,
             HealthyThresholdCount=2, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
    elb(b, "CreateListener", LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=port,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    # An ip target group does not fit the bridge network mode.
    ip_tg = elb(b, "CreateTargetGroup", Name="ip-tg", Protocol="HTTP", Port=3000, VpcId="vpc-1",
                TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elb(b, "CreateRule", ListenerArn=elb(b, "DescribeListeners", LoadBalancerArn=lb["LoadBalancerArn"])[
        "Listeners"][0]["ListenerArn"], Priority=5, Conditions=[{"Field": "path-pattern", "Values": ["/ip/*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": ip_tg}])
    rc, _, err = b.aws_rc("ecs", "create-service", "--cluster", "demo", "--service-name", "web", "--task-definition",
                          "bridged", "--desired-count", "1", "--launch-type", "EC2", "--load-balancers",
                          f"targetGroupArn={ip_tg},containerName=web,containerPort=3000")
    assert rc != 0 and (f"The provided target group {ip_tg} has target type ip, which is incompatible with the "
                        "bridge network mode specified in the task definition.") in err

    b.aws("ecs", "create-service", "--cluster", "demo", "--service-name", "web", "--task-definition", "bridged",
          "--desired-count", "2", "--launch-type", "EC2", "--load-balancers",
          f"targetGroupArn={tg},containerName=web,containerPort=3000")

    def settled():
        running = [t for t in live_tasks(b) if t["lastStatus"] == "RUNNING"]
        ports = sorted(("i-0b0e47700000000b0", t["containers"][0]["networkBindings"][0]["hostPort"]) for t in running)
        h = health(b, tg)
        return len(running) == 2 and sorted(h) == ports and all(v["State"] == "healthy" for v in h.values()) and ports

    ports = wait_until(settled, 60, "bridge tasks healthy as instance targets")
    assert all(p > 0 and p != 3000 for _, p in ports)  # dynamic host ports
    answers = {get(port)[2].strip() for _ in range(8)}
    assert len(answers) == 2, answers  # both tasks answer through the listener
    b.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "0")
    wait_until(lambda: not health(b, tg) and not live_tasks(b), 60, "targets gone with the tasks")
