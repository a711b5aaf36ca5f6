"""CreateLogGroup, DeleteLogGroup, DescribeLogGroups, CreateLogStream, DeleteLogStream,
DescribeLogStreams through the aws CLI and boto3."""
import pytest
from botocore.exceptions import ClientError

from helpers import AwsCliError
from logs_helpers import group_arn, group_with_stream, logs, logs_raw, now_ms  # noqa: F401


def test_create_and_describe_log_group(aws):
    assert aws("logs", "create-log-group", "--log-group-name", "/ecs/flask-app",
               "--kms-key-id", "arn:aws:kms:us-east-1:000000000000:key/abc", "--tags", "env=dev") is None
    out = aws("logs", "describe-log-groups", "--log-group-name-prefix", "/ecs/flask-app")
    [g] = out["logGroups"]
    assert g["logGroupName"] == "/ecs/flask-app"
    assert g["arn"] == group_arn("/ecs/flask-app") + ":*"
    assert g["storedBytes"] == 0
    assert g["metricFilterCount"] == 0
    assert g["kmsKeyId"] == "arn:aws:kms:us-east-1:000000000000:key/abc"
    assert abs(g["creationTime"] - now_ms()) < 60_000
    assert "retentionInDays" not in g


def test_describe_log_groups_raw_shape_has_newer_members(logs_raw):
    logs_raw("CreateLogGroup", {"logGroupName": "/shape"})
    status, headers, body = logs_raw("DescribeLogGroups", {})
    assert status == 200
    assert headers["content-type"] == "application/x-amz-json-1.1"
    [g] = body["logGroups"]
    assert g["logGroupArn"] == group_arn("/shape")
    assert g["logGroupClass"] == "STANDARD"
    assert g["deletionProtectionEnabled"] is False
    assert isinstance(g["creationTime"], int)  # Logs timestamps are integer milliseconds


def test_duplicate_group_and_missing_group_errors(logs):
    logs.create_log_group(logGroupName="/dup")
    with pytest.raises(ClientError) as e:
        logs.create_log_group(logGroupName="/dup")
    assert e.value.response["Error"] == {"Code": "ResourceAlreadyExistsException",
                                         "Message": "The specified log group already exists"}
    with pytest.raises(ClientError) as e:
        logs.delete_log_group(logGroupName="/missing")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == "The specified log group does not exist."


def test_describe_log_groups_prefix_pattern_and_pages(aws, logs):
    for name in ("/a/one", "/a/two", "/b/one-two", "/c"):
        logs.create_log_group(logGroupName=name)
    names = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePattern="two")["logGroups"]]
    assert names == ["/a/two", "/b/one-two"]
    with pytest.raises(ClientError) as e:
        logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="x")
    assert e.value.response["Error"]["Message"] == \
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
    page = logs.describe_log_groups(limit=3)
    assert len(page["logGroups"]) == 3 and "nextToken" in page
    rest = logs.describe_log_groups(limit=3, nextToken=page["nextToken"])
    assert [g["logGroupName"] for g in rest["logGroups"]] == ["/c"]
    assert "nextToken" not in rest
    # The CLI follows nextToken itself.
    out = aws("logs", "describe-log-groups", "--page-size", "1")
    assert [g["logGroupName"] for g in out["logGroups"]] == ["/a/one", "/a/two", "/b/one-two", "/c"]


def test_delete_log_group_removes_streams_and_events(aws, logs, group_with_stream):
    group, stream = group_with_stream
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": now_ms(), "message": "x"}])
    aws("logs", "delete-log-group", "--log-group-name", group)
    assert aws("logs", "describe-log-groups")["logGroups"] == []
    aws("logs", "create-log-group", "--log-group-name", group)
    assert aws("logs", "describe-log-streams", "--log-group-name", group)["logStreams"] == []


def test_streams_create_describe_delete(aws, logs, logs_raw):
    aws("logs", "create-log-group", "--log-group-name", "/s")
    for s in ("b", "a", "c"):
        aws("logs", "create-log-stream", "--log-group-name", "/s", "--log-stream-name", s)
    with pytest.raises(AwsCliError) as e:
        aws("logs", "create-log-stream", "--log-group-name", "/s", "--log-stream-name", "a")
    assert "ResourceAlreadyExistsException" in e.value.stderr
    with pytest.raises(AwsCliError) as e:
        aws("logs", "create-log-stream", "--log-group-name", "/nope", "--log-stream-name", "a")
    assert "The specified log group does not exist." in e.value.stderr

    t = now_ms()
    logs.put_log_events(logGroupName="/s", logStreamName="c", logEvents=[{"timestamp": t - 5000, "message": "c"}])
    logs.put_log_events(logGroupName="/s", logStreamName="a",
                        logEvents=[{"timestamp": t - 1000, "message": "a1"}, {"timestamp": t - 900, "message": "a2"}])
    out = aws("logs", "describe-log-streams", "--log-group-name", "/s")
    streams = out["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a", "b", "c"]
    a = streams[0]
    assert a["firstEventTimestamp"] == t - 1000
    assert a["lastEventTimestamp"] == t - 900
    assert abs(a["lastIngestionTime"] - now_ms()) < 60_000
    assert a["arn"] == group_arn("/s") + ":log-stream:a"
    assert a["storedBytes"] == 0  # AWS no longer reports per-stream bytes
    assert "firstEventTimestamp" not in streams[1]

    by_time = aws("logs", "describe-log-streams", "--log-group-name", "/s", "--order-by", "LastEventTime",
                  "--descending")
    assert [s["logStreamName"] for s in by_time["logStreams"]] == ["a", "c", "b"]
    prefixed = aws("logs", "describe-log-streams", "--log-group-name", "/s", "--log-stream-name-prefix", "b")
    assert [s["logStreamName"] for s in prefixed["logStreams"]] == ["b"]
    paged = aws("logs", "describe-log-streams", "--log-group-name", "/s", "--page-size", "1")
    assert [s["logStreamName"] for s in paged["logStreams"]] == ["a", "b", "c"]
    with pytest.raises(ClientError) as e:
        logs.describe_log_streams(logGroupName="/s", orderBy="LastEventTime", logStreamNamePrefix="a")
    assert e.value.response["Error"]["Message"] == "Cannot order by LastEventTime with a logStreamNamePrefix."
    # Debian's botocore predates logGroupIdentifier, so these go over raw HTTP.
    status, _, by_arn = logs_raw("DescribeLogStreams", {"logGroupIdentifier": group_arn("/s"),
                                                        "logStreamNamePrefix": "c"})
    assert status == 200 and [s["logStreamName"] for s in by_arn["logStreams"]] == ["c"]
    status, headers, err = logs_raw("DescribeLogStreams", {"logGroupName": "/s", "logGroupIdentifier": "/s"})
    assert status == 400 and headers["x-amzn-errortype"].startswith("ValidationException")
    assert err["message"] == "LogGroup name and LogGroup ARN are mutually exclusive parameters."

    aws("logs", "delete-log-stream", "--log-group-name", "/s", "--log-stream-name", "a")
    with pytest.raises(ClientError) as e:
        logs.delete_log_stream(logGroupName="/s", logStreamName="a")
    assert e.value.response["Error"]["Message"] == "The specified log stream does not exist."
    assert aws("logs", "describe-log-groups")["logGroups"][0]["storedBytes"] == 1  # "c" is left


def test_describe_log_groups_next_token_is_the_last_group_name(berth):
    logs = berth.client("logs")
    for name in ("/t/a", "/t/b", "/t/c"):
        logs.create_log_group(logGroupName=name)
    page = logs.describe_log_groups(logGroupNamePrefix="/t/", limit=2)
    assert page["nextToken"] == "/t/b"
    # Any name works as a token: the groups after it, in name order.
    rest = logs.describe_log_groups(logGroupNamePrefix="/t/", nextToken="/t/a-zzz")
    assert [g["logGroupName"] for g in rest["logGroups"]] == ["/t/b", "/t/c"]
