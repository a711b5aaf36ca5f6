"""examples/flask-app as its README walks through it: the local base image from Debian packages,
the app built and answering with plain docker, pushed to berth's registry through the ECR login
flow (`aws ecr get-login-password | docker login`), pulled back, and its taskdef.json registered
with Debian's aws CLI.

The base image (mmdebstrap + docker import, 40-60 s) is built once per run for every test file that
needs Debian's Python (shared_images.debian_python_image), and not at all while its tag exists. Running the task itself needs the task runtime (issue 4)."""
import json
import os
import re
import subprocess
import time
import urllib.request

import pytest

from helpers import REPO, start_berth
from registry_helpers import Docker, needs_docker
from shared_images import debian_python_image

EXAMPLE = REPO / "examples" / "flask-app"
BASE_IMAGE = "berth-local/python-flask:bookworm"
APP_IMAGE = "berth-test/flask-app:latest"
STARTUP_LINE = "Serving flask-app on port 3000"


@pytest.fixture(scope="session")
def flask_base_image(tmp_path_factory):
    """examples/flask-app/build-base-image.sh: builds the base image unless the tag exists (with
    python3-boto3 added, so the task-role test runs the same image: shared_images)."""
    return debian_python_image(tmp_path_factory)


@pytest.fixture(scope="module")
def docker(tmp_path_factory):
    return Docker(tmp_path_factory.mktemp("docker-config"))


@pytest.fixture(scope="module")
def flask_image(docker, flask_base_image):
    docker.run("build", "-q", "--build-arg", f"BASE_IMAGE={flask_base_image}", "-t", APP_IMAGE, str(EXAMPLE))
    yield APP_IMAGE
    docker.run("rmi", "-f", APP_IMAGE, check=False)


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    b = start_berth(data_dir=tmp_path_factory.mktemp("berth-flask-data"),
                    log_dir=tmp_path_factory.mktemp("berth-flask-log"))
    yield b
    assert b.alive(), f"berth died: {b.log()}"
    assert b.stop() == 0, b.log()


def registry_host(b):
    return f"localhost:{b.port}"


def http_get(url, timeout=20.0):
    """GET with retries until the server answers; returns (status, body)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                return r.status, r.read().decode()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def run_and_curl(docker, image):
    """Runs the image as the README does, curls it on loopback, stops it; returns (body, logs,
    exit code)."""
    cid = docker.run("run", "-d", "-p", "127.0.0.1:0:3000", image).stdout.strip()
    try:
        binding = docker.run("port", cid, "3000/tcp").stdout.split()[0]
        host, port = binding.rsplit(":", 1)
        assert host == "127.0.0.1", binding
        status, body = http_get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert http_get(f"http://127.0.0.1:{port}/health") == (200, "ok\n")
        t0 = time.monotonic()
        docker.run("stop", cid)
        assert time.monotonic() - t0 < 5, "the app did not exit promptly on SIGTERM"
        logs = docker.run("logs", cid)
        exit_code = int(docker.run("inspect", "--format", "{{.State.ExitCode}}", cid).stdout)
        return body, logs.stdout, exit_code
    finally:
        docker.run("rm", "-f", cid, check=False)


@needs_docker
def test_app_answers_on_port_3000_with_plain_docker(docker, flask_image):
    body, stdout, exit_code = run_and_curl(docker, flask_image)
    assert "Hello from flask-app!" in body
    lines = stdout.splitlines()
    assert lines[0] == STARTUP_LINE, stdout
    assert any(re.search(r'"GET / HTTP/1\.1" 200', line) for line in lines), stdout
    assert not any("\x1b[" in line for line in lines), "ANSI colours in the log lines"
    assert "Received SIGTERM, shutting down flask-app" in lines, stdout
    assert exit_code == 0


@needs_docker
def test_build_base_image_is_idempotent(flask_base_image):
    before = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", flask_base_image],
                            capture_output=True, text=True, check=True).stdout.strip()
    p = subprocess.run([str(EXAMPLE / "build-base-image.sh")], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, BASE_IMAGE=flask_base_image))
    assert p.returncode == 0, p.stderr
    assert "already exists" in p.stdout
    after = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", flask_base_image],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert before == after
    config = json.loads(subprocess.run(["docker", "image", "inspect", "--format", "{{json .Config}}",
                                        flask_base_image], capture_output=True, text=True, check=True).stdout)
    assert config["Cmd"] == ["python3"]
    assert any(e.startswith("PATH=") for e in config["Env"])


@needs_docker
def test_push_with_ecr_login_then_pull_back(reg, docker, flask_image):
    host = registry_host(reg)
    repo = reg.aws("ecr", "create-repository", "--repository-name", "flask-app")["repository"]
    assert repo["repositoryUri"] == f"{host}/flask-app"

    # aws ecr get-login-password | docker login --username AWS --password-stdin HOST
    rc, password, err = reg.aws_rc("ecr", "get-login-password", "--region", "us-east-1")
    assert rc == 0, err
    login = docker.run("login", "--username", "AWS", "--password-stdin", host, input=password.strip())
    assert "Login Succeeded" in login.stdout

    ref = f"{host}/flask-app:latest"
    docker.run("tag", flask_image, ref)
    pushed = docker.run("push", ref, timeout=600).stdout
    digest = re.search(r"latest: digest: (sha256:[0-9a-f]{64})", pushed).group(1)

    details = reg.aws("ecr", "describe-images", "--repository-name", "flask-app")["imageDetails"]
    assert len(details) == 1
    assert details[0]["imageDigest"] == digest
    assert details[0]["imageTags"] == ["latest"]
    assert details[0]["imageSizeInBytes"] > 10_000_000  # python3 and Flask are in there

    # Pull back: the same image id, and it runs.
    original_id = docker.image_id(flask_image)
    docker.run("rmi", ref)
    docker.run("pull", ref, timeout=600)
    try:
        assert docker.image_id(ref) == original_id
        body, stdout, _ = run_and_curl(docker, ref)
        assert "Hello from flask-app!" in body
        assert stdout.splitlines()[0] == STARTUP_LINE
    finally:
        docker.run("rmi", "-f", ref, check=False)
        docker.run("logout", host, check=False)


def test_taskdef_json_registers_as_a_fargate_task_definition(reg, tmp_path):
    source = json.loads((EXAMPLE / "taskdef.json").read_text())
    assert source["containerDefinitions"][0]["image"] == "localhost:4566/flask-app:latest"
    # The README's adjustment for a berth on another port.
    taskdef = tmp_path / "taskdef.json"
    taskdef.write_text((EXAMPLE / "taskdef.json").read_text().replace("localhost:4566", registry_host(reg)))

    td = reg.aws("ecs", "register-task-definition", "--cli-input-json", f"file://{taskdef}")["taskDefinition"]
    assert td["family"] == "flask-app"
    assert td["revision"] >= 1
    assert td["status"] == "ACTIVE"
    assert td["networkMode"] == "awsvpc"
    assert td["cpu"] == "256" and td["memory"] == "512"
    assert td["requiresCompatibilities"] == ["FARGATE"]
    assert "FARGATE" in td["compatibilities"]
    assert td["executionRoleArn"] == "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"

    (c,) = td["containerDefinitions"]
    assert c["name"] == "flask-app"
    assert c["image"] == f"{registry_host(reg)}/flask-app:latest"
    assert c["essential"] is True
    (pm,) = c["portMappings"]
    assert (pm["containerPort"], pm["hostPort"], pm["protocol"]) == (3000, 3000, "tcp")
    assert c["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/flask-app", "awslogs-create-group": "true",
                    "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"},
    }
    required = {a["name"] for a in td["requiresAttributes"]}
    assert "com.amazonaws.ecs.capability.logging-driver.awslogs" in required
    assert "ecs.capability.execution-role-awslogs" in required
    assert "ecs.capability.task-eni" in required

    described = reg.aws("ecs", "describe-task-definition", "--task-definition", "flask-app")["taskDefinition"]
    assert described["taskDefinitionArn"] == td["taskDefinitionArn"]
    assert described["containerDefinitions"] == td["containerDefinitions"]
