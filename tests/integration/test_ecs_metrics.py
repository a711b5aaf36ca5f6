"""AWS/ECS metrics from real Docker stats: a task burning CPU shows in CPUUtilization, published by
berth's stats sampler (intervals shortened by --stats-interval and --metrics-publish-interval)."""
import datetime as dt
import json
import time

import pytest

from helpers import start_berth
from registry_helpers import needs_docker
from shared_images import task_image

pytestmark = needs_docker
NET = "awsvpcConfiguration={subnets=[subnet-12345],assignPublicIp=ENABLED}"


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return task_image(tmp_path_factory)  # built once per run (shared_images)


def test_a_busy_task_shows_in_cpu_utilization(image, tmp_path):
    b = start_berth(data_dir=tmp_path / "data", log_dir=tmp_path,
                    extra=("--stats-interval", "1", "--metrics-publish-interval", "2"))
    try:
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
        td = {"family": "burn", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
              "memory": "512", "containerDefinitions": [
                  {"name": "burn", "image": image, "essential": True, "stopTimeout": 2,
                   "command": ["/bin/busybox", "sh", "-c", "while :; do :; done"]}]}
        b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
        task = b.aws("ecs", "run-task", "--cluster", "demo", "--launch-type", "FARGATE", "--task-definition", "burn",
                     "--network-configuration", NET)["tasks"][0]
        deadline = time.monotonic() + 60
        points = []
        while time.monotonic() < deadline and not points:
            now = time.time()
            points = b.aws("cloudwatch", "get-metric-statistics", "--namespace", "AWS/ECS", "--metric-name",
                           "CPUUtilization", "--dimensions", "Name=ClusterName,Value=demo",
                           "--start-time", iso(now - 600), "--end-time", iso(now + 60), "--period", "60",
                           "--statistics", "Maximum", "Average")["Datapoints"]
            time.sleep(0.5)
        assert points, "no AWS/ECS CPUUtilization published"
        # A busy loop takes a whole vCPU when it can: far above the 256-unit reservation.
        assert max(p["Maximum"] for p in points) > 50
        assert points[0]["Unit"] == "Percent"
        mem = b.aws("cloudwatch", "get-metric-statistics", "--namespace", "AWS/ECS", "--metric-name",
                    "MemoryUtilization", "--dimensions", "Name=ClusterName,Value=demo",
                    "--start-time", iso(time.time() - 600), "--end-time", iso(time.time() + 60), "--period", "60",
                    "--statistics", "Average")["Datapoints"]
        assert mem and 0 <= mem[0]["Average"] < 100
        b.aws("ecs", "stop-task", "--cluster", "demo", "--task", task["taskArn"])
    finally:
        b.reset()  # removes this berth's containers
        b.stop()


def test_container_insights_publishes_performance_events_and_metrics(image, tmp_path):
    b = start_berth(data_dir=tmp_path / "data", log_dir=tmp_path,
                    extra=("--stats-interval", "1", "--metrics-publish-interval", "2"))
    try:
        b.aws("ecs", "create-cluster", "--cluster-name", "insights", "--settings", "name=containerInsights,value=enabled")
        b.aws("ecs", "create-cluster", "--cluster-name", "plain")  # the account default: disabled
        td = {"family": "idle", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
              "memory": "512", "containerDefinitions": [
                  {"name": "idle", "image": image, "essential": True, "stopTimeout": 1,
                   "command": ["/bin/busybox", "sleep", "600"]}]}
        b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
        for cluster in ("insights", "plain"):
            b.aws("ecs", "run-task", "--cluster", cluster, "--launch-type", "FARGATE", "--task-definition", "idle",
                  "--network-configuration", NET)
        group = "/aws/ecs/containerinsights/insights/performance"
        deadline = time.monotonic() + 60
        events = []
        while time.monotonic() < deadline and not any(json.loads(e["message"])["Type"] == "Task" for e in events):
            if b.aws("logs", "describe-log-groups", "--log-group-name-prefix", group)["logGroups"]:
                events = b.aws("logs", "filter-log-events", "--log-group-name", group)["events"]
            time.sleep(0.5)
        task = next(json.loads(e["message"]) for e in events if json.loads(e["message"])["Type"] == "Task")
        assert task["ClusterName"] == "insights" and task["TaskDefinitionFamily"] == "idle"
        assert task["CpuReserved"] == 256 and task["MemoryReserved"] == 512
        assert task["CloudWatchMetrics"][0]["Namespace"] == "ECS/ContainerInsights"
        streams = {e["logStreamName"] for e in events}
        assert any(s.startswith("FargateTelemetry-") for s in streams)
        now = time.time()
        points = b.aws("cloudwatch", "get-metric-statistics", "--namespace", "ECS/ContainerInsights",
                       "--metric-name", "CpuUtilized", "--dimensions", "Name=ClusterName,Value=insights",
                       "--start-time", iso(now - 600), "--end-time", iso(now + 60), "--period", "60",
                       "--statistics", "Average")["Datapoints"]
        assert points and points[0]["Average"] >= 0
        metrics = b.aws("cloudwatch", "list-metrics", "--namespace", "ECS/ContainerInsights")["Metrics"]
        assert {"Name": "TaskDefinitionFamily", "Value": "idle"} in [d for m in metrics for d in m["Dimensions"]]
        # Nothing for the cluster where Container Insights is disabled.
        assert not b.aws("logs", "describe-log-groups", "--log-group-name-prefix",
                         "/aws/ecs/containerinsights/plain/")["logGroups"]
        assert all({"Name": "ClusterName", "Value": "plain"} not in m["Dimensions"] for m in metrics)
    finally:
        b.reset()  # removes this berth's containers
        b.stop()
