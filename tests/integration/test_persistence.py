"""State survives a SIGTERM restart and a kill -9 on a --data-dir."""
from helpers import ROOT_PRINCIPAL, cluster_arn, container, fargate_td, td_arn

OTHER = "111122223333"


def snapshot(b):
    """Everything the tests wrote, as plain data."""
    ecs = b.client()
    other = b.client(access_key=OTHER, region="eu-west-1")
    arns = ecs.list_clusters()["clusterArns"]
    clusters = ecs.describe_clusters(clusters=[a.split("/")[-1] for a in arns],
                                     include=["TAGS", "SETTINGS", "CONFIGURATIONS"])["clusters"] if arns else []
    tds = {}
    for status in ("ACTIVE", "INACTIVE"):
        for arn in ecs.list_task_definitions(status=status)["taskDefinitionArns"]:
            d = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
            tds[arn] = (d["taskDefinition"]["status"], d["taskDefinition"]["containerDefinitions"], d.get("tags"))
    return {
        "clusters": clusters,
        "tds": tds,
        "families": ecs.list_task_definition_families()["families"],
        "settings": ecs.list_account_settings()["settings"],
        "other_clusters": other.list_clusters()["clusterArns"],
        "other_tds": other.list_task_definitions()["taskDefinitionArns"],
    }


def test_restart_after_sigterm_and_kill9(tmp_path, spawn_berth):
    data = tmp_path / "data"
    b = spawn_berth(data)
    ecs = b.client()
    b.aws("ecs", "create-cluster", "--cluster-name", "persist", "--tags", "key=keep,value=me",
          "--settings", "name=containerInsights,value=enhanced")
    ecs.create_cluster(clusterName="doomed")
    ecs.delete_cluster(cluster="doomed")
    ecs.update_cluster(cluster="persist", configuration={"executeCommandConfiguration": {"logging": "NONE"}})
    for _ in range(3):
        ecs.register_task_definition(family="web", containerDefinitions=[container()],
                                     tags=[{"key": "t", "value": "v"}])
    ecs.register_task_definition(**fargate_td("fg", cpu="1 vCPU", memory="2 GB"))
    ecs.deregister_task_definition(taskDefinition="web:2")
    ecs.tag_resource(resourceArn=td_arn("web", 1), tags=[{"key": "later", "value": "x"}])
    ecs.put_account_setting(name="serviceLongArnFormat", value="disabled")
    b.client(access_key=OTHER, region="eu-west-1").create_cluster(clusterName="far")
    before = snapshot(b)
    assert [c["clusterName"] for c in before["clusters"]] == ["persist"]
    assert len(before["tds"]) == 4

    assert b.stop() == 0, b.log()

    b2 = spawn_berth(data)
    after = snapshot(b2)
    assert after == before
    c = after["clusters"][0]
    assert c["tags"] == [{"key": "keep", "value": "me"}]
    assert c["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert c["configuration"] == {"executeCommandConfiguration": {"logging": "NONE"}}
    assert after["tds"][td_arn("web", 2)][0] == "INACTIVE"
    assert after["settings"][0]["principalArn"] == ROOT_PRINCIPAL
    assert after["other_clusters"] == [cluster_arn("far", account=OTHER, region="eu-west-1")]
    d = b2.client().describe_clusters(clusters=["doomed"])
    assert d["clusters"][0]["status"] == "INACTIVE"
    assert b2.client().describe_task_definition(taskDefinition="fg")["taskDefinition"]["cpu"] == "1024"

    # More writes, each acknowledged, then kill -9.
    ecs2 = b2.client()
    acked_revisions = [ecs2.register_task_definition(family="web", containerDefinitions=[container()])
                       ["taskDefinition"]["revision"] for _ in range(5)]
    assert acked_revisions == [4, 5, 6, 7, 8]
    for i in range(10):
        ecs2.create_cluster(clusterName=f"k{i}")
    ecs2.tag_resource(resourceArn=cluster_arn("k9"), tags=[{"key": "last", "value": "write"}])
    ecs2.deregister_task_definition(taskDefinition="web:1")
    ecs2.put_account_setting(name="containerInsights", value="enabled")
    expected = snapshot(b2)
    assert b2.kill9() == -9

    b3 = spawn_berth(data)
    assert snapshot(b3) == expected
    ecs3 = b3.client()
    assert ecs3.list_tags_for_resource(resourceArn=cluster_arn("k9"))["tags"] == [{"key": "last", "value": "write"}]
    # Revision numbering continues after the crash; deleted revisions are never reused.
    assert ecs3.register_task_definition(family="web", containerDefinitions=[container()])[
        "taskDefinition"]["revision"] == 9
    assert b3.stop() == 0, b3.log()


def test_revision_counter_survives_restart_even_after_deletion(tmp_path, spawn_berth):
    data = tmp_path / "d2"
    b = spawn_berth(data)
    ecs = b.client()
    ecs.register_task_definition(family="once", containerDefinitions=[container()])
    ecs.deregister_task_definition(taskDefinition="once:1")
    status, _, out = b.raw("DeleteTaskDefinitions", {"taskDefinitions": ["once:1"]})
    assert status == 200 and out["taskDefinitions"][0]["status"] == "DELETE_IN_PROGRESS"
    assert b.stop() == 0
    b2 = spawn_berth(data)
    assert b2.client().register_task_definition(family="once", containerDefinitions=[container()])[
        "taskDefinition"]["revision"] == 2
    assert b2.stop() == 0
