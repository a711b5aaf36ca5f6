"""The run's leak guard (conftest.pytest_sessionfinish) sees berth-managed containers of this run's
instances and only those."""
import subprocess

from conftest import leaked_containers
from registry_helpers import needs_docker
from shared_images import task_image

pytestmark = needs_docker


def create(image, instance):
    return subprocess.run(["docker", "create", "--label", "berth.managed=1", "--label", f"berth.instance={instance}",
                           image], capture_output=True, text=True, check=True).stdout.strip()


def test_guard_finds_containers_of_this_runs_instances_only(tmp_path, tmp_path_factory):
    image = task_image(tmp_path_factory)
    mine = create(image, str(tmp_path / "data"))
    other = create(image, "/elsewhere/berth-data")
    try:
        found = leaked_containers(tmp_path)
        assert mine[:12] in [c[:12] for c in found]
        assert other[:12] not in [c[:12] for c in found]
    finally:
        subprocess.run(["docker", "rm", "-f", mine, other], capture_output=True)
    assert leaked_containers(tmp_path) == []
