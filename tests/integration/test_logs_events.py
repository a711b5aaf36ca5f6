"""PutLogEvents batch rules, GetLogEvents paging in both directions, and `aws logs tail`."""
import queue
import subprocess
import threading

import pytest
from botocore.exceptions import ClientError

from helpers import AWS_CLI
from logs_helpers import (DAY_MS, HOUR_MS, events_file, group_arn, group_with_stream, logs,  # noqa: F401
                          logs_raw, now_ms)


def put(logs, group, stream, events):
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def test_put_log_events_cli_returns_sequence_token(aws, group_with_stream, tmp_path):
    group, stream = group_with_stream
    t = now_ms()
    out = aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", stream,
              "--log-events", events_file(tmp_path, [{"timestamp": t, "message": "one"},
                                                     {"timestamp": t, "message": "two"}]))
    assert len(out["nextSequenceToken"]) == 56
    assert "rejectedLogEventsInfo" not in out
    # Sequence tokens are accepted and ignored, even stale ones.
    again = aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", stream,
                "--sequence-token", "1234", "--log-events", f"timestamp={t + 1},message=three")
    assert again["nextSequenceToken"] != out["nextSequenceToken"]
    got = aws("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--start-from-head")
    assert [e["message"] for e in got["events"]] == ["one", "two", "three"]
    assert all(abs(e["ingestionTime"] - now_ms()) < 60_000 for e in got["events"])


def test_batch_rules(logs, group_with_stream):
    group, stream = group_with_stream
    t = now_ms()
    with pytest.raises(ClientError) as e:
        put(logs, group, stream, [{"timestamp": t, "message": "b"}, {"timestamp": t - 1, "message": "a"}])
    assert e.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": "Log events in a single PutLogEvents request must be in chronological order."}
    with pytest.raises(ClientError) as e:
        put(logs, group, stream, [{"timestamp": t - DAY_MS - 1, "message": "a"}, {"timestamp": t, "message": "b"}])
    assert "cannot span more than 24 hours" in e.value.response["Error"]["Message"]
    # 1,048,576 bytes counting 26 per event: exactly at the limit passes, one byte more fails.
    put(logs, group, stream, [{"timestamp": t, "message": "x" * (1_048_576 - 26)}])
    with pytest.raises(ClientError) as e:
        put(logs, group, stream, [{"timestamp": t, "message": "x" * (1_048_576 - 25)}])
    assert e.value.response["Error"]["Message"] == "Upload too large: 1048577 bytes exceeds limit of 1048576"
    with pytest.raises(ClientError) as e:
        put(logs, group, stream, [{"timestamp": t, "message": "x"}] * 10_001)
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"
    ok = put(logs, group, stream, [{"timestamp": t + i // 100, "message": "m"} for i in range(10_000)])
    assert "rejectedLogEventsInfo" not in ok
    with pytest.raises(ClientError) as e:
        put(logs, group, "missing", [{"timestamp": t, "message": "x"}])
    assert e.value.response["Error"]["Message"] == "The specified log stream does not exist."
    with pytest.raises(ClientError) as e:
        put(logs, "/missing", stream, [{"timestamp": t, "message": "x"}])
    assert e.value.response["Error"]["Message"] == "The specified log group does not exist."


def test_too_old_too_new_and_expired_events_are_reported(logs, group_with_stream):
    group, stream = group_with_stream
    t = now_ms()
    old = put(logs, group, stream, [{"timestamp": t - 15 * DAY_MS, "message": "old"},
                                    {"timestamp": t - 15 * DAY_MS + 1, "message": "old too"}])
    assert old["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}
    new = put(logs, group, stream, [{"timestamp": t, "message": "now"},
                                    {"timestamp": t + 3 * HOUR_MS, "message": "future"}])
    assert new["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    expired = put(logs, group, stream, [{"timestamp": t - DAY_MS - HOUR_MS, "message": "expired"},
                                        {"timestamp": t - DAY_MS - HOUR_MS // 2, "message": "expired too"},
                                        {"timestamp": t - 2 * HOUR_MS, "message": "kept"}])
    assert expired["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 2}
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert [e["message"] for e in got["events"]] == ["kept", "now"]


def test_get_log_events_pages_forward_and_backward(aws, logs, logs_raw, group_with_stream):
    group, stream = group_with_stream
    t = now_ms() - 60_000
    put(logs, group, stream, [{"timestamp": t + i, "message": f"m{i:02d}"} for i in range(25)])
    args = ["logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream]

    tail = aws(*args, "--limit", "10")
    assert [e["message"] for e in tail["events"]] == [f"m{i:02d}" for i in range(15, 25)]
    assert tail["nextForwardToken"].startswith("f/") and tail["nextBackwardToken"].startswith("b/")
    # Nothing newer: the same forward token comes back.
    same = aws(*args, "--next-token", tail["nextForwardToken"])
    assert same["events"] == [] and same["nextForwardToken"] == tail["nextForwardToken"]

    # Backward to the head, then the backward token stops changing.
    seen, token = [], tail["nextBackwardToken"]
    while True:
        page = aws(*args, "--limit", "10", "--next-token", token)
        if not page["events"]:
            assert page["nextBackwardToken"] == token
            break
        seen = [e["message"] for e in page["events"]] + seen
        token = page["nextBackwardToken"]
    assert seen == [f"m{i:02d}" for i in range(15)]

    # Forward from the head in pages of 7, the way a client loops until the token repeats.
    seen, token = [], None
    while True:
        extra = ["--next-token", token] if token else ["--start-from-head"]
        page = aws(*args, "--limit", "7", *extra)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == [f"m{i:02d}" for i in range(25)]

    # New events show up on the last forward token.
    put(logs, group, stream, [{"timestamp": t + 100, "message": "late"}])
    assert [e["message"] for e in aws(*args, "--next-token", token)["events"]] == ["late"]

    window = aws(*args, "--start-time", str(t + 3), "--end-time", str(t + 6), "--start-from-head")
    assert [e["message"] for e in window["events"]] == ["m03", "m04", "m05"]  # end is exclusive
    status, _, by_arn = logs_raw("GetLogEvents", {"logGroupIdentifier": group_arn(group), "logStreamName": stream,
                                                  "limit": 1})
    assert status == 200 and [e["message"] for e in by_arn["events"]] == ["late"]
    with pytest.raises(ClientError) as e:
        logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken="invalid-token")
    assert e.value.response["Error"]["Message"] == "The specified nextToken is invalid."
    with pytest.raises(ClientError) as e:
        logs.get_log_events(logGroupName=group, logStreamName=stream, limit=10001)
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"


def test_multibyte_messages_round_trip(logs, group_with_stream):
    group, stream = group_with_stream
    msg = "🙀 - 参よ - 日本語"
    put(logs, group, stream, [{"timestamp": now_ms(), "message": msg}])
    assert logs.get_log_events(logGroupName=group, logStreamName=stream)["events"][0]["message"] == msg
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == len(msg.encode())


def test_aws_logs_tail_since(berth, aws_rc, logs, group_with_stream):
    group, stream = group_with_stream
    logs.create_log_stream(logGroupName=group, logStreamName="s2")
    t = now_ms()
    put(logs, group, stream, [{"timestamp": t - 2 * HOUR_MS, "message": "two hours ago"},
                              {"timestamp": t - 3000, "message": "GET / 200"}])
    put(logs, group, "s2", [{"timestamp": t - 2000, "message": "GET /health 200"}])
    rc, out, err = aws_rc("logs", "tail", group, "--since", "1h")
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(f"{stream} GET / 200") and lines[1].endswith("s2 GET /health 200")
    rc, out, err = aws_rc("logs", "tail", group, "--since", "1h", "--filter-pattern", '"GET /" -health',
                          "--format", "short")
    assert rc == 0, err
    assert out.strip().endswith(" GET / 200") and len(out.strip().splitlines()) == 1
    rc, out, err = aws_rc("logs", "tail", group, "--since", "3h", "--log-stream-names", "s2")
    assert out.strip().splitlines()[0].endswith("GET /health 200")


def test_aws_logs_tail_follow(berth, logs, group_with_stream):
    group, stream = group_with_stream
    put(logs, group, stream, [{"timestamp": now_ms() - 1000, "message": "before follow"}])
    proc = subprocess.Popen([AWS_CLI, "--endpoint-url", berth.endpoint, "logs", "tail", group, "--follow",
                             "--since", "10m", "--format", "short"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=berth.cli_env())
    seen = queue.Queue()
    reader = threading.Thread(target=lambda: [seen.put(line) for line in proc.stdout], daemon=True)
    reader.start()

    def next_line(timeout=20):
        while True:
            line = seen.get(timeout=timeout)  # queue.Empty fails the test after the deadline
            if line.strip():
                return line.strip().split(" ", 1)[1]

    try:
        assert next_line() == "before follow"  # the CLI has polled once
        put(logs, group, stream, [{"timestamp": now_ms(), "message": "while following"}])
        assert next_line() == "while following"  # the CLI polls every 5 seconds
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
