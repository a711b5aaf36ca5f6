"""Images several test files run, built once per pytest run rather than once per file.

pytest-xdist workers are separate processes, so a session fixture alone would build an image
once per worker, both at the same time. `once_per_run` puts the build under a file lock in the
run's shared temporary directory: the first worker builds and records the result, the others
wait for it and read it. The Debian image is made under a machine-wide lock as well, since its
tag outlives the run and two runs on one Docker daemon would otherwise both run mmdebstrap."""
import fcntl
import json
import os
import subprocess
import time
from pathlib import Path

from helpers import REPO

# One Debian image (mmdebstrap + docker import, the slowest thing the tests make) for every test
# that needs Python in a task: the flask example's base image, with boto3 for the task-role probe.
DEBIAN_PYTHON_IMAGE = "berth-test/python-flask-boto3:bookworm"
TASK_IMAGE = "berth-test/task:one"


def run_dir(tmp_path_factory):
    """The directory all workers of this run share (each worker's basetemp is a child of it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _locked(lock_path):
    f = open(lock_path, "w")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def once_per_run(tmp_path_factory, name, build):
    """build(work_dir) -> a JSON value, run by one worker of the run; the others get its value."""
    root = run_dir(tmp_path_factory)
    done = root / f"{name}.json"
    with _locked(root / f"{name}.lock"):
        if done.exists():
            return json.loads(done.read_text())
        work = root / name
        work.mkdir(exist_ok=True)
        value = build(work)
        done.write_text(json.dumps(value))
        return value


def task_image(tmp_path_factory):
    """The busybox-static image of the task tests (registry_helpers.build_test_image), built once."""
    from registry_helpers import Docker, build_test_image

    def build(work):
        return build_test_image(Docker(work / "docker-config"), work, TASK_IMAGE, marker="one")

    return once_per_run(tmp_path_factory, "task-image", build)


def debian_python_image(tmp_path_factory):
    """examples/flask-app/build-base-image.sh with python3-boto3 added, under DEBIAN_PYTHON_IMAGE:
    built when the tag is missing, else kept (the script's own check)."""
    def build(work):
        t0 = time.monotonic()
        with _locked(Path("/tmp") / "berth-test-debian-python-image.lock"):
            p = subprocess.run([str(REPO / "examples" / "flask-app" / "build-base-image.sh")], capture_output=True,
                               text=True, timeout=1800, env=dict(os.environ, BASE_IMAGE=DEBIAN_PYTHON_IMAGE,
                                                                 EXTRA_PACKAGES="python3-boto3"))
        assert p.returncode == 0, f"build-base-image.sh failed ({p.returncode}):\n{p.stderr}\n{p.stdout}"
        print(f"\nbase image {DEBIAN_PYTHON_IMAGE}: {p.stdout.strip()} ({time.monotonic() - t0:.1f} s)")
        return DEBIAN_PYTHON_IMAGE

    return once_per_run(tmp_path_factory, "debian-python-image", build)
