"""CreateCluster, DescribeClusters, ListClusters, UpdateCluster, UpdateClusterSettings,
PutClusterCapacityProviders, DeleteCluster."""
from helpers import ROOT_PRINCIPAL, cluster_arn


def test_create_cluster_response(aws):
    out = aws("ecs", "create-cluster", "--cluster-name", "alpha", "--tags", "key=team,value=core")
    c = out["cluster"]
    assert c["clusterArn"] == cluster_arn("alpha")
    assert c["clusterName"] == "alpha"
    assert c["status"] == "ACTIVE"
    for count in ("registeredContainerInstancesCount", "runningTasksCount", "pendingTasksCount",
                  "activeServicesCount"):
        assert c[count] == 0, count
    assert c["tags"] == [{"key": "team", "value": "core"}]
    assert c["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert c["capacityProviders"] == []
    assert c["defaultCapacityProviderStrategy"] == []
    # Real ECS answers CreateCluster with an empty statistics list (aws-cli create-cluster example).
    assert c["statistics"] == []


def test_create_cluster_without_name_is_default(aws):
    c = aws("ecs", "create-cluster")["cluster"]
    assert c["clusterName"] == "default"
    assert c["clusterArn"] == cluster_arn("default")
    assert aws("ecs", "list-clusters")["clusterArns"] == [cluster_arn("default")]


def test_create_cluster_with_settings_capacity_and_configuration(aws):
    c = aws("ecs", "create-cluster", "--cluster-name", "cfg",
            "--settings", "name=containerInsights,value=enhanced",
            "--capacity-providers", "FARGATE", "FARGATE_SPOT",
            "--default-capacity-provider-strategy",
            "capacityProvider=FARGATE,weight=1", "capacityProvider=FARGATE_SPOT,weight=3,base=0",
            "--configuration", '{"executeCommandConfiguration": {"logging": "DEFAULT"}}')["cluster"]
    assert c["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert c["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    # base is filled in with 0 when omitted.
    assert c["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 0},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]
    d = aws("ecs", "describe-clusters", "--clusters", "cfg", "--include", "CONFIGURATIONS", "SETTINGS")
    c = d["clusters"][0]
    assert c["configuration"] == {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    assert c["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_create_cluster_is_idempotent(ecs):
    first = ecs.create_cluster(clusterName="same")["cluster"]
    second = ecs.create_cluster(clusterName="same")["cluster"]
    assert first["clusterArn"] == second["clusterArn"]
    assert second["status"] == "ACTIVE"
    assert ecs.list_clusters()["clusterArns"] == [cluster_arn("same")]


def test_describe_clusters_found_and_missing(aws):
    aws("ecs", "create-cluster", "--cluster-name", "one")
    aws("ecs", "create-cluster", "--cluster-name", "two")
    out = aws("ecs", "describe-clusters", "--clusters", "one", cluster_arn("two"), "nope")
    assert [c["clusterName"] for c in out["clusters"]] == ["one", "two"]
    assert all(c["status"] == "ACTIVE" for c in out["clusters"])
    assert out["failures"] == [{"arn": cluster_arn("nope"), "reason": "MISSING"}]


def test_describe_clusters_no_failures_is_empty_list(raw):
    raw("CreateCluster", {"clusterName": "x"})
    status, _, body = raw("DescribeClusters", {"clusters": ["x"]})
    assert status == 200
    assert body["failures"] == []
    assert body["clusters"][0]["clusterArn"] == cluster_arn("x")


def test_describe_clusters_defaults_to_default_cluster(aws):
    out = aws("ecs", "describe-clusters")
    assert out["clusters"] == []
    assert out["failures"] == [{"arn": cluster_arn("default"), "reason": "MISSING"}]
    aws("ecs", "create-cluster")
    out = aws("ecs", "describe-clusters")
    assert [c["clusterArn"] for c in out["clusters"]] == [cluster_arn("default")]
    assert out["failures"] == []


def test_describe_clusters_include(aws):
    aws("ecs", "create-cluster", "--cluster-name", "inc", "--tags", "key=a,value=1", "key=b,value=2")
    plain = aws("ecs", "describe-clusters", "--clusters", "inc")["clusters"][0]
    assert plain.get("tags", []) == []
    assert plain.get("statistics", []) == []
    full = aws("ecs", "describe-clusters", "--clusters", "inc",
               "--include", "TAGS", "STATISTICS", "SETTINGS", "ATTACHMENTS")["clusters"][0]
    assert full["tags"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]
    stats = {s["name"]: s["value"] for s in full["statistics"]}
    assert stats["runningFargateTasksCount"] == "0"
    assert stats["pendingEC2TasksCount"] == "0"
    assert full["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert full["attachments"] == []


def test_list_clusters_sorted_and_active_only(aws):
    for name in ("zeta", "alpha", "mid"):
        aws("ecs", "create-cluster", "--cluster-name", name)
    assert aws("ecs", "list-clusters")["clusterArns"] == [cluster_arn(n) for n in ("alpha", "mid", "zeta")]
    aws("ecs", "delete-cluster", "--cluster", "mid")
    assert aws("ecs", "list-clusters")["clusterArns"] == [cluster_arn(n) for n in ("alpha", "zeta")]


def test_update_cluster(aws):
    aws("ecs", "create-cluster", "--cluster-name", "upd")
    c = aws("ecs", "update-cluster", "--cluster", "upd",
            "--settings", "name=containerInsights,value=enabled",
            "--configuration", '{"executeCommandConfiguration": {"logging": "OVERRIDE", '
            '"logConfiguration": {"cloudWatchLogGroupName": "/ecs/exec"}}}')["cluster"]
    assert c["clusterName"] == "upd"
    assert c["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert c["configuration"]["executeCommandConfiguration"] == {
        "logging": "OVERRIDE", "logConfiguration": {"cloudWatchLogGroupName": "/ecs/exec"}}
    d = aws("ecs", "describe-clusters", "--clusters", cluster_arn("upd"),
            "--include", "CONFIGURATIONS", "SETTINGS")["clusters"][0]
    assert d["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert d["configuration"]["executeCommandConfiguration"]["logging"] == "OVERRIDE"


def test_update_cluster_settings(aws):
    aws("ecs", "create-cluster", "--cluster-name", "ci")
    c = aws("ecs", "update-cluster-settings", "--cluster", "ci",
            "--settings", "name=containerInsights,value=enhanced")["cluster"]
    assert c["clusterArn"] == cluster_arn("ci")
    assert c["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    d = aws("ecs", "describe-clusters", "--clusters", "ci", "--include", "SETTINGS")["clusters"][0]
    assert d["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_put_cluster_capacity_providers(aws):
    aws("ecs", "create-cluster", "--cluster-name", "cp")
    c = aws("ecs", "put-cluster-capacity-providers", "--cluster", "cp",
            "--capacity-providers", "FARGATE", "FARGATE_SPOT",
            "--default-capacity-provider-strategy",
            "capacityProvider=FARGATE,weight=1,base=2", "capacityProvider=FARGATE_SPOT,weight=4")["cluster"]
    assert c["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert c["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
        {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0},
    ]
    d = aws("ecs", "describe-clusters", "--clusters", "cp")["clusters"][0]
    assert d["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert d["defaultCapacityProviderStrategy"][0] == {"capacityProvider": "FARGATE", "weight": 1, "base": 2}
    # Clearing them.
    c = aws("ecs", "put-cluster-capacity-providers", "--cluster", "cp", "--capacity-providers", "[]",
            "--default-capacity-provider-strategy", "[]")["cluster"]
    assert c["capacityProviders"] == []
    assert c["defaultCapacityProviderStrategy"] == []


def test_delete_cluster(aws):
    aws("ecs", "create-cluster", "--cluster-name", "gone", "--tags", "key=k,value=v")
    aws("ecs", "create-cluster", "--cluster-name", "kept")
    c = aws("ecs", "delete-cluster", "--cluster", "gone")["cluster"]
    assert c["status"] == "INACTIVE"
    assert c["clusterArn"] == cluster_arn("gone")
    assert aws("ecs", "list-clusters")["clusterArns"] == [cluster_arn("kept")]
    d = aws("ecs", "describe-clusters", "--clusters", "gone")
    assert d["failures"] == []
    assert [(c["clusterName"], c["status"]) for c in d["clusters"]] == [("gone", "INACTIVE")]


def test_recreate_deleted_cluster_starts_fresh(ecs):
    ecs.create_cluster(clusterName="again", tags=[{"key": "old", "value": "1"}])
    ecs.delete_cluster(cluster="again")
    c = ecs.create_cluster(clusterName="again")["cluster"]
    assert c["status"] == "ACTIVE"
    assert ecs.list_tags_for_resource(resourceArn=cluster_arn("again"))["tags"] == []
    assert ecs.list_clusters()["clusterArns"] == [cluster_arn("again")]


def test_update_deleted_cluster_is_not_found(ecs):
    import botocore.exceptions
    import pytest

    ecs.create_cluster(clusterName="dead")
    ecs.delete_cluster(cluster="dead")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ecs.update_cluster_settings(cluster="dead", settings=[{"name": "containerInsights", "value": "enabled"}])
    assert e.value.response["Error"]["Code"] == "ClusterNotFoundException"
    assert e.value.response["Error"]["Message"] == "Cluster not found."


def test_account_default_container_insights_applies_to_new_clusters(aws):
    s = aws("ecs", "put-account-setting-default", "--name", "containerInsights", "--value", "enabled")
    assert s["setting"]["principalArn"] == ROOT_PRINCIPAL
    c = aws("ecs", "create-cluster", "--cluster-name", "ins")["cluster"]
    assert c["settings"] == [{"name": "containerInsights", "value": "enabled"}]
