"""The ECS tutorial end to end, through the real aws CLI v2 and docker only, as a workshop does it:
cluster, ECR repository, docker login/build/push, a FARGATE task definition with awslogs, run-task,
the app answering, its start-up line in CloudWatch Logs, stop-task, then the same app as a service
of two tasks (create-service, wait services-stable, delete-service), clean-up. berth runs with
--service-healthy-after 1 so the service is steady in seconds rather than ECS's 40."""
import json
import subprocess
import time
import urllib.request

import pytest

from helpers import AWS_CLI, REPO, start_berth
from registry_helpers import needs_docker
from test_flask_example import APP_IMAGE, STARTUP_LINE, docker, flask_base_image, flask_image  # noqa: F401

pytestmark = needs_docker


@pytest.fixture(scope="module")
def b(tmp_path_factory):
    berth = start_berth(data_dir=tmp_path_factory.mktemp("tutorial"), log_dir=tmp_path_factory.mktemp("log"),
                        extra=("--service-healthy-after", "1"))
    yield berth
    berth.reset()
    assert berth.stop() == 0


def sh(b, command, timeout=300):
    """Runs a shell pipeline with the aws CLI pointed at berth (as a workshop's terminal would)."""
    env = dict(b.cli_env(), AWS="%s --endpoint-url %s" % (AWS_CLI, b.endpoint))
    p = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, env=env,
                       timeout=timeout)
    assert p.returncode == 0, f"{command}\n{p.stderr}\n{p.stdout}"
    return p.stdout


def test_the_ecs_tutorial(b, flask_image, tmp_path):
    host = f"localhost:{b.port}"
    sh(b, "$AWS ecs create-cluster --cluster-name tutorial --capacity-providers FARGATE "
          "--default-capacity-provider-strategy capacityProvider=FARGATE,weight=1")
    uri = json.loads(sh(b, "$AWS ecr create-repository --repository-name flask-app"))["repository"]["repositoryUri"]
    assert uri == f"{host}/flask-app"
    config = tmp_path / "docker-config"
    sh(b, f"$AWS ecr get-login-password | DOCKER_CONFIG={config} docker login --username AWS --password-stdin {host}")
    sh(b, f"docker tag {APP_IMAGE} {uri}:latest && DOCKER_CONFIG={config} docker push {uri}:latest")
    sh(b, f"docker rmi {uri}:latest")

    td = json.loads((REPO / "examples" / "flask-app" / "taskdef.json").read_text())
    td["containerDefinitions"][0]["image"] = f"{uri}:latest"
    (tmp_path / "taskdef.json").write_text(json.dumps(td))
    registered = json.loads(sh(b, f"$AWS ecs register-task-definition --cli-input-json file://{tmp_path}/taskdef.json"))
    assert registered["taskDefinition"]["revision"] == 1

    run = json.loads(sh(b, "$AWS ecs run-task --cluster tutorial --task-definition flask-app --network-configuration "
                           "'awsvpcConfiguration={subnets=[subnet-12345],assignPublicIp=ENABLED}'"))
    assert run["failures"] == []
    arn = run["tasks"][0]["taskArn"]
    assert run["tasks"][0]["launchType"] == "FARGATE"
    sh(b, f"$AWS ecs wait tasks-running --cluster tutorial --tasks {arn}")
    task = json.loads(sh(b, f"$AWS ecs describe-tasks --cluster tutorial --tasks {arn}"))["tasks"][0]
    port = task["containers"][0]["networkBindings"][0]["hostPort"]
    body = ""
    for _ in range(50):  # the app needs a moment after its container starts
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                body = r.read().decode()
                break
        except OSError:
            time.sleep(0.2)
    assert "flask-app" in body

    task_id = arn.split("/")[-1]
    stream = f"ecs/flask-app/{task_id}"
    deadline = time.monotonic() + 20
    tail = ""
    while time.monotonic() < deadline and STARTUP_LINE not in tail:
        tail = sh(b, "$AWS logs tail /ecs/flask-app --since 10m")
        time.sleep(0.5)
    assert STARTUP_LINE in tail and stream in tail
    events = json.loads(sh(b, f"$AWS logs get-log-events --log-group-name /ecs/flask-app --log-stream-name {stream} "
                              "--start-from-head"))["events"]
    assert events[0]["message"].startswith(STARTUP_LINE)

    sh(b, f"$AWS ecs stop-task --cluster tutorial --task {arn} --reason 'tutorial done'")
    sh(b, f"$AWS ecs wait tasks-stopped --cluster tutorial --tasks {arn}")
    stopped = json.loads(sh(b, f"$AWS ecs describe-tasks --cluster tutorial --tasks {arn}"))["tasks"][0]
    assert stopped["stopCode"] == "UserInitiated"
    assert stopped["containers"][0]["exitCode"] == 0  # the app exits cleanly on SIGTERM

    # "Create a service": two copies kept running, on the cluster's default capacity provider.
    svc = json.loads(sh(b, "$AWS ecs create-service --cluster tutorial --service-name myService --task-definition "
                           "flask-app --desired-count 2 --network-configuration "
                           "'awsvpcConfiguration={subnets=[subnet-12345],assignPublicIp=ENABLED}'"))["service"]
    assert svc["capacityProviderStrategy"][0]["capacityProvider"] == "FARGATE"
    sh(b, "$AWS ecs wait services-stable --cluster tutorial --services myService")
    svc = json.loads(sh(b, "$AWS ecs describe-services --cluster tutorial --services myService"))["services"][0]
    assert svc["runningCount"] == 2 and svc["events"][0]["message"] == "(service myService) has reached a steady state."
    service_tasks = json.loads(sh(b, "$AWS ecs list-tasks --cluster tutorial --service-name myService"))["taskArns"]
    assert len(service_tasks) == 2
    sh(b, "$AWS ecs delete-service --cluster tutorial --service myService --force")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        svc = json.loads(sh(b, "$AWS ecs describe-services --cluster tutorial --services myService"))["services"][0]
        if svc["status"] == "INACTIVE":
            break
        time.sleep(0.3)
    assert svc["status"] == "INACTIVE"
    sh(b, f"$AWS ecs wait tasks-stopped --cluster tutorial --tasks {' '.join(service_tasks)}")

    sh(b, "$AWS ecs deregister-task-definition --task-definition flask-app:1")
    sh(b, "$AWS ecr delete-repository --repository-name flask-app --force")
    sh(b, "$AWS logs delete-log-group --log-group-name /ecs/flask-app")
    sh(b, "$AWS ecs delete-cluster --cluster tutorial")
