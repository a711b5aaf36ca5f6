"""Signatures and permissions: `--credentials FILE` makes berth verify SigV4 on every AWS call
(good key and signature accepted; unknown key, wrong secret and stale date refused as AWS refuses
them, in each protocol's words); `--enforce-iam` evaluates role sessions against the role's
policies."""
import datetime
import json
import time
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
from registry_helpers import Docker, docker_available

ACCOUNT = "111122223333"
KEY, SECRET = "AKIDBERTHTEST0001", "berth-test-secret-0001"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
# The account may assume the role (what a role its own users assume says).
TRUST_ACCOUNT = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})


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
    status, _, body = b.raw("ListClusters", {}, headers={"Authorization": None})
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
    role = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=TRUST_ACCOUNT)["Role"]
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


def test_assume_role_honours_the_trust_policy_under_enforce_iam(signed_berth):
    b = signed_berth
    iam, sts = client(b, "iam"), client(b, "sts")
    tasks_only = iam.create_role(RoleName="tasks-only", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    refused = (f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: "
               f"{tasks_only}")
    assert code_of(lambda: sts.assume_role(RoleArn=tasks_only, RoleSessionName="s1")) == ("AccessDenied", refused)
    # The aws CLI v2 sees the same code and text over the query protocol.
    env = b.cli_env(access_key=KEY)
    env["AWS_SECRET_ACCESS_KEY"] = SECRET
    import subprocess
    p = subprocess.run(["/usr/bin/aws", "--endpoint-url", b.endpoint, "sts", "assume-role", "--role-arn", tasks_only,
                        "--role-session-name", "s1"], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode != 0 and f"(AccessDenied) when calling the AssumeRole operation: {refused}" in p.stderr
    # Trusting the account lets its root in; a condition on sts:ExternalId binds the call.
    iam.update_assume_role_policy(RoleName="tasks-only", PolicyDocument=TRUST_ACCOUNT)
    assert sts.assume_role(RoleArn=tasks_only, RoleSessionName="s1")["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/tasks-only/s1"
    partner = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole",
                                         "Condition": {"StringEquals": {"sts:ExternalId": "xyz"}}}]})
    partner_arn = iam.create_role(RoleName="partner", AssumeRolePolicyDocument=partner)["Role"]["Arn"]
    assert code_of(lambda: sts.assume_role(RoleArn=partner_arn, RoleSessionName="p1"))[0] == "AccessDenied"
    assert sts.assume_role(RoleArn=partner_arn, RoleSessionName="p1", ExternalId="xyz")["Credentials"]["AccessKeyId"]
    # A role session is its own principal: trusted by role ARN, not by being in the account alone.
    chained = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": tasks_only},
                                         "Action": "sts:AssumeRole"}]})
    chained_arn = iam.create_role(RoleName="chained", AssumeRolePolicyDocument=chained)["Role"]["Arn"]
    assert code_of(lambda: sts.assume_role(RoleArn=chained_arn, RoleSessionName="c1"))[0] == "AccessDenied"
    iam.put_role_policy(RoleName="tasks-only", PolicyName="assume", PolicyDocument=json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    c = sts.assume_role(RoleArn=tasks_only, RoleSessionName="hop")["Credentials"]
    hop = client(b, "sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
    assert hop.assume_role(RoleArn=chained_arn, RoleSessionName="c2")["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/chained/c2"


def test_run_task_refuses_a_task_role_that_does_not_trust_ecs(signed_berth):
    b = signed_berth
    iam, ecs = client(b, "iam"), client(b, "ecs")
    role = iam.create_role(RoleName="not-for-ecs", AssumeRolePolicyDocument=TRUST_ACCOUNT)["Role"]["Arn"]
    ecs.create_cluster(clusterName="trust")
    ecs.register_task_definition(family="untrusted", taskRoleArn=role, containerDefinitions=[
        {"name": "app", "image": "busybox", "memory": 64}])
    code, message = code_of(lambda: ecs.run_task(cluster="trust", taskDefinition="untrusted"))
    assert code == "ClientException"
    assert message == (f"ECS was unable to assume the role '{role}' that was provided for this task. Please verify "
                       "that the role being passed has the proper trust relationship and permissions and that your "
                       "IAM user has permissions to pass this role.")
    assert ecs.list_tasks(cluster="trust")["taskArns"] == []


def test_a_service_cannot_launch_tasks_whose_role_does_not_trust_ecs(signed_berth):
    """ECS reports it as a service event, each task it could not launch counting for the circuit
    breaker: three of three fail the deployment at once. Nothing reaches Docker (but the scheduler
    launches only while Docker answers)."""
    if not docker_available():
        pytest.skip("needs a Docker daemon")
    b = signed_berth
    iam, ecs = client(b, "iam"), client(b, "ecs")
    role = iam.create_role(RoleName="exec-not-for-ecs", AssumeRolePolicyDocument=TRUST_ACCOUNT)["Role"]["Arn"]
    ecs.create_cluster(clusterName="trust-svc")
    ecs.register_task_definition(family="untrusted-svc", executionRoleArn=role, containerDefinitions=[
        {"name": "app", "image": "busybox", "memory": 64}])
    ecs.create_service(cluster="trust-svc", serviceName="web", taskDefinition="untrusted-svc", desiredCount=3,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    event = (f"(service web) failed to launch a task with (error ECS was unable to assume the role '{role}' that was "
             "provided for this task. Please verify that the role being passed has the proper trust relationship "
             "and permissions and that your IAM user has permissions to pass this role.).")
    deadline = time.monotonic() + 30
    while True:
        s = ecs.describe_services(cluster="trust-svc", services=["web"])["services"][0]
        if s["deployments"][0]["rolloutState"] == "FAILED":
            break
        assert time.monotonic() < deadline, s
        time.sleep(0.2)
    d = s["deployments"][0]
    assert d["failedTasks"] == 3 and d["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    messages = [e["message"] for e in s["events"]]
    assert event in messages
    assert f"(service web) (deployment {d['id']}) deployment failed: tasks failed to start." in messages
    assert ecs.list_tasks(cluster="trust-svc")["taskArns"] == []
    assert ecs.list_tasks(cluster="trust-svc", desiredStatus="STOPPED")["taskArns"] == []
    ecs.delete_service(cluster="trust-svc", service="web", force=True)


def test_registry_tokens_count_only_while_their_key_verifies(tmp_path):
    """Under --credentials a registry password names the key it was issued to: one issued while
    keys were not verified, or to a key no longer in the file, gets the registry's 401."""
    import base64
    data = tmp_path / "data"
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({KEY: {"secretAccessKey": SECRET, "accountId": ACCOUNT}}))

    def password(b):
        token = client(b, "ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
        return base64.b64decode(token).decode().split(":", 1)[1]

    def basic(pw):
        return {"Authorization": "Basic " + base64.b64encode(f"AWS:{pw}".encode()).decode()}

    open_berth = start_berth(data_dir=data, log_dir=tmp_path)
    unverified = password(open_berth)
    assert open_berth.http("GET", "/v2/", headers=basic(unverified))[0] == 200
    open_berth.stop()
    b = start_berth(data_dir=data, log_dir=tmp_path, extra=("--credentials", str(keys)))
    try:
        status, headers, body = b.http("GET", "/v2/", headers=basic(unverified))
        assert status == 401 and body["errors"][0]["code"] == "UNAUTHORIZED"
        assert headers["www-authenticate"].startswith("Basic realm=")
        status, _, body = b.http("POST", "/v2/app/blobs/uploads/", headers=basic(unverified))
        assert status == 401 and body["errors"][0]["code"] == "UNAUTHORIZED"
        if docker_available():
            docker = Docker(tmp_path / "docker-config")
            host = f"localhost:{b.port}"
            refused = docker.run("login", "--username", "AWS", "--password-stdin", host, input=unverified, check=False)
            assert refused.returncode != 0 and "unauthorized" in (refused.stderr + refused.stdout).lower()
        verified = password(b)
        assert b.http("GET", "/v2/", headers=basic(verified))[0] == 200
    finally:
        b.stop()
    # The key leaves the file: its password goes with it.
    keys.write_text(json.dumps({"AKIDOTHER": {"secretAccessKey": "other", "accountId": ACCOUNT}}))
    b = start_berth(data_dir=data, log_dir=tmp_path, extra=("--credentials", str(keys)))
    try:
        assert b.http("GET", "/v2/", headers=basic(verified))[0] == 401
    finally:
        b.stop()
