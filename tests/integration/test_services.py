"""ECS services against real Docker through the aws CLI v2: create and wait for steady state,
rolling updates that keep desiredCount running, replacement of a killed container, the circuit
breaker's rollback, scaling, deletion, and a kill -9 in the middle of a deployment.

berth runs with --service-healthy-after 1 so a task counts healthy after 1 s of RUNNING."""
import datetime
import json
import subprocess
import time

import pytest

from helpers import start_berth
from registry_helpers import needs_docker
from shared_images import task_image

pytestmark = needs_docker
NET = "awsvpcConfiguration={subnets=[subnet-12345],assignPublicIp=ENABLED}"
HTTPD = ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/"]
FAST = ("--service-healthy-after", "1")


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return task_image(tmp_path_factory)  # built once per run (shared_images)


@pytest.fixture(scope="module")
def sv(tmp_path_factory):
    b = start_berth(data_dir=tmp_path_factory.mktemp("berth-services"), log_dir=tmp_path_factory.mktemp("log"),
                    extra=FAST)
    yield b
    b.reset()  # removes this berth's containers
    b.stop()


@pytest.fixture(autouse=True)
def _fresh(request):
    if "sv" in request.fixturenames:
        sv = request.getfixturevalue("sv")
        sv.reset()
        sv.aws("ecs", "create-cluster", "--cluster-name", "demo")
    yield


def register(b, image, family="web", **container):
    c = {"name": "web", "image": image, "essential": True, "command": HTTPD, "stopTimeout": 2}
    c.update(container)
    td = {"family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
          "memory": "512", "containerDefinitions": [c]}
    return b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))["taskDefinition"]


def create(b, name="web", desired=2, td="web:1", *extra):
    return b.aws("ecs", "create-service", "--cluster", "demo", "--service-name", name, "--task-definition", td,
                 "--desired-count", desired, "--launch-type", "FARGATE", "--network-configuration", NET,
                 *extra)["service"]


def describe(b, name="web"):
    out = b.aws("ecs", "describe-services", "--cluster", "demo", "--services", name)
    assert out["failures"] == [], out
    return out["services"][0]


def stable(s):
    """The services-stable waiter's rule."""
    return s["status"] == "ACTIVE" and len(s["deployments"]) == 1 and s["runningCount"] == s["desiredCount"]


def completed(s):
    """stable, and its deployment COMPLETED (its tasks healthy): what a circuit breaker rolls
    back to. The services-stable waiter can pass before that."""
    return stable(s) and s["deployments"][0]["rolloutState"] == "COMPLETED"


def wait_for(b, predicate, timeout=90, name="web", on_sample=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = describe(b, name)
        if on_sample:
            on_sample(s)
        if predicate(s):
            return s
        time.sleep(0.3)
    raise AssertionError(f"service never reached the state: {json.dumps(describe(b, name), default=str)[:3000]}")


def tasks(b, name="web", desired="RUNNING"):
    arns = b.aws("ecs", "list-tasks", "--cluster", "demo", "--service-name", name, "--desired-status", desired)["taskArns"]
    if not arns:
        return []
    return b.aws("ecs", "describe-tasks", "--cluster", "demo", "--tasks", *arns)["tasks"]


def messages(s):
    return [e["message"] for e in s["events"]]


def test_create_service_waits_stable_and_lists_its_tasks(sv, image):
    td = register(sv, image)
    s = create(sv)
    assert s["serviceArn"] == "arn:aws:ecs:us-east-1:000000000000:service/demo/web"
    assert s["status"] == "ACTIVE" and s["desiredCount"] == 2 and s["launchType"] == "FARGATE"
    assert s["platformVersion"] == "LATEST" and s["schedulingStrategy"] == "REPLICA"
    assert s["deploymentConfiguration"]["maximumPercent"] == 200
    assert s["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    dep = s["deployments"][0]
    assert dep["status"] == "PRIMARY" and dep["rolloutState"] == "IN_PROGRESS"
    assert dep["id"].startswith("ecs-svc/") and len(dep["id"]) == len("ecs-svc/") + 19
    assert dep["rolloutStateReason"] == f"ECS deployment {dep['id']} in progress."
    # The real waiter once (its delay is 15 s).
    subprocess.run(["/usr/bin/aws", "--endpoint-url", sv.endpoint, "ecs", "wait", "services-stable", "--cluster",
                    "demo", "--services", "web"], check=True, env=sv.cli_env(), timeout=200)
    s = describe(sv)
    assert s["runningCount"] == 2 and s["pendingCount"] == 0
    assert s["deployments"][0]["rolloutState"] == "COMPLETED"
    assert messages(s)[0] == "(service web) has reached a steady state."
    assert f"(service web) (deployment {dep['id']}) deployment completed." in messages(s)
    running = tasks(sv)
    assert len(running) == 2
    for t in running:
        assert t["startedBy"] == dep["id"] and t["group"] == "service:web"
        assert t["taskDefinitionArn"] == td["taskDefinitionArn"] and t["lastStatus"] == "RUNNING"
    c = sv.aws("ecs", "describe-clusters", "--clusters", "demo")["clusters"][0]
    assert c["activeServicesCount"] == 1 and c["runningTasksCount"] == 2
    assert sv.aws("ecs", "list-services", "--cluster", "demo")["serviceArns"] == [s["serviceArn"]]
    rc, _, err = sv.aws_rc("ecs", "delete-cluster", "--cluster", "demo")
    assert rc != 0 and "ClusterContainsServicesException" in err
    rc, _, err = sv.aws_rc("ecs", "create-service", "--cluster", "demo", "--service-name", "web", "--task-definition",
                           "web", "--desired-count", "1", "--launch-type", "FARGATE", "--network-configuration", NET)
    assert rc != 0 and "Creation of service was not idempotent." in err


def test_rolling_update_keeps_desired_tasks_running(sv, image):
    register(sv, image)
    td2 = register(sv, image, environment=[{"name": "REV", "value": "2"}])
    create(sv)
    wait_for(sv, stable)
    sv.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--task-definition", "web:2")
    lowest = [99]

    def sample(s):
        running = [t for t in tasks(sv) if t["lastStatus"] == "RUNNING"]
        lowest[0] = min(lowest[0], len(running))
        assert len(s["deployments"]) <= 2
    s = wait_for(sv, lambda s: stable(s) and s["taskDefinition"] == td2["taskDefinitionArn"], on_sample=sample)
    assert lowest[0] >= 2, f"only {lowest[0]} tasks ran at one moment"
    assert s["deployments"][0]["rolloutState"] == "COMPLETED"
    assert all(t["taskDefinitionArn"] == td2["taskDefinitionArn"] for t in tasks(sv))
    stopped = tasks(sv, desired="STOPPED")
    assert len(stopped) == 2
    assert all(t["stopCode"] == "ServiceSchedulerInitiated" and
               t["stoppedReason"] == f"Scaling activity initiated by (deployment {s['deployments'][0]['id']})"
               for t in stopped)

    # A killed container's task is replaced.
    victim = tasks(sv)[0]
    subprocess.run(["docker", "kill", victim["containers"][0]["runtimeId"]], check=True, capture_output=True)
    wait_for(sv, lambda s: stable(s) and victim["taskArn"] not in [t["taskArn"] for t in tasks(sv)])
    assert len(tasks(sv)) == 2


def test_missing_image_is_rolled_back_by_the_circuit_breaker(sv, image):
    register(sv, image)
    register(sv, "berth-test/missing:nope")
    create(sv, "web", 2, "web:1", "--deployment-configuration",
           "maximumPercent=200,minimumHealthyPercent=100,deploymentCircuitBreaker={enable=true,rollback=true}")
    good = wait_for(sv, completed)["deployments"][0]["id"]
    sv.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--task-definition", "web:2")
    s = wait_for(sv, lambda s: s["deployments"][0]["rolloutStateReason"].startswith("ECS deployment circuit breaker: rolling back"),
                 timeout=120)
    assert s["deployments"][0]["rolloutStateReason"] == f"ECS deployment circuit breaker: rolling back to deploymentId {good}."
    assert s["deployments"][0]["taskDefinition"].endswith("web:1")
    failed = [d for d in s["deployments"] if d["rolloutState"] == "FAILED"]
    assert failed and failed[0]["failedTasks"] >= 3
    assert f"(service web) rolling back to deployment {good}." in messages(s)
    assert f"(service web) (deployment {failed[0]['id']}) deployment failed: tasks failed to start." in messages(s)
    s = wait_for(sv, stable, timeout=120)
    assert s["taskDefinition"].endswith("web:1")
    assert len(tasks(sv)) == 2


@pytest.fixture(scope="module")
def slow_health(tmp_path_factory):
    """A berth where a task without health checks counts healthy only after 8 s of RUNNING, and a
    steady service says so again every 4 s."""
    b = start_berth(data_dir=tmp_path_factory.mktemp("berth-slow-health"), log_dir=tmp_path_factory.mktemp("log"),
                    extra=("--service-healthy-after", "8", "--service-event-repeat", "4"))
    b.aws("ecs", "create-cluster", "--cluster-name", "demo")
    yield b
    b.reset()
    b.stop()


def test_update_right_after_services_stable_keeps_old_tasks_until_new_ones_run(slow_health, image):
    """The waiter passes once desiredCount tasks are RUNNING, before they are healthy. A deployment
    started then keeps them (they wait for their verdict, they are not unhealthy): with
    minimumHealthyPercent 100 no old task is stopped before the new ones are RUNNING."""
    b = slow_health
    register(b, image)
    register(b, image, environment=[{"name": "REV", "value": "2"}])
    first = create(b, "web", 2, "web:1", "--deployment-configuration", "maximumPercent=200,minimumHealthyPercent=100")
    wait_for(b, lambda s: s["runningCount"] == 2)
    subprocess.run(["/usr/bin/aws", "--endpoint-url", b.endpoint, "ecs", "wait", "services-stable", "--cluster",
                    "demo", "--services", "web"], check=True, env=b.cli_env(), timeout=200)
    old = tasks(b)
    assert len(old) == 2 and all(t["lastStatus"] == "RUNNING" for t in old)
    assert describe(b)["deployments"][0]["rolloutState"] == "IN_PROGRESS"  # not healthy yet: 8 s
    fresh = b.aws("ecs", "update-service", "--cluster", "demo", "--service", "web",
                  "--task-definition", "web:2")["service"]["deployments"][0]["id"]
    s = wait_for(b, lambda s: completed(s) and s["deployments"][0]["id"] == fresh, timeout=120)
    everything = tasks(b, desired="STOPPED") + tasks(b)
    old = [t for t in everything if t["startedBy"] == first["deployments"][0]["id"]]
    new = [t for t in everything if t["startedBy"] == fresh]
    assert len(old) == 2 and len(new) == 2
    at = datetime.datetime.fromisoformat
    last_new_running = max(at(t["startedAt"]) for t in new)
    first_old_stopping = min(at(t["stoppingAt"]) for t in old)
    assert first_old_stopping >= last_new_running, (old, new)
    assert all(t["stopCode"] == "ServiceSchedulerInitiated" for t in old)
    assert not any("was unable to stop or start tasks" in m for m in messages(s))

    # Steady, it says so again (every 4 s here, six hours by default).
    def repeated(s):
        m = messages(s)
        return len(m) >= 2 and m[0] == m[1] == "(service web) has reached a steady state."
    wait_for(b, repeated, timeout=30)
    b.aws("ecs", "delete-service", "--cluster", "demo", "--service", "web", "--force")
    wait_for(b, lambda s: s["status"] == "INACTIVE")


def test_scale_out_and_in_then_delete(sv, image):
    register(sv, image)
    create(sv, "web", 1)
    wait_for(sv, stable)
    sv.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "3")
    wait_for(sv, lambda s: stable(s) and s["runningCount"] == 3)
    first = sorted(tasks(sv), key=lambda t: t["createdAt"])[0]["taskArn"]
    sv.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "1")
    wait_for(sv, lambda s: stable(s) and s["runningCount"] == 1)
    assert [t["taskArn"] for t in tasks(sv)] == [first]  # the newest went first

    rc, _, err = sv.aws_rc("ecs", "delete-service", "--cluster", "demo", "--service", "web")
    assert rc != 0 and "The service cannot be stopped while it is scaled above 0." in err
    sv.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "0")
    s = sv.aws("ecs", "delete-service", "--cluster", "demo", "--service", "web")["service"]
    assert s["status"] == "DRAINING"
    wait_for(sv, lambda s: s["status"] == "INACTIVE")

    create(sv, "api", 2)
    wait_for(sv, stable, name="api")
    s = sv.aws("ecs", "delete-service", "--cluster", "demo", "--service", "api", "--force")["service"]
    assert s["status"] == "DRAINING"
    assert sv.aws("ecs", "list-services", "--cluster", "demo")["serviceArns"] == []
    wait_for(sv, lambda s: s["status"] == "INACTIVE", name="api")
    assert tasks(sv, "api") == []
    rc, _, err = sv.aws_rc("ecs", "update-service", "--cluster", "demo", "--service", "api", "--desired-count", "1")
    assert rc != 0 and "ServiceNotActiveException" in err
    # INACTIVE once every task is STOPPING or STOPPED (ECS's DeleteService text); the cluster can
    # go only when they are STOPPED.
    deadline = time.monotonic() + 60
    while any(t["lastStatus"] != "STOPPED" for t in tasks(sv, "api", "STOPPED") + tasks(sv, "web", "STOPPED")):
        assert time.monotonic() < deadline, "the deleted services' tasks never stopped"
        time.sleep(0.3)
    sv.aws("ecs", "delete-cluster", "--cluster", "demo")


def test_kill9_during_a_deployment_resumes_without_duplicates(tmp_path, image):
    data = tmp_path / "data"
    b = start_berth(data_dir=data, log_dir=tmp_path, extra=FAST)
    try:
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
        register(b, image)
        td2 = register(b, image, environment=[{"name": "REV", "value": "2"}])
        create(b, "web", 3)
        wait_for(b, stable)
        b.aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--task-definition", "web:2")
        wait_for(b, lambda s: s["deployments"][0]["runningCount"] >= 1)
        b.kill9()
        b = start_berth(data_dir=data, log_dir=tmp_path, extra=FAST)
        s = wait_for(b, lambda s: stable(s) and s["taskDefinition"] == td2["taskDefinitionArn"], timeout=120)
        assert s["runningCount"] == 3
        live = tasks(b)
        assert len(live) == 3 and all(t["taskDefinitionArn"] == td2["taskDefinitionArn"] for t in live)
        # Every task the second deployment ever started: three, plus none beyond what was replaced.
        all_tasks = tasks(b, desired="STOPPED") + live
        assert len([t for t in all_tasks if t["startedBy"] == s["deployments"][0]["id"]]) == 3
    finally:
        b.reset()
        b.stop()
