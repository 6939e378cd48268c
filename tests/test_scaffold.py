"""Scaffolding a Go service from the organisation templates in examples/, with the real copier
and cookiecutter: their task and hook write gogen's files through gogen.api, and the new
repository is current (`gogen check`), names the service's binary and port, records the
choices in gogen.toml, and builds with the Go toolchain.

The Go build needs the toolchain (scripts/install-go.sh); without it that test is skipped,
except in CI (CI=true), where a missing toolchain is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import copier
import pytest
from copier.errors import UnsafeTemplateError

from tests.conftest import ROOT

COPIER_TEMPLATE = ROOT / "examples" / "copier-go-service"
COOKIECUTTER_TEMPLATE = ROOT / "examples" / "cookiecutter-go-service"
OVERLAY_LINE = "# The organisation's layer: gogen.toml's [labels] and this overlay (.gogen/templates)."
GO = os.environ.get("GO", "/usr/lib/go-1.23/bin/go")


def scaffold_with_copier(destination: Path, **answers: object) -> Path:
    """A service scaffolded by copier's Python API from examples/copier-go-service (its task trusted)."""
    copier.run_copy(str(COPIER_TEMPLATE), str(destination), data=answers, defaults=True, unsafe=True, quiet=True)
    return destination


def scaffold_with_cookiecutter(output: Path, **answers: str) -> Path:
    """A service scaffolded by cookiecutter's command line from examples/cookiecutter-go-service
    (its replay file kept in `output`, not in the home folder)."""
    config = output / "cookiecutter-config.yaml"
    config.write_text(f"replay_dir: {output / 'replay'}\ncookiecutters_dir: {output / 'cookiecutters'}\n")
    extra = [f"{key}={value}" for key, value in answers.items()]
    argv = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output), str(COOKIECUTTER_TEMPLATE), *extra]
    env = {**os.environ, "COOKIECUTTER_CONFIG": str(config)}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return output / answers.get("service_name", "hello")


def gogen_check(repo: Path) -> subprocess.CompletedProcess[str]:
    """Plain `gogen check` in the new repository, as its README says to run it (and CI does)."""
    return subprocess.run(
        [sys.executable, "-m", "gogen", "check"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def settings(repo: Path) -> dict[str, object]:
    return tomllib.loads((repo / "gogen.toml").read_text())


def assert_http_service(repo: Path, name: str, port: int, team: str) -> None:
    """What every scaffolded HTTP service holds: current files, its binary, its port, the organisation's layer."""
    check = gogen_check(repo)
    assert check.returncode == 0, check.stdout + check.stderr
    dockerfile = (repo / "Dockerfile").read_text()
    assert f"-o /out/{name} ./cmd/{name}" in dockerfile
    assert f'ENTRYPOINT ["/usr/local/bin/{name}"]' in dockerfile
    assert f"EXPOSE {port}\n" in dockerfile
    assert f'com.example.team="{team}"' in dockerfile
    assert OVERLAY_LINE in dockerfile
    assert (repo / ".dockerignore").is_file()
    recorded = settings(repo)
    assert (recorded["profile"], recorded["ports"], recorded["templates"]) == ("distroless", [port], ".gogen/templates")
    labels = recorded["labels"]
    assert isinstance(labels, dict) and labels["com.example.team"] == team
    assert labels["com.example.scaffold"] in ("copier-go-service", "cookiecutter-go-service")
    assert "# Labels every image of the service carries." in (repo / "gogen.toml").read_text(), "comments kept"
    assert f'":{port}"' in (repo / "cmd" / name / "main.go").read_text()


def test_copier_scaffolds_an_http_service_gogen_keeps_current(tmp_path: Path) -> None:
    repo = scaffold_with_copier(tmp_path / "payments-api", port=9090, team="payments")
    assert_http_service(repo, "payments-api", 9090, "payments")
    assert (repo / "go.mod").read_text() == "module example.com/payments-api\n\ngo 1.22\n"
    answers = (repo / ".copier-answers.yml").read_text()
    assert "service_name: payments-api" in answers
    assert "port: 9090" in answers


def test_copier_scaffolds_a_command_on_another_profile(tmp_path: Path) -> None:
    repo = scaffold_with_copier(
        tmp_path / "nightly", http=False, profile="alpine", module_path="example.com/ops/nightly"
    )
    check = gogen_check(repo)
    assert check.returncode == 0, check.stdout + check.stderr
    dockerfile = (repo / "Dockerfile").read_text()
    assert "EXPOSE" not in dockerfile
    assert 'ENTRYPOINT ["/usr/local/bin/nightly"]' in dockerfile
    assert "FROM alpine:" in dockerfile
    recorded = settings(repo)
    assert (recorded["profile"], recorded["ports"]) == ("alpine", [])
    assert 'fmt.Println("nightly ok")' in (repo / "cmd" / "nightly" / "main.go").read_text()
    assert (repo / "go.mod").read_text().startswith("module example.com/ops/nightly\n")


def test_copier_runs_the_gogen_task_only_when_trusted(tmp_path: Path) -> None:
    with pytest.raises(UnsafeTemplateError):
        copier.run_copy(str(COPIER_TEMPLATE), str(tmp_path / "svc"), defaults=True, quiet=True)
    assert not (tmp_path / "svc" / "Dockerfile").exists()


def test_copier_refuses_a_service_name_that_is_no_binary_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="service_name"):
        scaffold_with_copier(tmp_path / "svc", service_name="Payments API")


def test_the_readme_command_scaffolds_from_the_checkout(tmp_path: Path) -> None:
    """README's "Use in a template" command (with --defaults, as there is no one to answer), from the checkout."""
    repo = tmp_path / "my-service"
    result = subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "examples/copier-go-service", str(repo)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gogen: created   Dockerfile" in result.stdout
    assert_http_service(repo, "my-service", 8080, "platform")


def test_cookiecutter_scaffolds_the_same_service(tmp_path: Path) -> None:
    repo = scaffold_with_cookiecutter(tmp_path, service_name="ledger", port="9191", team="finance")
    assert_http_service(repo, "ledger", 9191, "finance")
    overlay = (repo / ".gogen" / "templates" / "Dockerfile.j2").read_text()
    assert "{{ super() }}" in overlay, "the overlay is gogen's Jinja: cookiecutter copies it unrendered"


def go_toolchain() -> str:
    """The Go command; without one, a skip (a failure in CI)."""
    if Path(GO).exists():
        return GO
    found = shutil.which("go")
    if found is not None:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"no Go toolchain at {GO} in CI: scripts/install-go.sh should have installed it")
    pytest.skip(f"no Go toolchain at {GO}; run scripts/install-go.sh")


def go(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The go command in `repo`, offline: the service has no requirements and go.mod's release is local."""
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": ""}
    return subprocess.run([go_toolchain(), *args], cwd=repo, env=env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("http", [True, False])
@pytest.mark.parametrize("tool", ["copier", "cookiecutter"])
def test_the_scaffolded_service_builds_vets_and_is_gofmt_clean(tool: str, http: bool, tmp_path: Path) -> None:
    go_toolchain()
    if tool == "copier":
        repo = scaffold_with_copier(tmp_path / "svc", http=http)
    else:
        repo = scaffold_with_cookiecutter(tmp_path, service_name="svc", http=str(http).lower())
    for args in (["build", "./..."], ["vet", "./..."]):
        result = go(repo, *args)
        assert result.returncode == 0, f"go {' '.join(args)}: {result.stdout}{result.stderr}"
    gofmt = subprocess.run(
        [str(Path(go_toolchain()).with_name("gofmt")), "-l", "."], cwd=repo, capture_output=True, text=True, check=True
    )
    assert gofmt.stdout == ""
