"""The built-in registry driven by the docker CLI and skopeo, against a berth with its own data
dir (so the blob files on disk can be checked)."""
import json
import shutil
import subprocess

import pytest

from helpers import start_berth
from registry_helpers import (Docker, basic_auth, blob_files, build_test_image, ecr_password, login,
                              needs_docker)

pytestmark = needs_docker


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    data = tmp_path_factory.mktemp("berth-registry-data")
    b = start_berth(data_dir=data, log_dir=tmp_path_factory.mktemp("berth-registry-log"))
    yield b
    b.stop()


@pytest.fixture(scope="module")
def docker(tmp_path_factory):
    return Docker(tmp_path_factory.mktemp("docker-config"))


@pytest.fixture(scope="module")
def image(docker, tmp_path_factory):
    tag = "berth-test/app:one"
    build_test_image(docker, tmp_path_factory.mktemp("img"), tag, marker="one")
    yield tag
    docker.run("rmi", "-f", tag, check=False)


@pytest.fixture(autouse=True)
def _fresh(reg):
    reg.reset()


def host(reg):
    return f"localhost:{reg.port}"


def test_login_accepts_the_ecr_password_and_refuses_a_wrong_one(reg, docker):
    assert login(docker, reg, host(reg)).returncode == 0
    bad = docker.run("login", "--username", "AWS", "--password-stdin", host(reg), input="berth1.bogus.token",
                     check=False)
    assert bad.returncode != 0
    assert "unauthorized" in (bad.stderr + bad.stdout).lower()
    status, headers, body = reg.http("GET", "/v2/")
    assert status == 401
    assert headers["www-authenticate"].startswith("Basic realm=")
    assert body["errors"][0]["code"] == "UNAUTHORIZED"


def test_password_still_valid_after_restart(tmp_path):
    b = start_berth(data_dir=tmp_path / "d")
    password = ecr_password(b)
    assert b.http("GET", "/v2/", headers={"Authorization": basic_auth(password)})[0] == 200
    b.stop()
    b2 = start_berth(data_dir=tmp_path / "d")
    try:
        assert b2.http("GET", "/v2/", headers={"Authorization": basic_auth(password)})[0] == 200
        assert b2.http("GET", "/v2/", headers={"Authorization": basic_auth(password + "x")})[0] == 401
    finally:
        b2.stop()


def test_push_describe_pull_round_trip_keeps_the_image_id(reg, docker, image):
    reg.aws("ecr", "create-repository", "--repository-name", "flask-app")
    assert login(docker, reg, host(reg)).returncode == 0
    ref = f"{host(reg)}/flask-app:latest"
    original_id = docker.image_id(image)
    docker.run("tag", image, ref)
    docker.run("push", ref)

    details = reg.aws("ecr", "describe-images", "--repository-name", "flask-app")["imageDetails"]
    assert len(details) == 1
    d = details[0]
    assert d["imageTags"] == ["latest"]
    assert d["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert d["imageSizeInBytes"] > 256 * 1024
    got = reg.aws("ecr", "batch-get-image", "--repository-name", "flask-app", "--image-ids", "imageTag=latest")
    manifest = json.loads(got["images"][0]["imageManifest"])
    assert len(manifest["layers"]) == 3
    assert got["images"][0]["imageId"]["imageDigest"] == d["imageDigest"]

    docker.run("rmi", ref)
    docker.run("rmi", image)
    docker.run("pull", ref)
    assert docker.image_id(ref) == original_id
    out = docker.run("run", "--rm", ref).stdout.strip()
    assert out == "one"
    docker.run("tag", ref, image)
    pulled = reg.aws("ecr", "describe-images", "--repository-name", "flask-app")["imageDetails"][0]
    assert "lastRecordedPullTime" in pulled


def test_same_layers_in_two_repositories_are_stored_once(reg, docker, image):
    for name in ("one", "two"):
        reg.aws("ecr", "create-repository", "--repository-name", f"team/{name}")
    assert login(docker, reg, host(reg)).returncode == 0
    for name in ("one", "two"):
        ref = f"{host(reg)}/team/{name}:v1"
        docker.run("tag", image, ref)
        docker.run("push", ref)
    manifest = json.loads(reg.aws("ecr", "batch-get-image", "--repository-name", "team/one", "--image-ids",
                                  "imageTag=v1")["images"][0]["imageManifest"])
    files = blob_files(reg.data_dir)
    digests = [manifest["config"]["digest"]] + [l["digest"] for l in manifest["layers"]]
    assert sorted(d.split(":")[1] for d in digests) == files
    catalog = reg.http("GET", "/v2/_catalog", headers={"Authorization": basic_auth(ecr_password(reg))})[2]
    assert catalog["repositories"] == ["team/one", "team/two"]


def test_delete_then_garbage_collection_frees_the_disk(reg, docker, image):
    reg.aws("ecr", "create-repository", "--repository-name", "gc")
    assert login(docker, reg, host(reg)).returncode == 0
    ref = f"{host(reg)}/gc:v1"
    docker.run("tag", image, ref)
    docker.run("push", ref)
    assert len(blob_files(reg.data_dir)) == 4
    out = reg.aws("ecr", "batch-delete-image", "--repository-name", "gc", "--image-ids", "imageTag=v1")
    assert out["failures"] == []
    assert out["imageIds"][0]["imageTag"] == "v1"
    assert blob_files(reg.data_dir) == []
    assert reg.aws("ecr", "list-images", "--repository-name", "gc")["imageIds"] == []


def test_immutable_tag_refuses_overwrite_by_push_and_by_put_image(reg, docker, image, tmp_path):
    reg.aws("ecr", "create-repository", "--repository-name", "frozen", "--image-tag-mutability", "IMMUTABLE")
    assert login(docker, reg, host(reg)).returncode == 0
    ref = f"{host(reg)}/frozen:v1"
    docker.run("tag", image, ref)
    docker.run("push", ref)
    other = build_test_image(docker, tmp_path, "berth-test/app:two", marker="two")
    docker.run("tag", other, ref)
    refused = docker.run("push", ref, check=False)
    assert refused.returncode != 0
    assert "cannot be overwritten because the repository is immutable" in refused.stderr + refused.stdout

    # The second image's manifest via PutImage under the same tag is refused too.
    docker.run("tag", other, f"{host(reg)}/frozen:v2")
    docker.run("push", f"{host(reg)}/frozen:v2")
    manifest = reg.aws("ecr", "batch-get-image", "--repository-name", "frozen", "--image-ids",
                       "imageTag=v2")["images"][0]["imageManifest"]
    rc, out, err = reg.aws_rc("ecr", "put-image", "--repository-name", "frozen", "--image-tag", "v1",
                              "--image-manifest", manifest)
    assert rc != 0 and "ImageTagAlreadyExistsException" in err
    tags = reg.aws("ecr", "describe-images", "--repository-name", "frozen", "--image-ids", "imageTag=v1")
    assert tags["imageDetails"][0]["imageDigest"] != json.loads(manifest).get("config", {}).get("digest")
    docker.run("rmi", "-f", other, f"{host(reg)}/frozen:v2", check=False)


def test_put_image_then_docker_pull(reg, docker, image):
    reg.aws("ecr", "create-repository", "--repository-name", "src")
    reg.aws("ecr", "create-repository", "--repository-name", "dst")
    assert login(docker, reg, host(reg)).returncode == 0
    docker.run("tag", image, f"{host(reg)}/src:v1")
    docker.run("push", f"{host(reg)}/src:v1")
    manifest = reg.aws("ecr", "batch-get-image", "--repository-name", "src", "--image-ids",
                       "imageTag=v1")["images"][0]["imageManifest"]
    # Layers must be in the target repository first: mount them over the registry API.
    pw = ecr_password(reg)
    for d in [json.loads(manifest)["config"]["digest"]] + [l["digest"] for l in json.loads(manifest)["layers"]]:
        status, headers, _ = reg.http("POST", f"/v2/dst/blobs/uploads/?mount={d}&from=src",
                                      headers={"Authorization": basic_auth(pw)})
        assert status == 201, headers
    put = reg.aws("ecr", "put-image", "--repository-name", "dst", "--image-tag", "copied", "--image-manifest", manifest)
    assert put["image"]["imageId"]["imageTag"] == "copied"
    rc, out, err = reg.aws_rc("ecr", "put-image", "--repository-name", "dst", "--image-tag", "copied",
                              "--image-manifest", manifest)
    assert rc != 0 and "ImageAlreadyExistsException" in err
    docker.run("pull", f"{host(reg)}/dst:copied")
    assert docker.image_id(f"{host(reg)}/dst:copied") == docker.image_id(image)


def test_images_survive_a_restart(tmp_path, docker, image):
    b = start_berth(data_dir=tmp_path / "d")
    try:
        b.aws("ecr", "create-repository", "--repository-name", "keep")
        assert login(docker, b, f"localhost:{b.port}").returncode == 0
        ref = f"localhost:{b.port}/keep:v1"
        docker.run("tag", image, ref)
        docker.run("push", ref)
        b.kill9()
        b = start_berth(data_dir=tmp_path / "d", port=b.port)
        assert b.aws("ecr", "describe-images", "--repository-name", "keep")["imageDetails"][0]["imageTags"] == ["v1"]
        docker.run("rmi", ref)
        docker.run("pull", ref)
        assert docker.image_id(ref) == docker.image_id(image)
    finally:
        b.stop()


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")
def test_skopeo_copy_in_and_out(reg, docker, image, tmp_path):
    reg.aws("ecr", "create-repository", "--repository-name", "sko")
    archive = tmp_path / "img.tar"
    docker.run("save", "-o", str(archive), image)
    creds = f"AWS:{ecr_password(reg)}"
    subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, f"docker-archive:{archive}",
                    f"docker://{host(reg)}/sko:in"], check=True, capture_output=True, timeout=120)
    out_dir = tmp_path / "oci"
    subprocess.run(["skopeo", "copy", "--src-tls-verify=false", "--src-creds", creds, f"docker://{host(reg)}/sko:in",
                    f"oci:{out_dir}:out"], check=True, capture_output=True, timeout=120)
    index = json.loads((out_dir / "index.json").read_text())
    assert index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "out"
    assert reg.aws("ecr", "list-images", "--repository-name", "sko")["imageIds"][0]["imageTag"] == "in"
