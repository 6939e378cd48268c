"""`gogen pin`, `gogen init --pin` and `gogen images update` against the real distribution
registry (Debian's docker-registry 2.8) on 127.0.0.1, reached through gogen.toml's [images]
mirrors, with and without token authentication; and the pinned Dockerfile built in the lab.

The lab's stand-in images are pushed to the registry under the mirror's names; the digests
gogen records must be the ones docker reports for them. `docker/dockerfile` is served by a
stand-in too (the alpine image under that name): only its digest is read, never its frontend.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit

from gogen.images import newest_minor
from tests.conftest import FIXTURES
from tests.e2e import test_images as images
from tests.e2e.lab import Lab, find_lab
from tests.e2e.registry import Registry, TokenServer, running_registry
from tests.repo_builder import gogen

GOLANG = f"golang:1.{newest_minor()}"
DISTROLESS = "gcr.io/distroless/static-debian13:nonroot"
FRONTEND = "docker/dockerfile:1.20"


@pytest.fixture(scope="module")
def lab() -> Lab:
    return find_lab()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pin")


@pytest.fixture(scope="module")
def plain(lab: Lab, workdir: Path) -> Iterator[Registry]:
    binary = lab.env.get("GOGEN_REGISTRY_BIN", "")
    if not binary or not Path(binary).is_file():
        pytest.fail("the lab has no docker-registry (GOGEN_REGISTRY_BIN): run `bash scripts/lab/up.sh` again")
    with running_registry(binary, workdir / "plain", workdir / "storage") as registry:
        yield registry


def _repo_digest(lab: Lab, ref: str) -> str:
    name = ref.rpartition(":")[0]
    entries: list[str] = json.loads(lab.docker_run("image", "inspect", "-f", "{{json .RepoDigests}}", ref).stdout)
    (digest,) = [entry.partition("@")[2] for entry in entries if entry.startswith(f"{name}@")]
    return digest


@pytest.fixture(scope="module")
def pushed(lab: Lab, plain: Registry) -> Iterator[dict[str, str]]:
    """gogen's references → the digest docker reports for the copy pushed under the mirror's name."""
    sources = {GOLANG: f"library/{GOLANG}", DISTROLESS: "distroless/static-debian13:nonroot", FRONTEND: FRONTEND}
    stand_ins = {GOLANG: GOLANG, DISTROLESS: DISTROLESS, FRONTEND: "alpine:3.22"}
    mirrored = {ref: f"{plain.host}/{path}" for ref, path in sources.items()}
    try:
        for ref, target in mirrored.items():
            lab.docker_run("tag", stand_ins[ref], target)
            lab.docker_run("push", "-q", target, timeout=600)
        yield {ref: _repo_digest(lab, target) for ref, target in mirrored.items()}
    finally:
        lab.docker_run("rmi", *mirrored.values(), check=False)


def _mirrors(host: str) -> str:
    return (
        f'[images]\ngolang = "{host}/library/golang"\ndistroless = "{host}/distroless"\n'
        f'frontend = "{host}/docker/dockerfile"\n'
    )


def _initialised(tmp_path: Path, config: str) -> Path:
    repo = tmp_path / "deps"
    shutil.copytree(FIXTURES / "deps" / "repo", repo)
    (repo / "gogen.toml").write_text(config)
    assert gogen("-q", "init", repo).returncode == 0
    return repo


def _recorded(repo: Path) -> dict[str, str]:
    return dict(tomlkit.parse((repo / "gogen.toml").read_text())["images"]["digests"])


def test_pin_records_the_registrys_digests_and_the_pinned_image_builds_and_runs(
    lab: Lab, plain: Registry, pushed: dict[str, str], tmp_path: Path
) -> None:
    repo = _initialised(tmp_path, _mirrors(plain.host))
    started = time.monotonic()
    result = gogen("pin", repo)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    print(f"gogen pin: {len(pushed)} images in {elapsed:.2f} s")
    assert _recorded(repo) == pushed
    dockerfile = (repo / "Dockerfile").read_text()
    assert dockerfile.startswith(f"# syntax={plain.host}/{FRONTEND}@{pushed[FRONTEND]}\n")
    assert f"{plain.host}/library/{GOLANG}@{pushed[GOLANG]} AS build" in dockerfile
    assert f"FROM {plain.host}/distroless/static-debian13:nonroot@{pushed[DISTROLESS]} AS runtime" in dockerfile
    assert gogen("check", repo).returncode == 0
    # Without the syntax line (the lab's frontend stand-in is no frontend), the pinned images build.
    (repo / "gogen.toml").write_text((repo / "gogen.toml").read_text() + "\n")
    assert gogen("-q", "regen", "--no-syntax", repo).returncode == 0
    tag = "gogen-e2e/pinned:latest"
    lab.build(repo, tag)
    images.check_image(lab, tag, "deps")


def test_init_pin_goes_through_token_authentication(
    lab: Lab, plain: Registry, pushed: dict[str, str], workdir: Path, tmp_path: Path
) -> None:
    tokens = TokenServer(workdir)
    binary = lab.env["GOGEN_REGISTRY_BIN"]
    try:
        with running_registry(binary, workdir / "guarded", workdir / "storage", tokens.auth) as guarded:
            repo = tmp_path / "deps"
            shutil.copytree(FIXTURES / "deps" / "repo", repo)
            (repo / "gogen.toml").write_text(_mirrors(guarded.host))
            result = gogen("init", "--pin", repo)
            assert result.returncode == 0, result.stderr
            assert _recorded(repo) == pushed
            scopes = sorted(query["scope"][0] for query in tokens.requests)
            assert scopes == [
                "repository:distroless/static-debian13:pull",
                "repository:docker/dockerfile:pull",
                "repository:library/golang:pull",
            ]
            tokens.grant = "library/alpine"
            refused = gogen("pin", repo)
            assert refused.returncode == 2 and refused.stderr.count("\n") == 1
            assert f"{guarded.host} refused the anonymous token" in refused.stderr
    finally:
        tokens.close()


def test_images_update_reads_the_tags_of_the_mirror(
    lab: Lab, plain: Registry, pushed: dict[str, str], tmp_path: Path
) -> None:
    tags = {"library/golang": ["1.27.3", "1.27.9", "1.28.0", "1.28rc2"], "docker/dockerfile": ["1.21", "1.22", "1"]}
    targets = [f"{plain.host}/{repository}:{tag}" for repository, names in tags.items() for tag in names]
    try:
        for target in targets:
            lab.docker_run("tag", "alpine:3.22", target)
            lab.docker_run("push", "-q", target, timeout=300)
        repo = tmp_path / "org"
        repo.mkdir()
        (repo / "gogen.toml").write_text(_mirrors(plain.host))
        cache = tmp_path / "cache"
        result = gogen("images", "update", repo, env={**os.environ, "GOGEN_CACHE_DIR": str(cache)})
        assert result.returncode == 0, result.stderr
        written = tomlkit.parse((cache / "images.toml").read_text())
        assert written["golang"]["latest_patch"]["1.27"] == 9
        assert written["golang"]["latest_patch"]["1.28"] == 0
        assert written["frontend"]["minor"] == "1.22"
        shown = gogen("images", "show", env={**os.environ, "GOGEN_CACHE_DIR": str(cache)}).stdout
        assert "builder: golang:1.28 (Go 1.28.0)" in shown and "docker/dockerfile:1.22" in shown
    finally:
        lab.docker_run("rmi", *targets, check=False)
