"""Supply-chain properties of the generated Dockerfiles, checked by building them in the test lab.

- The builder image's environment is respected: an organisation's golang image that sets
  `ENV GOPROXY=...` builds with no build argument (the Dockerfile's `ARG GOPROXY` has no
  default that would override it), and `--build-arg` still wins.
- Final images carry `org.opencontainers.image.revision` from the REVISION build argument, and
  `SOURCE_DATE_EPOCH` sets their creation time.
- The apk and apt steps keep their caches in cache mounts: nothing of them lands in a layer.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from gogen import api
from gogen.images import newest_minor
from tests.conftest import FIXTURES
from tests.e2e import test_images as images
from tests.e2e.lab import Lab, find_lab


@pytest.fixture(scope="session")
def lab() -> Lab:
    return find_lab()


def _requests_from(lab: Lab, client: str) -> list[str]:
    return [line for line in lab.proxy_requests() if line.endswith(f" {client}")]


def _organisation_golang(lab: Lab, tmp_path: Path, goproxy: str) -> str:
    """A company golang image: the lab's stand-in plus `ENV GOPROXY` (its internal proxy)."""
    golang = f"golang:1.{newest_minor()}"
    context = tmp_path / "org-golang"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {golang}\nENV GOPROXY={goproxy} GOSUMDB=off\n")
    mirror = "registry.acme.test/golang"
    lab.docker_run("build", "-q", "--network=host", "-t", f"{mirror}:1.{newest_minor()}", str(context))
    return mirror


def test_the_builder_images_goproxy_applies_without_a_build_argument(lab: Lab, tmp_path: Path) -> None:
    client = f"org-env-{uuid.uuid4().hex[:8]}"
    mirror = _organisation_golang(lab, tmp_path, f"{lab.goproxy}/c/{client}")
    repo = tmp_path / "deps"
    shutil.copytree(FIXTURES / "deps" / "repo", repo)
    (repo / "gogen.toml").write_text(f'[images]\ngolang = "{mirror}"\n')
    api.init(repo, {"syntax": False}, api.WriteOptions())
    dockerfile = (repo / "Dockerfile").read_text()
    assert "ARG GOPROXY\n" in dockerfile and "ARG GOPROXY=" not in dockerfile
    tag = f"gogen-e2e/org-env:{client}"
    lab.docker_run("build", "--progress=plain", "--network=host", "--no-cache", "-t", tag, str(repo))
    downloads = _requests_from(lab, client)
    assert any(line.split()[2].endswith(".zip") for line in downloads), "the image's GOPROXY served the modules"
    images.check_image(lab, tag, "deps")
    # --build-arg still wins over the image's ENV.
    override = f"{client}-arg"
    lab.build(repo, f"{tag}-arg", "--no-cache", goproxy=f"{lab.goproxy}/c/{override}")
    assert _requests_from(lab, override), "--build-arg GOPROXY is used"


def test_revision_label_and_creation_time_come_from_the_build_arguments(lab: Lab, tmp_path: Path) -> None:
    repo = images.prepared("deps", tmp_path)
    tag = f"gogen-e2e/revision:{uuid.uuid4().hex[:8]}"
    lab.build(repo, tag, "--build-arg", "REVISION=0123abc", "--build-arg", "SOURCE_DATE_EPOCH=1700000000")
    inspected = lab.docker_run(
        "image", "inspect", "-f", '{{index .Config.Labels "org.opencontainers.image.revision"}} {{.Created}}', tag
    )
    revision, created = inspected.stdout.split()
    assert revision == "0123abc"
    assert created.startswith("2023-11-14T22:13:20")


@pytest.mark.parametrize(("profile", "cache_dirs"), [("alpine", ["var/cache/apk"]), ("debian", ["var/lib/apt/lists"])])
def test_package_manager_caches_stay_out_of_the_image(
    lab: Lab, tmp_path: Path, profile: str, cache_dirs: list[str]
) -> None:
    repo = images.prepared("deps", tmp_path, profile=profile, strategy="buildkit")
    assert "sharing=locked" in (repo / "Dockerfile").read_text()
    tag = f"gogen-e2e/pkgcache-{profile}:{uuid.uuid4().hex[:8]}"
    images.build_fixture(lab, "deps", repo, tag)
    images.check_image(lab, tag, "deps")
    files = lab.image_files(tag)
    for directory in cache_dirs:
        cached = [f for f in files if f.startswith(directory + "/") and not f.endswith("/") and "lock" not in f]
        assert cached == [], f"{profile}: {directory} holds {cached[:3]}"
