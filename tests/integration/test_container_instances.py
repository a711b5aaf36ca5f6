"""ECS container instances: berth's Docker engine registered in each cluster that runs EC2 tasks,
placement (constraints, strategies, resource fit), attributes, draining, and the reservation
metrics, with /usr/bin/aws and real containers."""
import json
import re
import subprocess
import time

import pytest

from helpers import AwsCliError, start_berth
from registry_helpers import needs_docker
from shared_images import task_image

pytestmark = needs_docker
SLEEP = ["/bin/busybox", "sleep", "600"]
ARN = re.compile(r"^arn:aws:ecs:us-east-1:\d{12}:container-instance/demo/[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return task_image(tmp_path_factory)


@pytest.fixture(scope="module")
def b(tmp_path_factory):
    berth = start_berth(data_dir=tmp_path_factory.mktemp("berth-ci"), log_dir=tmp_path_factory.mktemp("log"),
                        extra=("--stats-interval", "1", "--metrics-publish-interval", "2"))
    yield berth
    berth.reset()  # removes this berth's containers
    berth.stop()


@pytest.fixture(autouse=True)
def _fresh(b):
    b.reset()
    b.aws("ecs", "create-cluster", "--cluster-name", "demo")
    yield


def docker_info():
    out = subprocess.run(["docker", "info", "--format", "{{json .}}"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def register(b, image, family="sleeper", cpu=128, memory=64, **extra):
    c = {"name": "main", "image": image, "essential": True, "command": SLEEP, "cpu": cpu, "memory": memory,
         "stopTimeout": 1}
    c.update(extra)
    td = {"family": family, "networkMode": "bridge", "requiresCompatibilities": ["EC2"], "containerDefinitions": [c]}
    return b.aws("ecs", "register-task-definition", "--cli-input-json", json.dumps(td))["taskDefinition"]


def run(b, family="sleeper", *extra):
    return b.aws("ecs", "run-task", "--cluster", "demo", "--launch-type", "EC2", "--task-definition", family, *extra)


def the_instance(b):
    arns = b.aws("ecs", "list-container-instances", "--cluster", "demo")["containerInstanceArns"]
    assert len(arns) == 1
    return arns[0]


def describe(b, *arns):
    return b.aws("ecs", "describe-container-instances", "--cluster", "demo", "--container-instances", *arns)


def resource(ci, kind, name):
    return next(r for r in ci[kind] if r["name"] == name)


def cli_error(b, *args):
    with pytest.raises(AwsCliError) as e:
        b.aws(*args)
    return e.value.stderr


def test_the_engine_is_an_instance_with_docker_resources(b, image):
    register(b, image)
    assert b.aws("ecs", "list-container-instances", "--cluster", "demo")["containerInstanceArns"] == []
    out = run(b)
    assert out["failures"] == []
    task = out["tasks"][0]
    arn = the_instance(b)
    assert ARN.match(arn)
    assert task["containerInstanceArn"] == arn
    info = docker_info()
    ci = describe(b, arn)["containerInstances"][0]
    assert resource(ci, "registeredResources", "CPU")["integerValue"] == info["NCPU"] * 1024
    assert resource(ci, "registeredResources", "MEMORY")["integerValue"] == info["MemTotal"] >> 20
    assert resource(ci, "registeredResources", "PORTS")["stringSetValue"] == ["22", "2375", "2376", "51678", "51679"]
    assert resource(ci, "registeredResources", "PORTS_UDP")["type"] == "STRINGSET"
    assert resource(ci, "remainingResources", "CPU")["integerValue"] == info["NCPU"] * 1024 - 128
    assert resource(ci, "remainingResources", "MEMORY")["integerValue"] == (info["MemTotal"] >> 20) - 64
    assert ci["runningTasksCount"] + ci["pendingTasksCount"] == 1
    assert ci["status"] == "ACTIVE" and ci["agentConnected"] is True
    assert ci["ec2InstanceId"].startswith("i-")
    assert ci["versionInfo"]["dockerVersion"] == "DockerVersion: " + info["ServerVersion"]
    attrs = {a["name"]: a.get("value") for a in ci["attributes"]}
    assert attrs["ecs.os-type"] == "linux"
    assert attrs["ecs.cpu-architecture"] in ("x86_64", "arm64")
    assert attrs["ecs.availability-zone"] == "us-east-1a"
    assert "ecs.instance-type" in attrs
    cluster = b.aws("ecs", "describe-clusters", "--clusters", "demo")["clusters"][0]
    assert cluster["registeredContainerInstancesCount"] == 1
    assert b.aws("ecs", "list-tasks", "--cluster", "demo", "--container-instance", arn)["taskArns"] == [task["taskArn"]]
    # A Fargate-only cluster has none.
    b.aws("ecs", "create-cluster", "--cluster-name", "fg")
    assert b.aws("ecs", "list-container-instances", "--cluster", "fg")["containerInstanceArns"] == []


def test_a_task_too_big_for_the_host_fails_with_resource_memory(b, image):
    register(b, image)
    run(b)
    arn = the_instance(b)
    register(b, image, family="huge", memory=(docker_info()["MemTotal"] >> 20) + 1)
    out = run(b, "huge")
    assert out["tasks"] == []
    assert out["failures"] == [{"arn": arn, "reason": "RESOURCE:MEMORY"}]
    register(b, image, family="greedy", cpu=docker_info()["NCPU"] * 1024)
    assert run(b, "greedy")["failures"] == [{"arn": arn, "reason": "RESOURCE:CPU"}]
    # A fixed host port is held while its task runs.
    register(b, image, family="port", portMappings=[{"containerPort": 8080, "hostPort": 18080}])
    assert run(b, "port")["failures"] == []
    assert run(b, "port")["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]


def test_member_of_constraints_and_the_filter_use_attributes(b, image):
    register(b, image)
    run(b)
    arn = the_instance(b)
    b.aws("ecs", "put-attributes", "--cluster", "demo", "--attributes", f"name=stack,value=prod,targetId={arn}")
    out = run(b, "sleeper", "--placement-constraints", "type=memberOf,expression=attribute:stack == dev")
    assert out["failures"] == [{"arn": arn, "reason": "MemberOf placement constraint unsatisfied."}]
    out = run(b, "sleeper", "--placement-constraints", "type=memberOf,expression=attribute:stack == prod")
    assert out["tasks"][0]["containerInstanceArn"] == arn
    out = run(b, "sleeper", "--placement-constraints", "type=distinctInstance")
    assert out["failures"] == [{"arn": arn, "reason": "DistinctInstance placement constraint unsatisfied."}]
    err = cli_error(b, "ecs", "run-task", "--cluster", "demo", "--launch-type", "EC2", "--task-definition", "sleeper",
                    "--placement-constraints", "type=memberOf,expression=attribute:stack ==")
    assert "InvalidParameterException" in err and "a value is expected after ==" in err
    listed = b.aws("ecs", "list-container-instances", "--cluster", "demo", "--filter", "attribute:stack == prod")
    assert listed["containerInstanceArns"] == [arn]
    assert b.aws("ecs", "list-container-instances", "--cluster", "demo",
                 "--filter", "attribute:stack == dev")["containerInstanceArns"] == []


def test_attributes_round_trip(b, image):
    register(b, image)
    run(b)
    arn = the_instance(b)
    ci_id = arn.split("/")[-1]
    put = b.aws("ecs", "put-attributes", "--cluster", "demo", "--attributes",
                f"name=team,value=blue,targetType=container-instance,targetId={ci_id}", f"name=gpu-free,targetId={arn}")
    assert put["attributes"][0] == {"name": "team", "value": "blue", "targetType": "container-instance",
                                    "targetId": arn}
    listed = b.aws("ecs", "list-attributes", "--cluster", "demo", "--target-type", "container-instance",
                   "--attribute-name", "team")["attributes"]
    assert listed == [{"name": "team", "value": "blue", "targetType": "container-instance", "targetId": arn}]
    all_names = [a["name"] for a in b.aws("ecs", "list-attributes", "--cluster", "demo",
                                          "--target-type", "container-instance")["attributes"]]
    assert "ecs.os-type" in all_names and "gpu-free" in all_names
    b.aws("ecs", "delete-attributes", "--cluster", "demo", "--attributes", f"name=team,targetId={arn}")
    assert b.aws("ecs", "list-attributes", "--cluster", "demo", "--target-type", "container-instance",
                 "--attribute-name", "team")["attributes"] == []
    err = cli_error(b, "ecs", "put-attributes", "--cluster", "demo", "--attributes",
                    "name=x,value=y,targetId=0123456789abcdef0123456789abcdef")
    assert "TargetNotFoundException" in err
    many = [f"name=a{i},value=v,targetId={arn}" for i in range(10)]
    err = cli_error(b, "ecs", "put-attributes", "--cluster", "demo", "--attributes", *many)
    assert "AttributeLimitExceededException" in err  # gpu-free and ten more
    err = cli_error(b, "ecs", "put-attributes", "--cluster", "demo", "--attributes", f"name=bad name,targetId={arn}")
    assert "InvalidParameterException" in err


def test_a_draining_instance_gets_no_tasks_and_services_say_so(b, image):
    register(b, image)
    run(b)
    arn = the_instance(b)
    out = b.aws("ecs", "update-container-instances-state", "--cluster", "demo", "--container-instances", arn,
                "--status", "DRAINING")
    assert out["containerInstances"][0]["status"] == "DRAINING" and out["failures"] == []
    assert b.aws("ecs", "list-container-instances", "--cluster", "demo",
                 "--status", "DRAINING")["containerInstanceArns"] == [arn]
    err = cli_error(b, "ecs", "run-task", "--cluster", "demo", "--launch-type", "EC2", "--task-definition", "sleeper")
    assert "InvalidParameterException" in err and "No Container Instances were found in your cluster." in err
    b.aws("ecs", "create-service", "--cluster", "demo", "--service-name", "svc", "--task-definition", "sleeper",
          "--desired-count", "1", "--launch-type", "EC2")
    want = ("(service svc) was unable to place a task because no container instance met all of its requirements. "
            "Reason: No Container Instances were found in your cluster. For more information, see the "
            "Troubleshooting section of the Amazon ECS Developer Guide.")
    deadline = time.monotonic() + 20
    events = []
    while time.monotonic() < deadline and want not in events:
        events = [e["message"] for e in b.aws("ecs", "describe-services", "--cluster", "demo", "--services", "svc")
                  ["services"][0]["events"]]
        time.sleep(0.3)
    assert want in events
    b.aws("ecs", "delete-service", "--cluster", "demo", "--service", "svc", "--force")
    b.aws("ecs", "update-container-instances-state", "--cluster", "demo", "--container-instances", arn,
          "--status", "ACTIVE")
    assert run(b)["tasks"][0]["containerInstanceArn"] == arn


def test_registered_instances_spread_and_start_task_and_deregister(b, image):
    register(b, image)
    run(b)
    engine = the_instance(b)
    doc = json.dumps({"instanceId": "i-0abc", "availabilityZone": "us-east-1b", "instanceType": "t3.small"})
    reg = b.aws("ecs", "register-container-instance", "--cluster", "demo", "--instance-identity-document", doc,
                "--total-resources", "name=CPU,type=INTEGER,integerValue=1024",
                "name=MEMORY,type=INTEGER,integerValue=512",
                "--attributes", "name=stack,value=dev")["containerInstance"]
    second = reg["containerInstanceArn"]
    assert reg["ec2InstanceId"] == "i-0abc"
    assert resource(reg, "registeredResources", "MEMORY")["integerValue"] == 512
    attrs = {a["name"]: a.get("value") for a in reg["attributes"]}
    assert attrs["ecs.availability-zone"] == "us-east-1b" and attrs["stack"] == "dev"
    # Spread by zone: the engine's zone has the first task, so the next goes to us-east-1b.
    out = run(b, "sleeper", "--placement-strategy", "type=spread,field=attribute:ecs.availability-zone")
    assert out["tasks"][0]["containerInstanceArn"] == second
    # binpack memory: the fuller one (512 MiB, 64 held) wins.
    out = run(b, "sleeper", "--placement-strategy", "type=binpack,field=memory")
    assert out["tasks"][0]["containerInstanceArn"] == second
    started = b.aws("ecs", "start-task", "--cluster", "demo", "--task-definition", "sleeper",
                    "--container-instances", engine)
    assert started["failures"] == [] and started["tasks"][0]["containerInstanceArn"] == engine
    err = cli_error(b, "ecs", "deregister-container-instance", "--cluster", "demo", "--container-instance", second)
    assert "InvalidParameterException" in err
    gone = b.aws("ecs", "deregister-container-instance", "--cluster", "demo", "--container-instance", second,
                 "--force")["containerInstance"]
    assert gone["status"] == "INACTIVE"
    assert b.aws("ecs", "list-container-instances", "--cluster", "demo")["containerInstanceArns"] == [engine]


def test_cpu_and_memory_reservation_metrics(b, image):
    register(b, image, cpu=512, memory=128)
    arn = run(b)["tasks"][0]["taskArn"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        t = b.aws("ecs", "describe-tasks", "--cluster", "demo", "--tasks", arn)["tasks"][0]
        if t["lastStatus"] == "RUNNING":
            break
        time.sleep(0.3)
    info = docker_info()
    want_cpu = 100.0 * 512 / (info["NCPU"] * 1024)
    now = time.time()
    deadline = time.monotonic() + 20
    points = []
    while time.monotonic() < deadline:
        now = time.time()
        points = b.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/ECS", MetricName="CPUReservation", Dimensions=[{"Name": "ClusterName", "Value": "demo"}],
            StartTime=now - 600, EndTime=now + 60, Period=60, Statistics=["Maximum"])["Datapoints"]
        if points and abs(max(p["Maximum"] for p in points) - want_cpu) < 0.01:
            break
        time.sleep(0.5)
    assert points and abs(max(p["Maximum"] for p in points) - want_cpu) < 0.01
    assert points[0]["Unit"] == "Percent"
    mem = b.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/ECS", MetricName="MemoryReservation", Dimensions=[{"Name": "ClusterName", "Value": "demo"}],
        StartTime=now - 600, EndTime=now + 60, Period=60, Statistics=["Maximum"])["Datapoints"]
    assert mem and abs(max(p["Maximum"] for p in mem) - 100.0 * 128 / (info["MemTotal"] >> 20)) < 0.01


def test_instances_and_attributes_survive_a_restart(tmp_path, spawn_berth):
    data = tmp_path / "data"
    first = spawn_berth(data)
    first.aws("ecs", "create-cluster", "--cluster-name", "keep")
    ci = first.aws("ecs", "register-container-instance", "--cluster", "keep",
                   "--attributes", "name=stack,value=prod")["containerInstance"]
    arn = ci["containerInstanceArn"]
    assert first.stop() == 0
    second = spawn_berth(data)
    again = second.aws("ecs", "describe-container-instances", "--cluster", "keep",
                       "--container-instances", arn)["containerInstances"][0]
    assert again["containerInstanceArn"] == arn
    assert {"name": "stack", "value": "prod"} in again["attributes"]
    assert again["registeredResources"] == ci["registeredResources"]
