"""The command line as a user runs it: output, exit codes, one-line errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES
from tests.repo_builder import MAIN, write_repo


def run(*args: str | Path, cwd: Path | None = None, env_columns: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(env_columns)} if env_columns else None
    return subprocess.run(
        [sys.executable, "-m", "gogen", *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False, env=env
    )


def test_scan_json_is_the_contract() -> None:
    result = run("scan", "--json", FIXTURES / "multi-cmd" / "repo")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("go_version", "modules", "workspace", "vendor", "mains", "warnings"):
        assert key in data
    api = next(m for m in data["mains"] if m["dir"] == "cmd/api")
    assert api["binary"] == "shop-api"
    assert api["ports"][0]["port"] == 8080
    assert set(api["cgo"]) >= {"required", "evidence"}


def test_scan_summary_shows_evidence() -> None:
    result = run("scan", FIXTURES / "cgo-internal" / "repo")
    assert result.returncode == 0
    assert "cgo required" in result.stdout
    assert 'internal/native/native.go:10: import "C"' in result.stdout


def test_scan_defaults_to_the_current_directory() -> None:
    result = run("scan", "--json", cwd=FIXTURES / "root-main" / "repo")
    assert result.returncode == 0
    assert json.loads(result.stdout)["mains"][0]["binary"] == "hello"


def test_missing_go_mod_is_one_line_exit_2(tmp_path: Path) -> None:
    write_repo(tmp_path, {"main.go": MAIN})
    result = run("scan", tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "no go.mod or go.work" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_go_mod_names_file_and_line(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\ngo 1.2x\n", "main.go": MAIN})
    result = run("scan", "--json", tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("gogen: error: go.mod:2: invalid go version '1.2x'")
    assert result.stdout == ""


def test_unknown_command_is_a_usage_error() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_version_command() -> None:
    result = run("version")
    assert result.returncode == 0
    assert result.stdout.startswith("gogen ")


def test_init_and_regen_offer_every_setting_flag_with_a_metavar() -> None:
    for command in ("init", "regen"):
        result = run(command, "--help", env_columns=200)
        assert result.returncode == 0, result.stderr
        for flag in (
            "--profile", "PROFILE", "--strategy", "STRATEGY", "--binary", "DIR", "--primary", "--port", "PORT",
            "--syntax", "--no-syntax", "--templates", "--defaults", "FILE", "--platform", "PLATFORM", "--private",
            "PATTERN", "--compose", "--no-compose", "--docker-readme", "--no-docker-readme", "--dry-run", "--force",
        ):  # fmt: skip
            assert flag in result.stdout, (command, flag)
    assert "--diff" in run("init", "--help", env_columns=200).stdout
    assert "--no-diff" in run("regen", "--help", env_columns=200).stdout


def test_a_bad_flag_value_names_the_flag(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": MAIN})
    result = run("init", "--dry-run", "--port", "8080", "--port", "70000", tmp_path)
    assert result.returncode == 2
    assert result.stderr == "gogen: error: --port: port 70000 is out of range (use 1-65535)\n"
    result = run("init", "--dry-run", "--platform", "linux/sparc", tmp_path)
    assert result.stderr.startswith("gogen: error: --platform: platform 'linux/sparc'")


def test_repeatable_and_negatable_flags_reach_gogen_toml(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": MAIN})
    args = ("--port", "8080", "--port", "9090", "--no-syntax", "--compose", "--platform", "linux/arm64")
    result = run("init", *args, "--private", "a.com/*", "--strategy", "layers", tmp_path)
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "gogen.toml").read_text()
    for line in (
        'strategy = "layers"', "ports = [8080, 9090]", "syntax = false", "compose = true",
        'platforms = ["linux/arm64"]', 'private = ["a.com/*"]',
    ):  # fmt: skip
        assert line in config, line
    result = run("regen", "--no-compose", "--docker-readme", tmp_path)
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "gogen.toml").read_text()
    assert "compose = false" in config and "docker_readme = true" in config
    assert (tmp_path / "README.Docker.md").is_file()
