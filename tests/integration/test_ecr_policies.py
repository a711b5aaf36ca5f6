"""Repository policies, tags on repositories, DescribeRegistry and PutImageScanningConfiguration,
through Debian's aws CLI and boto3."""
import json

import pytest
from botocore.exceptions import ClientError

from helpers import DEFAULT_ACCOUNT

POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"},
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}],
})


def repo_arn(name):
    return f"arn:aws:ecr:us-east-1:{DEFAULT_ACCOUNT}:repository/{name}"


@pytest.fixture
def ecr(berth):
    return berth.client("ecr")


def error_of(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]


def test_set_get_delete_repository_policy(aws):
    aws("ecr", "create-repository", "--repository-name", "app")
    out = aws("ecr", "set-repository-policy", "--repository-name", "app", "--policy-text", POLICY)
    assert out == {"registryId": DEFAULT_ACCOUNT, "repositoryName": "app", "policyText": POLICY}
    got = aws("ecr", "get-repository-policy", "--repository-name", "app")
    assert json.loads(got["policyText"]) == json.loads(POLICY)
    deleted = aws("ecr", "delete-repository-policy", "--repository-name", "app")
    assert deleted["policyText"] == POLICY


def test_missing_policy_and_missing_repository(ecr):
    ecr.create_repository(repositoryName="app")
    for call in (ecr.get_repository_policy, ecr.delete_repository_policy):
        err = error_of(call, repositoryName="app")
        assert err["Code"] == "RepositoryPolicyNotFoundException"
        assert err["Message"] == ("Repository policy does not exist for the repository with name 'app' "
                                  f"in the registry with id '{DEFAULT_ACCOUNT}'")
    err = error_of(ecr.set_repository_policy, repositoryName="nope", policyText=POLICY)
    assert err["Code"] == "RepositoryNotFoundException"


@pytest.mark.parametrize("text", ["not json", "{}", '{"Statement": []}',
                                  '{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "ecr:*"}]}',
                                  '{"Statement": {"Effect": "Allow", "Action": "ecr:*"}}'])
def test_invalid_policy_is_refused_and_not_stored(ecr, text):
    ecr.create_repository(repositoryName="app")
    err = error_of(ecr.set_repository_policy, repositoryName="app", policyText=text, force=True)
    assert err["Code"] == "InvalidParameterException"
    assert err["Message"] == ("Invalid parameter at 'PolicyText' failed to satisfy constraint: "
                              "'Invalid repository policy provided'")
    assert error_of(ecr.get_repository_policy, repositoryName="app")["Code"] == "RepositoryPolicyNotFoundException"


def test_tag_untag_list(aws, ecr):
    aws("ecr", "create-repository", "--repository-name", "team/app", "--tags", "Key=team,Value=core")
    arn = repo_arn("team/app")
    aws("ecr", "tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=dev", "Key=team,Value=platform")
    tags = aws("ecr", "list-tags-for-resource", "--resource-arn", arn)["tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "platform")]
    aws("ecr", "untag-resource", "--resource-arn", arn, "--tag-keys", "team", "absent")
    assert aws("ecr", "list-tags-for-resource", "--resource-arn", arn)["tags"] == [{"Key": "env", "Value": "dev"}]


def test_tag_errors(ecr):
    ecr.create_repository(repositoryName="app")
    arn = repo_arn("app")
    err = error_of(ecr.tag_resource, resourceArn=arn, tags=[{"Key": "aws:owner", "Value": "x"}])
    assert err["Code"] == "InvalidTagParameterException"
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert error_of(ecr.tag_resource, resourceArn=arn, tags=many)["Code"] == "TooManyTagsException"
    ecr.tag_resource(resourceArn=arn, tags=many[:50])
    # Overwriting an existing key is not one more tag; a new key is.
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "k0", "Value": "changed"}])
    assert error_of(ecr.tag_resource, resourceArn=arn, tags=[{"Key": "new", "Value": "v"}])["Code"] == \
        "TooManyTagsException"
    assert len(ecr.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    for bad in ("not-an-arn", f"arn:aws:ecs:us-east-1:{DEFAULT_ACCOUNT}:cluster/app",
                f"arn:aws:ecr:us-east-1:{DEFAULT_ACCOUNT}:repository/"):
        assert error_of(ecr.list_tags_for_resource, resourceArn=bad)["Code"] == "InvalidParameterException"
    err = error_of(ecr.list_tags_for_resource, resourceArn=repo_arn("ghost"))
    assert err["Code"] == "RepositoryNotFoundException"
    assert "'ghost'" in err["Message"]


def test_tags_go_with_the_repository(ecr):
    ecr.create_repository(repositoryName="app", tags=[{"Key": "a", "Value": "1"}])
    ecr.delete_repository(repositoryName="app")
    ecr.create_repository(repositoryName="app")
    assert ecr.list_tags_for_resource(resourceArn=repo_arn("app"))["tags"] == []


def test_describe_registry(aws):
    assert aws("ecr", "describe-registry") == {"registryId": DEFAULT_ACCOUNT,
                                                "replicationConfiguration": {"rules": []}}


def test_put_image_scanning_configuration(aws, ecr):
    aws("ecr", "create-repository", "--repository-name", "app")
    out = aws("ecr", "put-image-scanning-configuration", "--repository-name", "app",
              "--image-scanning-configuration", "scanOnPush=true")
    assert out == {"registryId": DEFAULT_ACCOUNT, "repositoryName": "app",
                   "imageScanningConfiguration": {"scanOnPush": True}}
    repo = ecr.describe_repositories(repositoryNames=["app"])["repositories"][0]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfiguration"] == {"encryptionType": "AES256"}
    err = error_of(ecr.put_image_scanning_configuration, repositoryName="nope",
                   imageScanningConfiguration={"scanOnPush": True})
    assert err["Code"] == "RepositoryNotFoundException"
