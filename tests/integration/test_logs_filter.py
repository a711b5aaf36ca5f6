"""FilterLogEvents: each kind of filter pattern against known events, stream selection, time
range and pagination, through the aws CLI and boto3."""
import json

import pytest
from botocore.exceptions import ClientError

from logs_helpers import events_file, logs, now_ms  # noqa: F401

@pytest.fixture
def loaded(aws, logs, tmp_path):
    """/f with streams web-1, web-2 and db holding known events; returns the base timestamp."""
    t = now_ms() - 60_000
    logs.create_log_group(logGroupName="/f")
    streams = {
        "web-1": ["GET / 200", "GET /health 200", json.dumps({"level": "error", "latency": 150, "user": {"id": "u1"}}),
                  json.dumps({"level": "info", "latency": 20, "flag": True, "err": None}),
                  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534'],
        "web-2": ["GET / 500", "10.0.0.1 bob GET /x 503 2048", json.dumps({"level": "error", "latency": 50}),
                  "WARN disk almost full"],
        "db": ["ERROR deadlock detected", "INFO checkpoint"],
    }
    offset = 0
    for name, messages in streams.items():
        logs.create_log_stream(logGroupName="/f", logStreamName=name)
        events = []
        for m in messages:
            events.append({"timestamp": t + offset, "message": m})
            offset += 1
        aws("logs", "put-log-events", "--log-group-name", "/f", "--log-stream-name", name,
            "--log-events", events_file(tmp_path, events))
    return t


def messages(aws, *args):
    out = aws("logs", "filter-log-events", "--log-group-name", "/f", *args)
    return [e["message"] for e in out["events"]]


def test_no_pattern_returns_all_interleaved_by_time(aws, loaded):
    out = aws("logs", "filter-log-events", "--log-group-name", "/f")
    assert len(out["events"]) == 11
    assert [e["timestamp"] for e in out["events"]] == sorted(e["timestamp"] for e in out["events"])
    e = out["events"][0]
    assert set(e) == {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}
    assert len({ev["eventId"] for ev in out["events"]}) == 11


def test_terms_phrases_alternatives_exclusions(aws, loaded):
    assert messages(aws, "--filter-pattern", "ERROR") == ["ERROR deadlock detected"]
    assert messages(aws, "--filter-pattern", "error") == [  # case-sensitive: only the JSON ones
        json.dumps({"level": "error", "latency": 150, "user": {"id": "u1"}}),
        json.dumps({"level": "error", "latency": 50})]
    assert messages(aws, "--filter-pattern", '"GET /" -health -x') == [
        "GET / 200", '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534',
        "GET / 500"]
    assert messages(aws, "--filter-pattern", "?ERROR ?WARN") == ["WARN disk almost full", "ERROR deadlock detected"]
    # Terms match anywhere: "200" also occurs in the date "10/Oct/2000".
    assert messages(aws, "--filter-pattern", "GET 200") == [
        "GET / 200", "GET /health 200",
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534']
    assert messages(aws, "--filter-pattern", "NOTHING_LIKE_THIS") == []


def test_json_patterns(aws, loaded):
    assert len(messages(aws, "--filter-pattern", '{ $.level = "error" && $.latency > 100 }')) == 1
    assert len(messages(aws, "--filter-pattern", '{ $.level = "error" || $.latency < 30 }')) == 3
    assert len(messages(aws, "--filter-pattern", '{ ($.level = "info" || $.latency >= 150) && $.latency != 20 }')) == 1
    assert len(messages(aws, "--filter-pattern", '{ $.level = err* }')) == 2
    assert len(messages(aws, "--filter-pattern", '{ $.user.id = "u1" }')) == 1
    assert len(messages(aws, "--filter-pattern", "{ $.err IS NULL }")) == 1
    assert len(messages(aws, "--filter-pattern", "{ $.user NOT EXISTS }")) == 2
    assert len(messages(aws, "--filter-pattern", "{ $.flag IS TRUE }")) == 1
    assert len(messages(aws, "--filter-pattern", "{ $.flag IS FALSE }")) == 0


def test_space_delimited_patterns(aws, loaded):
    apache = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534'
    assert messages(aws, "--filter-pattern", "[ip, user, username, timestamp, request, status_code, bytes]") == [apache]
    assert messages(aws, "--filter-pattern", "[ip, user, username, timestamp, request = *.gif*, status_code = 4*, bytes > 1000]") == [apache]
    assert messages(aws, "--filter-pattern", "[ip, user, ..., status = 5*, size > 1000]") == ["10.0.0.1 bob GET /x 503 2048"]
    assert messages(aws, "--filter-pattern", "[ip, user, ..., status = 5*, size > 5000]") == []
    assert messages(aws, "--filter-pattern", "[method, path, code >= 500]") == ["GET / 500"]
    assert messages(aws, "--filter-pattern", "[method, path = /health, code]") == ["GET /health 200"]


def test_invalid_pattern(logs, loaded):
    with pytest.raises(ClientError) as e:
        logs.filter_log_events(logGroupName="/f", filterPattern="{ $.a = ")
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"


def test_streams_time_range_and_pages(aws, logs, loaded):
    t = loaded
    assert messages(aws, "--log-stream-names", "db") == ["ERROR deadlock detected", "INFO checkpoint"]
    assert len(messages(aws, "--log-stream-name-prefix", "web-")) == 9
    assert messages(aws, "--start-time", str(t + 1), "--end-time", str(t + 2)) == [
        "GET /health 200", json.dumps({"level": "error", "latency": 150, "user": {"id": "u1"}})]
    with pytest.raises(ClientError) as e:
        logs.filter_log_events(logGroupName="/f", logStreamNames=["db"], logStreamNamePrefix="web")
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"

    page = logs.filter_log_events(logGroupName="/f", limit=4)
    assert len(page["events"]) == 4 and "nextToken" in page
    seen = [e["message"] for e in page["events"]]
    while "nextToken" in page:
        page = logs.filter_log_events(logGroupName="/f", limit=4, nextToken=page["nextToken"])
        seen += [e["message"] for e in page["events"]]
    assert len(seen) == 11 and len(set(seen)) == 11
    # The CLI's own paginator follows the tokens too.
    assert len(messages(aws, "--page-size", "3")) == 11
    paginated = [e for p in logs.get_paginator("filter_log_events").paginate(logGroupName="/f", filterPattern="GET",
                                                                            PaginationConfig={"PageSize": 2})
                 for e in p["events"]]
    assert len(paginated) == 5
    with pytest.raises(ClientError) as e:
        logs.filter_log_events(logGroupName="/f", nextToken="garbage")
    assert e.value.response["Error"]["Message"] == "The specified nextToken is invalid."
