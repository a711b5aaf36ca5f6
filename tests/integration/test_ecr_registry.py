"""ECR registry-wide settings through Debian's aws CLI and boto3: the registry policy,
replication configuration, scanning (registry, repositories, scans), pull through cache rules,
repository creation templates and account settings."""
import json

import pytest
from botocore.exceptions import ClientError

from helpers import DEFAULT_ACCOUNT, sdk_authorization
from test_ecr_api import make_image

POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "replicate", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                   "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                   "Resource": f"arn:aws:ecr:us-east-1:{DEFAULT_ACCOUNT}:repository/*"}],
})
TARGET = "AmazonEC2ContainerRegistry_V20150921"
NO_SCANNER = "berth has no vulnerability database: the image was not scanned."


@pytest.fixture
def ecr(berth):
    return berth.client("ecr")


def error_of(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]


def test_registry_policy_round_trip(aws, ecr):
    err = error_of(ecr.get_registry_policy)
    assert err == {"Code": "RegistryPolicyNotFoundException",
                   "Message": f"Registry policy does not exist in the registry with id '{DEFAULT_ACCOUNT}'"}
    out = aws("ecr", "put-registry-policy", "--policy-text", POLICY)
    assert out == {"registryId": DEFAULT_ACCOUNT, "policyText": POLICY}
    assert aws("ecr", "get-registry-policy")["policyText"] == POLICY
    err = error_of(ecr.put_registry_policy, policyText='{"Statement": [{"Effect": "Allow"}]}')
    assert err["Code"] == "InvalidParameterException"
    assert aws("ecr", "get-registry-policy")["policyText"] == POLICY  # the bad one changed nothing
    assert aws("ecr", "delete-registry-policy")["policyText"] == POLICY
    assert error_of(ecr.delete_registry_policy)["Code"] == "RegistryPolicyNotFoundException"


def test_registry_policy_is_per_region(berth, aws):
    aws("ecr", "put-registry-policy", "--policy-text", POLICY)
    west = berth.client("ecr", region="eu-west-1")
    assert error_of(west.get_registry_policy)["Code"] == "RegistryPolicyNotFoundException"


def test_replication_configuration(aws, ecr):
    assert aws("ecr", "describe-registry") == {"registryId": DEFAULT_ACCOUNT,
                                                "replicationConfiguration": {"rules": []}}
    config = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": DEFAULT_ACCOUNT}],
                         "repositoryFilters": [{"filter": "team", "filterType": "PREFIX_MATCH"}]}]}
    out = aws("ecr", "put-replication-configuration", "--replication-configuration", json.dumps(config))
    assert out == {"replicationConfiguration": config}
    assert aws("ecr", "describe-registry")["replicationConfiguration"] == config
    # The source registry cannot be its own destination; nothing changes.
    same = {"rules": [{"destinations": [{"region": "us-east-1", "registryId": DEFAULT_ACCOUNT}]}]}
    assert error_of(ecr.put_replication_configuration, replicationConfiguration=same)["Code"] == \
        "InvalidParameterException"
    many = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": DEFAULT_ACCOUNT}]}] * 11}
    assert error_of(ecr.put_replication_configuration, replicationConfiguration=many)["Code"] == \
        "InvalidParameterException"
    assert ecr.describe_registry()["replicationConfiguration"] == config
    ecr.create_repository(repositoryName="other")
    ecr.put_image(repositoryName="other", imageManifest=make_image(ecr, "other"), imageTag="v1")
    assert ecr.describe_image_replication_status(repositoryName="other",
                                                 imageId={"imageTag": "v1"})["replicationStatuses"] == []


def test_pushed_images_replicate_to_other_regions(berth, ecr):
    west = berth.client("ecr", region="eu-west-1")
    ecr.create_repository(repositoryName="team/app")
    before = ecr.put_image(repositoryName="team/app", imageManifest=make_image(ecr, "team/app", b"old"),
                           imageTag="old")["image"]["imageId"]["imageDigest"]
    # The destination registry's template for REPLICATION shapes the repository replication makes.
    auth = sdk_authorization(region="eu-west-1", service="ecr")
    status, _, body = berth.raw("CreateRepositoryCreationTemplate",
                                {"prefix": "team", "appliedFor": ["REPLICATION"], "imageTagMutability": "IMMUTABLE",
                                 "resourceTags": [{"Key": "copied", "Value": "yes"}]},
                                target=f"{TARGET}.CreateRepositoryCreationTemplate", headers={"Authorization": auth})
    assert status == 200, body
    ecr.put_replication_configuration(replicationConfiguration={"rules": [
        {"destinations": [{"region": "eu-west-1", "registryId": DEFAULT_ACCOUNT}],
         "repositoryFilters": [{"filter": "team", "filterType": "PREFIX_MATCH"}]}]})
    manifest = make_image(ecr, "team/app")
    digest = ecr.put_image(repositoryName="team/app", imageManifest=manifest,
                           imageTag="v1")["image"]["imageId"]["imageDigest"]
    repo = west.describe_repositories(repositoryNames=["team/app"])["repositories"][0]
    assert repo["repositoryArn"] == f"arn:aws:ecr:eu-west-1:{DEFAULT_ACCOUNT}:repository/team/app"
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert west.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"] == [{"Key": "copied", "Value": "yes"}]
    copy = west.batch_get_image(repositoryName="team/app", imageIds=[{"imageTag": "v1"}])["images"][0]
    assert copy["imageId"]["imageDigest"] == digest and copy["imageManifest"] == manifest
    # Its layers are there too: the copy can be pulled by layer.
    layer = json.loads(manifest)["layers"][0]["digest"]
    assert west.get_download_url_for_layer(repositoryName="team/app", layerDigest=layer)["layerDigest"] == layer
    status = ecr.describe_image_replication_status(repositoryName="team/app", imageId={"imageTag": "v1"})
    assert status["replicationStatuses"] == [{"region": "eu-west-1", "registryId": DEFAULT_ACCOUNT,
                                              "status": "COMPLETE"}]
    # An image pushed before the rule is not copied, as with ECR.
    old = ecr.describe_image_replication_status(repositoryName="team/app", imageId={"imageDigest": before})
    assert old["replicationStatuses"][0]["status"] == "FAILED"
    assert [i["imageTag"] for i in west.list_images(repositoryName="team/app")["imageIds"]] == ["v1"]


def test_registry_and_repository_scanning_configuration(aws, ecr):
    assert aws("ecr", "get-registry-scanning-configuration") == {
        "registryId": DEFAULT_ACCOUNT, "scanningConfiguration": {"scanType": "BASIC", "rules": []}}
    rules = [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD"}]}]
    out = aws("ecr", "put-registry-scanning-configuration", "--scan-type", "BASIC", "--rules", json.dumps(rules))
    assert out == {"registryScanningConfiguration": {"scanType": "BASIC", "rules": rules}}
    ecr.create_repository(repositoryName="prod-web")
    ecr.create_repository(repositoryName="dev-web", imageScanningConfiguration={"scanOnPush": True})
    ecr.create_repository(repositoryName="plain")
    got = aws("ecr", "batch-get-repository-scanning-configuration", "--repository-names", "prod-web", "dev-web",
              "plain", "ghost")
    by_name = {c["repositoryName"]: c for c in got["scanningConfigurations"]}
    assert by_name["prod-web"]["scanFrequency"] == "SCAN_ON_PUSH"
    assert by_name["prod-web"]["scanOnPush"] is True
    assert by_name["prod-web"]["appliedScanFilters"] == [{"filter": "prod-*", "filterType": "WILDCARD"}]
    assert by_name["dev-web"]["scanFrequency"] == "SCAN_ON_PUSH"
    assert by_name["plain"] == {"repositoryArn": f"arn:aws:ecr:us-east-1:{DEFAULT_ACCOUNT}:repository/plain",
                                "repositoryName": "plain", "scanOnPush": False, "scanFrequency": "MANUAL",
                                "appliedScanFilters": []}
    assert got["failures"] == [{"repositoryName": "ghost", "failureCode": "REPOSITORY_NOT_FOUND",
                                "failureReason": "REPOSITORY_NOT_FOUND"}]


def test_image_scans_fail_honestly(aws, aws_rc, ecr):
    ecr.create_repository(repositoryName="app")
    manifest = make_image(ecr, "app")
    digest = ecr.put_image(repositoryName="app", imageManifest=manifest, imageTag="v1")["image"]["imageId"]["imageDigest"]
    err = error_of(ecr.describe_image_scan_findings, repositoryName="app", imageId={"imageTag": "v1"})
    assert err == {"Code": "ScanNotFoundException",
                   "Message": "Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' "
                              f"in the repository with name 'app' in the registry with id '{DEFAULT_ACCOUNT}'"}
    started = aws("ecr", "start-image-scan", "--repository-name", "app", "--image-id", "imageTag=v1")
    assert started == {"registryId": DEFAULT_ACCOUNT, "repositoryName": "app",
                       "imageId": {"imageDigest": digest, "imageTag": "v1"},
                       "imageScanStatus": {"status": "IN_PROGRESS"}}
    found = aws("ecr", "describe-image-scan-findings", "--repository-name", "app", "--image-id", "imageTag=v1")
    assert found["imageScanStatus"] == {"status": "FAILED", "description": NO_SCANNER}
    # No findings are invented (the CLI's paginator adds an empty list of its own; the SDK shows
    # the reply as sent).
    raw = ecr.describe_image_scan_findings(repositoryName="app", imageId={"imageDigest": digest})
    assert "imageScanFindings" not in raw
    # The waiter stops at once on FAILED instead of polling for ten minutes.
    rc, _, stderr = aws_rc("ecr", "wait", "image-scan-complete", "--repository-name", "app", "--image-id",
                           "imageTag=v1")
    assert rc != 0 and "terminal failure state" in stderr
    assert error_of(ecr.start_image_scan, repositoryName="app", imageId={"imageDigest": digest})["Code"] == \
        "LimitExceededException"
    assert error_of(ecr.start_image_scan, repositoryName="app", imageId={"imageTag": "nope"})["Code"] == \
        "ImageNotFoundException"
    assert error_of(ecr.start_image_scan, repositoryName="ghost", imageId={"imageTag": "v1"})["Code"] == \
        "RepositoryNotFoundException"


def test_scan_on_push_images_have_a_failed_scan(ecr):
    ecr.create_repository(repositoryName="app", imageScanningConfiguration={"scanOnPush": True})
    ecr.put_image(repositoryName="app", imageManifest=make_image(ecr, "app"), imageTag="v1")
    found = ecr.describe_image_scan_findings(repositoryName="app", imageId={"imageTag": "v1"})
    assert found["imageScanStatus"]["status"] == "FAILED"


def ecr_raw(berth, op, body=None):
    """Operations newer than Debian's aws CLI and boto3 (templates, account settings, parts of
    pull through cache) go as raw awsJson 1.1; returns (status, body)."""
    status, _, parsed = berth.raw(op, body or {}, target=f"{TARGET}.{op}")
    return status, parsed


def ecr_ok(berth, op, body=None):
    status, parsed = ecr_raw(berth, op, body)
    assert status == 200, (op, parsed)
    return parsed


def test_pull_through_cache_rules(aws, ecr, berth):
    out = aws("ecr", "create-pull-through-cache-rule", "--ecr-repository-prefix", "ecr-public",
              "--upstream-registry-url", "public.ecr.aws")
    assert out["ecrRepositoryPrefix"] == "ecr-public"
    assert out["registryId"] == DEFAULT_ACCOUNT
    assert "createdAt" in out
    err = error_of(ecr.create_pull_through_cache_rule, ecrRepositoryPrefix="ecr-public",
                   upstreamRegistryUrl="quay.io")
    assert err == {"Code": "PullThroughCacheRuleAlreadyExistsException",
                   "Message": "The pull through cache rule with Amazon ECR repository prefix 'ecr-public' already "
                              f"exists in the registry with id '{DEFAULT_ACCOUNT}'"}
    # Docker Hub needs a Secrets Manager credential; an unknown upstream is refused.
    status, body = ecr_raw(berth, "CreatePullThroughCacheRule", {"ecrRepositoryPrefix": "hub",
                                                                 "upstreamRegistryUrl": "registry-1.docker.io"})
    assert status == 400 and body["__type"] == "InvalidParameterException"
    assert error_of(ecr.create_pull_through_cache_rule, ecrRepositoryPrefix="evil",
                    upstreamRegistryUrl="registry.example.com")["Code"] == "UnsupportedUpstreamRegistryException"
    cred = f"arn:aws:secretsmanager:us-east-1:{DEFAULT_ACCOUNT}:secret:ecr-pullthroughcache/hub-AbCdEf"
    created = ecr_ok(berth, "CreatePullThroughCacheRule", {"ecrRepositoryPrefix": "hub", "credentialArn": cred,
                                                           "upstreamRegistryUrl": "registry-1.docker.io"})
    assert created["upstreamRegistry"] == "docker-hub" and created["upstreamRepositoryPrefix"] == "ROOT"
    rules = aws("ecr", "describe-pull-through-cache-rules")["pullThroughCacheRules"]
    assert [r["ecrRepositoryPrefix"] for r in rules] == ["ecr-public", "hub"]
    assert ecr_ok(berth, "DescribePullThroughCacheRules",
                  {"ecrRepositoryPrefixes": ["hub"]})["pullThroughCacheRules"][0]["credentialArn"] == cred
    new_cred = cred.replace("hub-AbCdEf", "hub2-XyZabc")
    updated = ecr_ok(berth, "UpdatePullThroughCacheRule", {"ecrRepositoryPrefix": "hub", "credentialArn": new_cred})
    assert updated["credentialArn"] == new_cred and "updatedAt" in updated
    valid = ecr_ok(berth, "ValidatePullThroughCacheRule", {"ecrRepositoryPrefix": "hub"})
    assert valid["isValid"] is False and "cannot reach upstream" in valid["failure"]
    assert ecr_ok(berth, "DeletePullThroughCacheRule", {"ecrRepositoryPrefix": "hub"})["credentialArn"] == new_cred
    err = error_of(ecr.describe_pull_through_cache_rules, ecrRepositoryPrefixes=["hub"])
    assert err["Code"] == "PullThroughCacheRuleNotFoundException"
    page = ecr.describe_pull_through_cache_rules(maxResults=1)
    assert len(page["pullThroughCacheRules"]) == 1 and "nextToken" not in page


def test_repository_creation_templates(berth):
    out = ecr_ok(berth, "CreateRepositoryCreationTemplate", {
        "prefix": "ROOT", "appliedFor": ["PULL_THROUGH_CACHE", "REPLICATION"], "description": "every repository"})
    t = out["repositoryCreationTemplate"]
    assert out["registryId"] == DEFAULT_ACCOUNT
    assert t["prefix"] == "ROOT" and t["appliedFor"] == ["PULL_THROUGH_CACHE", "REPLICATION"]
    assert t["imageTagMutability"] == "MUTABLE"
    assert t["encryptionConfiguration"] == {"encryptionType": "AES256"}
    assert isinstance(t["createdAt"], (int, float))
    status, err = ecr_raw(berth, "CreateRepositoryCreationTemplate", {"prefix": "ROOT", "appliedFor": ["REPLICATION"]})
    assert err["__type"] == "TemplateAlreadyExistsException"
    for bad in ({"repositoryPolicy": "not json"}, {"lifecyclePolicy": '{"rules": "no"}'}, {"prefix": "Bad Prefix"},
                {"appliedFor": ["SOMETIMES"]}):
        body = {"prefix": "team", "appliedFor": ["REPLICATION"], **bad}
        status, err = ecr_raw(berth, "CreateRepositoryCreationTemplate", body)
        assert (status, err["__type"]) == (400, "InvalidParameterException"), (bad, err)
    ecr_ok(berth, "CreateRepositoryCreationTemplate", {"prefix": "team", "appliedFor": ["CREATE_ON_PUSH"],
                                                       "imageTagMutability": "IMMUTABLE"})
    updated = ecr_ok(berth, "UpdateRepositoryCreationTemplate", {"prefix": "team", "description": "team repos"})
    assert updated["repositoryCreationTemplate"]["imageTagMutability"] == "IMMUTABLE"
    assert updated["repositoryCreationTemplate"]["description"] == "team repos"
    listed = ecr_ok(berth, "DescribeRepositoryCreationTemplates")["repositoryCreationTemplates"]
    assert [x["prefix"] for x in listed] == ["ROOT", "team"]
    deleted = ecr_ok(berth, "DeleteRepositoryCreationTemplate", {"prefix": "team"})
    assert deleted["repositoryCreationTemplate"]["prefix"] == "team"
    status, err = ecr_raw(berth, "DeleteRepositoryCreationTemplate", {"prefix": "team"})
    assert err == {"__type": "TemplateNotFoundException",
                   "message": "The repository creation template with the prefix 'team' does not exist in the "
                              f"registry with id '{DEFAULT_ACCOUNT}'"}


def test_account_settings(berth):
    assert ecr_ok(berth, "GetAccountSetting", {"name": "BASIC_SCAN_TYPE_VERSION"}) == {
        "name": "BASIC_SCAN_TYPE_VERSION", "value": "AWS_NATIVE"}
    assert ecr_ok(berth, "PutAccountSetting", {"name": "BASIC_SCAN_TYPE_VERSION", "value": "CLAIR"}) == {
        "name": "BASIC_SCAN_TYPE_VERSION", "value": "CLAIR"}
    assert ecr_ok(berth, "GetAccountSetting", {"name": "BASIC_SCAN_TYPE_VERSION"})["value"] == "CLAIR"
    for body in ({"name": "BASIC_SCAN_TYPE_VERSION", "value": "MAYBE"}, {"name": "NOPE", "value": "x"}):
        status, err = ecr_raw(berth, "PutAccountSetting", body)
        assert (status, err["__type"]) == (400, "InvalidParameterException")
