"""Helpers for the registry tests: a local test image built FROM scratch with busybox-static,
docker and skopeo runs with a private config dir, and reading berth's blob store on disk."""
import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def docker_available():
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_docker = pytest.mark.skipif(not docker_available(), reason="no Docker daemon reachable")


class Docker:
    """The docker CLI with its own config dir, so logins stay inside the test."""

    def __init__(self, config_dir):
        self.env = dict(os.environ, DOCKER_CONFIG=str(config_dir), DOCKER_BUILDKIT="0")

    def run(self, *args, input=None, check=True, timeout=300):
        p = subprocess.run(["docker", *args], capture_output=True, text=True, input=input, env=self.env,
                           timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)} failed ({p.returncode}):\n{p.stderr}\n{p.stdout}")
        return p

    def image_id(self, ref):
        return self.run("image", "inspect", "--format", "{{.Id}}", ref).stdout.strip()


def build_test_image(docker, workdir, tag, marker="one"):
    """A three-layer image from scratch: busybox, a data file, and a marker file."""
    ctx = Path(workdir) / f"ctx-{tag.replace(':', '-').replace('/', '-')}"
    ctx.mkdir(parents=True, exist_ok=True)
    shutil.copy("/bin/busybox", ctx / "busybox")
    (ctx / "data.bin").write_bytes(os.urandom(256 * 1024))
    (ctx / "marker.txt").write_text(marker)
    (ctx / "Dockerfile").write_text(
        "FROM scratch\n"
        "COPY busybox /bin/busybox\n"
        "COPY data.bin /data.bin\n"
        "COPY marker.txt /marker.txt\n"
        'CMD ["/bin/busybox", "cat", "/marker.txt"]\n'
    )
    docker.run("build", "-q", "-t", tag, str(ctx))
    return tag


def login(docker, berth, host):
    """docker login with the password from GetAuthorizationToken."""
    token = berth.aws("ecr", "get-authorization-token")["authorizationData"][0]["authorizationToken"]
    password = base64.b64decode(token).decode().split(":", 1)[1]
    return docker.run("login", "--username", "AWS", "--password-stdin", host, input=password, check=False)


def blob_files(data_dir):
    root = Path(data_dir) / "registry" / "blobs" / "sha256"
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def ecr_password(berth, **kw):
    token = berth.aws("ecr", "get-authorization-token", **kw)["authorizationData"][0]["authorizationToken"]
    return base64.b64decode(token).decode().split(":", 1)[1]


def basic_auth(password):
    return "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()
