"""CloudWatch metrics and alarms through real clients on all three wires: Debian's aws CLI v2
(query), boto3 with botocore 1.43 (JSON 1.0, gzipped large PutMetricData bodies) and CBOR
serialized by botocore's own RpcV2CBORSerializer."""
import datetime as dt
import json
import subprocess
import time

import pytest

PYENV_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3"  # botocore 1.43: JSON 1.0 and CBOR


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_put_and_read_metrics_with_the_cli_over_query(aws, aws_rc):
    now = int(time.time()) // 60 * 60
    aws("cloudwatch", "put-metric-data", "--namespace", "Shop", "--metric-data",
        json.dumps([{"MetricName": "Latency", "Dimensions": [{"Name": "Svc", "Value": "web"}],
                     "Timestamp": iso(now - 120), "Values": [10, 20, 30], "Unit": "Milliseconds"},
                    {"MetricName": "Latency", "Dimensions": [{"Name": "Svc", "Value": "web"}],
                     "Timestamp": iso(now - 60), "StatisticValues": {"SampleCount": 2, "Sum": 100, "Minimum": 40, "Maximum": 60},
                     "Unit": "Milliseconds"}]))
    listed = aws("cloudwatch", "list-metrics", "--namespace", "Shop")
    assert listed["Metrics"] == [{"Namespace": "Shop", "MetricName": "Latency", "Dimensions": [{"Name": "Svc", "Value": "web"}]}]
    stats = aws("cloudwatch", "get-metric-statistics", "--namespace", "Shop", "--metric-name", "Latency",
                "--dimensions", "Name=Svc,Value=web", "--start-time", iso(now - 600), "--end-time", iso(now),
                "--period", "60", "--statistics", "Average", "Maximum", "SampleCount")
    points = sorted(stats["Datapoints"], key=lambda d: d["Timestamp"])
    assert [(p["Average"], p["Maximum"], p["SampleCount"]) for p in points] == [(20.0, 30.0, 3.0), (50.0, 60.0, 2.0)]
    assert stats["Label"] == "Latency"
    assert points[0]["Unit"] == "Milliseconds"
    rc, _, err = aws_rc("cloudwatch", "get-metric-statistics", "--namespace", "Shop", "--metric-name", "Latency",
                                     "--start-time", iso(now - 3 * 86400), "--end-time", iso(now), "--period", "60",
                                     "--statistics", "Sum")
    assert rc != 0
    assert "InvalidParameterCombination" in err and "which exceeds the limit of 1,440" in err
    data = aws("cloudwatch", "get-metric-data", "--start-time", iso(now - 600), "--end-time", iso(now),
               "--metric-data-queries", json.dumps([
                   {"Id": "m", "MetricStat": {"Metric": {"Namespace": "Shop", "MetricName": "Latency",
                                                         "Dimensions": [{"Name": "Svc", "Value": "web"}]},
                                              "Period": 60, "Stat": "Sum"}, "ReturnData": False},
                   {"Id": "total", "Expression": "SUM(m)", "Label": "Total"}]))
    result = data["MetricDataResults"][0]
    assert result["Label"] == "Total" and result["Values"][0] == 160.0


def test_alarms_with_the_cli(aws, aws_rc):
    aws("cloudwatch", "put-metric-alarm", "--alarm-name", "slow", "--namespace", "Shop", "--metric-name", "Latency",
        "--statistic", "Average", "--period", "60", "--evaluation-periods", "2", "--threshold", "100",
        "--comparison-operator", "GreaterThanThreshold", "--tags", "Key=team,Value=web")
    alarm = aws("cloudwatch", "describe-alarms", "--alarm-names", "slow")["MetricAlarms"][0]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:000000000000:alarm:slow"
    aws("cloudwatch", "set-alarm-state", "--alarm-name", "slow", "--state-value", "ALARM", "--state-reason", "test")
    assert aws("cloudwatch", "describe-alarms", "--state-value", "ALARM")["MetricAlarms"][0]["AlarmName"] == "slow"
    items = aws("cloudwatch", "describe-alarm-history", "--alarm-name", "slow")["AlarmHistoryItems"]
    assert [i["HistoryItemType"] for i in items] == ["StateUpdate", "ConfigurationUpdate"]
    tags = aws("cloudwatch", "list-tags-for-resource", "--resource-arn", alarm["AlarmArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "web"}]
    rc, _, err = aws_rc("cloudwatch", "delete-alarms", "--alarm-names", "slow", "nope")
    assert rc != 0 and "ResourceNotFound" in err
    aws("cloudwatch", "delete-alarms", "--alarm-names", "slow")
    assert aws("cloudwatch", "describe-alarms")["MetricAlarms"] == []


SCRIPT = r'''
import json, sys, time, datetime as dt
import boto3, botocore
from botocore.config import Config
from botocore.serialize import create_serializer
from botocore.parsers import create_parser
import urllib.request
endpoint = sys.argv[1]
cw = boto3.client("cloudwatch", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                  aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
out = {"encodings": []}
def seen(request, **kw):
    v = request.headers.get("Content-Encoding")
    out["encodings"].append(v.decode() if isinstance(v, bytes) else v)
cw.meta.events.register("before-send.cloudwatch.PutMetricData", seen)
now = int(time.time()) // 60 * 60
# 600 datapoints: over 10 KiB, so botocore gzips the body.
data = [{"MetricName": "Requests", "Dimensions": [{"Name": "Host", "Value": "h%d" % (i % 3)}],
         "Timestamp": dt.datetime.fromtimestamp(now - 60, dt.timezone.utc), "Value": float(i)} for i in range(600)]
for k in range(0, 600, 150):
    cw.put_metric_data(Namespace="Json", MetricData=data[k:k + 150])
out["metrics"] = sorted(m["Dimensions"][0]["Value"] for m in cw.list_metrics(Namespace="Json")["Metrics"])
got = cw.get_metric_statistics(Namespace="Json", MetricName="Requests", Dimensions=[{"Name": "Host", "Value": "h0"}],
                               StartTime=now - 600, EndTime=now, Period=60, Statistics=["SampleCount", "Sum"],)
out["h0"] = [(d["SampleCount"], d["Sum"]) for d in got["Datapoints"]]
try:
    cw.put_metric_data(Namespace="AWS/Mine", MetricData=[{"MetricName": "x", "Value": 1}])
except botocore.exceptions.ClientError as e:
    out["error"] = e.response["Error"]["Code"]
# CBOR, serialized and parsed by botocore's own smithy-rpc-v2-cbor codec.
model = cw.meta.service_model
op = model.operation_model("GetMetricStatistics")
req = create_serializer("smithy-rpc-v2-cbor").serialize_to_request(
    {"Namespace": "Json", "MetricName": "Requests", "Dimensions": [{"Name": "Host", "Value": "h1"}],
     "StartTime": now - 600, "EndTime": now, "Period": 60, "Statistics": ["Maximum"]}, op)
headers = dict(req["headers"])
# berth answers only signed AWS calls; it does not verify the signature.
headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/monitoring/aws4_request, Signature=0"
http = urllib.request.Request(endpoint + req["url_path"], data=req["body"], method="POST", headers=headers)
with urllib.request.urlopen(http) as resp:
    parsed = create_parser("smithy-rpc-v2-cbor").parse(
        {"status_code": resp.status, "headers": {k.lower(): v for k, v in resp.headers.items()}, "body": resp.read()},
        op.output_shape)
out["cbor"] = [d["Maximum"] for d in parsed["Datapoints"]]
print(json.dumps(out))
'''


def test_json_gzip_and_cbor_from_botocore_1_43(berth):
    p = subprocess.run([PYENV_PYTHON, "-c", SCRIPT, berth.endpoint], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["metrics"] == ["h0", "h1", "h2"]
    assert out["h0"] == [[200.0, float(sum(range(0, 600, 3)))]]
    assert out["encodings"][:4] == ["gzip"] * 4  # the four large puts went gzipped
    assert out["error"] == "InvalidParameterValue"
    assert out["cbor"] == [598.0]


def test_an_alarm_on_backdated_data_goes_to_alarm_at_the_next_evaluation(spawn_berth, tmp_path):
    b = spawn_berth(tmp_path / "data", extra=("--alarm-interval", "1"))
    now = int(time.time())
    b.aws("cloudwatch", "put-metric-alarm", "--alarm-name", "hot", "--namespace", "Shop", "--metric-name", "Temp",
          "--statistic", "Maximum", "--period", "60", "--evaluation-periods", "2", "--datapoints-to-alarm", "1",
          "--threshold", "80", "--comparison-operator", "GreaterThanOrEqualToThreshold")
    b.aws("cloudwatch", "put-metric-data", "--namespace", "Shop", "--metric-name", "Temp", "--value", "95",
          "--timestamp", iso(now // 60 * 60 - 60))
    deadline = time.time() + 10
    while time.time() < deadline:
        alarm = b.aws("cloudwatch", "describe-alarms", "--alarm-names", "hot")["MetricAlarms"][0]
        if alarm["StateValue"] == "ALARM":
            break
        time.sleep(0.2)
    assert alarm["StateValue"] == "ALARM", alarm
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 2 datapoints [95]")
