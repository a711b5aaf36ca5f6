"""Signatures and permissions: `--credentials FILE` makes berth verify SigV4 on every AWS call
(good key and signature accepted; unknown key, wrong secret and stale date refused as AWS refuses
them, in each protocol's words); `--enforce-iam` evaluates role sessions against the role's
policies."""
import datetime
import json
import urllib.request
from unittest import mock

import boto3
import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from helpers import start_berth

ACCOUNT = "111122223333"
KEY, SECRET = "AKIDBERTHTEST0001", "berth-test-secret-0001"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def client(b, service, key=KEY, secret=SECRET, token=None):
    return boto3.client(service, endpoint_url=b.endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(retries={"max_attempts": 1}))


def code_of(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def signed_berth(tmp_path_factory):
    d = tmp_path_factory.mktemp("creds")
    (d / "keys.json").write_text(json.dumps({KEY: {"secretAccessKey": SECRET, "accountId": ACCOUNT}}))
    b = start_berth(ephemeral=True, log_dir=d, extra=("--credentials", str(d / "keys.json"), "--enforce-iam"))
    yield b
    assert b.stop() == 0, b.log()


def test_good_signatures_pass_and_name_the_key_account(signed_berth):
    b = signed_berth
    assert client(b, "ecs").list_clusters()["clusterArns"] == []
    assert client(b, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    env = b.cli_env(access_key=KEY)
    env["AWS_SECRET_ACCESS_KEY"] = SECRET
    import subprocess
    p = subprocess.run(["/usr/bin/aws", "--endpoint-url", b.endpoint, "--output", "json", "iam", "list-roles"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr


def test_unknown_keys_and_wrong_secrets_are_refused(signed_berth):
    b = signed_berth
    assert code_of(lambda: client(b, "ecs", key="AKIDUNKNOWN").list_clusters()) == (
        "UnrecognizedClientException", "The security token included in the request is invalid.")
    assert code_of(lambda: client(b, "sts", key="AKIDUNKNOWN").get_caller_identity()) == (
        "InvalidClientTokenId", "The security token included in the request is invalid.")
    code, message = code_of(lambda: client(b, "ecs", secret="wrong").list_clusters())
    assert code == "InvalidSignatureException" and message.startswith("The request signature we calculated")
    assert code_of(lambda: client(b, "iam", secret="wrong").list_roles())[0] == "SignatureDoesNotMatch"
    # Unsigned calls are refused too.
    status, _, body = b.raw("ListClusters", {})
    assert status == 403 and body["__type"] == "MissingAuthenticationTokenException"


def test_a_signature_older_than_15_minutes_is_refused(signed_berth):
    b = signed_berth
    body = b"{}"
    req = AWSRequest(method="POST", url=b.endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters"})
    stale = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    with mock.patch("botocore.auth.datetime") as d:
        d.datetime.utcnow.return_value = stale
        d.datetime.now.return_value = stale
        botocore.auth.SigV4Auth(Credentials(KEY, SECRET), "ecs", "us-east-1").add_auth(req)
    status, _, parsed = b.http("POST", "/", body, dict(req.headers))
    assert status == 400 and parsed["__type"] == "InvalidSignatureException"
    assert parsed["message"].startswith("Signature expired: ")


def test_minted_session_keys_verify_and_enforce_iam_applies_role_policies(signed_berth):
    b = signed_berth
    iam = client(b, "iam")
    role = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=TRUST)["Role"]
    out = client(b, "sts").assume_role(RoleArn=role["Arn"], RoleSessionName="t1")
    c = out["Credentials"]
    session = dict(key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
    assert client(b, "sts", **session).get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/t1"
    code, message = code_of(lambda: client(b, "ecs", **session).list_clusters())
    assert code == "AccessDeniedException"
    assert message == (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/reader/t1 is not authorized to perform: "
                       "ecs:ListClusters on resource: * because no identity-based policy allows the "
                       "ecs:ListClusters action")
    assert code_of(lambda: client(b, "iam", **session).list_roles())[0] == "AccessDenied"
    iam.attach_role_policy(RoleName="reader", PolicyArn="arn:aws:iam::aws:policy/AmazonECS_FullAccess")
    assert client(b, "ecs", **session).list_clusters()["clusterArns"] == []
    # A minted key with the wrong secret fails like any other.
    assert code_of(lambda: client(b, "ecs", key=c["AccessKeyId"], secret="x", token=c["SessionToken"])
                   .list_clusters())[0] == "InvalidSignatureException"
