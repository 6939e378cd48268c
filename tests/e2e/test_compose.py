"""compose.yaml against a real Docker engine (the test lab): every service it names builds.

`gogen init` with `compose = true` writes compose.yaml next to the Dockerfile; each service's
`build.target` must be a stage the engine builds, and the image it gives must start the
service's own binary. (The lab has no compose plugin: the build is what `docker compose build`
would ask the engine for, one target at a time.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from gogen import api
from tests.conftest import FIXTURES
from tests.e2e.lab import Lab, find_lab


@pytest.fixture(scope="session")
def lab() -> Lab:
    return find_lab()


def prepared(case: str, root: Path) -> Path:
    """A copy of the fixture, initialised by gogen with compose.yaml (no syntax line: no registry needed)."""
    repo = root / case
    shutil.copytree(FIXTURES / case / "repo", repo)
    outcome = api.init(repo, {"syntax": False, "compose": True}, api.WriteOptions())
    assert outcome.written and not outcome.refused
    assert (repo / "compose.yaml").is_file(), "gogen init with compose = true writes compose.yaml"
    return repo


def test_every_compose_service_builds_its_target_and_runs_its_binary(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("multi-cmd", tmp_path)
    compose: dict[str, Any] = yaml.safe_load((repo / "compose.yaml").read_text())
    services: dict[str, Any] = compose["services"]
    assert sorted(services) == ["shop", "shop-api", "worker"]
    entrypoints = {}
    for name, service in services.items():
        assert service["build"]["context"] == "."
        target = service["build"]["target"]
        image = f"gogen-e2e/compose-{name}:latest"
        lab.build(repo / service["build"]["context"], image, "--target", target)
        inspected = lab.docker_run("image", "inspect", "-f", "{{json .Config.Entrypoint}}", image).stdout
        entrypoints[name] = json.loads(inspected)
    assert entrypoints == {name: [f"/usr/local/bin/{name}"] for name in services}
    worker = lab.run_command("gogen-e2e/compose-worker:latest")
    assert "worker done" in worker.stdout, worker.stdout + worker.stderr
