"""IAM over the query protocol, driven by the aws CLI v2 and boto3: the ECS tutorial's role flow,
IAM's errors, policies and versions, instance profiles, STS."""
import json

import pytest
from helpers import DEFAULT_ACCOUNT

TRUST = {"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Principal": {
    "Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def cli_error(aws_rc, *args):
    rc, out, err = aws_rc(*args)
    assert rc != 0, out
    return err


def test_tutorial_execution_role_flow(aws, tmp_path):
    trust = tmp_path / "ecs-tasks-trust-policy.json"
    trust.write_text(json.dumps(TRUST))
    role = aws("iam", "create-role", "--role-name", "ecsTaskExecutionRole",
               "--assume-role-policy-document", f"file://{trust}")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/ecsTaskExecutionRole"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    # IAM sends the document URL-encoded; the CLI decodes it into an object.
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert aws("iam", "attach-role-policy", "--role-name", "ecsTaskExecutionRole", "--policy-arn", EXEC_POLICY) is None
    got = aws("iam", "get-role", "--role-name", "ecsTaskExecutionRole")["Role"]
    assert got["RoleId"] == role["RoleId"] and got["MaxSessionDuration"] == 3600
    assert got["CreateDate"].startswith(role["CreateDate"][:10])
    attached = aws("iam", "list-attached-role-policies", "--role-name", "ecsTaskExecutionRole")
    assert attached["AttachedPolicies"] == [{"PolicyName": "AmazonECSTaskExecutionRolePolicy",
                                             "PolicyArn": EXEC_POLICY}]
    version = aws("iam", "get-policy-version", "--policy-arn", EXEC_POLICY, "--version-id", "v1")["PolicyVersion"]
    assert "ecr:BatchGetImage" in version["Document"]["Statement"][0]["Action"]
    aws("iam", "detach-role-policy", "--role-name", "ecsTaskExecutionRole", "--policy-arn", EXEC_POLICY)
    aws("iam", "delete-role", "--role-name", "ecsTaskExecutionRole")
    assert aws("iam", "list-roles")["Roles"] == []


def test_iam_errors_through_the_cli(aws, aws_rc, tmp_path):
    trust = json.dumps(TRUST)
    err = cli_error(aws_rc, "iam", "get-role", "--role-name", "missing")
    assert "(NoSuchEntity)" in err and "The role with name missing cannot be found." in err
    aws("iam", "create-role", "--role-name", "app", "--assume-role-policy-document", trust)
    err = cli_error(aws_rc, "iam", "create-role", "--role-name", "app", "--assume-role-policy-document", trust)
    assert "(EntityAlreadyExists)" in err and "Role with name app already exists." in err
    err = cli_error(aws_rc, "iam", "create-role", "--role-name", "bad", "--assume-role-policy-document", "nope")
    assert "(MalformedPolicyDocument)" in err
    err = cli_error(aws_rc, "iam", "create-role", "--role-name", "bad", "--assume-role-policy-document",
                    '{"Version":"2012-10-17"}')
    assert "(MalformedPolicyDocument)" in err
    err = cli_error(aws_rc, "iam", "attach-role-policy", "--role-name", "app", "--policy-arn",
                    "arn:aws:iam::aws:policy/NoSuchPolicy")
    assert "(NoSuchEntity)" in err and "does not exist or is not attachable." in err
    aws("iam", "attach-role-policy", "--role-name", "app", "--policy-arn", EXEC_POLICY)
    err = cli_error(aws_rc, "iam", "delete-role", "--role-name", "app")
    assert "(DeleteConflict)" in err and "Cannot delete entity, must detach all policies first." in err
    aws("iam", "detach-role-policy", "--role-name", "app", "--policy-arn", EXEC_POLICY)
    aws("iam", "put-role-policy", "--role-name", "app", "--policy-name", "logs", "--policy-document",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}))
    err = cli_error(aws_rc, "iam", "delete-role", "--role-name", "app")
    assert "Cannot delete entity, must delete policies first." in err
    doc = aws("iam", "get-role-policy", "--role-name", "app", "--policy-name", "logs")["PolicyDocument"]
    assert doc["Statement"][0]["Action"] == "logs:*"
    aws("iam", "delete-role-policy", "--role-name", "app", "--policy-name", "logs")
    aws("iam", "delete-role", "--role-name", "app")


def test_policies_versions_and_limits(berth):
    iam = berth.client("iam")
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]})
    arn = iam.create_policy(PolicyName="ecs-all", PolicyDocument=doc)["Policy"]["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc, SetAsDefault=True)
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v5"
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["ecs-all"]
    aws_names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    assert {"AmazonECS_FullAccess", "AmazonEC2ContainerRegistryReadOnly", "CloudWatchLogsFullAccess",
            "AmazonS3ReadOnlyAccess", "AmazonECSTaskExecutionRolePolicy"} <= aws_names
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    names = [f"p{i}" for i in range(10)]
    for n in names:
        a = iam.create_policy(PolicyName=n, PolicyDocument=doc)["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="r", PolicyArn=a)
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert len(iam.list_policies(OnlyAttached=True)["Policies"]) == 10
    # Marker paging through boto3's paginator.
    pages = list(iam.get_paginator("list_attached_role_policies").paginate(RoleName="r", PaginationConfig={"PageSize": 3}))
    assert len(pages) == 4 and sum(len(p["AttachedPolicies"]) for p in pages) == 10


def test_instance_profiles(aws, aws_rc):
    aws("iam", "create-role", "--role-name", "ecsInstanceRole", "--assume-role-policy-document", json.dumps(TRUST))
    p = aws("iam", "create-instance-profile", "--instance-profile-name", "ecsInstanceRole")["InstanceProfile"]
    assert p["InstanceProfileId"].startswith("AIPA") and p["Roles"] == []
    aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "ecsInstanceRole",
        "--role-name", "ecsInstanceRole")
    got = aws("iam", "get-instance-profile", "--instance-profile-name", "ecsInstanceRole")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["ecsInstanceRole"]
    assert got["Roles"][0]["AssumeRolePolicyDocument"] == TRUST
    err = cli_error(aws_rc, "iam", "delete-role", "--role-name", "ecsInstanceRole")
    assert "must remove roles from instance profile first." in err
    aws("iam", "remove-role-from-instance-profile", "--instance-profile-name", "ecsInstanceRole",
        "--role-name", "ecsInstanceRole")
    aws("iam", "delete-instance-profile", "--instance-profile-name", "ecsInstanceRole")
    err = cli_error(aws_rc, "iam", "get-instance-profile", "--instance-profile-name", "ecsInstanceRole")
    assert "(NoSuchEntity)" in err


def test_service_linked_role_appears_with_the_first_cluster(aws):
    assert aws("iam", "list-roles")["Roles"] == []
    aws("ecs", "create-cluster", "--cluster-name", "one")
    roles = aws("iam", "list-roles", "--path-prefix", "/aws-service-role/")["Roles"]
    assert [r["Arn"] for r in roles] == [
        f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"]


def test_sts_caller_identity_and_assume_role(berth, aws):
    who = aws("sts", "get-caller-identity")
    assert who == {"UserId": DEFAULT_ACCOUNT, "Account": DEFAULT_ACCOUNT,
                   "Arn": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}
    role = aws("iam", "create-role", "--role-name", "worker", "--assume-role-policy-document",
               json.dumps(TRUST))["Role"]
    out = berth.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="job-1", DurationSeconds=900)
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/worker/job-1"
    assert out["AssumedRoleUser"]["AssumedRoleId"] == role["RoleId"] + ":job-1"
    import boto3
    session = boto3.client("sts", endpoint_url=berth.endpoint, region_name="us-east-1",
                           aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    assert session.get_caller_identity()["Arn"] == f"arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/worker/job-1"
    with pytest.raises(session.exceptions.ClientError) as e:
        berth.client("sts").assume_role(RoleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/none", RoleSessionName="s1")
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(session.exceptions.ClientError) as e:
        berth.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=7200)
    assert e.value.response["Error"]["Code"] == "ValidationError"
