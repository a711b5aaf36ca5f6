"""A task role from inside the task: boto3 in the container gets the task's minted session
credentials from 169.254.170.2, STS names the assumed role and task, and `--enforce-iam` refuses
ecs:ListClusters until the role has a policy allowing it. The image (Debian with python3-boto3)
is built locally (shared_images.debian_python_image) and kept between runs."""
import json
import time

import pytest

from helpers import DEFAULT_ACCOUNT, start_berth
from registry_helpers import needs_docker
from shared_images import debian_python_image

pytestmark = needs_docker

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
# Debian's botocore (1.29) predates AWS_ENDPOINT_URL, so the probe passes berth's address itself.
PROBE = """
import os, boto3, botocore.exceptions
kw = dict(endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name=os.environ['AWS_REGION'])
print('ARN ' + boto3.client('sts', **kw).get_caller_identity()['Arn'], flush=True)
try:
    boto3.client('ecs', **kw).list_clusters()
    print('ECS allowed', flush=True)
except botocore.exceptions.ClientError as e:
    print('ECS ' + e.response['Error']['Code'] + ' ' + e.response['Error']['Message'], flush=True)
"""


@pytest.fixture(scope="module")
def boto3_image(tmp_path_factory):
    return debian_python_image(tmp_path_factory)  # the flask example's base image, with boto3


def run_probe(b, n):
    """Runs the probe as a task and returns (task id, its log lines)."""
    arn = b.aws("ecs", "run-task", "--cluster", "demo", "--launch-type", "FARGATE", "--task-definition", "probe",
                "--network-configuration", "awsvpcConfiguration={subnets=[subnet-1]}")["tasks"][0]["taskArn"]
    task_id = arn.split("/")[-1]
    logs = b.client("logs")
    deadline = time.monotonic() + 90
    lines = []
    while time.monotonic() < deadline:
        try:
            events = logs.get_log_events(logGroupName="/probe", logStreamName=f"p/probe/{task_id}")["events"]
            lines = [e["message"] for e in events]
        except Exception:
            pass
        if any(line.startswith("ECS ") for line in lines):
            return task_id, lines
        time.sleep(0.5)
    raise AssertionError(f"probe {n} printed {lines}: {b.aws('ecs', 'describe-tasks', '--cluster', 'demo', '--tasks', arn)}")


def test_task_role_session_inside_a_task_and_enforce_iam(tmp_path, boto3_image):
    b = start_berth(data_dir=tmp_path / "d", log_dir=tmp_path, extra=("--enforce-iam",))
    try:
        b.aws("iam", "create-role", "--role-name", "app", "--assume-role-policy-document", TRUST)
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
        td = {"family": "probe", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
              "memory": "512", "taskRoleArn": f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/app",
              "executionRoleArn": f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/exec",
              "containerDefinitions": [{"name": "probe", "image": boto3_image, "essential": True,
                                        "command": ["python3", "-c", PROBE],
                                        "logConfiguration": {"logDriver": "awslogs", "options": {
                                            "awslogs-group": "/probe", "awslogs-create-group": "true",
                                            "awslogs-region": "us-east-1", "awslogs-stream-prefix": "p"}}}]}
        b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))

        task_id, lines = run_probe(b, 1)
        who = f"arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/app/{task_id}"
        assert f"ARN {who}" in lines
        assert (f"ECS AccessDeniedException User: {who} is not authorized to perform: ecs:ListClusters on "
                "resource: * because no identity-based policy allows the ecs:ListClusters action") in lines

        b.aws("iam", "attach-role-policy", "--role-name", "app", "--policy-arn",
              "arn:aws:iam::aws:policy/AmazonECS_FullAccess")
        task_id, lines = run_probe(b, 2)
        assert f"ARN arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/app/{task_id}" in lines
        assert "ECS allowed" in lines
    finally:
        b.reset()
        assert b.stop() == 0, b.log()
