"""Fixtures for berth's integration tests.

Run with Debian's interpreter:  /usr/bin/python3 -m pytest tests/integration -q
The binary defaults to build/berth; override with BERTH_BIN.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from helpers import Berth, start_berth  # noqa: E402


@pytest.fixture(scope="session")
def berth(tmp_path_factory):
    """The shared berth: `serve --ephemeral` on a free port, stopped with SIGTERM at the end."""
    b = start_berth(ephemeral=True, log_dir=tmp_path_factory.mktemp("berth-log"))
    yield b
    assert b.alive(), f"berth died during the session: {b.log()}"
    rc = b.stop()
    assert rc == 0, f"berth exited {rc} after SIGTERM: {b.log()}"


@pytest.fixture(autouse=True)
def _reset(request):
    """Every test starts from empty state (tests that only use their own berth skip this)."""
    if "berth" in request.fixturenames:
        b = request.getfixturevalue("berth")
        assert b.alive(), f"berth is not running: {b.log()}"
        b.reset()
    yield


@pytest.fixture
def aws(berth):
    """aws(*args) -> parsed JSON of `/usr/bin/aws --endpoint-url ... --output json ARGS`."""
    return berth.aws


@pytest.fixture
def aws_rc(berth):
    """aws_rc(*args) -> (returncode, stdout, stderr), for expected failures."""
    return berth.aws_rc


@pytest.fixture
def ecs(berth):
    return berth.client("ecs")


@pytest.fixture
def raw(berth):
    """raw(Op, body) -> (status, headers, parsed body) over http.client."""
    return berth.raw


@pytest.fixture
def spawn_berth(tmp_path):
    """spawn_berth(data_dir) starts a second berth on a data dir; all are stopped at teardown."""
    started: list[Berth] = []

    def spawn(data_dir, **kw):
        b = start_berth(data_dir=data_dir, log_dir=tmp_path, **kw)
        started.append(b)
        return b

    yield spawn
    for b in started:
        if b.alive():
            b.proc.kill()
            b.proc.wait()


def leaked_containers(root):
    """Containers berth manages whose instance (its data dir, or the ephemeral dir) lies under
    `root`; [] when Docker is not reachable."""
    import subprocess
    try:
        out = subprocess.run(["docker", "ps", "-a", "--filter", "label=berth.managed",
                              "--format", '{{.ID}} {{.Label "berth.instance"}}'],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    root = str(root)
    return [line.split(" ", 1)[0] for line in out.stdout.splitlines()
            if " " in line and line.split(" ", 1)[1].startswith(root)]


def pytest_sessionfinish(session, exitstatus):
    """Every berth a test started must leave no container behind once its fixture ended (a
    reset, an --ephemeral exit or a stop after reset). What one left is removed here and fails
    the run, naming the containers, so a leak is found by the test run and not by the next user."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or exitstatus not in (0, 1):
        return  # interrupted: fixtures may not have run their teardown
    leaked = leaked_containers(factory.getbasetemp())
    if leaked:
        import subprocess
        subprocess.run(["docker", "rm", "-f", "-v", *leaked], capture_output=True, timeout=120)
        session.exitstatus = 1
        print(f"\nberth containers left behind by this run (removed now): {' '.join(leaked)}", file=sys.stderr)
