"""`berth image import` and `berth image export`: docker save and OCI layout archives moved in and
out of a repository without a Docker daemon (one test also checks `docker load`)."""
import json
import subprocess
import tarfile

import pytest

from image_archives import berth_image, docker_save_tar, import_image, oci_layout_tar, sha256


@pytest.fixture
def served(spawn_berth, tmp_path):
    """A berth on its own data dir, which `berth image` writes to while it runs."""
    data = tmp_path / "data"
    b = spawn_berth(data)
    return b, data


def test_import_docker_save_creates_the_repository_and_the_image(served, tmp_path):
    b, data = served
    config_digest, layer_digests = docker_save_tar(tmp_path / "app.tar", repo_tag="app:v1", gzip_first_layer=True)
    out = import_image(data, tmp_path / "app.tar", "team/app")
    assert "created repository team/app" in out
    ecr = b.client("ecr")
    repo = ecr.describe_repositories(repositoryNames=["team/app"])["repositories"][0]
    assert repo["imageTagMutability"] == "MUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": False}
    assert repo["encryptionConfiguration"] == {"encryptionType": "AES256"}
    images = ecr.describe_images(repositoryName="team/app")["imageDetails"]
    assert len(images) == 1 and images[0]["imageTags"] == ["v1"]
    got = ecr.batch_get_image(repositoryName="team/app", imageIds=[{"imageTag": "v1"}])["images"][0]
    manifest = json.loads(got["imageManifest"])
    assert got["imageId"]["imageDigest"] == sha256(got["imageManifest"].encode())
    assert manifest["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert manifest["config"]["digest"] == config_digest
    assert manifest["config"]["mediaType"] == "application/vnd.docker.container.image.v1+json"
    assert [l["digest"] for l in manifest["layers"]] == layer_digests
    assert [l["mediaType"] for l in manifest["layers"]] == [
        "application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.docker.image.rootfs.diff.tar"]


def test_import_with_an_explicit_tag_and_into_an_existing_repository(served, tmp_path):
    b, data = served
    ecr = b.client("ecr")
    ecr.create_repository(repositoryName="web", imageTagMutability="IMMUTABLE")
    docker_save_tar(tmp_path / "a.tar", repo_tag="whatever:old", label="a")
    p = berth_image("import", tmp_path / "a.tar", "--repository", "web:1.0", data_dir=data)
    assert p.returncode == 0, p.stderr
    assert "created repository" not in p.stdout
    assert ecr.list_images(repositoryName="web")["imageIds"][0]["imageTag"] == "1.0"
    # IMMUTABLE: another image may not take the tag.
    docker_save_tar(tmp_path / "b.tar", label="b")
    p = berth_image("import", tmp_path / "b.tar", "--repository", "web:1.0", data_dir=data)
    assert p.returncode == 1
    assert "IMMUTABLE" in p.stderr
    assert len(ecr.list_images(repositoryName="web")["imageIds"]) == 1


def test_import_oci_layout_keeps_the_manifest_digest(served, tmp_path):
    b, data = served
    digest = oci_layout_tar(tmp_path / "oci.tar", ref_name="2.0")
    import_image(data, tmp_path / "oci.tar", "oci-app")
    ids = b.client("ecr").list_images(repositoryName="oci-app")["imageIds"]
    assert ids == [{"imageDigest": digest, "imageTag": "2.0"}]


def test_import_refuses_a_broken_archive_and_changes_nothing(served, tmp_path):
    b, data = served
    with tarfile.open(tmp_path / "junk.tar", "w") as t:
        t.add(__file__, arcname="readme.txt")
    p = berth_image("import", tmp_path / "junk.tar", "--repository", "junk", data_dir=data)
    assert p.returncode == 1
    assert "not a docker save archive" in p.stderr
    assert b.client("ecr").describe_repositories()["repositories"] == []
    assert list((data / "registry" / "uploads").iterdir()) == []
    p = berth_image("import", tmp_path / "absent.tar", "--repository", "junk", data_dir=data)
    assert p.returncode == 1


def test_export_writes_a_docker_save_archive_that_imports_back(served, tmp_path):
    b, data = served
    config_digest, layer_digests = docker_save_tar(tmp_path / "app.tar", repo_tag="app:v3")
    import_image(data, tmp_path / "app.tar", "app")
    p = berth_image("export", "--repository", "app:v3", tmp_path / "out.tar", data_dir=data)
    assert p.returncode == 0, p.stderr
    assert config_digest in p.stdout
    with tarfile.open(tmp_path / "out.tar") as t:
        manifest = json.load(t.extractfile("manifest.json"))
        assert manifest[0]["RepoTags"] == ["app:v3"]
        assert sha256(t.extractfile(manifest[0]["Config"]).read()) == config_digest
        assert [sha256(t.extractfile(n).read()) for n in manifest[0]["Layers"]] == layer_digests
    # Round trip: the same image (same manifest digest) in another repository.
    import_image(data, tmp_path / "out.tar", "copy")
    ecr = b.client("ecr")
    original = ecr.list_images(repositoryName="app")["imageIds"]
    copy = ecr.list_images(repositoryName="copy")["imageIds"]
    assert copy == original
    p = berth_image("export", "--repository", "app:nope", tmp_path / "none.tar", data_dir=data)
    assert p.returncode == 1 and not (tmp_path / "none.tar").exists()


def test_docker_load_accepts_an_export(served, tmp_path):
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        pytest.skip("no Docker daemon")
    b, data = served
    config_digest, _ = docker_save_tar(tmp_path / "app.tar", repo_tag="app:v1", label=str(tmp_path),
                                       gzip_first_layer=True)
    import_image(data, tmp_path / "app.tar", "berth-export-test")
    p = berth_image("export", "--repository", "berth-export-test:v1", tmp_path / "out.tar", data_dir=data)
    assert p.returncode == 0, p.stderr
    load = subprocess.run(["docker", "load", "-i", str(tmp_path / "out.tar")], capture_output=True, text=True)
    assert load.returncode == 0, load.stderr
    try:
        image_id = subprocess.run(["docker", "image", "inspect", "-f", "{{.Id}}", "berth-export-test:v1"],
                                  capture_output=True, text=True, check=True).stdout.strip()
        assert image_id == config_digest
    finally:
        subprocess.run(["docker", "rmi", "-f", "berth-export-test:v1"], capture_output=True)
