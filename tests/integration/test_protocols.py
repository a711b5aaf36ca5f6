"""Every wire protocol on berth's one port: STS over query from the aws CLI v2 and boto3, and
CloudWatch's operations without a handler (ListDashboards) over query, JSON 1.0 and CBOR answering a 501
each client parses."""
import json
import subprocess
import sys

import pytest

PYENV_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3"  # botocore 1.43: CloudWatch over JSON 1.0, a CBOR parser


def test_sts_get_caller_identity_from_the_cli_and_boto3(berth):
    me = berth.aws("sts", "get-caller-identity")
    assert me == {"UserId": "000000000000", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}
    other = berth.aws("sts", "get-caller-identity", access_key="123456789012", region="eu-west-1")
    assert other["Arn"] == "arn:aws:iam::123456789012:root"
    got = berth.client("sts", access_key="123456789012").get_caller_identity()
    assert got["Account"] == "123456789012"
    assert got["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "text/xml"
    assert len(got["ResponseMetadata"]["RequestId"]) == 36


def test_query_errors_are_error_responses(berth):
    status, headers, body = berth.http(
        "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-16",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
         "Authorization": "AWS4-HMAC-SHA256 Credential=test/20261129/us-east-1/sts/aws4_request, Signature=0"})
    assert status == 400
    text = body.decode()
    assert text.startswith('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>')
    assert "<Code>InvalidAction</Code>" in text
    assert "Could not find operation GetCallerIdentity for version 2011-06-16" in text
    # The same call as a GET query string works.
    status, _, body = berth.http("GET", "/?Action=GetCallerIdentity&Version=2011-06-15",
                                 headers={"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261129/us-east-1/sts/aws4_request, Signature=0"})
    assert status == 200 and b"<Account>000000000000</Account>" in body


def test_cloudwatch_query_not_implemented_parses_in_boto3(berth):
    from botocore.exceptions import ClientError
    cw = berth.client("cloudwatch")  # Debian's botocore 1.29 speaks query to CloudWatch
    with pytest.raises(ClientError) as e:
        cw.list_dashboards()
    assert e.value.response["Error"]["Code"] == "NotImplemented"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


SCRIPT = r'''
import json, sys, urllib.request
import boto3, botocore
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import create_parser
endpoint = sys.argv[1]
out = {}
cw = boto3.client("cloudwatch", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                  aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
try:
    cw.list_dashboards()
except ClientError as e:
    out["json"] = {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                   "type": e.response["Error"].get("Type"),
                   "ct": e.response["ResponseMetadata"]["HTTPHeaders"]["content-type"]}
req = urllib.request.Request(endpoint + "/service/GraniteServiceVersion20100801/operation/ListDashboards", data=b"\xa0",
                             method="POST", headers={"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
                                                     "Accept": "application/cbor",
                                                     "Authorization": "AWS4-HMAC-SHA256 Credential=test/20261129/us-east-1/monitoring/aws4_request, Signature=0"})
try:
    urllib.request.urlopen(req)
except urllib.error.HTTPError as e:
    body = e.read()
    headers = {k.lower(): v for k, v in e.headers.items()}
    model = cw.meta.service_model.operation_model("ListDashboards").output_shape
    parsed = create_parser("smithy-rpc-v2-cbor").parse({"status_code": e.code, "headers": headers, "body": body}, model)
    out["cbor"] = {"code": parsed["Error"]["Code"], "message": parsed["Error"]["Message"], "status": e.code,
                   "query_error": headers.get("x-amzn-query-error"), "smithy": headers.get("smithy-protocol")}
print(json.dumps(out))
'''


def test_cloudwatch_json_and_cbor_not_implemented_parse_in_botocore_1_43(berth):
    p = subprocess.run([PYENV_PYTHON, "-c", SCRIPT, berth.endpoint], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["json"] == {"code": "NotImplemented", "status": 501, "type": "Receiver",
                           "ct": "application/x-amz-json-1.0"}
    assert out["cbor"]["code"] == "NotImplemented"
    assert out["cbor"]["status"] == 501
    assert out["cbor"]["query_error"] == "NotImplemented;Receiver"
    assert out["cbor"]["smithy"] == "rpc-v2-cbor"
    assert "ListDashboards" in out["cbor"]["message"]
