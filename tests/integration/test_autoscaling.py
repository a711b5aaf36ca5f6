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
