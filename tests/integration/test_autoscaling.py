"""Application Auto Scaling through the aws CLI v2 (awsJson 1.1): scalable targets, a target
tracking policy with the two CloudWatch alarms it owns, step scaling, errors as AWS words them."""
import json

TARGET = ["--service-namespace", "ecs", "--resource-id", "service/demo/web",
          "--scalable-dimension", "ecs:service:DesiredCount"]


def test_target_tracking_policy_owns_two_alarms(aws, aws_rc):
    # Debian's CLI v2 predates ScalableTargetARN in the output; the unit tests check it.
    aws("application-autoscaling", "register-scalable-target", *TARGET, "--min-capacity", "1", "--max-capacity", "4")
    target = aws("application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs")["ScalableTargets"]
    assert [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in target] == [("service/demo/web", 1, 4)]
    config = {"TargetValue": 50, "ScaleOutCooldown": 60,
              "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}
    put = aws("application-autoscaling", "put-scaling-policy", *TARGET, "--policy-name", "cpu50",
              "--policy-type", "TargetTrackingScaling",
              "--target-tracking-scaling-policy-configuration", json.dumps(config))
    assert put["PolicyARN"].endswith(":resource/ecs/service/demo/web:policyName/cpu50")
    names = [a["AlarmName"] for a in put["Alarms"]]
    assert names[0].startswith("TargetTracking-service/demo/web-AlarmHigh-")
    assert names[1].startswith("TargetTracking-service/demo/web-AlarmLow-")
    alarms = aws("cloudwatch", "describe-alarms", "--alarm-names", *names)["MetricAlarms"]
    high, low = sorted(alarms, key=lambda a: a["AlarmName"])
    assert (high["Namespace"], high["MetricName"], high["Statistic"]) == ("AWS/ECS", "CPUUtilization", "Average")
    assert high["Dimensions"] == [{"Name": "ClusterName", "Value": "demo"}, {"Name": "ServiceName", "Value": "web"}]
    assert (high["EvaluationPeriods"], high["Threshold"], high["ComparisonOperator"]) == (3, 50.0, "GreaterThanThreshold")
    assert (low["EvaluationPeriods"], low["Threshold"], low["ComparisonOperator"]) == (15, 45.0, "LessThanThreshold")
    assert high["AlarmActions"] == [put["PolicyARN"]]
    assert high["AlarmDescription"].startswith("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ")
    policies = aws("application-autoscaling", "describe-scaling-policies", "--service-namespace", "ecs")["ScalingPolicies"]
    assert policies[0]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 50.0
    assert aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs")["ScalingActivities"] == []
    aws("application-autoscaling", "delete-scaling-policy", *TARGET, "--policy-name", "cpu50")
    assert aws("cloudwatch", "describe-alarms")["MetricAlarms"] == []
    rc, _, err = aws_rc("application-autoscaling", "delete-scaling-policy", *TARGET, "--policy-name", "cpu50")
    assert rc != 0 and "ObjectNotFoundException" in err
    aws("application-autoscaling", "deregister-scalable-target", *TARGET)
    rc, _, err = aws_rc("application-autoscaling", "put-scaling-policy", *TARGET, "--policy-name", "x",
                        "--policy-type", "TargetTrackingScaling",
                        "--target-tracking-scaling-policy-configuration", json.dumps(config))
    assert rc != 0
    assert ("No scalable target registered for service namespace: ecs, resource ID: service/demo/web, "
            "scalable dimension: ecs:service:DesiredCount") in err


def test_bad_targets_are_validation_errors(aws_rc):
    rc, _, err = aws_rc("application-autoscaling", "register-scalable-target", "--service-namespace", "ecs",
                        "--resource-id", "service/demo/web", "--scalable-dimension", "ecs:service:DesiredCount",
                        "--min-capacity", "5", "--max-capacity", "2")
    assert rc != 0 and "ValidationException" in err
    rc, _, err = aws_rc("application-autoscaling", "register-scalable-target", *TARGET)
    assert rc != 0 and "ValidationException" in err


def test_a_scheduled_action_a_few_seconds_away_moves_the_service(aws, aws_rc):
    import datetime as dt
    import time
    aws("ecs", "create-cluster", "--cluster-name", "demo")
    td = {"family": "web", "containerDefinitions": [{"name": "web", "image": "berth-test/absent:1", "memory": 64}]}
    aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
    aws("ecs", "create-service", "--cluster", "demo", "--service-name", "web", "--task-definition", "web",
        "--desired-count", "0")
    aws("application-autoscaling", "register-scalable-target", *TARGET, "--min-capacity", "0", "--max-capacity", "4")
    # Eight seconds from now, in UTC (at() has second precision; a loaded machine's CLI takes seconds).
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=8)
    aws("application-autoscaling", "put-scheduled-action", *TARGET, "--scheduled-action-name", "morning",
        "--schedule", f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})", "--scalable-target-action",
        "MinCapacity=2,MaxCapacity=3")
    aws("application-autoscaling", "put-scheduled-action", *TARGET, "--scheduled-action-name", "weekdays",
        "--schedule", "cron(0 8 ? * MON-FRI *)", "--timezone", "Europe/Berlin",
        "--scalable-target-action", "MaxCapacity=4")
    rc, _, err = aws_rc("application-autoscaling", "put-scheduled-action", *TARGET, "--scheduled-action-name", "bad",
                        "--schedule", "rate(1 minutes)", "--scalable-target-action", "MinCapacity=1")
    assert rc != 0 and "ValidationException" in err and "Invalid schedule expression" in err
    rc, _, err = aws_rc("application-autoscaling", "put-scheduled-action", *TARGET, "--scheduled-action-name", "bad",
                        "--schedule", "cron(0 8 * * ? *)", "--timezone", "Nowhere/Town",
                        "--scalable-target-action", "MinCapacity=1")
    assert rc != 0 and "ValidationException" in err
    listed = aws("application-autoscaling", "describe-scheduled-actions", "--service-namespace", "ecs")["ScheduledActions"]
    by_name = {a["ScheduledActionName"]: a for a in listed}
    assert set(by_name) == {"morning", "weekdays"}
    assert by_name["weekdays"]["Timezone"] == "Europe/Berlin"
    assert by_name["morning"]["ScalableTargetAction"] == {"MinCapacity": 2, "MaxCapacity": 3}
    assert by_name["morning"]["ScheduledActionARN"].endswith(
        ":resource/ecs/service/demo/web:scheduledActionName/morning")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        svc = aws("ecs", "describe-services", "--cluster", "demo", "--services", "web")["services"][0]
        if svc["desiredCount"] == 2:
            break
        time.sleep(0.5)
    assert svc["desiredCount"] == 2
    target = aws("application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs")["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 3)
    acts = aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs")["ScalingActivities"]
    assert [a["Description"] for a in acts] == ["Setting desired count to 2.", "Setting min capacity to 2 and max capacity to 3"]
    assert acts[1]["Cause"] == "scheduled action name morning was triggered"
    assert acts[1]["StatusMessage"] == "Successfully set min capacity to 2 and max capacity to 3"
    assert acts[0]["StatusMessage"] == "Successfully set desired count to 2. Change successfully fulfilled by ecs."
    aws("application-autoscaling", "delete-scheduled-action", *TARGET, "--scheduled-action-name", "weekdays")
    rc, _, err = aws_rc("application-autoscaling", "delete-scheduled-action", *TARGET, "--scheduled-action-name", "weekdays")
    assert rc != 0 and "ObjectNotFoundException" in err
    aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "0")


def test_new_bounds_move_the_desired_count_into_them(aws):
    # RegisterScalableTarget, new or updated, puts a desired count outside the bounds inside them
    # at once, as Application Auto Scaling does, and records the activity with AWS's texts.
    aws("ecs", "create-cluster", "--cluster-name", "demo")
    td = {"family": "web", "containerDefinitions": [{"name": "web", "image": "berth-test/absent:1", "memory": 64}]}
    aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))
    aws("ecs", "create-service", "--cluster", "demo", "--service-name", "web", "--task-definition", "web",
        "--desired-count", "0")

    def desired():
        return aws("ecs", "describe-services", "--cluster", "demo", "--services", "web")["services"][0]["desiredCount"]

    aws("application-autoscaling", "register-scalable-target", *TARGET, "--min-capacity", "2", "--max-capacity", "4")
    assert desired() == 2
    aws("application-autoscaling", "register-scalable-target", *TARGET, "--max-capacity", "1", "--min-capacity", "0")
    assert desired() == 1
    aws("application-autoscaling", "register-scalable-target", *TARGET, "--max-capacity", "3")
    assert desired() == 1  # within the bounds: left alone
    acts = aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs",
               "--resource-id", "service/demo/web")["ScalingActivities"]
    assert [(a["Description"], a["Cause"], a["StatusCode"]) for a in acts] == [
        ("Setting desired count to 1.", "maximum capacity was set to 1", "Successful"),
        ("Setting desired count to 2.", "minimum capacity was set to 2", "Successful")]
    assert acts[0]["StatusMessage"] == "Successfully set desired count to 1. Change successfully fulfilled by ecs."
    aws("application-autoscaling", "deregister-scalable-target", *TARGET)
    aws("ecs", "update-service", "--cluster", "demo", "--service", "web", "--desired-count", "0")
