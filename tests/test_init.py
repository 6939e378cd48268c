"""`gogen init` end to end on copies of the fixtures: files, statuses, refusals, safety."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gogen import managed
from tests.conftest import FIXTURES, ROOT
from tests.repo_builder import MAIN, copy_fixture, gogen, write_repo


def test_init_writes_the_three_files_and_says_why(tmp_path: Path) -> None:
    repo = copy_fixture("multi-cmd", tmp_path)
    result = gogen("init", "-v", repo)
    assert result.returncode == 0, result.stderr
    assert "primary        cmd/shop" in result.stdout
    assert (
        "the first build of the release configuration (.goreleaser.yaml:7); change it with --primary DIR"
        in result.stdout
    )
    for name in ("Dockerfile", ".dockerignore", "gogen.toml"):
        assert f"created   {name}" in result.stdout
    dockerfile = (repo / "Dockerfile").read_text()
    assert dockerfile == (FIXTURES / "multi-cmd" / "expected" / "distroless-buildkit" / "Dockerfile").read_text()
    assert managed.state(dockerfile) == "pristine"
    assert 'profile = "distroless"' in (repo / "gogen.toml").read_text()


def test_second_init_reports_unchanged_and_touches_nothing(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    assert gogen("init", repo).returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in repo.iterdir()}
    result = gogen("init", repo)
    assert result.returncode == 0
    assert result.stdout.count("unchanged ") == 3
    assert {p.name: p.stat().st_mtime_ns for p in repo.iterdir()} == before


def test_init_refuses_a_dockerfile_it_did_not_write(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "Dockerfile").write_text("FROM golang\nCOPY . .\nRUN go build\n")
    result = gogen("init", repo)
    assert result.returncode == 1
    assert "refused   Dockerfile  (gogen did not write it; rerun with --force" in result.stderr
    assert (repo / "Dockerfile").read_text() == "FROM golang\nCOPY . .\nRUN go build\n"
    assert not (repo / ".dockerignore").exists(), "all or nothing: no file is written when one is refused"
    forced = gogen("init", "--force", repo)
    assert forced.returncode == 0
    assert (repo / "Dockerfile.bak").read_text() == "FROM golang\nCOPY . .\nRUN go build\n"
    assert managed.state((repo / "Dockerfile").read_text()) == "pristine"


def test_init_refuses_a_hand_edited_dockerfile(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    gogen("init", repo)
    edited = (repo / "Dockerfile").read_text() + "LABEL mine=yes\n"
    (repo / "Dockerfile").write_text(edited)
    result = gogen("init", "--profile", "scratch", repo)
    assert result.returncode == 1
    assert "edited since gogen wrote it" in result.stderr
    assert (repo / "Dockerfile").read_text() == edited


def test_dry_run_and_diff_write_nothing(tmp_path: Path) -> None:
    repo = copy_fixture("deps", tmp_path)
    result = gogen("init", "--dry-run", "--diff", "--profile", "alpine", repo)
    assert result.returncode == 0
    assert result.stdout.endswith("dry run: nothing written\n")
    assert "+++ b/Dockerfile" in result.stdout
    assert "+FROM alpine:3.22 AS runtime" in result.stdout
    assert not (repo / "Dockerfile").exists()


def test_options_reach_the_dockerfile_and_gogen_toml(tmp_path: Path) -> None:
    repo = copy_fixture("multi-cmd", tmp_path)
    result = gogen(
        "init",
        "--profile",
        "scratch",
        "--strategy",
        "layers",
        "--binary",
        "cmd/worker",
        "--binary",
        "./cmd/api/",
        "--primary",
        "cmd/worker",
        "--port",
        "9999",
        "--no-syntax",
        repo,
    )
    assert result.returncode == 0, result.stderr
    text = (repo / "Dockerfile").read_text()
    assert not text.startswith("# syntax")
    assert "FROM scratch AS runtime" in text
    assert "COPY . ." in text
    assert text.rstrip().endswith('ENTRYPOINT ["/usr/local/bin/worker"]')
    assert "EXPOSE 9999" in text
    assert "./cmd/shop" not in text
    config = (repo / "gogen.toml").read_text()
    assert 'binaries = ["cmd/worker", "./cmd/api/"]' in config
    assert "ports = [9999]" in config
    assert "syntax = false" in config


def test_gogen_toml_is_read_and_its_comments_survive(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "gogen.toml").write_text('# our team prefers alpine\nprofile = "alpine"  # for debugging\n')
    assert gogen("init", repo).returncode == 0
    assert "FROM alpine:3.22 AS runtime" in (repo / "Dockerfile").read_text()
    config = (repo / "gogen.toml").read_text()
    assert config.startswith('# our team prefers alpine\nprofile = "alpine"  # for debugging\n')
    assert gogen("init", "--profile", "debian", repo).returncode == 0
    assert '# our team prefers alpine\nprofile = "debian"  # for debugging\n' in (repo / "gogen.toml").read_text()


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ('profil = "alpine"\n', "gogen.toml:1: unknown key 'profil'"),
        ('profile = "ubuntu"\n', "unknown profile 'ubuntu'"),
        ("ports = [70000]\n", "port 70000 is out of range"),
        ('ports = "80"\n', "gogen.toml:1: ports = '80' should be a list"),
        ("profile = \n", "gogen.toml:1: not valid TOML"),
    ],
)
def test_bad_gogen_toml_is_exit_2_naming_the_key(tmp_path: Path, config: str, fragment: str) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "gogen.toml").write_text(config)
    result = gogen("init", repo)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert not (repo / "Dockerfile").exists()


def test_no_main_package_is_exit_2_saying_what_was_found(tmp_path: Path) -> None:
    result = gogen("init", copy_fixture("windows-only", tmp_path))
    assert result.returncode == 2
    assert "no main package to build into a Linux image" in result.stderr
    assert ". (app, windows only)" in result.stderr


def test_cgo_with_a_system_library_is_refused_on_scratch(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/img\n\ngo 1.22\n",
            "main.go": 'package main\n\n// #cgo pkg-config: libpng\nimport "C"\n\nfunc main() {}\n',
        },
    )
    result = gogen("init", "--profile", "scratch", tmp_path)
    assert result.returncode == 2
    assert "profile scratch needs a fully static binary, but cgo links libpng (main.go:3" in result.stderr
    assert "--profile debian" in result.stderr


def test_shell_metacharacters_never_reach_the_dockerfile(tmp_path: Path) -> None:
    repo = copy_fixture("hostile-names", tmp_path)
    result = gogen("init", repo)
    assert result.returncode == 0, result.stderr
    text = (repo / "Dockerfile").read_text()
    assert "./cmd/ok" in text
    for hostile in ("$(", "touch", ";b", "a;b"):
        assert hostile not in text
    assert "unsafe-name" in result.stderr
    refused = gogen("init", "--force", "--binary", "cmd/$(touch pwned)", repo)
    assert refused.returncode == 2
    assert "is not a plain relative path" in refused.stderr
    assert not (repo / "pwned").exists() and not Path("pwned").exists()


def test_unsafe_binary_name_from_goreleaser_is_not_used(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "main.go": MAIN,
            ".goreleaser.yaml": 'builds:\n  - main: .\n    binary: "x`id`"\n',
        },
    )
    result = gogen("init", tmp_path)
    assert result.returncode == 0
    assert "`id`" not in (tmp_path / "Dockerfile").read_text()
    assert "hint-ignored" in result.stderr


@pytest.mark.skipif(os.environ.get("GOGEN_SKIP_WHEEL") == "1", reason="GOGEN_SKIP_WHEEL=1")
def test_wheel_ships_the_templates(tmp_path: Path) -> None:
    """Build the wheel, install it in a fresh virtual environment, run `gogen init` there."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("gogen-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", wheel], check=True, capture_output=True)
    repo = copy_fixture("deps", tmp_path)
    result = gogen("init", repo, cwd=tmp_path, python=python)
    assert result.returncode == 0, result.stderr
    assert (repo / "Dockerfile").read_text() == (
        FIXTURES / "deps" / "expected" / "distroless-buildkit" / "Dockerfile"
    ).read_text()
    located = subprocess.run(
        [python, "-c", "import gogen.render as r; print(r.builtin_templates())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert str(venv) in located.stdout, "the installed gogen must use the templates inside the wheel"
