"""Digest and action pins: the marker's record of them, bots that move them, `gogen pin`, and
the image table `gogen images update` refreshes.

- A generated file whose pin a bot (Renovate, Dependabot) moved is not hand-edited: `check`
  accepts it and says so, `regen` records the pin in gogen.toml and keeps it; a pin changed in
  gogen.toml by hand still wins over the one gogen wrote; anything else edited is an edit.
- `gogen pin` resolves every image of the plan through the [images] mirror (a registry served
  here on 127.0.0.1, speaking the distribution API), records the digests and regenerates.
- `gogen images update` lays a newer table over gogen's, in a user-level cache.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from gogen import api, images, managed
from gogen.registry import DOCKER_MANIFEST, Client
from tests.repo_builder import copy_fixture, gogen

D1, D2, D3 = ("sha256:" + c * 64 for c in "abc")
CHECKOUT = "actions/checkout"


def _digest_of(path: str) -> str:
    return "sha256:" + hashlib.sha256(path.encode()).hexdigest()


class Registry:
    """Manifests and tag lists on 127.0.0.1, as a distribution registry serves them: each
    manifest's digest is derived from its path, so a test knows what to expect."""

    def __init__(self, tags: dict[str, list[str]] | None = None) -> None:
        self.tags = tags or {}
        self.heads: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                outer.heads.append(self.path)
                if "/manifests/" not in self.path:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", DOCKER_MANIFEST)
                self.send_header("Docker-Content-Digest", _digest_of(self.path))
                self.end_headers()

            def do_GET(self) -> None:
                repository = self.path.removeprefix("/v2/").split("/tags/list")[0]
                tags = outer.tags.get(repository, [])
                body = json.dumps({"name": repository, "tags": tags}).encode()
                self.send_response(200 if repository in outer.tags else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def registry() -> Iterator[Registry]:
    served = Registry({"library/golang": ["1.26", "1.27.0", "1.27.4", "1.28rc1", "1.28.0", "latest"],
                       "docker/dockerfile": ["1", "1.20", "1.21", "1.21.0", "labs"]})  # fmt: skip
    yield served
    served.close()


def _repo(tmp_path: Path, config: str, ci: bool = False) -> Path:
    repo = copy_fixture("deps", tmp_path)
    (repo / "gogen.toml").write_text(config)
    api.init(repo, {"ci": "github"} if ci else {}, api.WriteOptions())
    return repo


def _bot_moves(repo: Path, old: str, new: str, file: str = "Dockerfile") -> None:
    path = repo / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


# --- the marker ---------------------------------------------------------------------------------


def test_a_moved_digest_keeps_the_file_pristine_and_is_reported_as_moved(tmp_path: Path) -> None:
    repo = _repo(tmp_path, f'[images.digests]\n"golang:1.27" = "{D1}"\n')
    text = (repo / "Dockerfile").read_text()
    assert f"golang:1.27@{D1}" in text and " pins:" in text.splitlines()[1]
    assert managed.state(text) == "pristine" and managed.moved_pins(text) == ()
    moved = text.replace(D1, D2)
    assert managed.state(moved) == "pristine"
    assert [pin.value for pin in managed.moved_pins(moved) if pin.name == "golang:1.27"] == [D2]
    assert managed.state(moved.replace("golang:1.27@", "golang:1.28@")) == "edited", "a tag is gogen's to choose"
    assert managed.state(moved.replace("USER 65532", "USER 0")) == "edited"


def test_a_file_without_pins_has_the_marker_it_always_had() -> None:
    text = managed.stamp(f"{managed.marker_line()}\nFROM scratch\n")
    assert " pins:" not in text and managed.state(text) == "pristine"
    expected = hashlib.sha256(f"{managed.marker_line()}\nFROM scratch\n".encode()).hexdigest()
    assert text.splitlines()[0].split()[2] == f"sha256:{expected}"


def test_a_checksum_of_the_whole_text_as_older_gogen_wrote_it_is_accepted() -> None:
    unstamped = f"{managed.marker_line()}\nFROM golang:1.22@{D1} AS build\n"
    old_style = unstamped.replace("sha256:-", "sha256:" + hashlib.sha256(unstamped.encode()).hexdigest(), 1)
    assert managed.state(old_style) == "pristine"
    assert managed.moved_pins(old_style) == (), "no record of the pins: nothing to adopt"


def test_action_pins_are_read_with_their_release() -> None:
    text = f"{managed.marker_line()}\n      - uses: actions/checkout@{'1' * 40} # v4.5.0\n"
    (pin,) = managed.pins(text)
    assert (pin.kind, pin.name, pin.value) == ("action", CHECKOUT, f"{'1' * 40} # v4.5.0")


# --- check and regen with a bot's update -------------------------------------------------------


def test_check_accepts_a_bots_digest_and_regen_records_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path, f'[images.digests]\n"golang:1.27" = "{D1}"\n')
    _bot_moves(repo, D1, D2)
    checked = gogen("check", repo)
    assert checked.returncode == 0, checked.stderr
    assert f"a bot moved the pin of golang:1.27 at {D2} (accepted" in checked.stderr
    assert api.check(repo).moved_pins.digests == (("golang:1.27", D2),)
    regen = api.regen(repo, {}, api.WriteOptions())
    assert regen.written and regen.pins.digests == (("golang:1.27", D2),)
    assert tomlkit.parse((repo / "gogen.toml").read_text())["images"]["digests"]["golang:1.27"] == D2
    assert f"golang:1.27@{D2}" in (repo / "Dockerfile").read_text()
    assert managed.moved_pins((repo / "Dockerfile").read_text()) == (), "the marker records the pins now"
    assert api.check(repo).stale == () and api.check(repo).moved_pins.digests == ()


def test_a_pin_changed_in_gogen_toml_wins_over_the_one_gogen_wrote(tmp_path: Path) -> None:
    repo = _repo(tmp_path, f'[images.digests]\n"golang:1.27" = "{D1}"\n')
    (repo / "gogen.toml").write_text((repo / "gogen.toml").read_text().replace(D1, D3))
    assert [change.path for change in api.check(repo).stale] == ["Dockerfile"]
    api.regen(repo, {}, api.WriteOptions())
    assert f"golang:1.27@{D3}" in (repo / "Dockerfile").read_text()


def test_a_bots_action_commit_is_accepted_and_recorded_with_its_release(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "", ci=True)
    workflow = ".github/workflows/docker.yml"
    line = next(line for line in (repo / workflow).read_text().splitlines() if f"{CHECKOUT}@" in line)
    old = line.split("uses: ")[1]
    _bot_moves(repo, old, f"{CHECKOUT}@{'1' * 40} # v4.9.1", workflow)
    assert api.check(repo).stale == ()
    api.regen(repo, {}, api.WriteOptions())
    recorded = tomlkit.parse((repo / "gogen.toml").read_text())["actions"][CHECKOUT]
    assert dict(recorded) == {"commit": "1" * 40, "version": "v4.9.1"}
    assert f"uses: {CHECKOUT}@{'1' * 40} # v4.9.1" in (repo / workflow).read_text()
    assert gogen("check", repo).returncode == 0


def test_a_bot_that_moves_the_tag_too_is_a_hand_edit(tmp_path: Path) -> None:
    repo = _repo(tmp_path, f'[images.digests]\n"golang:1.27" = "{D1}"\n')
    _bot_moves(repo, f"golang:1.27@{D1}", f"golang:1.28@{D2}")
    assert [change.path for change in api.check(repo).stale] == ["Dockerfile"]
    refused = gogen("regen", repo)
    assert refused.returncode == 1 and "edited since gogen wrote it" in refused.stderr
    assert f"golang:1.28@{D2}" in (repo / "Dockerfile").read_text(), "nothing written"


# --- gogen pin ------------------------------------------------------------------------------------


def _mirrors(registry: Registry) -> str:
    return (
        f'[images]\ngolang = "{registry.host}/library/golang"\ndistroless = "{registry.host}/distroless"\n'
        f'frontend = "{registry.host}/docker/dockerfile"\n'
    )


def test_pin_resolves_every_image_through_the_mirror_and_records_it(tmp_path: Path, registry: Registry) -> None:
    repo = _repo(tmp_path, _mirrors(registry))
    outcome = api.pin(repo, {}, api.WriteOptions(), Client(timeout=5))
    expected = {
        "docker/dockerfile:1.20": _digest_of("/v2/docker/dockerfile/manifests/1.20"),
        "golang:1.27": _digest_of("/v2/library/golang/manifests/1.27"),
        "gcr.io/distroless/static-debian13:nonroot": _digest_of("/v2/distroless/static-debian13/manifests/nonroot"),
    }
    assert dict(outcome.pins.digests) == expected
    assert sorted(registry.heads) == sorted(f"/v2/{path}" for path in (
        "docker/dockerfile/manifests/1.20", "library/golang/manifests/1.27",
        "distroless/static-debian13/manifests/nonroot",
    ))  # fmt: skip
    dockerfile = (repo / "Dockerfile").read_text()
    assert dockerfile.startswith(
        f"# syntax={registry.host}/docker/dockerfile:1.20@{expected['docker/dockerfile:1.20']}"
    )
    assert f"FROM --platform=$BUILDPLATFORM {registry.host}/library/golang:1.27@{expected['golang:1.27']} AS build" in (
        dockerfile
    )
    digests = tomlkit.parse((repo / "gogen.toml").read_text())["images"]["digests"]
    assert dict(digests) == expected
    assert api.check(repo).stale == ()


def test_pin_without_the_registry_is_one_error_naming_it_and_writes_nothing(tmp_path: Path) -> None:
    closed = Registry()
    host = closed.host
    closed.close()
    repo = _repo(tmp_path, f'syntax = false\n[images]\ngolang = "{host}/library/golang"\n')
    before = {path.name: path.read_bytes() for path in repo.iterdir() if path.is_file()}
    result = gogen("pin", repo)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and f"gogen: error: cannot read from {host}" in result.stderr
    assert "Traceback" not in result.stderr
    assert {path.name: path.read_bytes() for path in repo.iterdir() if path.is_file()} == before


def test_init_pin_writes_the_pins_in_one_go(tmp_path: Path, registry: Registry) -> None:
    repo = copy_fixture("deps", tmp_path)
    (repo / "gogen.toml").write_text(_mirrors(registry))
    outcome = api.init(repo, {"syntax": False}, api.WriteOptions(), pin=True, client=Client(timeout=5))
    assert [ref for ref, _ in outcome.pins.digests] == ["gcr.io/distroless/static-debian13:nonroot", "golang:1.27"]
    assert "@sha256:" in (repo / "Dockerfile").read_text()


# --- the image table --------------------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GOGEN_CACHE_DIR", str(tmp_path / "cache"))
    images.forget_table()
    yield tmp_path / "cache"
    monkeypatch.undo()
    images.forget_table()


def test_images_update_lays_a_newer_table_over_gogens(tmp_path: Path, registry: Registry, cache: Path) -> None:
    repo = tmp_path / "org"
    repo.mkdir()
    (repo / "gogen.toml").write_text(_mirrors(registry))
    update = api.images_update(repo, datetime.date(2027, 3, 1), Client(timeout=5))
    assert update.file == cache / images.CACHE_FILE
    assert dict(update.latest_patch)["1.27"] == 4 and dict(update.latest_patch)["1.28"] == 0
    assert update.frontend_minor == "1.21"
    assert images.newest_minor() == 28 and images.minor_tag_release(27) == "1.27.4"
    assert images.frontend_image(None) == "docker/dockerfile:1.21"
    assert "images update" in images.table_source() and "2027-03-01" in images.table_source()
    assert images.supported_minors() == (27, 28)
    assert images.table()["runtime"] == images.shipped_table()["runtime"], "runtime images stay gogen's"


def test_an_older_or_broken_cache_is_ignored(cache: Path) -> None:
    cache.mkdir()
    update = images.refreshed(["1.27.9", "1.30.0"], ["1.40"], datetime.date(2020, 1, 1))
    (cache / images.CACHE_FILE).write_text(images.update_text(update))
    images.forget_table()
    assert images.table() is images.shipped_table(), "older than the shipped table"
    (cache / images.CACHE_FILE).write_text('updated = 2099-01-01\n[golang.latest_patch]\n"1.x" = 1\n')
    images.forget_table()
    assert images.table() is images.shipped_table(), "malformed"


def test_the_table_is_stale_after_six_months() -> None:
    updated: datetime.date = images.table()["updated"]
    assert images.staleness(updated + datetime.timedelta(days=180)) is None
    note = images.staleness(updated + datetime.timedelta(days=200))
    assert note is not None and "gogen images update" in note and str(updated) in note


def test_release_candidates_and_other_tags_are_not_releases() -> None:
    update = images.refreshed(
        ["1.28rc1", "1.28", "latest", "1.27.3-alpine", "1.27.3", "1.9.7"], ["1.21", "1"], datetime.date.today()
    )
    assert update["golang"]["latest_patch"] == {"1.27": 3}
    with pytest.raises(Exception, match="no Go release tag"):
        images.refreshed(["latest"], ["1.21"], datetime.date.today())
