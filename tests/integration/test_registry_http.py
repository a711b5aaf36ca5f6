"""The registry's HTTP API without docker: uploads (monolithic, chunked, wrong digest), ranges,
errors in the OCI envelope."""
import hashlib
import json

import pytest

from registry_helpers import basic_auth, blob_files, ecr_password
from helpers import start_berth


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    b = start_berth(data_dir=tmp_path_factory.mktemp("reg-http"))
    yield b
    b.stop()


@pytest.fixture
def auth(reg):
    reg.reset()
    reg.aws("ecr", "create-repository", "--repository-name", "up/load")
    return {"Authorization": basic_auth(ecr_password(reg))}


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_base_endpoint(reg, auth):
    status, headers, body = reg.http("GET", "/v2/", headers=auth)
    assert status == 200
    assert headers["docker-distribution-api-version"] == "registry/2.0"


def test_monolithic_upload_and_ranged_get(reg, auth):
    data = bytes(range(256)) * 100
    d = digest(data)
    status, headers, _ = reg.http("POST", f"/v2/up/load/blobs/uploads/?digest={d}", data,
                                  {**auth, "Content-Type": "application/octet-stream"})
    assert status == 201
    assert headers["docker-content-digest"] == d
    status, headers, _ = reg.http("HEAD", f"/v2/up/load/blobs/{d}", headers=auth)
    assert status == 200 and int(headers["content-length"]) == len(data)
    status, headers, body = reg.http("GET", f"/v2/up/load/blobs/{d}", headers={**auth, "Range": "bytes=10-19"})
    assert status == 206
    assert headers["content-range"] == f"bytes 10-19/{len(data)}"
    assert body == data[10:20]


def test_chunked_upload_with_status_and_content_range(reg, auth):
    data = b"x" * 70000 + b"y" * 30000
    status, headers, _ = reg.http("POST", "/v2/up/load/blobs/uploads/", headers=auth)
    assert status == 202
    location = headers["location"]
    status, headers, _ = reg.http("PATCH", location, data[:70000],
                                  {**auth, "Content-Range": "0-69999", "Content-Type": "application/octet-stream"})
    assert status == 202 and headers["range"] == "0-69999"
    status, headers, _ = reg.http("GET", location, headers=auth)
    assert status == 204 and headers["range"] == "0-69999"
    # A chunk that does not continue where the last one ended is refused.
    status, _, body = reg.http("PATCH", location, data[70000:], {**auth, "Content-Range": "5-30004"})
    assert status == 416
    status, headers, _ = reg.http("PUT", f"{location}?digest={digest(data)}", data[70000:],
                                  {**auth, "Content-Range": "70000-99999"})
    assert status == 201
    status, _, body = reg.http("GET", f"/v2/up/load/blobs/{digest(data)}", headers=auth)
    assert body == data


def test_wrong_digest_is_refused_and_nothing_is_stored(reg, auth):
    before = blob_files(reg.data_dir)
    data = b"some layer bytes"
    wrong = digest(b"other bytes")
    status, _, body = reg.http("POST", f"/v2/up/load/blobs/uploads/?digest={wrong}", data, auth)
    assert status == 400
    assert body["errors"][0]["code"] == "DIGEST_INVALID"
    assert blob_files(reg.data_dir) == before
    assert reg.http("HEAD", f"/v2/up/load/blobs/{wrong}", headers=auth)[0] == 404
    assert reg.http("HEAD", f"/v2/up/load/blobs/{digest(data)}", headers=auth)[0] == 404


def test_cancelled_upload_is_gone(reg, auth):
    status, headers, _ = reg.http("POST", "/v2/up/load/blobs/uploads/", headers=auth)
    location = headers["location"]
    assert reg.http("DELETE", location, headers=auth)[0] == 204
    status, _, body = reg.http("GET", location, headers=auth)
    assert status == 404 and body["errors"][0]["code"] == "BLOB_UPLOAD_UNKNOWN"


def test_manifest_errors(reg, auth):
    h = {**auth, "Content-Type": "application/vnd.oci.image.manifest.v1+json"}
    status, _, body = reg.http("PUT", "/v2/up/load/manifests/v1", b"not json", h)
    assert status == 400 and body["errors"][0]["code"] == "MANIFEST_INVALID"
    missing = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
               "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(b"c"), "size": 1},
               "layers": []}
    status, _, body = reg.http("PUT", "/v2/up/load/manifests/v1", json.dumps(missing).encode(), h)
    assert status == 400 and body["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
    status, _, body = reg.http("GET", "/v2/up/load/manifests/nope", headers=auth)
    assert status == 404 and body["errors"][0]["code"] == "MANIFEST_UNKNOWN"
    status, _, body = reg.http("GET", "/v2/no/such/manifests/latest", headers=auth)
    assert status == 404 and body["errors"][0]["code"] == "NAME_UNKNOWN"
    status, _, body = reg.http("GET", "/v2/Bad_Name/tags/list", headers=auth)
    assert status == 400 and body["errors"][0]["code"] == "NAME_INVALID"


def test_oci_manifest_by_tag_and_digest_and_tag_listing(reg, auth):
    config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    for blob in (config,):
        reg.http("POST", f"/v2/up/load/blobs/uploads/?digest={digest(blob)}", blob, auth)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": digest(config), "size": len(config)},
                           "layers": []}).encode()
    h = {**auth, "Content-Type": "application/vnd.oci.image.manifest.v1+json"}
    for tag in ("b", "a", "c"):
        status, headers, _ = reg.http("PUT", f"/v2/up/load/manifests/{tag}", manifest, h)
        assert status == 201 and headers["docker-content-digest"] == digest(manifest)
    status, headers, body = reg.http("GET", f"/v2/up/load/manifests/{digest(manifest)}", headers=auth)
    assert status == 200 and body["schemaVersion"] == 2
    assert headers["content-type"] == "application/vnd.oci.image.manifest.v1+json"
    status, headers, body = reg.http("GET", "/v2/up/load/tags/list?n=2", headers=auth)
    assert body == {"name": "up/load", "tags": ["a", "b"]}
    assert 'rel="next"' in headers["link"]
    status, _, body = reg.http("GET", "/v2/up/load/tags/list?n=2&last=b", headers=auth)
    assert body["tags"] == ["c"]
    assert reg.http("DELETE", "/v2/up/load/manifests/a", headers=auth)[0] == 202
    assert reg.http("GET", "/v2/up/load/tags/list", headers=auth)[2]["tags"] == ["b", "c"]


def test_a_push_replicates_to_the_configured_region(reg, auth):
    """The registry's manifest PUT (what docker push does) replicates like PutImage."""
    config = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": "000000000000"}]}]}
    reg.aws("ecr", "put-replication-configuration", "--replication-configuration", json.dumps(config))
    blob = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"x":"repl"}'
    reg.http("POST", f"/v2/up/load/blobs/uploads/?digest={digest(blob)}", blob, auth)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": digest(blob), "size": len(blob)}, "layers": []}).encode()
    status, _, _ = reg.http("PUT", "/v2/up/load/manifests/v7", manifest,
                            {**auth, "Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    assert status == 201
    west = reg.aws("ecr", "describe-images", "--repository-name", "up/load", region="eu-west-1")["imageDetails"]
    assert [(i["imageDigest"], i["imageTags"]) for i in west] == [(digest(manifest), ["v7"])]
