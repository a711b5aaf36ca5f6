"""Host access (src/ecs/host_access.cpp): FARGATE never reaches the host, EC2 only with
--allow-host-access. Refused before anything is stored or started, so no Docker is needed."""
import copy

import pytest

from helpers import fargate_td, start_berth

HOST_FIELDS = {
    "privileged": {"containerDefinitions": [{"name": "a", "image": "berth-test/absent:never", "memory": 64, "privileged": True}]},
    "host-path": {"volumes": [{"name": "root", "host": {"sourcePath": "/"}}],
                  "containerDefinitions": [{"name": "a", "image": "berth-test/absent:never", "memory": 64,
                                            "mountPoints": [{"sourceVolume": "root", "containerPath": "/host"}]}]},
    "host-network": {"networkMode": "host",
                     "containerDefinitions": [{"name": "a", "image": "berth-test/absent:never", "memory": 64}]},
    "devices": {"containerDefinitions": [{"name": "a", "image": "berth-test/absent:never", "memory": 64,
                                          "linuxParameters": {"devices": [{"hostPath": "/dev/mem"}]}}]},
    "capabilities": {"containerDefinitions": [{"name": "a", "image": "berth-test/absent:never", "memory": 64,
                                               "linuxParameters": {"capabilities": {"add": ["SYS_ADMIN"]}}}]},
}


@pytest.mark.parametrize("field", sorted(HOST_FIELDS))
def test_ec2_tasks_reach_the_host_only_when_allowed(berth, field):
    berth.ok("CreateCluster", {"clusterName": "c"})
    td = berth.ok("RegisterTaskDefinition", {"family": "h", **HOST_FIELDS[field]})["taskDefinition"]
    assert "FARGATE" not in td["compatibilities"]
    status, _, body = berth.raw("RunTask", {"cluster": "c", "taskDefinition": "h", "launchType": "EC2"})
    assert status == 400 and body["__type"] == "ClientException", body
    assert "--allow-host-access" in body["message"]
    assert berth.ok("ListTasks", {"cluster": "c"})["taskArns"] == []


@pytest.mark.parametrize("field,says", [("privileged", "privileged"), ("host-path", "sourcePath"),
                                        ("devices", "devices"), ("capabilities", "SYS_PTRACE")])
def test_fargate_definitions_refuse_host_access_even_when_allowed(field, says, tmp_path):
    b = start_berth(ephemeral=True, extra=["--allow-host-access"])
    try:
        td = fargate_td("f", **copy.deepcopy(HOST_FIELDS[field]))
        for c in td["containerDefinitions"]:
            c.pop("memory", None)
        status, _, body = b.raw("RegisterTaskDefinition", td)
        assert status == 400 and body["__type"] == "ClientException", body
        assert says in body["message"]
        assert b.ok("ListTaskDefinitions", {})["taskDefinitionArns"] == []
        # Allowed for EC2 when berth was started with --allow-host-access: RunTask accepts it
        # (placing it may still fail with AGENT while Docker is not yet reachable).
        b.ok("CreateCluster", {"clusterName": "c"})
        b.ok("RegisterTaskDefinition", {"family": "e", **HOST_FIELDS[field]})
        status, _, body = b.raw("RunTask", {"cluster": "c", "taskDefinition": "e", "launchType": "EC2"})
        assert status == 200 and (body["tasks"] or body["failures"][0]["reason"] == "AGENT"), body
    finally:
        b.reset()
        b.stop()
