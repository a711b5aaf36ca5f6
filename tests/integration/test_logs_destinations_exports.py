"""CloudWatch Logs destinations, export tasks (written under the data directory: berth serves no
S3), GetLogRecord over an Insights @ptr, GetLogGroupFields and query definitions, through Debian's
aws CLI v2 and boto3."""
import gzip
import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from helpers import DEFAULT_ACCOUNT
from logs_helpers import events_file, logs, now_ms  # noqa: F401

ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/CWLtoKinesisRole"
STREAM = f"arn:aws:kinesis:us-east-1:{DEFAULT_ACCOUNT}:stream/RootAccess"


def error_of(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]


def test_destinations(aws, logs):
    out = aws("logs", "put-destination", "--destination-name", "central", "--target-arn", STREAM,
              "--role-arn", ROLE)["destination"]
    assert out["destinationName"] == "central"
    assert out["arn"] == f"arn:aws:logs:us-east-1:{DEFAULT_ACCOUNT}:destination:central"
    assert out["targetArn"] == STREAM and out["roleArn"] == ROLE
    assert isinstance(out["creationTime"], int)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "logs:PutSubscriptionFilter",
         "Resource": out["arn"]}]})
    aws("logs", "put-destination-policy", "--destination-name", "central", "--access-policy", policy)
    logs.put_destination(destinationName="other", targetArn=STREAM.replace("RootAccess", "Other"), roleArn=ROLE)
    listed = aws("logs", "describe-destinations")["destinations"]
    assert [d["destinationName"] for d in listed] == ["central", "other"]
    assert listed[0]["accessPolicy"] == policy
    # Updating the target keeps the policy and the creation time.
    again = logs.put_destination(destinationName="central", targetArn=STREAM, roleArn=ROLE)["destination"]
    assert again["accessPolicy"] == policy and again["creationTime"] == out["creationTime"]
    assert [d["destinationName"] for d in logs.describe_destinations(DestinationNamePrefix="oth")["destinations"]] \
        == ["other"]
    assert error_of(logs.put_destination, destinationName="x", targetArn="arn:aws:sqs:us-east-1:1:q",
                    roleArn=ROLE)["Code"] == "InvalidParameterException"
    assert error_of(logs.put_destination_policy, destinationName="central",
                    accessPolicy="not json")["Code"] == "InvalidParameterException"
    aws("logs", "delete-destination", "--destination-name", "central")
    err = error_of(logs.delete_destination, destinationName="central")
    assert err["Code"] == "ResourceNotFoundException"
    assert error_of(logs.put_destination_policy, destinationName="central",
                    accessPolicy=policy)["Code"] == "ResourceNotFoundException"


@pytest.fixture
def web(aws, logs, tmp_path):
    """/x/web: streams a/1 (3 JSON events) and b (1 text event), a second apart, two minutes ago."""
    t = (now_ms() - 120_000) // 1000 * 1000
    logs.create_log_group(logGroupName="/x/web")
    for name, msgs in (("a/1", [json.dumps({"level": "INFO", "n": i}) for i in range(3)]), ("b", ["plain text"])):
        logs.create_log_stream(logGroupName="/x/web", logStreamName=name)
        events = [{"timestamp": t + i * 1000, "message": m} for i, m in enumerate(msgs)]
        aws("logs", "put-log-events", "--log-group-name", "/x/web", "--log-stream-name", name,
            "--log-events", events_file(tmp_path, events))
    return t


def test_export_task_writes_under_the_data_dir(aws, logs, web):
    task = aws("logs", "create-export-task", "--task-name", "nightly", "--log-group-name", "/x/web",
               "--from", str(web), "--to", str(web + 60_000), "--destination", "my-bucket",
               "--destination-prefix", "logs/web")["taskId"]
    got = aws("logs", "describe-export-tasks", "--task-id", task)["exportTasks"]
    assert len(got) == 1
    t = got[0]
    assert t["status"]["code"] == "COMPLETED"
    assert (t["taskName"], t["logGroupName"], t["destination"], t["destinationPrefix"]) == \
        ("nightly", "/x/web", "my-bucket", "logs/web")
    assert t["executionInfo"]["completionTime"] >= t["executionInfo"]["creationTime"]
    # The message names the directory: DATA/exports/BUCKET/PREFIX/TASK.
    root = t["status"]["message"].split("(written to ")[1].rstrip(")")
    assert root.endswith(os.path.join("exports", "my-bucket", "logs", "web", task))
    with gzip.open(os.path.join(root, "a", "1", "000000.gz"), "rt") as f:
        lines = f.read().splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(' {"level": "INFO", "n": 0}')
    assert lines[0][:24].endswith("Z") and lines[0][10] == "T"
    with gzip.open(os.path.join(root, "b", "000000.gz"), "rt") as f:
        assert f.read().endswith(" plain text\n")
    # A stream prefix exports only those streams; a finished task cannot be cancelled.
    only_b = logs.create_export_task(logGroupName="/x/web", logStreamNamePrefix="b", **{"from": web},
                                     to=web + 60_000, destination="my-bucket")["taskId"]
    exports = os.path.dirname(os.path.dirname(os.path.dirname(root)))
    assert os.listdir(os.path.join(exports, "exportedlogs", only_b)) == ["b"]
    assert error_of(logs.cancel_export_task, taskId=only_b)["Code"] == "InvalidOperationException"
    assert error_of(logs.cancel_export_task, taskId="nope")["Code"] == "ResourceNotFoundException"
    assert len(logs.describe_export_tasks(statusCode="COMPLETED")["exportTasks"]) == 2
    assert logs.describe_export_tasks(statusCode="FAILED")["exportTasks"] == []


def test_export_task_errors(logs, web):
    assert error_of(logs.create_export_task, logGroupName="/x/none", **{"from": web}, to=web + 1,
                    destination="my-bucket")["Code"] == "ResourceNotFoundException"
    assert error_of(logs.create_export_task, logGroupName="/x/web", **{"from": web + 10}, to=web,
                    destination="my-bucket")["Code"] == "InvalidParameterException"
    assert error_of(logs.create_export_task, logGroupName="/x/web", **{"from": web}, to=web + 10,
                    destination="../../etc")["Code"] == "InvalidParameterException"
    assert logs.describe_export_tasks()["exportTasks"] == []


def test_get_log_record_round_trips_an_insights_ptr(logs, web):
    qid = logs.start_query(logGroupName="/x/web", startTime=web // 1000 - 5, endTime=web // 1000 + 60,
                           queryString="filter n = 1 | fields @message")["queryId"]
    deadline = time.monotonic() + 20
    while True:
        out = logs.get_query_results(queryId=qid)
        if out["status"] not in ("Scheduled", "Running") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert out["status"] == "Complete" and len(out["results"]) == 1
    ptr = {f["field"]: f["value"] for f in out["results"][0]}["@ptr"]
    record = logs.get_log_record(logRecordPointer=ptr)["logRecord"]
    assert record["@message"] == '{"level": "INFO", "n": 1}'
    assert record["@logStream"] == "a/1"
    assert record["@log"] == f"{DEFAULT_ACCOUNT}:/x/web"
    assert record["@timestamp"] == str(web + 1000)
    assert record["level"] == "INFO" and record["n"] == "1"
    assert error_of(logs.get_log_record, logRecordPointer="garbage")["Code"] == "InvalidParameterException"


def test_get_log_group_fields(aws, logs, web):
    fields = aws("logs", "get-log-group-fields", "--log-group-name", "/x/web",
                 "--time", str(web // 1000))["logGroupFields"]
    by_name = {f["name"]: f["percent"] for f in fields}
    assert by_name["@message"] == 100 and by_name["@timestamp"] == 100
    assert by_name["level"] == 75 and by_name["n"] == 75
    assert error_of(logs.get_log_group_fields, logGroupName="/x/none")["Code"] == "ResourceNotFoundException"


def test_query_definitions(aws, logs):
    qid = aws("logs", "put-query-definition", "--name", "errors/by-path", "--query-string",
              "filter level = 'ERROR' | stats count(*) by path", "--log-group-names", "/x/web")["queryDefinitionId"]
    logs.put_query_definition(name="slow", queryString="filter latency > 1000")
    defs = aws("logs", "describe-query-definitions")["queryDefinitions"]
    assert [d["name"] for d in defs] == ["errors/by-path", "slow"]
    assert defs[0]["queryDefinitionId"] == qid and defs[0]["logGroupNames"] == ["/x/web"]
    assert isinstance(defs[0]["lastModified"], int)
    logs.put_query_definition(queryDefinitionId=qid, name="errors/by-path", queryString="filter level = 'ERROR'")
    got = logs.describe_query_definitions(queryDefinitionNamePrefix="errors")["queryDefinitions"]
    assert len(got) == 1 and got[0]["queryString"] == "filter level = 'ERROR'" and "logGroupNames" not in got[0]
    page = logs.describe_query_definitions(maxResults=1)
    assert len(page["queryDefinitions"]) == 1 and page["nextToken"]
    assert aws("logs", "delete-query-definition", "--query-definition-id", qid) == {"success": True}
    assert error_of(logs.delete_query_definition, queryDefinitionId=qid)["Code"] == "ResourceNotFoundException"
    assert error_of(logs.put_query_definition, queryDefinitionId=qid, name="x",
                    queryString="fields @message")["Code"] == "ResourceNotFoundException"
