"""compose.yaml against a real Docker engine and the real Docker Compose (the test lab).

`gogen init` with `compose = true` writes compose.yaml next to the Dockerfile; each service's
`build.target` must be a stage the engine builds, and the image it gives must start the
service's own binary. Compose itself must accept the file, build every service and, where the
binary checks itself, report the service healthy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e import test_images as images
from tests.e2e.lab import Lab, find_lab


@pytest.fixture(scope="session")
def lab() -> Lab:
    return find_lab()


def prepared(case: str, root: Path) -> Path:
    """A copy of the fixture, initialised by gogen with compose.yaml."""
    repo = images.prepared(case, root, compose=True)
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


def lab_override(repo: Path, compose: dict[str, Any], **extra: Any) -> Path:
    """The lab's engine has no bridge network: build and run on the host's (a second -f file)."""
    services = {name: {"build": {"network": "host"}, "network_mode": "host", **extra} for name in compose["services"]}
    override = repo / "lab.override.yaml"
    override.write_text(yaml.safe_dump({"services": services}))
    return override


def test_docker_compose_accepts_the_file_and_builds_every_service(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("multi-cmd", tmp_path)
    checked = lab.compose_run(repo, "config", "--quiet")
    assert checked.returncode == 0, checked.stderr
    compose: dict[str, Any] = yaml.safe_load((repo / "compose.yaml").read_text())
    override = lab_override(repo, compose)
    built = lab.compose_run(repo, "-f", "compose.yaml", "-f", override.name, "build")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    for name in compose["services"]:
        inspected = lab.docker_run("image", "inspect", "-f", "{{json .Config.Entrypoint}}", name).stdout
        assert json.loads(inspected) == [f"/usr/local/bin/{name}"]


def test_docker_compose_up_waits_until_the_binary_reports_healthy(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("healthcheck", tmp_path)
    compose: dict[str, Any] = yaml.safe_load((repo / "compose.yaml").read_text())
    assert compose["services"]["pinger"]["healthcheck"]["test"] == ["CMD", "/usr/local/bin/pinger", "healthcheck"]
    override = lab_override(repo, compose, healthcheck={"interval": "1s", "start_period": "1s"})
    files = ("-f", "compose.yaml", "-f", override.name)
    try:
        up = lab.compose_run(repo, *files, "up", "--build", "--detach", "--wait", "--wait-timeout", "90")
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        status = lab.compose_run(repo, *files, "ps", "--format", "json")
        assert '"Health":"healthy"' in status.stdout.replace(" ", ""), status.stdout
    finally:
        lab.compose_run(repo, *files, "down", "--timeout", "2")
