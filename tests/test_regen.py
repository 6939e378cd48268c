"""`gogen regen` and `gogen check` follow the repository as it changes, without clobbering edits."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gogen import api, write
from gogen.errors import GogenError
from gogen.profiles import PROFILE_NAMES
from tests.conftest import FIXTURES
from tests.repo_builder import gogen, write_repo

COMMENT = "# our platform team: keep distroless\n"


def initialised(case: str, tmp_path: Path) -> Path:
    """A copy of a fixture after `gogen init`, with a user comment added to gogen.toml."""
    repo = tmp_path / case
    shutil.copytree(FIXTURES / case / "repo", repo)
    assert gogen("init", repo).returncode == 0
    config = repo / "gogen.toml"
    config.write_text(COMMENT + config.read_text())
    return repo


def regen_ok(repo: Path, *args: str) -> str:
    result = gogen("regen", *args, repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / "gogen.toml").read_text().startswith(COMMENT), "the user's comment must survive"
    return (repo / "Dockerfile").read_text()


def test_go_version_bump_moves_the_builder(tmp_path: Path) -> None:
    repo = initialised("root-main", tmp_path)
    (repo / "go.mod").write_text((repo / "go.mod").read_text() + "\ntoolchain go1.23.2\n")
    assert gogen("check", repo).returncode == 1
    result = gogen("regen", repo)
    assert "updated   Dockerfile" in result.stdout
    assert "+FROM --platform=$BUILDPLATFORM golang:1.23.2 AS build" in result.stdout
    assert "FROM --platform=$BUILDPLATFORM golang:1.23.2 AS build" in regen_ok(repo)
    assert gogen("check", repo).returncode == 0


def test_a_go_sqlite3_requirement_turns_cgo_on(tmp_path: Path) -> None:
    repo = initialised("root-main", tmp_path)
    gomod = (repo / "go.mod").read_text() + "\nrequire github.com/mattn/go-sqlite3 v1.14.22\n"
    (repo / "go.mod").write_text(gomod)
    (repo / "go.sum").write_text(
        "github.com/mattn/go-sqlite3 v1.14.22 h1:x=\ngithub.com/mattn/go-sqlite3 v1.14.22/go.mod h1:y=\n"
    )
    (repo / "db.go").write_text('package main\n\nimport _ "github.com/mattn/go-sqlite3"\n')
    dockerfile = regen_ok(repo)
    assert "ENV CGO_ENABLED=1" in dockerfile
    assert "FROM gcr.io/distroless/base-debian13:nonroot AS runtime" in dockerfile
    assert "--platform=$BUILDPLATFORM" not in dockerfile
    assert "source=go.sum,target=go.sum" in dockerfile


def test_a_profile_that_cannot_take_the_new_cgo_library_says_why(tmp_path: Path) -> None:
    repo = initialised("root-main", tmp_path)
    (repo / "png.go").write_text('package main\n\n// #cgo pkg-config: libpng\nimport "C"\n')
    before = (repo / "Dockerfile").read_text()
    result = gogen("regen", "--profile", "scratch", repo)
    assert result.returncode == 2
    assert "profile scratch needs a fully static binary, but cgo links libpng (png.go:3" in result.stderr
    assert (repo / "Dockerfile").read_text() == before
    assert "FROM debian:trixie-slim AS runtime" in regen_ok(repo, "--profile", "debian")
    assert 'profile = "debian"' in (repo / "gogen.toml").read_text()


def test_a_new_command_becomes_a_new_target(tmp_path: Path) -> None:
    repo = initialised("multi-cmd", tmp_path)
    write_repo(repo, {"cmd/mailer/main.go": 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("sent") }\n'})
    left_out = api.scan(repo)
    (warning,) = [w for w in left_out.warnings if w.code == "not-released"]
    assert "cmd/mailer is not among the builds of .goreleaser.yaml" in warning.message
    releaser = repo / ".goreleaser.yaml"
    releaser.write_text(
        releaser.read_text().replace("\narchives:", "  - id: mailer\n    main: ./cmd/mailer\n\narchives:")
    )
    dockerfile = regen_ok(repo)
    assert "FROM runtime AS mailer" in dockerfile
    assert "./cmd/mailer" in dockerfile
    assert dockerfile.rstrip().endswith('ENTRYPOINT ["/usr/local/bin/shop"]'), "the primary stays last"


def test_a_new_local_replace_is_mounted_for_the_download(tmp_path: Path) -> None:
    repo = initialised("deps", tmp_path)
    write_repo(
        repo, {"lib/go.mod": "module example.com/lib\n\ngo 1.22\n", "lib/lib.go": "package lib\n\nconst X = 1\n"}
    )
    gomod = (repo / "go.mod").read_text()
    (repo / "go.mod").write_text(gomod + "\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ./lib\n")
    dockerfile = regen_ok(repo)
    assert "--mount=type=bind,source=lib/go.mod,target=lib/go.mod" in dockerfile
    layers = regen_ok(repo, "--strategy", "layers")
    assert "COPY lib/go.mod lib/" in layers


def test_vendor_added_then_removed(tmp_path: Path) -> None:
    repo = initialised("deps", tmp_path)
    modules = FIXTURES / "_modules" / "example.com"
    vendor = repo / "vendor" / "example.com"
    shutil.copytree(modules / "greet@v1.0.0", vendor / "greet")
    shutil.copytree(modules / "rand2@v0.3.1", vendor / "rand2")
    (repo / "vendor" / "modules.txt").write_text(
        "# example.com/greet v1.0.0\n## explicit; go 1.22\nexample.com/greet\n"
        "# example.com/rand2 v0.3.1\n## explicit; go 1.22\nexample.com/rand2\n"
    )
    vendored = regen_ok(repo)
    assert "go mod download" not in vendored
    assert "-mod=vendor" in vendored
    shutil.rmtree(repo / "vendor")
    restored = regen_ok(repo)
    assert "go mod download" in restored
    assert "-mod=vendor" not in restored


def test_a_new_embedded_directory_stays_in_the_context(tmp_path: Path) -> None:
    repo = initialised("root-main", tmp_path)
    write_repo(
        repo,
        {
            ".gitignore": "assets/\n",
            "assets/logo.svg": "<svg/>\n",
            "assets.go": 'package main\n\nimport "embed"\n\n//go:embed assets\nvar assets embed.FS\n',
        },
    )
    regen_ok(repo)
    ignore = (repo / ".dockerignore").read_text()
    assert "# **/assets (.gitignore:1) is not excluded: the build reads assets/logo.svg" in ignore
    context = gogen("context", repo)
    assert context.returncode == 0, context.stdout
    assert gogen("check", repo).returncode == 0


def test_check_fresh_stale_and_edited(tmp_path: Path) -> None:
    repo = initialised("multi-cmd", tmp_path)
    fresh = gogen("check", repo)
    assert (fresh.returncode, fresh.stdout) == (0, "gogen: generated files are up to date\n")
    (repo / "cmd" / "worker" / "main.go").unlink()
    shutil.rmtree(repo / "cmd" / "worker")
    stale = gogen("check", repo)
    assert stale.returncode == 1
    assert "-FROM runtime AS worker" in stale.stdout
    assert "Dockerfile out of date" in stale.stderr
    assert gogen("check", tmp_path / "nowhere").returncode == 2


def test_hand_edited_file_is_refused_then_forced_with_a_backup(tmp_path: Path) -> None:
    repo = initialised("root-main", tmp_path)
    edited = (repo / "Dockerfile").read_text().replace("USER 65532:65532", "USER 1000:1000")
    (repo / "Dockerfile").write_text(edited)
    refused = gogen("regen", repo)
    assert refused.returncode == 1
    assert "refused   Dockerfile  (edited since gogen wrote it; rerun with --force" in refused.stderr
    assert (repo / "Dockerfile").read_text() == edited
    assert gogen("check", repo).returncode == 1
    forced = gogen("regen", "--force", repo)
    assert forced.returncode == 0
    assert (repo / "Dockerfile.bak").read_text() == edited
    assert "USER 65532:65532" in (repo / "Dockerfile").read_text()


def test_identical_output_is_not_rewritten(tmp_path: Path) -> None:
    repo = initialised("root-main", tmp_path)
    stamp = (repo / "Dockerfile").stat().st_mtime_ns
    result = gogen("regen", repo)
    assert "unchanged Dockerfile" in result.stdout
    assert (repo / "Dockerfile").stat().st_mtime_ns == stamp


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    repo = initialised("root-main", tmp_path)
    before = (repo / "Dockerfile").read_text()
    result = gogen("regen", "--dry-run", "--profile", "alpine", repo)
    assert result.returncode == 0
    assert "+FROM alpine:3.22 AS runtime" in result.stdout
    assert (repo / "Dockerfile").read_text() == before
    assert 'profile = "distroless"' in (repo / "gogen.toml").read_text()


def test_bad_flag_value_is_exit_2_naming_value_and_choices(tmp_path: Path) -> None:
    repo = initialised("root-main", tmp_path)
    result = gogen("regen", "--profile", "ubuntu", repo)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"gogen: error: --profile: unknown profile 'ubuntu' (choose one of {', '.join(PROFILE_NAMES)})\n"
    )


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_an_interrupted_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text("old content\n")

    def fail(src: str, dst: str, **_: object) -> None:
        raise failure

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(GogenError if isinstance(failure, OSError) else type(failure)):
        write.atomic_write(target, "new content\n")
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"], "no temporary file is left behind"


def test_a_failing_write_leaves_every_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = initialised("root-main", tmp_path)
    (repo / "go.mod").write_text((repo / "go.mod").read_text() + "\ntoolchain go1.23.2\n")
    (repo / ".gitignore").write_text("*.tmp\n")
    before = {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()}
    calls = []

    def fsync_fails_on_the_second_file(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync_fails_on_the_second_file)
    with pytest.raises(GogenError, match="No space left on device"):
        api.regen(repo, {}, api.WriteOptions())
    assert {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()} == before
