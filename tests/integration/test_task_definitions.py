"""RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies,
DeregisterTaskDefinition, DeleteTaskDefinitions."""
import datetime
import json

import botocore.exceptions
import pytest

from helpers import ROOT_PRINCIPAL, container, fargate_td, td_arn

FULL_CONTAINER = {
    "name": "web",
    "image": "public.ecr.aws/nginx/nginx:1.25",
    "cpu": 128,
    "memory": 256,
    "memoryReservation": 128,
    "essential": True,
    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "name": "http"}],
    "command": ["nginx", "-g", "daemon off;"],
    "entryPoint": ["/docker-entrypoint.sh"],
    "environment": [{"name": "MODE", "value": "prod"}, {"name": "EMPTY", "value": ""}],
    "workingDirectory": "/srv",
    "dockerLabels": {"com.example.team": "core", "tier": "front"},
    "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
    "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
                    "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 10},
    "readonlyRootFilesystem": False,
    "stopTimeout": 20,
}


def test_revisions_count_up_per_family(aws):
    defs = json.dumps([container()])
    revs = [aws("ecs", "register-task-definition", "--family", "alpha", "--container-definitions", defs)
            ["taskDefinition"]["revision"] for _ in range(3)]
    assert revs == [1, 2, 3]
    beta = aws("ecs", "register-task-definition", "--family", "beta", "--container-definitions", defs)
    assert beta["taskDefinition"]["revision"] == 1
    assert beta["taskDefinition"]["taskDefinitionArn"] == td_arn("beta", 1)


def test_register_echoes_container_definition_and_defaults(aws):
    out = aws("ecs", "register-task-definition", "--family", "full",
              "--network-mode", "awsvpc",
              "--container-definitions", json.dumps([FULL_CONTAINER]))
    td = out["taskDefinition"]
    assert td["taskDefinitionArn"] == td_arn("full", 1)
    assert td["family"] == "full"
    assert td["revision"] == 1
    assert td["status"] == "ACTIVE"
    assert td["networkMode"] == "awsvpc"
    assert td["volumes"] == []
    assert td["placementConstraints"] == []
    assert td["registeredBy"] == ROOT_PRINCIPAL
    registered = datetime.datetime.fromisoformat(td["registeredAt"])
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - registered).total_seconds()) < 120
    [c] = td["containerDefinitions"]
    for key, value in FULL_CONTAINER.items():
        assert c[key] == value, key
    # Defaults ECS adds to what was given.
    assert c["mountPoints"] == []
    assert c["volumesFrom"] == []
    assert td["compatibilities"] == ["EC2"]  # no task cpu/memory: not Fargate-capable
    assert "requiresAttributes" in td
    names = [a["name"] for a in td["requiresAttributes"]]
    assert "ecs.capability.container-health-check" in names
    assert "ecs.capability.task-eni" in names


def test_minimal_container_defaults(ecs):
    td = ecs.register_task_definition(family="mini", containerDefinitions=[
        {"name": "c", "image": "busybox", "memory": 64}])["taskDefinition"]
    [c] = td["containerDefinitions"]
    assert c == {"name": "c", "image": "busybox", "cpu": 0, "memory": 64, "portMappings": [],
                 "essential": True, "environment": [], "mountPoints": [], "volumesFrom": [],
                 **({"systemControls": []} if "systemControls" in c else {})}
    assert td["compatibilities"] == ["EC2"]
    assert "networkMode" not in td  # omitted when not given
    assert td.get("requiresAttributes", []) == []


def test_fargate_compatibilities_and_size_normalisation(aws):
    body = fargate_td("fg", cpu="1 vCPU", memory="2 GB")
    out = aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(body))
    td = out["taskDefinition"]
    assert td["cpu"] == "1024"
    assert td["memory"] == "2048"
    assert td["requiresCompatibilities"] == ["FARGATE"]
    assert td["compatibilities"] == ["EC2", "FARGATE"]
    assert td["networkMode"] == "awsvpc"


def test_requires_attributes_awslogs_execution_role_awsvpc(raw):
    body = fargate_td("logs", executionRoleArn="arn:aws:iam::000000000000:role/exec")
    body["containerDefinitions"][0]["logConfiguration"] = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/logs", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "x"}}
    status, _, out = raw("RegisterTaskDefinition", body)
    assert status == 200, out
    td = out["taskDefinition"]
    # The set and order real ECS returns for a non-ECR image with awslogs, an execution role and awsvpc.
    assert [a["name"] for a in td["requiresAttributes"]] == [
        "com.amazonaws.ecs.capability.logging-driver.awslogs",
        "ecs.capability.execution-role-awslogs",
        "com.amazonaws.ecs.capability.docker-remote-api.1.19",
        "com.amazonaws.ecs.capability.docker-remote-api.1.21",
        "com.amazonaws.ecs.capability.docker-remote-api.1.18",
        "ecs.capability.task-eni",
    ]
    assert td["executionRoleArn"] == "arn:aws:iam::000000000000:role/exec"
    assert td["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-group"] == "/ecs/logs"


def test_port_mapping_defaults(ecs):
    awsvpc = ecs.register_task_definition(family="pm-vpc", networkMode="awsvpc", containerDefinitions=[
        container(portMappings=[{"containerPort": 80}, {"containerPort": 53, "protocol": "udp"}])])
    assert awsvpc["taskDefinition"]["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "hostPort": 80, "protocol": "tcp"},
        {"containerPort": 53, "hostPort": 53, "protocol": "udp"},
    ]
    bridge = ecs.register_task_definition(family="pm-bridge", networkMode="bridge", containerDefinitions=[
        container(portMappings=[{"containerPort": 80}, {"containerPort": 443, "hostPort": 8443}])])
    assert bridge["taskDefinition"]["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "hostPort": 0, "protocol": "tcp"},
        {"containerPort": 443, "hostPort": 8443, "protocol": "tcp"},
    ]


def test_describe_task_definition_by_family_revision_and_arn(aws, ecs):
    for i in range(3):
        ecs.register_task_definition(family="d", containerDefinitions=[container(environment=[
            {"name": "N", "value": str(i + 1)}])])
    latest = aws("ecs", "describe-task-definition", "--task-definition", "d")["taskDefinition"]
    assert latest["revision"] == 3
    assert latest["containerDefinitions"][0]["environment"] == [{"name": "N", "value": "3"}]
    two = aws("ecs", "describe-task-definition", "--task-definition", "d:2")["taskDefinition"]
    assert two["revision"] == 2
    assert two["containerDefinitions"][0]["environment"] == [{"name": "N", "value": "2"}]
    one = aws("ecs", "describe-task-definition", "--task-definition", td_arn("d", 1))["taskDefinition"]
    assert one["taskDefinitionArn"] == td_arn("d", 1)
    # The family alone names the latest ACTIVE revision.
    ecs.deregister_task_definition(taskDefinition="d:3")
    assert ecs.describe_task_definition(taskDefinition="d")["taskDefinition"]["revision"] == 2
    # A deregistered revision can still be described by number.
    three = ecs.describe_task_definition(taskDefinition="d:3")["taskDefinition"]
    assert three["status"] == "INACTIVE"


def test_describe_task_definition_include_tags(aws):
    aws("ecs", "register-task-definition", "--family", "tagged",
        "--container-definitions", json.dumps([container()]),
        "--tags", "key=env,value=dev", "key=owner,value=me")
    out = aws("ecs", "describe-task-definition", "--task-definition", "tagged:1", "--include", "TAGS")
    assert out["tags"] == [{"key": "env", "value": "dev"}, {"key": "owner", "value": "me"}]
    plain = aws("ecs", "describe-task-definition", "--task-definition", "tagged:1")
    assert "tags" not in plain or plain["tags"] == []


def test_describe_unknown_task_definition(ecs):
    ecs.register_task_definition(family="known", containerDefinitions=[container()])
    for ident in ("unknown", "known:2", td_arn("unknown", 1)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ecs.describe_task_definition(taskDefinition=ident)
        err = e.value.response["Error"]
        assert (err["Code"], err["Message"]) == ("ClientException", "Unable to describe task definition."), ident
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_list_task_definitions_family_is_exact_status_and_sort(aws, ecs):
    for fam, n in (("web", 3), ("web2", 2), ("api", 1)):
        for _ in range(n):
            ecs.register_task_definition(family=fam, containerDefinitions=[container()])
    everything = aws("ecs", "list-task-definitions")["taskDefinitionArns"]
    assert everything == [td_arn("api", 1), td_arn("web", 1), td_arn("web", 2), td_arn("web", 3),
                          td_arn("web2", 1), td_arn("web2", 2)]
    web = aws("ecs", "list-task-definitions", "--family-prefix", "web")["taskDefinitionArns"]
    assert web == [td_arn("web", 1), td_arn("web", 2), td_arn("web", 3)]
    desc = aws("ecs", "list-task-definitions", "--family-prefix", "web", "--sort", "DESC")["taskDefinitionArns"]
    assert desc == [td_arn("web", 3), td_arn("web", 2), td_arn("web", 1)]
    ecs.deregister_task_definition(taskDefinition="web:2")
    assert aws("ecs", "list-task-definitions", "--status", "INACTIVE")["taskDefinitionArns"] == [td_arn("web", 2)]
    assert ecs.list_task_definitions(familyPrefix="web")["taskDefinitionArns"] == [td_arn("web", 1), td_arn("web", 3)]
    assert ecs.list_task_definitions(familyPrefix="nothing")["taskDefinitionArns"] == []


def test_list_task_definitions_manual_pages(ecs):
    for _ in range(5):
        ecs.register_task_definition(family="pg", containerDefinitions=[container()])
    p1 = ecs.list_task_definitions(maxResults=2, sort="DESC")
    assert p1["taskDefinitionArns"] == [td_arn("pg", 5), td_arn("pg", 4)]
    p2 = ecs.list_task_definitions(maxResults=2, sort="DESC", nextToken=p1["nextToken"])
    assert p2["taskDefinitionArns"] == [td_arn("pg", 3), td_arn("pg", 2)]
    p3 = ecs.list_task_definitions(maxResults=2, sort="DESC", nextToken=p2["nextToken"])
    assert p3["taskDefinitionArns"] == [td_arn("pg", 1)]
    assert "nextToken" not in p3


def test_list_task_definition_families(aws, ecs):
    for fam in ("svc-a", "svc-b", "other"):
        ecs.register_task_definition(family=fam, containerDefinitions=[container()])
    ecs.register_task_definition(family="svc-b", containerDefinitions=[container()])
    ecs.deregister_task_definition(taskDefinition="svc-a:1")
    ecs.deregister_task_definition(taskDefinition="svc-b:1")  # svc-b:2 stays ACTIVE
    assert aws("ecs", "list-task-definition-families")["families"] == ["other", "svc-a", "svc-b"]
    assert aws("ecs", "list-task-definition-families", "--family-prefix", "svc")["families"] == ["svc-a", "svc-b"]
    assert aws("ecs", "list-task-definition-families", "--status", "ACTIVE")["families"] == ["other", "svc-b"]
    assert aws("ecs", "list-task-definition-families", "--status", "INACTIVE")["families"] == ["svc-a"]
    assert aws("ecs", "list-task-definition-families", "--status", "ALL",
               "--family-prefix", "svc-")["families"] == ["svc-a", "svc-b"]
    page = ecs.list_task_definition_families(maxResults=2)
    assert page["families"] == ["other", "svc-a"]
    assert ecs.list_task_definition_families(nextToken=page["nextToken"])["families"] == ["svc-b"]


def test_deregister_task_definition(aws, aws_rc, ecs):
    ecs.register_task_definition(family="dereg", containerDefinitions=[container()])
    out = aws("ecs", "deregister-task-definition", "--task-definition", "dereg:1")["taskDefinition"]
    assert out["status"] == "INACTIVE"
    assert out["taskDefinitionArn"] == td_arn("dereg", 1)
    assert "deregisteredAt" in out
    assert out["containerDefinitions"][0]["name"] == "app"
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []
    # Revision numbers are never reused.
    again = ecs.register_task_definition(family="dereg", containerDefinitions=[container()])
    assert again["taskDefinition"]["revision"] == 2
    rc, _, err = aws_rc("ecs", "deregister-task-definition", "--task-definition", "dereg")
    assert rc != 0 and "ClientException" in err


def test_delete_task_definitions(raw, ecs):
    ecs.register_task_definition(family="del", containerDefinitions=[container()])
    ecs.register_task_definition(family="del", containerDefinitions=[container()])
    ecs.deregister_task_definition(taskDefinition="del:1")
    status, _, out = raw("DeleteTaskDefinitions", {"taskDefinitions": ["del:1", "del:2", "del:9", "del"]})
    assert status == 200, out
    assert [(t["taskDefinitionArn"], t["status"]) for t in out["taskDefinitions"]] == [
        (td_arn("del", 1), "DELETE_IN_PROGRESS")]
    assert "deleteRequestedAt" in out["taskDefinitions"][0]
    failures = {f["arn"]: f["reason"] for f in out["failures"]}
    assert failures[td_arn("del", 2)] == ("The specified task definition is still in ACTIVE status. "
                                          "Please deregister the target and try again.")
    assert td_arn("del", 9) in failures
    assert len(out["failures"]) == 3
    # No longer listed as INACTIVE; still ACTIVE revision 2 untouched.
    assert ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"] == []
    assert ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"] == [td_arn("del", 2)]
    status, _, listed = raw("ListTaskDefinitions", {"status": "DELETE_IN_PROGRESS"})
    assert status == 200 and listed["taskDefinitionArns"] == [td_arn("del", 1)]
    status, _, desc = raw("DescribeTaskDefinition", {"taskDefinition": "del:1"})
    assert status == 200 and desc["taskDefinition"]["status"] == "DELETE_IN_PROGRESS"


def test_a_revision_that_is_not_a_number_is_named(ecs, aws_rc):
    ecs.register_task_definition(family="rev", containerDefinitions=[container()])
    ecs.create_cluster(clusterName="rev")
    calls = [
        lambda: ecs.describe_task_definition(taskDefinition="rev:foo"),
        lambda: ecs.deregister_task_definition(taskDefinition="rev:foo"),
        lambda: ecs.run_task(cluster="rev", taskDefinition="rev:foo"),
        lambda: ecs.create_service(cluster="rev", serviceName="s", taskDefinition=td_arn("rev", 1)[:-1] + "foo"),
    ]
    for call in calls:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        err = e.value.response["Error"]
        assert (err["Code"], err["Message"]) == ("InvalidParameterException", "Invalid revision number. Number: foo")
    rc, _, err = aws_rc("ecs", "describe-task-definition", "--task-definition", "rev:1x")
    assert rc != 0 and "(InvalidParameterException)" in err and "Invalid revision number. Number: 1x" in err
    assert ecs.list_services(cluster="rev")["serviceArns"] == []
