"""PutRetentionPolicy and DeleteRetentionPolicy with retention enforced, and the two sets of
tagging operations."""
import pytest
from botocore.exceptions import ClientError

from helpers import AwsCliError
from logs_helpers import DAY_MS, group_arn, group_with_stream, logs, now_ms  # noqa: F401


def test_retention_drops_old_events_and_their_bytes(aws, logs, group_with_stream):
    group, stream = group_with_stream
    t = now_ms()
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": t - 10 * DAY_MS, "message": "ten days"}, {"timestamp": t - 10 * DAY_MS + 1, "message": "ten days"}])
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t - 2 * DAY_MS, "message": "two days"}])
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t - 1000, "message": "just now"}])
    assert aws("logs", "describe-log-groups")["logGroups"][0]["storedBytes"] == 32

    aws("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "7")
    g = aws("logs", "describe-log-groups")["logGroups"][0]
    assert g["retentionInDays"] == 7
    assert g["storedBytes"] == 16
    got = aws("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--start-from-head")
    assert [e["message"] for e in got["events"]] == ["two days", "just now"]

    aws("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "1")
    assert [e["message"] for e in aws("logs", "filter-log-events", "--log-group-name", group)["events"]] == ["just now"]
    assert aws("logs", "describe-log-groups")["logGroups"][0]["storedBytes"] == 8

    aws("logs", "delete-retention-policy", "--log-group-name", group)
    assert "retentionInDays" not in aws("logs", "describe-log-groups")["logGroups"][0]
    # Deleted events stay deleted once the policy is gone.
    assert len(aws("logs", "filter-log-events", "--log-group-name", group)["events"]) == 1


def test_retention_values_and_missing_group(aws, logs, group_with_stream):
    group, _ = group_with_stream
    with pytest.raises(AwsCliError) as e:
        aws("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "2")
    assert "InvalidParameterException" in e.value.stderr
    assert "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, " \
           "1096, 1827, 2192, 2557, 2922, 3288, 3653]" in e.value.stderr
    for days in (1, 3653):
        logs.put_retention_policy(logGroupName=group, retentionInDays=days)
    with pytest.raises(ClientError) as e:
        logs.put_retention_policy(logGroupName="/missing", retentionInDays=7)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        logs.delete_retention_policy(logGroupName="/missing")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_tags_by_arn_and_by_name(aws, logs):
    aws("logs", "create-log-group", "--log-group-name", "/t", "--tags", "env=testing1")
    arn = group_arn("/t")
    assert aws("logs", "list-tags-for-resource", "--resource-arn", arn) == {"tags": {"env": "testing1"}}
    aws("logs", "tag-resource", "--resource-arn", arn, "--tags", "test1=val1,test2=val2")
    aws("logs", "tag-log-group", "--log-group-name", "/t", "--tags", "test3=val3")
    expected = {"env": "testing1", "test1": "val1", "test2": "val2", "test3": "val3"}
    assert aws("logs", "list-tags-log-group", "--log-group-name", "/t") == {"tags": expected}
    assert aws("logs", "list-tags-for-resource", "--resource-arn", arn) == {"tags": expected}
    aws("logs", "untag-resource", "--resource-arn", arn, "--tag-keys", "env", "test1")
    aws("logs", "untag-log-group", "--log-group-name", "/t", "--tags", "test3")
    assert aws("logs", "list-tags-for-resource", "--resource-arn", arn) == {"tags": {"test2": "val2"}}
    # The ARN with ":*" that DescribeLogGroups shows is not a resource ARN: the model refuses it.
    with pytest.raises(ClientError) as e:
        logs.list_tags_for_resource(resourceArn=arn + ":*")
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"

    with pytest.raises(ClientError) as e:
        logs.list_tags_for_resource(resourceArn=group_arn("/missing"))
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        logs.list_tags_log_group(logGroupName="/missing")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    assert e.value.response["Error"]["Code"] == "TooManyTagsException"
    assert logs.list_tags_log_group(logGroupName="/t")["tags"] == {"test2": "val2"}
