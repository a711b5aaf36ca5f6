"""Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries through the aws CLI v2
and boto3, over a group of known events, with answers computed by hand."""
import json
import time

import pytest
from botocore.exceptions import ClientError

from logs_helpers import events_file, logs, now_ms  # noqa: F401


@pytest.fixture
def app(aws, logs, tmp_path):
    """/q/app: stream web with 4 JSON events and stream job with 2 text events, a second apart
    ending a minute ago. Returns the first timestamp."""
    t = (now_ms() - 120_000) // 1000 * 1000
    logs.create_log_group(logGroupName="/q/app")
    web = [{"level": "INFO", "latency": 100, "path": "/a"}, {"level": "ERROR", "latency": 300, "path": "/b"},
           {"level": "INFO", "latency": 200, "path": "/a"}, {"level": "ERROR", "latency": 400, "path": "/c"}]
    job = ["job=backup took=12", "job=report took=30"]
    for name, msgs in (("web", [json.dumps(m) for m in web]), ("job", job)):
        logs.create_log_stream(logGroupName="/q/app", logStreamName=name)
        start = 0 if name == "web" else 4
        events = [{"timestamp": t + (start + i) * 1000, "message": m} for i, m in enumerate(msgs)]
        aws("logs", "put-log-events", "--log-group-name", "/q/app", "--log-stream-name", name,
            "--log-events", events_file(tmp_path, events))
    return t


def wait_complete(get):
    """Polls get() until the query's status is final; returns the last answer."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        out = get()
        if out["status"] not in ("Scheduled", "Running"):
            return out
        time.sleep(0.05)
    raise AssertionError(f"query still {out['status']}")


def cli_query(aws, t, query):
    qid = aws("logs", "start-query", "--log-group-name", "/q/app", "--start-time", t // 1000 - 10,
              "--end-time", t // 1000 + 3600, "--query-string", query)["queryId"]
    return wait_complete(lambda: aws("logs", "get-query-results", "--query-id", qid))


def rows(out):
    return [{f["field"]: f["value"] for f in r} for r in out["results"]]


def test_cli_stats_by_field_with_statistics(aws, app):
    out = cli_query(aws, app, "filter ispresent(level) | stats count(*) as n, avg(latency) as mean, "
                               "max(latency) as worst by level | sort n desc, level asc")
    assert out["status"] == "Complete"
    assert rows(out) == [{"level": "ERROR", "n": "2", "mean": "350", "worst": "400"},
                         {"level": "INFO", "n": "2", "mean": "150", "worst": "200"}]
    stats = out["statistics"]
    assert stats["recordsScanned"] == 6.0
    assert stats["recordsMatched"] == 4.0
    assert stats["bytesScanned"] > 0


def test_cli_fields_newest_first_with_ptr_and_limit(aws, app):
    out = cli_query(aws, app, "fields @timestamp, @message, @logStream, @log | limit 2")
    got = rows(out)
    assert [r["@message"] for r in got] == ["job=report took=30", "job=backup took=12"]
    assert got[0]["@logStream"] == "job"
    assert got[0]["@log"] == "000000000000:/q/app"
    ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime((app + 5000) // 1000)) + ".000"
    assert got[0]["@timestamp"] == ts
    assert all("@ptr" in r for r in got)


def test_boto3_parse_glob_pct_and_bin(logs, app):
    q = logs.start_query(logGroupName="/q/app", startTime=app // 1000 - 10, endTime=app // 1000 + 3600,
                         queryString='parse @message "job=* took=*" as job, took | filter ispresent(job) '
                                     '| stats sum(took) as total, pct(took, 50) as p50, count_distinct(job) as jobs')
    out = wait_complete(lambda: logs.get_query_results(queryId=q["queryId"]))
    assert rows(out) == [{"total": "42", "p50": "12", "jobs": "2"}]
    q = logs.start_query(logGroupIdentifiers=["/q/app"], startTime=app // 1000 - 10, endTime=app // 1000 + 3600,
                         queryString="filter path like /^\\/a$/ | stats count(*) as n by bin(1h)")
    out = wait_complete(lambda: logs.get_query_results(queryId=q["queryId"]))
    hour = app // 3_600_000 * 3_600_000
    assert rows(out) == [{"bin(1h)": time.strftime("%Y-%m-%d %H:00:00.000", time.gmtime(hour // 1000)), "n": "2"}]


def test_time_range_excludes_events(logs, app):
    # endTime is inclusive to the second: only the first two events (t and t+1s) are in range.
    q = logs.start_query(logGroupName="/q/app", startTime=app // 1000, endTime=app // 1000 + 1,
                         queryString="stats count(*) as n")
    out = wait_complete(lambda: logs.get_query_results(queryId=q["queryId"]))
    assert rows(out) == [{"n": "2"}]


def test_describe_and_stop_queries(logs, app):
    q = logs.start_query(logGroupName="/q/app", startTime=0, endTime=app // 1000 + 10, queryString="fields @message")
    wait_complete(lambda: logs.get_query_results(queryId=q["queryId"]))
    listed = logs.describe_queries(logGroupName="/q/app")["queries"]
    assert [x["queryId"] for x in listed] == [q["queryId"]]
    info = listed[0]
    assert info["status"] == "Complete"
    assert info["queryString"] == "fields @message"
    assert info["logGroupName"] == "/q/app"
    assert logs.describe_queries(status="Running")["queries"] == []
    assert logs.stop_query(queryId=q["queryId"])["success"] is False  # already complete
    with pytest.raises(ClientError) as e:
        logs.stop_query(queryId="00000000-0000-0000-0000-000000000000")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_errors(aws_rc, logs, app):
    rc, _, err = aws_rc("logs", "start-query", "--log-group-name", "/q/app", "--start-time", 0, "--end-time", 10,
                        "--query-string", "fields @message | sortt x")
    assert rc != 0
    assert "MalformedQueryException" in err
    assert "unexpected symbol found sortt at line 1 and position 19" in err
    with pytest.raises(ClientError) as e:
        logs.start_query(logGroupName="/nope", startTime=0, endTime=10, queryString="fields @message")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == "Log group '/nope' does not exist for account ID '000000000000'"
    with pytest.raises(ClientError) as e:
        logs.get_query_results(queryId="nope")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        logs.start_query(startTime=0, endTime=10, queryString="fields @message")
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"
