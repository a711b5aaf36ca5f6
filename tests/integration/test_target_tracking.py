"""Target tracking on ECSServiceAverageCPUUtilization, live: tasks burning CPU push AWS/ECS
CPUUtilization (from Docker's stats) over the policy's target, the AlarmHigh alarm Application
Auto Scaling made goes to ALARM and desiredCount rises; once the burn stops, AlarmLow (15 of 15
below 90 % of the target) scales the service back in. AWS's minute periods are shortened to 1 s by
--scaling-time-scale 1/60, the cooldowns by the policy's own fields. The CloudWatch calls go over
both CLIs: Debian's v2 (query) and pyenv's v1 (botocore 1.43: JSON 1.0)."""
import json
import subprocess
import time

import pytest

from helpers import start_berth
from registry_helpers import Docker, build_test_image, needs_docker

pytestmark = needs_docker
NET = {"awsvpcConfiguration": {"subnets": ["subnet-12345"], "assignPublicIp": "ENABLED"}}
TARGET = ["--service-namespace", "ecs", "--resource-id", "service/demo/burn",
          "--scalable-dimension", "ecs:service:DesiredCount"]
AWS_V1 = "/root/.pyenv/versions/3.11.7/bin/aws"


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    docker = Docker(tmp_path_factory.mktemp("docker-config"))
    return build_test_image(docker, tmp_path_factory.mktemp("img"), "berth-test/task:one", marker="one")


def aws_v1(b, *args):
    p = subprocess.run([AWS_V1, "--endpoint-url", b.endpoint, "--output", "json", *map(str, args)],
                       capture_output=True, text=True, timeout=60, env=b.cli_env())
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout) if p.stdout.strip() else None


def desired(b):
    return b.aws("ecs", "describe-services", "--cluster", "demo", "--services", "burn")["services"][0]["desiredCount"]


def wait_desired(b, want, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if desired(b) == want:
            return
        time.sleep(0.5)
    raise AssertionError(f"desiredCount stayed {desired(b)}, wanted {want}\n{b.log()[-3000:]}")


def wait_running(b, want, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = b.aws("ecs", "describe-services", "--cluster", "demo", "--services", "burn")["services"][0]
        if s["runningCount"] == want:
            return
        time.sleep(0.5)
    raise AssertionError(f"runningCount never reached {want}")


def test_target_tracking_scales_a_busy_service_out_and_back_in(image, tmp_path):
    b = start_berth(data_dir=tmp_path / "data", log_dir=tmp_path,
                    extra=("--alarm-interval", "1", "--stats-interval", "1", "--metrics-publish-interval", "1",
                           "--scaling-time-scale", str(1 / 60)))
    try:
        b.aws("ecs", "create-cluster", "--cluster-name", "demo")
        # Every task burns a CPU until the test leaves /stop in it, then idles.
        burn = "while [ ! -e /stop ]; do :; done; exec /bin/busybox sleep 3600"
        td = {"family": "burn", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
              "memory": "512", "containerDefinitions": [
                  {"name": "burn", "image": image, "essential": True, "stopTimeout": 2,
                   "command": ["/bin/busybox", "sh", "-c", burn]}]}
        b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
        b.aws("ecs", "create-service", "--cluster", "demo", "--service-name", "burn", "--task-definition", "burn",
              "--desired-count", "1", "--launch-type", "FARGATE", "--network-configuration", json.dumps(NET))
        b.aws("application-autoscaling", "register-scalable-target", *TARGET, "--min-capacity", "1",
              "--max-capacity", "3")
        config = {"TargetValue": 50, "ScaleOutCooldown": 1, "ScaleInCooldown": 1,
                  "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}
        put = b.aws("application-autoscaling", "put-scaling-policy", *TARGET, "--policy-name", "cpu50",
                    "--policy-type", "TargetTrackingScaling",
                    "--target-tracking-scaling-policy-configuration", json.dumps(config))
        high, low = (a["AlarmName"] for a in put["Alarms"])
        assert high.startswith("TargetTracking-service/demo/burn-AlarmHigh-")
        assert low.startswith("TargetTracking-service/demo/burn-AlarmLow-")
        # A busy loop takes far more than the 256 units reserved: ceil(1 × CPU / 50) is above the
        # maximum, so the service goes straight to 3.
        wait_desired(b, 3, 40)
        history = aws_v1(b, "cloudwatch", "describe-alarm-history", "--alarm-name", high,
                         "--history-item-type", "StateUpdate")["AlarmHistoryItems"]
        assert any("to ALARM" in h["HistorySummary"] for h in history)
        cpu = b.aws("cloudwatch", "get-metric-statistics", "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization",
                    "--dimensions", "Name=ClusterName,Value=demo", "Name=ServiceName,Value=burn",
                    "--start-time", int(time.time()) - 600, "--end-time", int(time.time()) + 60, "--period", "60",
                    "--statistics", "Maximum")["Datapoints"]
        assert max(p["Maximum"] for p in cpu) > 50
        acts = b.aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs",
                     "--resource-id", "service/demo/burn")["ScalingActivities"]
        assert acts[0]["Description"] == "Setting desired count to 3."
        assert acts[0]["StatusMessage"] == "Successfully set desired count to 3. Change successfully fulfilled by ecs."
        assert acts[0]["Cause"].startswith(f"monitor alarm {high} in state ALARM triggered policy cpu50")
        # The burn ends: 15 one-second periods below 45 % and the service is back at its minimum.
        wait_running(b, 3, 40)
        for arn in b.aws("ecs", "list-tasks", "--cluster", "demo")["taskArns"]:
            ids = subprocess.run(["docker", "ps", "-q", "--filter", f"label=com.amazonaws.ecs.task-arn={arn}",
                                  "--filter", "label=com.amazonaws.ecs.container-name=burn"],
                                 capture_output=True, text=True, check=True).stdout.split()
            for cid in ids:
                subprocess.run(["docker", "exec", cid, "/bin/busybox", "touch", "/stop"], check=True)
        wait_desired(b, 1, 60)
        alarms = aws_v1(b, "cloudwatch", "describe-alarms", "--alarm-names", low)["MetricAlarms"]
        assert alarms[0]["EvaluationPeriods"] == 15 and alarms[0]["Threshold"] == 45.0
        history = aws_v1(b, "cloudwatch", "describe-alarm-history", "--alarm-name", low,
                         "--history-item-type", "StateUpdate")["AlarmHistoryItems"]
        assert any("to ALARM" in h["HistorySummary"] for h in history)
        acts = b.aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs",
                     "--resource-id", "service/demo/burn")["ScalingActivities"]
        assert acts[0]["Description"] == "Setting desired count to 1."
        assert acts[0]["Cause"].startswith(f"monitor alarm {low} in state ALARM triggered policy cpu50")
    finally:
        b.reset()  # removes this berth's containers
        b.stop()
