"""Lifecycle policies: Put/Get/Delete, validation, and previews evaluated against images imported
with `berth image import` (push times moved back in the database where a test needs old images)."""
import json
import sqlite3
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from helpers import AWS_CLI, DEFAULT_ACCOUNT
from image_archives import berth_image, docker_save_tar

DAY = 24 * 3600


def rule(priority, selection):
    return {"rulePriority": priority, "description": f"rule {priority}", "selection": selection,
            "action": {"type": "expire"}}


def policy(*rules):
    return json.dumps({"rules": list(rules)})


KEEP_ONE_UNTAGGED = rule(1, {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1})


@pytest.fixture
def served(spawn_berth, tmp_path):
    data = tmp_path / "data"
    b = spawn_berth(data)
    return b, data, b.client("ecr")


def push(data, tmp_path, repository, tag, label):
    """Imports a fresh image as repository:tag; returns its manifest digest."""
    path = tmp_path / f"{label}.tar"
    docker_save_tar(path, repo_tag=None, label=label)
    p = berth_image("import", path, "--repository", f"{repository}:{tag}", data_dir=data)
    assert p.returncode == 0, p.stderr
    time.sleep(0.01)  # distinct push times
    return p.stdout.split()[-1]


def age(data, digest, days):
    with sqlite3.connect(data / "berth.db", timeout=10) as db:
        db.execute("UPDATE ecr_images SET pushed_at = pushed_at - ? WHERE digest = ?", (days * DAY * 1000, digest))


def error_of(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]


def test_put_get_delete_lifecycle_policy(served):
    b, _, ecr = served
    ecr.create_repository(repositoryName="app")
    text = policy(KEEP_ONE_UNTAGGED)
    out = ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=text)
    out.pop("ResponseMetadata")
    assert out == {"registryId": DEFAULT_ACCOUNT, "repositoryName": "app", "lifecyclePolicyText": text}
    got = ecr.get_lifecycle_policy(repositoryName="app")
    assert got["lifecyclePolicyText"] == text
    assert "lastEvaluatedAt" in got
    deleted = ecr.delete_lifecycle_policy(repositoryName="app")
    assert deleted["lifecyclePolicyText"] == text
    for call in (ecr.get_lifecycle_policy, ecr.delete_lifecycle_policy):
        err = error_of(call, repositoryName="app")
        assert err["Code"] == "LifecyclePolicyNotFoundException"
        assert err["Message"] == ("Lifecycle policy does not exist for the repository with name 'app' "
                                  f"in the registry with id '{DEFAULT_ACCOUNT}'")
    assert error_of(ecr.get_lifecycle_policy, repositoryName="nope")["Code"] == "RepositoryNotFoundException"


@pytest.mark.parametrize("bad, reason", [
    (policy(rule(1, {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 1})),
     "tagPrefixList or tagPatternList is required"),
    (policy(KEEP_ONE_UNTAGGED, rule(1, {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3})),
     "rulePriority 1 is used by more than one rule"),
    (policy(rule(1, {"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 3})),
     "countUnit is required"),
    (policy(rule(1, {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 0})),
     "countNumber must be an integer greater than 0"),
    (policy(rule(1, {"tagStatus": "everything", "countType": "imageCountMoreThan", "countNumber": 1})),
     "tagStatus must be one of tagged, untagged or any"),
    (json.dumps({"rules": [{**KEEP_ONE_UNTAGGED, "action": {"type": "delete"}}], "padding": "x" * 100}),
     "not allowed"),
    ("{" + " " * 120 + "not json", "not a JSON object"),
])
def test_bad_policies_are_refused(served, bad, reason):
    _, _, ecr = served
    ecr.create_repository(repositoryName="app")
    err = error_of(ecr.put_lifecycle_policy, repositoryName="app", lifecyclePolicyText=bad)
    assert err["Code"] == "InvalidParameterException"
    assert err["Message"].startswith("Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
                                     "'Lifecycle policy validation failure: ")
    assert reason in err["Message"]
    assert error_of(ecr.get_lifecycle_policy, repositoryName="app")["Code"] == "LifecyclePolicyNotFoundException"


def test_preview_errors(served):
    _, _, ecr = served
    ecr.create_repository(repositoryName="app")
    assert error_of(ecr.get_lifecycle_policy_preview, repositoryName="app")["Code"] == \
        "LifecyclePolicyPreviewNotFoundException"
    assert error_of(ecr.start_lifecycle_policy_preview, repositoryName="app")["Code"] == \
        "LifecyclePolicyNotFoundException"
    assert error_of(ecr.start_lifecycle_policy_preview, repositoryName="nope",
                    lifecyclePolicyText=policy(KEEP_ONE_UNTAGGED))["Code"] == "RepositoryNotFoundException"


def test_preview_counts_and_prefixes(served, tmp_path):
    b, data, ecr = served
    # Three images pushed as app:latest in turn leave two untagged; two prod images.
    old_untagged = push(data, tmp_path, "app", "latest", "u1")
    newer_untagged = push(data, tmp_path, "app", "latest", "u2")
    latest = push(data, tmp_path, "app", "latest", "u3")
    prod1 = push(data, tmp_path, "app", "prod-1", "p1")
    prod2 = push(data, tmp_path, "app", "prod-2", "p2")
    text = policy(KEEP_ONE_UNTAGGED,
                  rule(2, {"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan",
                           "countNumber": 1}))
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=text)
    started = ecr.start_lifecycle_policy_preview(repositoryName="app")
    assert started["status"] == "IN_PROGRESS"
    assert started["lifecyclePolicyText"] == text
    # The CLI's waiter polls GetLifecyclePolicyPreview until COMPLETE.
    env = b.cli_env()
    w = subprocess.run([AWS_CLI, "--endpoint-url", b.endpoint, "ecr", "wait", "lifecycle-policy-preview-complete",
                        "--repository-name", "app"], env=env, capture_output=True, text=True, timeout=60)
    assert w.returncode == 0, w.stderr
    got = ecr.get_lifecycle_policy_preview(repositoryName="app")
    assert got["status"] == "COMPLETE"
    assert got["summary"] == {"expiringImageTotalCount": 2}
    results = {r["imageDigest"]: r for r in got["previewResults"]}
    assert set(results) == {old_untagged, prod1}
    assert results[old_untagged]["appliedRulePriority"] == 1
    assert results[old_untagged]["imageTags"] == []
    assert results[prod1]["appliedRulePriority"] == 2
    assert results[prod1]["imageTags"] == ["prod-1"]
    assert results[prod1]["action"] == {"type": "EXPIRE"}
    assert "imagePushedAt" in results[prod1]
    tagged = ecr.get_lifecycle_policy_preview(repositoryName="app", filter={"tagStatus": "TAGGED"})
    assert [r["imageDigest"] for r in tagged["previewResults"]] == [prod1]
    by_id = ecr.get_lifecycle_policy_preview(repositoryName="app", imageIds=[{"imageTag": "prod-1"}])
    assert [r["imageDigest"] for r in by_id["previewResults"]] == [prod1]
    page = ecr.get_lifecycle_policy_preview(repositoryName="app", maxResults=1)
    assert len(page["previewResults"]) == 1 and "nextToken" in page
    rest = ecr.get_lifecycle_policy_preview(repositoryName="app", maxResults=1, nextToken=page["nextToken"])
    assert {page["previewResults"][0]["imageDigest"], rest["previewResults"][0]["imageDigest"]} == \
        {old_untagged, prod1}
    # A preview changes nothing.
    assert len(ecr.list_images(repositoryName="app")["imageIds"]) == 5
    assert {newer_untagged, latest, prod2}.isdisjoint(results)


def test_preview_of_a_given_policy_by_age_and_pattern(served, tmp_path):
    _, data, ecr = served
    old_prod = push(data, tmp_path, "app", "prod-old", "a")
    new_prod = push(data, tmp_path, "app", "prod-new", "b")
    old_dev = push(data, tmp_path, "app", "dev-old", "c")
    age(data, old_prod, 20)
    age(data, old_dev, 40)
    text = policy(rule(1, {"tagStatus": "tagged", "tagPatternList": ["*prod*"], "countType": "sinceImagePushed",
                           "countUnit": "days", "countNumber": 14}),
                  rule(2, {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days",
                           "countNumber": 30}))
    # A policy given to Start is previewed without being stored.
    ecr.start_lifecycle_policy_preview(repositoryName="app", lifecyclePolicyText=text)
    got = ecr.get_lifecycle_policy_preview(repositoryName="app")
    assert [(r["imageDigest"], r["appliedRulePriority"]) for r in got["previewResults"]] == [(old_prod, 1),
                                                                                              (old_dev, 2)]
    assert new_prod not in {r["imageDigest"] for r in got["previewResults"]}
    assert error_of(ecr.get_lifecycle_policy, repositoryName="app")["Code"] == "LifecyclePolicyNotFoundException"
