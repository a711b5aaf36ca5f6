"""Accounts (12-digit access key ids) and regions (the credential scope) partition all state."""
import json

import botocore.exceptions
import pytest

from helpers import cluster_arn, container, td_arn

OTHER = "111122223333"
THIRD = "444455556666"


def test_cluster_visible_only_in_its_account_and_region(berth, aws):
    c = aws("ecs", "create-cluster", "--cluster-name", "iso")["cluster"]
    assert c["clusterArn"] == cluster_arn("iso")

    # Another region of the same (default) account.
    eu = aws("ecs", "list-clusters", region="eu-west-1")
    assert eu["clusterArns"] == []
    d = aws("ecs", "describe-clusters", "--clusters", "iso", region="eu-west-1")
    assert d["clusters"] == []
    assert d["failures"] == [{"arn": cluster_arn("iso", region="eu-west-1"), "reason": "MISSING"}]

    # Another account, same region: its own cluster of the same name gets its own ARN.
    other = aws("ecs", "create-cluster", "--cluster-name", "iso", "--tags", "key=owner,value=other",
                access_key=OTHER)["cluster"]
    assert other["clusterArn"] == cluster_arn("iso", account=OTHER)
    assert aws("ecs", "list-clusters", access_key=OTHER)["clusterArns"] == [cluster_arn("iso", account=OTHER)]
    assert aws("ecs", "list-clusters")["clusterArns"] == [cluster_arn("iso")]
    # The default account's cluster has no tags: tags did not leak across accounts.
    assert aws("ecs", "list-tags-for-resource", "--resource-arn", cluster_arn("iso"))["tags"] == []

    # Deleting in one account leaves the other alone.
    aws("ecs", "delete-cluster", "--cluster", "iso", access_key=OTHER)
    assert aws("ecs", "list-clusters")["clusterArns"] == [cluster_arn("iso")]


def test_non_numeric_key_uses_default_account(berth):
    ecs = berth.client(access_key="AKIAIOSFODNN7EXAMPLE")
    arn = ecs.create_cluster(clusterName="dflt")["cluster"]["clusterArn"]
    assert arn == cluster_arn("dflt")
    # A key of 12 digits plus something is not an account id either.
    ecs2 = berth.client(access_key="1111222233334")
    assert ecs2.list_clusters()["clusterArns"] == [cluster_arn("dflt")]


def test_arns_from_other_scopes_are_not_found(berth):
    mine = berth.client(access_key=OTHER, region="ap-southeast-2")
    theirs = berth.client(access_key=THIRD, region="ap-southeast-2")
    arn = mine.create_cluster(clusterName="p")["cluster"]["clusterArn"]
    assert arn == f"arn:aws:ecs:ap-southeast-2:{OTHER}:cluster/p"
    d = theirs.describe_clusters(clusters=[arn])
    assert d["clusters"] == [] and d["failures"][0]["reason"] == "MISSING"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        theirs.update_cluster_settings(cluster=arn, settings=[{"name": "containerInsights", "value": "enabled"}])
    assert e.value.response["Error"]["Code"] == "ClusterNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        theirs.list_tags_for_resource(resourceArn=arn)
    assert e.value.response["Error"]["Code"] in ("InvalidParameterException", "ClusterNotFoundException",
                                                  "AccessDeniedException")
    assert mine.describe_clusters(clusters=[arn])["clusters"][0]["status"] == "ACTIVE"


def test_task_definitions_and_settings_are_partitioned(berth, aws):
    us = berth.client(access_key=OTHER, region="us-east-1")
    eu = berth.client(access_key=OTHER, region="eu-west-1")
    for _ in range(3):
        us.register_task_definition(family="fam", containerDefinitions=[container()])
    td = eu.register_task_definition(family="fam", containerDefinitions=[container()])["taskDefinition"]
    # Revision numbering is per account and region.
    assert td["revision"] == 1
    assert td["taskDefinitionArn"] == td_arn("fam", 1, account=OTHER, region="eu-west-1")
    assert td["registeredBy"] == f"arn:aws:iam::{OTHER}:root"
    assert eu.list_task_definitions()["taskDefinitionArns"] == [td_arn("fam", 1, account=OTHER, region="eu-west-1")]
    assert len(us.list_task_definitions()["taskDefinitionArns"]) == 3
    # The default account sees nothing.
    assert aws("ecs", "list-task-definitions")["taskDefinitionArns"] == []
    assert aws("ecs", "list-task-definition-families")["families"] == []

    s = us.put_account_setting(name="taskLongArnFormat", value="disabled")["setting"]
    assert s["principalArn"] == f"arn:aws:iam::{OTHER}:root"
    assert [x["name"] for x in us.list_account_settings()["settings"]] == ["taskLongArnFormat"]
    assert eu.list_account_settings()["settings"] == []
    assert aws("ecs", "list-account-settings")["settings"] == []
    # Capacity provider ARNs carry the caller's account and region.
    cp = eu.describe_capacity_providers(capacityProviders=["FARGATE"])["capacityProviders"][0]
    assert cp["capacityProviderArn"] == f"arn:aws:ecs:eu-west-1:{OTHER}:capacity-provider/FARGATE"


def test_cli_describe_task_definition_in_other_account(aws, aws_rc):
    out = aws("ecs", "register-task-definition", "--family", "x",
              "--container-definitions", json.dumps([container()]), access_key=OTHER, region="eu-central-1")
    assert out["taskDefinition"]["taskDefinitionArn"] == td_arn("x", 1, account=OTHER, region="eu-central-1")
    rc, _, err = aws_rc("ecs", "describe-task-definition", "--task-definition", "x:1")
    assert rc == 254 and "Unable to describe task definition." in err
