"""Application Auto Scaling really changes an ECS service's desiredCount: tasks burning CPU push
AWS/ECS CPUUtilization (from Docker's stats) over a step-scaling alarm, the service scales out,
and scales back in once the load stops. Short knobs: alarms every second, stats every second,
datapoints every 2 s, 10-second alarm periods and 5-second cooldowns."""
import json
import time

import pytest

from helpers import start_berth
from registry_helpers import needs_docker
from shared_images import task_image

pytestmark = needs_docker
NET = {"awsvpcConfiguration": {"subnets": ["subnet-12345"], "assignPublicIp": "ENABLED"}}
TARGET = ["--service-namespace", "ecs", "--resource-id", "service/demo/burn",
          "--scalable-dimension", "ecs:service:DesiredCount"]
# Burns a CPU for 25 s after it starts, then idles.
BURN = "end=$(( $(/bin/busybox date +%s) + 25 )); while [ $(/bin/busybox date +%s) -lt $end ]; do :; done; " \
       "exec /bin/busybox sleep 3600"


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return task_image(tmp_path_factory)  # built once per run (shared_images)


def step_policy(b, name, adjustment):
    config = {"AdjustmentType": "ChangeInCapacity", "Cooldown": 5,
              "StepAdjustments": [{"MetricIntervalLowerBound" if adjustment > 0 else "MetricIntervalUpperBound": 0,
                                   "ScalingAdjustment": adjustment}]}
    return b.aws("application-autoscaling", "put-scaling-policy", *TARGET, "--policy-name", name,
                 "--policy-type", "StepScaling", "--step-scaling-policy-configuration", json.dumps(config))["PolicyARN"]


def alarm(b, name, comparison, threshold, policy):
    b.aws("cloudwatch", "put-metric-alarm", "--alarm-name", name, "--namespace", "AWS/ECS",
          "--metric-name", "CPUUtilization", "--dimensions", "Name=ClusterName,Value=demo", "Name=ServiceName,Value=burn",
          "--statistic", "Maximum", "--period", "10", "--evaluation-periods", "1", "--threshold", str(threshold),
          "--comparison-operator", comparison, "--alarm-actions", policy)


def desired(b):
    return b.aws("ecs", "describe-services", "--cluster", "demo", "--services", "burn")["services"][0]["desiredCount"]


def wait_desired(b, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = desired(b)
        if predicate(n):
            return n
        time.sleep(0.5)
    raise AssertionError(f"desiredCount stayed {desired(b)}")


def test_cpu_load_scales_a_service_out_and_back_in(image, tmp_path):
    b = start_berth(data_dir=tmp_path / "data", log_dir=tmp_path,
                    extra=("--alarm-interval", "1", "--stats-interval", "1", "--metrics-publish-interval", "2"))
    try:
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
        td = {"family": "burn", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
              "memory": "512", "containerDefinitions": [
                  {"name": "burn", "image": image, "essential": True, "stopTimeout": 2,
                   "command": ["/bin/busybox", "sh", "-c", BURN]}]}
        b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
        b.aws("ecs", "create-service", "--cluster", "demo", "--service-name", "burn", "--task-definition", "burn",
              "--desired-count", "1", "--launch-type", "FARGATE", "--network-configuration", json.dumps(NET))
        b.aws("application-autoscaling", "register-scalable-target", *TARGET, "--min-capacity", "1",
              "--max-capacity", "2")
        alarm(b, "burn-high", "GreaterThanThreshold", 50, step_policy(b, "out", 1))
        alarm(b, "burn-low", "LessThanThreshold", 20, step_policy(b, "in", -1))
        assert wait_desired(b, lambda n: n == 2, 90) == 2
        acts = b.aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs")
        assert acts["ScalingActivities"][0]["Description"] == "Setting desired count to 2."
        assert acts["ScalingActivities"][0]["StatusMessage"] == \
            "Successfully set desired count to 2. Change successfully fulfilled by ecs."
        # The burn ends after 25 s in each task: CPU falls, the low alarm scales back in.
        assert wait_desired(b, lambda n: n == 1, 120) == 1
    finally:
        b.reset()  # removes this berth's containers
        b.stop()
