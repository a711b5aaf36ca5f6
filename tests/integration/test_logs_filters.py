"""Metric filters (publishing to CloudWatch metrics), subscription filters, resource policies,
deletion protection and %regex% filter patterns, through the aws CLI v2 and boto3."""
import datetime
import json

import pytest
from botocore.exceptions import ClientError

from logs_helpers import events_file, group_with_stream, logs, logs_raw, now_ms  # noqa: F401


def error(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def put(aws, tmp_path, group, stream, messages):
    t = now_ms() - 1000
    events = [{"timestamp": t + i, "message": m} for i, m in enumerate(messages)]
    aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", stream,
        "--log-events", events_file(tmp_path, events))


def metric_sum(cw, ns, name, dims=()):
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=2)
    out = cw.get_metric_statistics(Namespace=ns, MetricName=name, Dimensions=[{"Name": k, "Value": v} for k, v in dims],
                                   StartTime=end - datetime.timedelta(minutes=30), EndTime=end, Period=3600,
                                   Statistics=["Sum", "SampleCount"])
    points = out["Datapoints"]
    return (sum(p["Sum"] for p in points), sum(p["SampleCount"] for p in points))


def test_metric_filter_publishes_matching_events(aws, berth, logs, group_with_stream, tmp_path):
    group, stream = group_with_stream
    aws("logs", "put-metric-filter", "--log-group-name", group, "--filter-name", "latency",
        "--filter-pattern", '{ $.level = "ERROR" }', "--metric-transformations",
        "metricName=ErrorLatency,metricNamespace=App,metricValue=$.latency,unit=Milliseconds")
    logs.put_metric_filter(logGroupName=group, filterName="bytes", filterPattern="[ip, user, status = 5*, size]",
                           metricTransformations=[{"metricName": "Bytes5xx", "metricNamespace": "App",
                                                   "metricValue": "$size", "dimensions": {"User": "$user"}}])
    put(aws, tmp_path, group, stream, [
        json.dumps({"level": "ERROR", "latency": 120}), json.dumps({"level": "INFO", "latency": 5}),
        json.dumps({"level": "ERROR", "latency": 80}), "10.0.0.1 bob 503 2048", "10.0.0.2 ann 200 99",
        "10.0.0.3 bob 500 52"])
    cw = berth.client("cloudwatch")
    assert metric_sum(cw, "App", "ErrorLatency") == (200.0, 2.0)
    assert metric_sum(cw, "App", "Bytes5xx", [("User", "bob")]) == (2100.0, 2.0)
    listed = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [f["filterName"] for f in listed] == ["bytes", "latency"]
    assert listed[1]["metricTransformations"] == [{"metricName": "ErrorLatency", "metricNamespace": "App",
                                                   "metricValue": "$.latency", "unit": "Milliseconds"}]
    assert listed[1]["logGroupName"] == group and listed[1]["creationTime"] > 0
    by_metric = logs.describe_metric_filters(metricName="Bytes5xx", metricNamespace="App")["metricFilters"]
    assert [f["filterName"] for f in by_metric] == ["bytes"]
    assert [f["filterName"] for f in logs.describe_metric_filters(logGroupName=group, filterNamePrefix="lat")["metricFilters"]] == ["latency"]
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"] == 2


def test_metric_filter_default_value_and_delete(aws, berth, logs, group_with_stream, tmp_path):
    group, stream = group_with_stream
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR",
                           metricTransformations=[{"metricName": "Errors", "metricNamespace": "App2",
                                                   "metricValue": "1", "defaultValue": 0}])
    put(aws, tmp_path, group, stream, ["ERROR a", "ok", "ERROR b"])
    put(aws, tmp_path, group, stream, ["fine"])  # no match: the default value once
    assert metric_sum(berth.client("cloudwatch"), "App2", "Errors") == (2.0, 3.0)
    aws("logs", "delete-metric-filter", "--log-group-name", group, "--filter-name", "errors")
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []
    assert error(logs.delete_metric_filter, logGroupName=group, filterName="errors") == (
        "ResourceNotFoundException", "The specified metric filter does not exist.")


def test_metric_filter_errors(logs, group_with_stream):
    group, _ = group_with_stream
    t = [{"metricName": "M", "metricNamespace": "N", "metricValue": "1"}]
    assert error(logs.put_metric_filter, logGroupName="/missing", filterName="f", filterPattern="",
                 metricTransformations=t) == ("ResourceNotFoundException", "The specified log group does not exist.")
    code, _ = error(logs.put_metric_filter, logGroupName=group, filterName="f", filterPattern="{ $.x = ",
                    metricTransformations=t)
    assert code == "InvalidParameterException"
    code, _ = error(logs.put_metric_filter, logGroupName=group, filterName="f", filterPattern="",
                    metricTransformations=[{**t[0], "metricValue": "abc"}])
    assert code == "InvalidParameterException"
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []


def test_test_metric_filter(aws):
    out = aws("logs", "test-metric-filter", "--filter-pattern", "[ip, user, status = 4*, size]",
              "--log-event-messages", "1.2.3.4 bob 404 10", "1.2.3.4 ann 200 5", "5.6.7.8 cy 403 7")
    assert out["matches"] == [
        {"eventNumber": 1, "eventMessage": "1.2.3.4 bob 404 10",
         "extractedValues": {"$ip": "1.2.3.4", "$user": "bob", "$status": "404", "$size": "10"}},
        {"eventNumber": 3, "eventMessage": "5.6.7.8 cy 403 7",
         "extractedValues": {"$ip": "5.6.7.8", "$user": "cy", "$status": "403", "$size": "7"}}]
    out = aws("logs", "test-metric-filter", "--filter-pattern", "%timeout|refused%",
              "--log-event-messages", "connection refused", "ok", "read timeout")
    assert [m["eventNumber"] for m in out["matches"]] == [1, 3]


def test_regex_filter_pattern_in_filter_log_events(aws, group_with_stream, tmp_path):
    group, stream = group_with_stream
    put(aws, tmp_path, group, stream, ["GET /a 200", "GET /b 503", "POST /c 500", "GET /d 404"])
    out = aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "%5[0-9]{2}$%")
    assert [e["message"] for e in out["events"]] == ["GET /b 503", "POST /c 500"]


def test_subscription_filters_limit_two(aws, aws_rc, logs, group_with_stream):
    group, _ = group_with_stream
    dest = "arn:aws:lambda:us-east-1:000000000000:function:ship"
    aws("logs", "put-subscription-filter", "--log-group-name", group, "--filter-name", "a", "--filter-pattern", "ERROR",
        "--destination-arn", dest)
    logs.put_subscription_filter(logGroupName=group, filterName="b", filterPattern="", destinationArn=dest,
                                 distribution="Random")
    logs.put_subscription_filter(logGroupName=group, filterName="b", filterPattern="WARN", destinationArn=dest)
    assert error(logs.put_subscription_filter, logGroupName=group, filterName="c", filterPattern="",
                 destinationArn=dest) == ("LimitExceededException", "Resource limit exceeded.")
    got = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert [(f["filterName"], f["filterPattern"], f["distribution"]) for f in got] == [
        ("a", "ERROR", "ByLogStream"), ("b", "WARN", "ByLogStream")]
    assert got[0]["destinationArn"] == dest and got[0]["logGroupName"] == group
    aws("logs", "delete-subscription-filter", "--log-group-name", group, "--filter-name", "a")
    assert error(logs.delete_subscription_filter, logGroupName=group, filterName="a") == (
        "ResourceNotFoundException", "The specified subscription filter does not exist.")
    code, _ = error(logs.put_subscription_filter, logGroupName=group, filterName="x", filterPattern="",
                    destinationArn="arn:aws:s3:::bucket")
    assert code == "InvalidParameterException"


def test_resource_policies(aws, logs, logs_raw):
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"},
                                                              "Action": "logs:PutLogEvents", "Resource": "*"}]})
    out = aws("logs", "put-resource-policy", "--policy-name", "es", "--policy-document", doc)
    assert out["resourcePolicy"]["policyName"] == "es"
    assert out["resourcePolicy"]["policyDocument"] == doc
    # Debian's CLI and boto3 predate policyScope and revisionId: read them raw.
    status, _, listed = logs_raw("DescribeResourcePolicies", {})
    assert status == 200
    assert [(p["policyName"], p["policyScope"]) for p in listed["resourcePolicies"]] == [("es", "ACCOUNT")]
    status, _, again = logs_raw("PutResourcePolicy", {"policyName": "es", "policyDocument": doc,
                                                       "expectedRevisionId": "stale"})
    assert (status, again["__type"]) == (400, "OperationAbortedException")
    revision = listed["resourcePolicies"][0]["revisionId"]
    status, _, again = logs_raw("PutResourcePolicy", {"policyName": "es", "policyDocument": doc,
                                                       "expectedRevisionId": revision})
    assert status == 200 and again["revisionId"] != revision
    code, _ = error(logs.put_resource_policy, policyName="bad", policyDocument="{not json")
    assert code == "InvalidParameterException"
    logs.delete_resource_policy(policyName="es")
    assert logs.describe_resource_policies()["resourcePolicies"] == []
    assert error(logs.delete_resource_policy, policyName="es") == (
        "ResourceNotFoundException", "Policy with name [es] does not exist")


def test_deletion_protection_is_enforced(aws_rc, logs, logs_raw):
    # Debian's CLI and boto3 predate deletion protection: set it raw.
    assert logs_raw("CreateLogGroup", {"logGroupName": "/kept", "deletionProtectionEnabled": True})[0] == 200
    rc, _, err = aws_rc("logs", "delete-log-group", "--log-group-name", "/kept")
    assert rc != 0 and "ValidationException" in err
    assert error(logs.delete_log_group, logGroupName="/kept") == (
        "ValidationException", "Cannot delete log group with deletion protection enabled. Disable deletion protection first.")
    _, _, body = logs_raw("DescribeLogGroups", {"logGroupNamePrefix": "/kept"})
    assert body["logGroups"][0]["deletionProtectionEnabled"] is True
    status, _, _ = logs_raw("PutLogGroupDeletionProtection", {"logGroupIdentifier": "/kept",
                                                               "deletionProtectionEnabled": False})
    assert status == 200
    logs.delete_log_group(logGroupName="/kept")
    assert logs.describe_log_groups(logGroupNamePrefix="/kept")["logGroups"] == []
