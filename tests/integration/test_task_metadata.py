"""What a task sees at 169.254.170.2: the task metadata endpoint v4 and its task role's
credentials, read from inside a running task (a Python image built locally from Debian)."""
import json
import time

import pytest

from helpers import start_berth
from registry_helpers import needs_docker
from test_flask_example import flask_base_image  # noqa: F401

pytestmark = needs_docker

PROBE = """
import json, os, urllib.request as u
base = os.environ['ECS_CONTAINER_METADATA_URI_V4']
task = json.load(u.urlopen(base + '/task'))
me = json.load(u.urlopen(base))
stats = json.load(u.urlopen(base + '/stats'))
creds_uri = os.environ.get('AWS_CONTAINER_CREDENTIALS_FULL_URI') or \\
    'http://169.254.170.2' + os.environ['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']
creds = json.load(u.urlopen(creds_uri))
print(json.dumps({'task': task, 'me': me, 'creds': creds, 'has_stats': 'memory_stats' in stats,
                  'region': os.environ['AWS_REGION']}))
"""


def test_metadata_and_credentials_from_inside_a_task(tmp_path, flask_base_image):  # noqa: F811
    b = start_berth(data_dir=tmp_path / "d")
    try:
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
        td = {"family": "probe", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "512",
              "memory": "1024", "taskRoleArn": "arn:aws:iam::000000000000:role/app",
              "executionRoleArn": "arn:aws:iam::000000000000:role/exec",
              "containerDefinitions": [{"name": "probe", "image": flask_base_image, "essential": True,
                                        "command": ["python3", "-c", PROBE],
                                        "logConfiguration": {"logDriver": "awslogs", "options": {
                                            "awslogs-group": "/probe", "awslogs-create-group": "true",
                                            "awslogs-region": "us-east-1", "awslogs-stream-prefix": "p"}}}]}
        b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
        arn = b.aws("ecs", "run-task", "--cluster", "demo", "--launch-type", "FARGATE", "--task-definition", "probe",
                    "--network-configuration", "awsvpcConfiguration={subnets=[subnet-1]}")["tasks"][0]["taskArn"]
        stream = f"p/probe/{arn.split('/')[-1]}"
        deadline = time.monotonic() + 60
        out = None
        while time.monotonic() < deadline and out is None:
            try:
                events = b.client("logs").get_log_events(logGroupName="/probe", logStreamName=stream)["events"]
                out = next((json.loads(e["message"]) for e in events if e["message"].startswith("{")), None)
            except Exception:
                pass
            time.sleep(0.5)
        assert out, b.aws("ecs", "describe-tasks", "--cluster", "demo", "--tasks", arn)
        assert out["task"]["TaskARN"] == arn
        assert out["task"]["Family"] == "probe" and out["task"]["Revision"] == "1"
        assert out["task"]["Limits"] == {"CPU": 0.5, "Memory": 1024}
        assert out["task"]["Cluster"] == "arn:aws:ecs:us-east-1:000000000000:cluster/demo"
        assert out["me"]["Name"] == "probe" and out["me"]["DockerId"]
        assert out["has_stats"]
        assert out["creds"]["RoleArn"] == "arn:aws:iam::000000000000:role/app"
        # STS-style session credentials minted for this task (ASIA + 16), with a token and expiry.
        assert out["creds"]["AccessKeyId"].startswith("ASIA") and len(out["creds"]["AccessKeyId"]) == 20
        assert len(out["creds"]["SecretAccessKey"]) == 40 and out["creds"]["Token"]
        assert out["creds"]["Expiration"].endswith("Z")
        assert out["region"] == "us-east-1"
    finally:
        b.reset()
        b.stop()
