"""Without a reachable Docker engine berth still serves every API, and RunTask fails as ECS fails
to place a task, saying why."""
import json
import os

from helpers import start_berth


def test_run_task_without_docker_reports_a_placement_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    b = start_berth(data_dir=tmp_path / "d")
    try:
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
        td = {"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
              "memory": "512", "containerDefinitions": [{"name": "web", "image": "busybox"}]}
        b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
        out = b.aws("ecs", "run-task", "--cluster", "demo", "--launch-type", "FARGATE", "--task-definition", "web",
                    "--count", "2", "--network-configuration", "awsvpcConfiguration={subnets=[subnet-1]}")
        assert out["tasks"] == []
        assert len(out["failures"]) == 2
        assert out["failures"][0]["arn"] == "arn:aws:ecs:us-east-1:000000000000:cluster/demo"
        assert "Docker is not reachable" in out["failures"][0]["detail"]
        assert b.aws("ecs", "list-tasks", "--cluster", "demo")["taskArns"] == []
        assert b.aws("ecs", "describe-clusters", "--clusters", "demo")["clusters"][0]["status"] == "ACTIVE"
    finally:
        b.stop()
