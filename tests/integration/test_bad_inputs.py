"""Bad requests: exact status, error code and message where ECS's is known, and no state change."""
import json
import socket

import pytest

from helpers import TARGET_PREFIX, cluster_arn, fargate_td, sdk_authorization, td_arn

FARGATE_NETWORK_MSG = "Fargate only supports network mode \u2018awsvpc\u2019."


@pytest.fixture
def seeded(berth):
    """Some state every bad request must leave alone."""
    berth.ok("CreateCluster", {"clusterName": "seed", "tags": [{"key": "k", "value": "v"}]})
    berth.ok("RegisterTaskDefinition", {"family": "seedfam", "containerDefinitions": [
        {"name": "c", "image": "busybox", "memory": 64}], "tags": [{"key": "t", "value": "1"}]})
    berth.ok("RegisterTaskDefinition", {"family": "seedfam", "containerDefinitions": [
        {"name": "c", "image": "busybox", "memory": 64}]})
    berth.ok("DeregisterTaskDefinition", {"taskDefinition": "seedfam:1"})
    berth.ok("PutAccountSetting", {"name": "serviceLongArnFormat", "value": "disabled"})
    return berth


def state(b):
    s = {"clusters": b.ok("ListClusters", {})["clusterArns"]}
    s["describe"] = b.ok("DescribeClusters", {"clusters": ["seed", "default", "n", "x", "new"],
                                              "include": ["TAGS", "SETTINGS", "CONFIGURATIONS"]})
    for st in ("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"):
        s[st] = b.ok("ListTaskDefinitions", {"status": st})["taskDefinitionArns"]
    s["families"] = b.ok("ListTaskDefinitionFamilies", {})["families"]
    s["settings"] = b.ok("ListAccountSettings", {})["settings"]
    s["cluster_tags"] = b.ok("ListTagsForResource", {"resourceArn": cluster_arn("seed")})["tags"]
    s["td_tags"] = b.ok("ListTagsForResource", {"resourceArn": td_arn("seedfam", 1)})["tags"]
    s["td"] = b.ok("DescribeTaskDefinition", {"taskDefinition": "seedfam:2"})
    return s


def container(**kw):
    c = {"name": "c", "image": "busybox", "memory": 64}
    c.update(kw)
    return c


# (id, op, body (dict) or raw string, expected status, __type, message: str exact | callable | None)
CASES = [
    ("malformed-json", "CreateCluster", '{"clusterName": "new", ', 400, "SerializationException", None),
    ("json-array-body", "CreateCluster", '[{"clusterName": "new"}]', 400, "SerializationException", None),
    ("json-string-body", "CreateCluster", '"new"', 400, "SerializationException", None),
    ("empty-body", "CreateCluster", "", 400, "SerializationException", None),
    ("unknown-operation", "FlyToTheMoon", {}, 400, "UnknownOperationException", None),
    ("not-implemented", "CreateCapacityProvider", {"name": "cp", "autoScalingGroupProvider": {"autoScalingGroupArn": "a"}}, 501, "NotImplemented",
     lambda m: "CreateCapacityProvider" in m),
    ("string-for-integer", "ListClusters", {"maxResults": "5"}, 400, "SerializationException", None),
    ("float-for-integer", "ListTaskDefinitions", {"maxResults": 2.5}, 400, "SerializationException", None),
    ("string-for-list", "DescribeClusters", {"clusters": "seed"}, 400, "SerializationException", None),
    ("number-for-string", "CreateCluster", {"clusterName": 42}, 400, "SerializationException", None),
    ("object-for-string", "CreateCluster", {"clusterName": {"n": 1}}, 400, "SerializationException", None),
    ("list-of-scalars-for-structs", "RegisterTaskDefinition",
     {"family": "new", "containerDefinitions": ["busybox"]}, 400, "SerializationException", None),
    ("td-missing-family", "RegisterTaskDefinition", {"containerDefinitions": [container()]},
     400, "ClientException", None),
    ("td-missing-containers", "RegisterTaskDefinition", {"family": "new"}, 400, "ClientException", None),
    ("td-empty-family", "RegisterTaskDefinition", {"family": "", "containerDefinitions": [container()]},
     400, "ClientException", None),
    ("td-family-invalid-chars", "RegisterTaskDefinition",
     {"family": "bad/family", "containerDefinitions": [container()]},
     400, "ClientException", "Family contains invalid characters."),
    ("td-container-without-name", "RegisterTaskDefinition",
     {"family": "new", "containerDefinitions": [{"image": "busybox", "memory": 64}]},
     400, "ClientException", "Container.name should not be null or empty."),
    ("td-container-without-memory", "RegisterTaskDefinition",
     {"family": "new", "containerDefinitions": [{"name": "web", "image": "busybox"}]},
     400, "ClientException",
     "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified."),
    ("td-bad-network-mode", "RegisterTaskDefinition",
     {"family": "new", "networkMode": "bogus", "containerDefinitions": [container()]},
     400, "InvalidParameterException", None),
    ("fargate-bad-combination", "RegisterTaskDefinition", fargate_td("new", cpu="256", memory="4096"),
     400, "ClientException",
     "No Fargate configuration exists for given values: 256 CPU, 4096 memory. "
     "See the Amazon ECS documentation for the valid values."),
    ("fargate-bad-combination-units", "RegisterTaskDefinition", fargate_td("new", cpu="1 vCPU", memory="1 GB"),
     400, "ClientException",
     "No Fargate configuration exists for given values: 1024 CPU, 1024 memory. "
     "See the Amazon ECS documentation for the valid values."),
    ("fargate-bridge", "RegisterTaskDefinition", fargate_td("new", networkMode="bridge"),
     400, "ClientException", FARGATE_NETWORK_MSG),
    ("fargate-without-cpu", "RegisterTaskDefinition",
     {k: v for k, v in fargate_td("new").items() if k != "cpu"},
     400, "ClientException", "Fargate requires that 'cpu' be defined at the task level."),
    ("invalid-task-cpu", "RegisterTaskDefinition", fargate_td("new", cpu="lots"),
     400, "ClientException", "Invalid 'cpu' setting for task."),
    ("update-cluster-unknown", "UpdateCluster",
     {"cluster": "nope", "settings": [{"name": "containerInsights", "value": "enabled"}]},
     400, "ClusterNotFoundException", "Cluster not found."),
    ("update-cluster-settings-unknown", "UpdateClusterSettings",
     {"cluster": "nope", "settings": [{"name": "containerInsights", "value": "enabled"}]},
     400, "ClusterNotFoundException", "Cluster not found."),
    ("delete-cluster-unknown", "DeleteCluster", {"cluster": "nope"}, 400, "ClusterNotFoundException",
     "Cluster not found."),
    ("put-capacity-unknown-cluster", "PutClusterCapacityProviders",
     {"cluster": "nope", "capacityProviders": ["FARGATE"], "defaultCapacityProviderStrategy": []},
     400, "ClusterNotFoundException", "Cluster not found."),
    ("put-capacity-invalid-provider", "PutClusterCapacityProviders",
     {"cluster": "seed", "capacityProviders": ["NOT_A_PROVIDER"], "defaultCapacityProviderStrategy": []},
     400, "InvalidParameterException", None),
    ("create-cluster-invalid-provider", "CreateCluster",
     {"clusterName": "new", "capacityProviders": ["NOT_A_PROVIDER"]}, 400, "InvalidParameterException", None),
    ("strategy-not-associated", "PutClusterCapacityProviders",
     {"cluster": "seed", "capacityProviders": ["FARGATE"],
      "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]},
     400, "InvalidParameterException", None),
    ("create-cluster-bad-name", "CreateCluster", {"clusterName": "bad name!"}, 400,
     "InvalidParameterException", None),
    ("describe-td-unknown", "DescribeTaskDefinition", {"taskDefinition": "nope"}, 400, "ClientException",
     "Unable to describe task definition."),
    ("describe-td-unknown-revision", "DescribeTaskDefinition", {"taskDefinition": "seedfam:3"}, 400,
     "ClientException", "Unable to describe task definition."),
    ("deregister-without-revision", "DeregisterTaskDefinition", {"taskDefinition": "seedfam"}, 400,
     "ClientException", None),
    ("deregister-unknown", "DeregisterTaskDefinition", {"taskDefinition": "nope:1"}, 400,
     "ClientException", None),
    ("delete-tds-empty-list", "DeleteTaskDefinitions", {"taskDefinitions": []}, 400,
     "InvalidParameterException", None),
    ("delete-tds-too-many", "DeleteTaskDefinitions", {"taskDefinitions": [f"seedfam:{i}" for i in range(1, 12)]},
     400, "InvalidParameterException", None),
    ("tag-key-aws-prefix", "TagResource",
     {"resourceArn": cluster_arn("seed"), "tags": [{"key": "aws:owner", "value": "me"}]},
     400, "InvalidParameterException", None),
    ("register-with-aws-tag", "RegisterTaskDefinition",
     {"family": "new", "containerDefinitions": [container()], "tags": [{"key": "AWS:x", "value": "y"}]},
     400, "InvalidParameterException", None),
    ("tag-invalid-arn", "TagResource", {"resourceArn": "not-an-arn", "tags": [{"key": "a", "value": "b"}]},
     400, "InvalidParameterException", "The ARN provided is invalid."),
    ("tag-too-many", "TagResource",
     {"resourceArn": cluster_arn("seed"), "tags": [{"key": f"k{i}", "value": "v"} for i in range(51)]},
     400, "InvalidParameterException", None),
    ("untag-unknown-cluster", "UntagResource", {"resourceArn": cluster_arn("nope"), "tagKeys": ["k"]},
     400, "ClusterNotFoundException", "Cluster not found."),
    ("max-results-zero", "ListClusters", {"maxResults": 0}, 400, "InvalidParameterException", None),
    ("max-results-101", "ListTaskDefinitions", {"maxResults": 101}, 400, "InvalidParameterException", None),
    ("max-results-families-negative", "ListTaskDefinitionFamilies", {"maxResults": -1}, 400,
     "InvalidParameterException", None),
    ("capacity-max-results-11", "DescribeCapacityProviders", {"maxResults": 11}, 400,
     "InvalidParameterException", None),
    ("account-settings-max-results-11", "ListAccountSettings", {"maxResults": 11}, 400,
     "InvalidParameterException", None),
    ("invalid-next-token", "ListClusters", {"nextToken": "not a token!"}, 400, "InvalidParameterException", None),
    ("invalid-next-token-tds", "ListTaskDefinitions", {"nextToken": "AAAAAAAA"}, 400,
     "InvalidParameterException", None),
    ("account-setting-bad-name", "PutAccountSetting", {"name": "bogusSetting", "value": "enabled"}, 400,
     "InvalidParameterException", None),
    ("account-setting-bad-value", "PutAccountSettingDefault", {"name": "containerInsights", "value": "sometimes"},
     400, "InvalidParameterException", None),
    ("account-setting-read-only", "PutAccountSetting", {"name": "guardDutyActivate", "value": "on"},
     400, "InvalidParameterException", None),
    ("account-setting-missing-value", "PutAccountSetting", {"name": "containerInsights"}, 400,
     "ClientException", None),
    ("cluster-insights-bad-value", "UpdateClusterSettings",
     {"cluster": "seed", "settings": [{"name": "containerInsights", "value": "sometimes"}]},
     400, "InvalidParameterException", None),
    ("nested-unknown-member", "CreateCluster",
     '{"clusterName": "new", "zzz": ' + "[" * 100000 + "]" * 100000 + "}", None, None, None),
    ("nested-modeled-list", "TagResource",
     '{"resourceArn": "%s", "tags": ' % cluster_arn("seed") + "[" * 100000 + "]" * 100000 + "}", None, None, None),
]


def check_error(status, headers, body, exp_status, exp_type, exp_msg):
    assert isinstance(body, dict), body
    assert headers.get("x-amzn-requestid"), headers
    assert isinstance(body.get("__type"), str) and body["__type"], body
    assert isinstance(body.get("message"), str), body
    if exp_status is None:  # only "not a server error"
        assert 400 <= status < 500, (status, body)
        return
    assert (status, body["__type"]) == (exp_status, exp_type), body
    if isinstance(exp_msg, str):
        assert body["message"] == exp_msg
    elif exp_msg is not None:
        assert exp_msg(body["message"]), body["message"]


@pytest.mark.parametrize("op,body,exp_status,exp_type,exp_msg", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_request(seeded, op, body, exp_status, exp_type, exp_msg):
    before = state(seeded)
    if isinstance(body, str):
        status, headers, parsed = seeded.raw(op, raw_body=body)
    else:
        status, headers, parsed = seeded.raw(op, body)
    check_error(status, headers, parsed, exp_status, exp_type, exp_msg)
    assert seeded.alive()
    assert state(seeded) == before


def test_missing_target_header(seeded):
    before = state(seeded)
    status, headers, body = seeded.raw(None, {"clusterName": "new"}, target=False)
    check_error(status, headers, body, 400, "UnknownOperationException", None)
    status, headers, body = seeded.raw(None, {}, target="AmazonEC2ContainerServiceV20141113")
    check_error(status, headers, body, 400, "UnknownOperationException", None)
    status, headers, body = seeded.raw(None, {}, target="WrongPrefix.ListClusters")
    check_error(status, headers, body, 400, "UnknownOperationException", None)
    assert state(seeded) == before


def test_cli_errors_are_reported(seeded):
    before = state(seeded)
    rc, out, err = seeded.aws_rc("ecs", "describe-task-definition", "--task-definition", "nope")
    assert rc == 254
    assert "(ClientException)" in err and "Unable to describe task definition." in err
    rc, out, err = seeded.aws_rc("ecs", "delete-cluster", "--cluster", "nope")
    assert rc == 254 and "(ClusterNotFoundException)" in err and "Cluster not found." in err
    rc, out, err = seeded.aws_rc("ecs", "register-task-definition", "--cli-input-json",
                                 json.dumps(fargate_td("new", networkMode="bridge")))
    assert rc == 254 and FARGATE_NETWORK_MSG in err
    assert state(seeded) == before


def test_body_too_large(seeded):
    """> 8 MiB: 413 before the body is read; the server keeps serving."""
    before = state(seeded)
    size = 8 * 1024 * 1024 + 1024
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"X-Amz-Target: {TARGET_PREFIX}.CreateCluster\r\nAuthorization: {sdk_authorization()}\r\n"
            f"Content-Length: {size}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", seeded.port), timeout=10) as s:
        s.sendall(head + b'{"clusterName": "new", "pad": "')
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.find(b"\r\n\r\n") + 4 + _content_length(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), data[:300]
    headers_blob, _, body = rest.partition(b"\r\n\r\n")
    assert b"x-amzn-requestid" in headers_blob.lower()
    parsed = json.loads(body)
    assert parsed["__type"] == "RequestEntityTooLargeException" and parsed["message"]
    assert state(seeded) == before

    # The same through http.client sending the whole body: 413 (or a reset once the server stops reading).
    try:
        status, headers, parsed = seeded.raw("CreateCluster", raw_body=b"{" + b" " * size + b"}")
        assert status == 413 and parsed["__type"] == "RequestEntityTooLargeException"
    except (ConnectionResetError, BrokenPipeError):
        pass
    assert state(seeded) == before


def _content_length(data):
    for line in data.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def test_body_just_under_limit_is_parsed(seeded):
    """A large but acceptable body is read whole and handled normally."""
    pad = "x" * (7 * 1024 * 1024)
    status, _, body = seeded.raw("ListClusters", raw_body=json.dumps({"unknownPadding": pad}))
    assert status == 200, body
    assert body["clusterArns"] == [cluster_arn("seed")]


def test_unknown_members_are_ignored(seeded):
    body = seeded.ok("CreateCluster", {"clusterName": "x", "someFutureMember": {"a": [1, 2, 3]}})
    assert body["cluster"]["clusterName"] == "x"
    assert "someFutureMember" not in body["cluster"]
    assert seeded.ok("ListClusters", {})["clusterArns"] == [cluster_arn("seed"), cluster_arn("x")]


def test_explicit_nulls_mean_absent(seeded):
    body = seeded.ok("ListTaskDefinitions", {"familyPrefix": None, "maxResults": None, "nextToken": None})
    assert body["taskDefinitionArns"] == [td_arn("seedfam", 2)]


def test_tag_limit_counts_existing_tags(seeded):
    arn = cluster_arn("seed")
    seeded.ok("TagResource", {"resourceArn": arn, "tags": [{"key": f"a{i}", "value": "v"} for i in range(30)]})
    before = state(seeded)
    assert len(before["cluster_tags"]) == 31
    status, headers, body = seeded.raw("TagResource", {"resourceArn": arn, "tags": [
        {"key": f"b{i}", "value": "v"} for i in range(30)]})
    check_error(status, headers, body, 400, "InvalidParameterException", None)
    assert state(seeded) == before  # none of the 30 new tags was kept


INVALID_UTF8_BODIES = {
    "tag-value": b'{"resourceArn": "%s", "tags": [{"key": "bad", "value": "\xff\xfe"}]}' % cluster_arn("seed").encode(),
    "cluster-name": b'{"clusterName": "\xc3\x28"}',
    "container-image": b'{"family": "new", "containerDefinitions": [{"name": "c", "image": "busy\xe2\x28\xa1box", '
                       b'"memory": 64}]}',
}
INVALID_UTF8_OPS = {"tag-value": "TagResource", "cluster-name": "CreateCluster",
                    "container-image": "RegisterTaskDefinition"}


@pytest.mark.parametrize("case", sorted(INVALID_UTF8_BODIES))
def test_invalid_utf8_is_rejected(seeded, case):
    """A body that is not UTF-8 is not JSON: SerializationException, nothing stored, and the error
    itself is valid JSON (so no later response can carry the bad bytes)."""
    before = state(seeded)
    status, headers, body = seeded.raw(INVALID_UTF8_OPS[case], raw_body=INVALID_UTF8_BODIES[case])
    check_error(status, headers, body, 400, "SerializationException", None)
    assert state(seeded) == before


def exchange(port, request_bytes):
    """Sends raw bytes, returns (status, parsed JSON body) of the one response."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request_bytes)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.find(b"\r\n\r\n") + 4 + _content_length(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body.decode("utf-8"))  # strict: must be valid UTF-8


def test_echoed_invalid_utf8_stays_valid_json(seeded):
    auth = sdk_authorization().encode()
    status, body = exchange(seeded.port, b"GET /caf\xc3\x28\xff HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + auth +
                            b"\r\nConnection: close\r\n\r\n")
    assert status == 404 and "caf\ufffd(\ufffd" in body["message"]
    status, body = exchange(seeded.port, b"POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + auth +
                            b"\r\nX-Amz-Target: Amazon\xe2\x28.List\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"


@pytest.mark.parametrize("method", [b"FOO", b"OPTIONS", b"GET", b"PUT"])
def test_operations_only_by_post_and_unknown_methods_405(seeded, method):
    before = state(seeded)
    payload = json.dumps({"clusterName": "new"}).encode()
    status, body = exchange(seeded.port, method + b" / HTTP/1.1\r\nHost: localhost\r\nAuthorization: " +
                            sdk_authorization().encode() + f"\r\nX-Amz-Target: {TARGET_PREFIX}.CreateCluster\r\n"
                            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
    assert status == 405 and body["__type"] == "MethodNotAllowed"
    assert state(seeded) == before


@pytest.mark.parametrize("bad", [
    {"cpu": -1}, {"memory": -5}, {"memoryReservation": -1},
    {"portMappings": [{"containerPort": 70000}]}, {"portMappings": [{"containerPort": -1}]},
    {"portMappings": [{"containerPort": 80, "hostPort": 65536}]}, {"image": "a" * 400},
    {"name": "n" * 256},
], ids=["cpu-negative", "memory-negative", "reservation-negative", "port-high", "port-negative",
        "host-port-high", "image-long", "name-long"])
def test_container_definition_ranges(seeded, bad):
    before = state(seeded)
    c = {"name": "c", "image": "busybox", "memory": 64}
    c.update(bad)
    status, headers, body = seeded.raw("RegisterTaskDefinition", {"family": "new", "containerDefinitions": [c]})
    check_error(status, headers, body, 400, "ClientException", None)
    assert state(seeded) == before
