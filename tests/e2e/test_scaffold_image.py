"""A service scaffolded from examples/copier-go-service builds and runs in the test lab.

copier's task writes the Dockerfile through gogen.api; the test regenerates it without the
`# syntax=` line (the lab has no registry), under the service's organisation layer, then the
lab's engine builds the image from the lab's stand-in base images and runs it: the HTTP service
answers on its port, the command prints its line, both as 65532:65532 with the organisation's
labels and no Go toolchain. A service with no requirements needs no module proxy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gogen import api
from tests.e2e.lab import Lab, find_lab
from tests.test_scaffold import scaffold_with_copier


@pytest.fixture(scope="session")
def lab() -> Lab:
    return find_lab()


def for_the_lab(repo: Path) -> Path:
    """The scaffolded repository regenerated with `syntax = false` (the lab has no registry)."""
    outcome = api.regen(repo, {"syntax": False}, api.WriteOptions())
    assert not outcome.refused
    return repo


def image_config(lab: Lab, image: str) -> dict[str, object]:
    inspected = lab.docker_run("image", "inspect", "-f", "{{json .Config}}", image).stdout
    config: dict[str, object] = json.loads(inspected)
    return config


def assert_organisation_image(lab: Lab, image: str, team: str) -> None:
    """The user, the organisation's labels, and no Go toolchain in the final image."""
    config = image_config(lab, image)
    assert config["User"] == "65532:65532"
    labels = config["Labels"]
    assert isinstance(labels, dict)
    assert labels["com.example.team"] == team
    assert labels["com.example.scaffold"] == "copier-go-service"
    files = lab.image_files(image)
    toolchain = [f for f in files if f.startswith("usr/local/go/") or f.endswith(("bin/go", "bin/gofmt"))]
    assert toolchain == [], f"the final image holds a Go toolchain: {toolchain[:3]}"


def test_a_scaffolded_http_service_builds_and_answers(lab: Lab, tmp_path: Path) -> None:
    repo = for_the_lab(scaffold_with_copier(tmp_path / "orders-api", port=18081, team="orders"))
    image = "gogen-e2e/scaffold:orders-api"
    lab.build(repo, image)
    assert_organisation_image(lab, image, "orders")
    assert image_config(lab, image)["ExposedPorts"] == {"18081/tcp": {}}
    assert lab.http_get(image, 18081, "/") == "orders-api ok\n"


def test_a_scaffolded_command_on_alpine_builds_and_runs(lab: Lab, tmp_path: Path) -> None:
    repo = for_the_lab(scaffold_with_copier(tmp_path / "nightly", http=False, profile="alpine"))
    image = "gogen-e2e/scaffold:nightly"
    lab.build(repo, image)
    assert_organisation_image(lab, image, "platform")
    result = lab.run_command(image)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "nightly ok\n"
