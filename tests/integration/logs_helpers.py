"""Helpers for the CloudWatch Logs integration tests: raw awsJson calls with the Logs target,
boto3's logs client, and events with timestamps relative to now."""
import json
import time

import pytest

LOGS_TARGET = "Logs_20140328"
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def now_ms():
    return int(time.time() * 1000)


def group_arn(name, account="000000000000", region="us-east-1"):
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


@pytest.fixture
def logs(berth):
    """boto3 CloudWatch Logs client pointed at berth."""
    return berth.client("logs")


@pytest.fixture
def logs_raw(berth):
    """logs_raw(Op, body) -> (status, headers, parsed body) with the Logs_20140328 target."""
    def call(op, body=None, **kw):
        return berth.raw(op, body, target=f"{LOGS_TARGET}.{op}", **kw)
    return call


@pytest.fixture
def group_with_stream(logs):
    """Creates /it/app with stream s1 and returns (group, stream)."""
    logs.create_log_group(logGroupName="/it/app")
    logs.create_log_stream(logGroupName="/it/app", logStreamName="s1")
    return "/it/app", "s1"


def events_file(tmp_path, events):
    """Writes events for `--log-events file://...` and returns the argument."""
    path = tmp_path / f"events-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(events))
    return f"file://{path}"
