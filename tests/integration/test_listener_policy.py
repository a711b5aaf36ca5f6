"""Who may use the loopback listener (src/api/listener_policy.cpp): the local user's tools, not
web pages (Origin), not names that do not belong to berth (DNS rebinding), and AWS API calls only
with an Authorization header, as every SDK sends."""
import json

from helpers import TARGET_PREFIX, cluster_arn, sdk_authorization, start_berth

AUTH = sdk_authorization()


def call(berth, op, body, **headers):
    h = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{TARGET_PREFIX}.{op}"}
    h.update(headers)
    return berth.http("POST", "/", json.dumps(body).encode(), h)


def test_unsigned_aws_call_is_refused_and_changes_nothing(berth):
    status, headers, body = call(berth, "CreateCluster", {"clusterName": "unsigned"})
    assert status == 403 and body["__type"] == "MissingAuthenticationTokenException"
    assert body["message"] == "Missing Authentication Token" and headers["x-amzn-requestid"]
    assert berth.ok("ListClusters", {})["clusterArns"] == []
    # Health needs nothing; the registry keeps its own challenge.
    assert berth.http("GET", "/_berth/health")[0] == 200
    assert berth.http("GET", "/v2/")[0] == 401


def test_host_must_name_berth(berth):
    for host in ("localhost", f"127.0.0.1:{berth.port}", f"[::1]:{berth.port}", "web.localhost", "LOCALHOST:1"):
        assert call(berth, "ListClusters", {}, Host=host, Authorization=AUTH)[0] == 200, host
    for host in ("evil.example", f"evil.example:{berth.port}", "localhost.evil.example", "10.0.0.1"):
        status, _, body = call(berth, "CreateCluster", {"clusterName": "rebound"}, Host=host, Authorization=AUTH)
        assert status == 403 and body["__type"] == "AccessDeniedException", host
    assert berth.http("GET", "/_berth/health", headers={"Host": "evil.example"})[0] == 403
    assert berth.ok("ListClusters", {})["clusterArns"] == []


def test_origin_must_be_a_loopback_page(berth):
    ok = call(berth, "CreateCluster", {"clusterName": "page"}, Origin="http://localhost:3000", Authorization=AUTH)
    assert ok[0] == 200
    for origin in ("https://evil.example", "null", "http://127.0.0.1.evil.example", "file://"):
        status, _, body = call(berth, "CreateCluster", {"clusterName": "x"}, Origin=origin, Authorization=AUTH)
        assert status == 403 and body["__type"] == "AccessDeniedException", origin
        assert berth.http("POST", "/_berth/reset", b"",
                          {"Origin": origin, "Content-Type": "application/json"})[0] == 403
    assert berth.ok("ListClusters", {})["clusterArns"] == [cluster_arn("page")]


def test_allow_host_and_registry_host_are_served(tmp_path):
    b = start_berth(ephemeral=True, extra=["--allow-host", "berth.internal", "--registry-host", "reg.example:5000"])
    try:
        for host in ("berth.internal", "BERTH.internal:80", "reg.example", "reg.example:5000"):
            assert call(b, "ListClusters", {}, Host=host, Authorization=AUTH)[0] == 200, host
        assert call(b, "ListClusters", {}, Host="other.internal", Authorization=AUTH)[0] == 403
    finally:
        b.stop()
