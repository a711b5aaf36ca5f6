"""TagResource, UntagResource, ListTagsForResource; DescribeCapacityProviders."""
import botocore.exceptions
import pytest

from helpers import cluster_arn, container, td_arn


def test_tag_untag_list_cluster(aws):
    aws("ecs", "create-cluster", "--cluster-name", "tg")
    arn = cluster_arn("tg")
    assert aws("ecs", "list-tags-for-resource", "--resource-arn", arn)["tags"] == []
    assert aws("ecs", "tag-resource", "--resource-arn", arn,
               "--tags", "key=a,value=1", "key=b,value=2", "key=c,value=3") in (None, {})
    assert aws("ecs", "list-tags-for-resource", "--resource-arn", arn)["tags"] == [
        {"key": "a", "value": "1"}, {"key": "b", "value": "2"}, {"key": "c", "value": "3"}]
    # Re-tagging a key replaces its value.
    aws("ecs", "tag-resource", "--resource-arn", arn, "--tags", "key=b,value=two")
    aws("ecs", "untag-resource", "--resource-arn", arn, "--tag-keys", "a", "missing")
    assert aws("ecs", "list-tags-for-resource", "--resource-arn", arn)["tags"] == [
        {"key": "b", "value": "two"}, {"key": "c", "value": "3"}]
    d = aws("ecs", "describe-clusters", "--clusters", "tg", "--include", "TAGS")["clusters"][0]
    assert d["tags"] == [{"key": "b", "value": "two"}, {"key": "c", "value": "3"}]


def test_tag_untag_list_task_definition(ecs):
    ecs.register_task_definition(family="tt", containerDefinitions=[container()],
                                 tags=[{"key": "initial", "value": "yes"}])
    arn = td_arn("tt", 1)
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "added", "value": "later"},
                                            {"key": "with space", "value": "a/b=c+d@e.f:g_h-i"}])
    tags = ecs.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == [{"key": "initial", "value": "yes"}, {"key": "added", "value": "later"},
                    {"key": "with space", "value": "a/b=c+d@e.f:g_h-i"}]
    ecs.untag_resource(resourceArn=arn, tagKeys=["initial"])
    got = ecs.describe_task_definition(taskDefinition="tt:1", include=["TAGS"])["tags"]
    assert got == tags[1:]


def test_tags_are_per_resource(ecs):
    ecs.create_cluster(clusterName="t1", tags=[{"key": "k", "value": "1"}])
    ecs.create_cluster(clusterName="t2", tags=[{"key": "k", "value": "2"}])
    assert ecs.list_tags_for_resource(resourceArn=cluster_arn("t1"))["tags"] == [{"key": "k", "value": "1"}]
    assert ecs.list_tags_for_resource(resourceArn=cluster_arn("t2"))["tags"] == [{"key": "k", "value": "2"}]


def test_tag_errors(ecs):
    ecs.create_cluster(clusterName="te")

    def err(**kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ecs.tag_resource(**kw)
        return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]

    assert err(resourceArn=cluster_arn("nope"), tags=[{"key": "a", "value": "b"}]) == (
        "ClusterNotFoundException", "Cluster not found.")
    assert err(resourceArn="arn:aws:ecr:us-east-1:000000000000:repository/x", tags=[{"key": "a", "value": "b"}]) == (
        "InvalidParameterException", "The ARN provided is invalid.")
    code, _ = err(resourceArn=cluster_arn("te"), tags=[{"key": "aws:reserved", "value": "b"}])
    assert code == "InvalidParameterException"
    code, _ = err(resourceArn=td_arn("nofam", 1), tags=[{"key": "a", "value": "b"}])
    assert code == "ClientException"
    assert ecs.list_tags_for_resource(resourceArn=cluster_arn("te"))["tags"] == []


def test_describe_capacity_providers_builtin(aws):
    out = aws("ecs", "describe-capacity-providers")
    assert [(p["name"], p["status"], p["capacityProviderArn"]) for p in out["capacityProviders"]] == [
        ("FARGATE", "ACTIVE", "arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE"),
        ("FARGATE_SPOT", "ACTIVE", "arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE_SPOT"),
    ]
    assert all(p["tags"] == [] for p in out["capacityProviders"])
    assert all("autoScalingGroupProvider" not in p for p in out["capacityProviders"])
    assert out["failures"] == []


def test_describe_capacity_providers_names_and_failures(aws, ecs):
    out = aws("ecs", "describe-capacity-providers", "--capacity-providers", "FARGATE_SPOT", "my-asg-cp")
    assert [p["name"] for p in out["capacityProviders"]] == ["FARGATE_SPOT"]
    assert out["failures"] == [{"arn": "arn:aws:ecs:us-east-1:000000000000:capacity-provider/my-asg-cp",
                                "reason": "MISSING"}]
    by_arn = ecs.describe_capacity_providers(
        capacityProviders=["arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE"])
    assert [p["name"] for p in by_arn["capacityProviders"]] == ["FARGATE"]
    page = ecs.describe_capacity_providers(maxResults=1)
    assert [p["name"] for p in page["capacityProviders"]] == ["FARGATE"]
    rest = ecs.describe_capacity_providers(maxResults=1, nextToken=page["nextToken"])
    assert [p["name"] for p in rest["capacityProviders"]] == ["FARGATE_SPOT"]
    assert "nextToken" not in rest
