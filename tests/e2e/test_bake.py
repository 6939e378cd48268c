"""docker-bake.hcl against the real buildx and a real Docker engine (the test lab).

`gogen init --bake` writes one bake target per binary. buildx itself must read the file (the
targets are the Dockerfile's final stages, tagged with the binary names) and `docker buildx
bake` must build every image in one invocation, each running its own binary. The lab needs a
host network and its module proxy, which an override file adds the way a user's CI would
(`-f docker-bake.hcl -f override.hcl`), leaving gogen's file unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import test_images as images
from tests.e2e.lab import Lab, find_lab


@pytest.fixture(scope="session")
def lab() -> Lab:
    return find_lab()


def _bake(lab: Lab, repo: Path, *args: str, override: str = "") -> str:
    files = ["-f", "docker-bake.hcl"]
    if override:
        (repo.parent / "override.hcl").write_text(override)
        files += ["-f", str(repo.parent / "override.hcl")]
    result = lab._run([lab.docker, "buildx", "bake", *files, *args], timeout=900, check=True, cwd=repo)
    return result.stdout


def _lab_override(lab: Lab, client: str) -> str:
    """The lab's host network and module proxy, for gogen's shared target."""
    return (
        'target "_gogen" {\n'
        '  network = "host"\n'
        f'  args = {{ GOPROXY = "{lab.goproxy}/c/{client}", GOSUMDB = "off", VERSION = "1.2.3" }}\n'
        "}\n"
    )


def test_buildx_reads_one_target_per_final_stage(lab: Lab, tmp_path: Path) -> None:
    repo = images.prepared("multi-cmd", tmp_path, bake=True)
    printed: dict[str, Any] = json.loads(_bake(lab, repo, "--print"))
    targets = printed["target"]
    assert sorted(printed["group"]["default"]["targets"]) == ["shop", "shop-api", "worker"]
    assert {name: t["target"] for name, t in targets.items()} == {n: n for n in ("shop", "shop-api", "worker")}
    assert targets["worker"]["tags"] == ["worker:latest"]
    assert targets["shop"]["args"] == {"VERSION": "dev"}
    assert "platforms" not in targets["shop"], "no PLATFORMS: the builder's own platform"
    one = json.loads(_bake(lab, repo, "--print", "shop"))
    assert list(one["target"]) == ["shop"] and one["target"]["shop"]["tags"] == ["shop:latest"]


def test_variables_set_registry_tag_platforms_and_cache(lab: Lab, tmp_path: Path) -> None:
    repo = images.prepared("multi-cmd", tmp_path, bake=True)
    env = {
        **lab.env,
        "REGISTRY": "registry.example.com/acme/",
        "TAG": "1.2.3",
        "PLATFORMS": "linux/amd64,linux/arm64",
        "CACHE_FROM": "type=registry,ref=registry.example.com/acme/cache",
    }
    lab_with_vars = Lab(env, lab.docker, lab.goproxy, lab.proxy_log)
    printed = json.loads(_bake(lab_with_vars, repo, "--print", "worker"))
    worker = printed["target"]["worker"]
    assert worker["tags"] == ["registry.example.com/acme/worker:1.2.3"]
    assert worker["platforms"] == ["linux/amd64", "linux/arm64"]
    assert worker["cache-from"] == [{"type": "registry", "ref": "registry.example.com/acme/cache"}]


def test_bake_builds_every_image_and_each_runs_its_binary(lab: Lab, tmp_path: Path) -> None:
    repo = images.prepared("multi-cmd", tmp_path, bake=True)
    _bake(lab, repo, "--progress=plain", "--allow=network.host", override=_lab_override(lab, "bake"))
    worker = lab.run_command("worker:latest")
    assert "worker done" in worker.stdout
    assert lab.http_get("shop-api:latest", 8080, "/")
    version = lab.docker_run(
        "image", "inspect", "-f", '{{index .Config.Labels "org.opencontainers.image.version"}}', "shop:latest"
    )
    assert version.stdout.strip() == "1.2.3"
    shop = lab.run_command("shop:latest")
    assert "3 items in stock" in shop.stdout, shop.stdout + shop.stderr
