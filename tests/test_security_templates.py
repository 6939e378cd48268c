"""A repository nobody trusts, seen from the templates, the settings and the terminal.

Each test builds the hostile repository itself and runs gogen's command line as CI would on
a pull request from a fork: nothing named by the repository executes, nothing outside it is
read, and nothing it holds can drive the terminal.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from gogen import api
from gogen.errors import GogenError
from tests.conftest import FIXTURES
from tests.repo_builder import copy_fixture, gogen

ESCAPE = "\x1b]0;pwned\x07\x1b[31m"
SECRET = "TOP-SECRET-CONTENT-1234"


def _repo_with_overlay(tmp_path: Path, template: str, name: str = "Dockerfile.j2") -> Path:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "ci").mkdir()
    (repo / "ci" / name).write_text(template, encoding="utf-8")
    (repo / "gogen.toml").write_text('templates = "ci"\n', encoding="utf-8")
    return repo


@pytest.mark.parametrize(
    "command",
    [("check",), ("init", "--dry-run"), ("regen", "--dry-run"), ("readme",), ("context",), ("plan",)],
)
def test_a_template_named_by_the_repository_cannot_run_code(tmp_path: Path, command: tuple[str, ...]) -> None:
    proof = tmp_path / "pwned"
    exploit = f'{{{{ cycler.__init__.__globals__.os.system("touch {proof}") }}}}\n{{{{ marker }}}}\n'
    repo = _repo_with_overlay(tmp_path, exploit, "dockerignore.j2")
    result = gogen(*command, repo)
    assert not proof.exists(), "the template ran a shell command"
    if command != ("plan",):  # plan renders nothing
        assert result.returncode == 2, result.stdout + result.stderr
        assert "template refused by the sandbox" in result.stderr
        assert f"{repo / 'ci' / 'dockerignore.j2'}:1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_caller_chosen_overlay_is_sandboxed_too(tmp_path: Path) -> None:
    overlay = tmp_path / "org"
    overlay.mkdir()
    (overlay / "Dockerfile.j2").write_text("{{ plan.__class__.__mro__ }}\n{{ marker }}\n")
    result = gogen("init", "--templates", overlay, copy_fixture("root-main", tmp_path))
    assert result.returncode == 2
    assert "template refused by the sandbox" in result.stderr


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [('{{ "x" * 10**9 }}', "repetition is too long"), ("{{ 9 ** 9 ** 9 }}", "power is too large")],
)
def test_a_template_cannot_exhaust_memory(tmp_path: Path, expression: str, fragment: str) -> None:
    repo = _repo_with_overlay(tmp_path, f"{expression}\n{{{{ marker }}}}\n")
    result = gogen("check", repo)
    assert result.returncode == 2
    assert fragment in result.stderr


@pytest.mark.parametrize("value", ["/", "../x", "/etc", "ci/../../x", "C:\\\\templates", "nope"])
def test_the_repository_may_only_name_a_template_folder_inside_it(tmp_path: Path, value: str) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (tmp_path / "x").mkdir()
    (repo / "gogen.toml").write_text(f'# the organisation\'s folder\nprofile = "scratch"\ntemplates = "{value}"\n')
    for command in (("check",), ("init", "--dry-run"), ("templates", "list")):
        result = gogen(*command, repo)
        assert result.returncode == 2, (command, result.stdout)
        assert result.stderr.startswith("gogen: error: gogen.toml:3: templates = "), result.stderr
        assert "Traceback" not in result.stderr


def test_a_template_folder_that_is_a_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile.j2").write_text(f"{SECRET}\n{{{{ marker }}}}\n")
    repo = copy_fixture("root-main", tmp_path)
    (repo / "ci").symlink_to(outside, target_is_directory=True)
    (repo / "gogen.toml").write_text('templates = "ci"\n')
    result = gogen("init", repo)
    assert result.returncode == 2
    assert "leads out of the repository" in result.stderr
    assert not (repo / "Dockerfile").exists()


def test_a_template_file_that_is_a_symlink_out_of_the_repository_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{SECRET}\n{{{{ marker }}}}\n")
    repo = copy_fixture("root-main", tmp_path)
    (repo / "ci").mkdir()
    (repo / "ci" / "dockerignore.j2").symlink_to(secret)
    (repo / "gogen.toml").write_text('templates = "ci"\n')
    result = gogen("init", "--dry-run", "--diff", repo)
    assert result.returncode == 2
    assert "symbolic link that leads out of the repository" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_a_fifo_in_a_template_folder_does_not_hang(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "ci").mkdir()
    os.mkfifo(repo / "ci" / "Dockerfile.j2")
    (repo / "gogen.toml").write_text('templates = "ci"\n')
    result = gogen("check", repo)  # the fifo has no writer: opening it blocking would hang for ever
    assert result.returncode == 2
    assert "not a regular file" in result.stderr


@pytest.mark.parametrize(
    ("files", "fragment", "failing"),
    [
        ({"Dockerfile.j2": "FROM scratch\n"}, "has no `{{ marker }}` line", "Dockerfile.j2"),
        ({"Dockerfile.j2": '{% extends "Dockerfile.j2" %}\n'}, "extends itself", None),
        (
            {"Dockerfile.j2": '{% extends "b.j2" %}\n', "b.j2": '{% extends "Dockerfile.j2" %}\n'},
            "extends itself",
            None,
        ),
        ({"Dockerfile.j2": '{{ marker }}\n{% include "Dockerfile.j2" %}\n'}, "includes or extends itself", None),
        ({"Dockerfile.j2": b"{{ marker }}\n# caf\xe9\n"}, "not UTF-8 text", "Dockerfile.j2:2"),
    ],
)
def test_a_broken_overlay_is_one_line_error(
    tmp_path: Path, files: dict[str, str | bytes], fragment: str, failing: str | None
) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    for name, content in files.items():
        if isinstance(content, bytes):
            (overlay / name).write_bytes(content)
        else:
            (overlay / name).write_text(content)
    repo = copy_fixture("root-main", tmp_path)
    result = gogen("init", "--templates", overlay, repo)
    assert result.returncode == 2, result.stdout
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    if failing:
        assert str(overlay / failing) in result.stderr
    assert not (repo / "Dockerfile").exists()


def test_templates_export_into_a_file_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("mine\n")
    result = gogen("templates", "export", target)
    assert result.returncode == 2
    assert "is not a directory" in result.stderr
    assert target.read_text() == "mine\n"


def test_templates_export_over_a_profiles_file_checks_before_writing(tmp_path: Path) -> None:
    target = tmp_path / "export"
    target.mkdir()
    (target / "profiles").write_text("not a folder\n")
    result = gogen("templates", "export", target)
    assert result.returncode == 2
    assert f"{target / 'profiles'} exists and is not a directory" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["profiles"], "nothing half-exported"


def test_an_outside_template_folder_is_not_recorded_in_the_repository(tmp_path: Path) -> None:
    repo = copy_fixture("deps", tmp_path)
    acme = FIXTURES / "_orgs" / "acme" / "templates"
    result = gogen("init", "--templates", acme, repo)
    assert result.returncode == 0, result.stderr
    assert "acme-ca.crt" in (repo / "Dockerfile").read_text()
    assert "templates" not in (repo / "gogen.toml").read_text(), "the next run would refuse an outside folder"
    assert gogen("check", repo, env={**os.environ, "GOGEN_TEMPLATES": str(acme)}).returncode == 0


def test_a_defaults_file_names_templates_relative_to_itself(tmp_path: Path) -> None:
    org = tmp_path / "org"
    shutil.copytree(FIXTURES / "_orgs" / "acme", org)
    (org / "defaults.toml").write_text('templates = "templates"\n' + (org / "defaults.toml").read_text())
    repo = copy_fixture("deps", tmp_path)
    result = gogen("init", "--defaults", org / "defaults.toml", repo)
    assert result.returncode == 0, result.stderr
    assert "acme-ca.crt" in (repo / "Dockerfile").read_text()


def test_a_gogen_toml_symlinked_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text(f'{SECRET} = "x"\n')
    repo = copy_fixture("root-main", tmp_path)
    (repo / "gogen.toml").symlink_to(secret)
    result = gogen("plan", repo)
    assert result.returncode == 2
    assert "gogen.toml is a symbolic link that leads out of the repository" in result.stderr
    assert SECRET not in result.stderr


def test_a_dockerignore_symlinked_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(f"[{SECRET}\n")
    repo = copy_fixture("root-main", tmp_path)
    (repo / ".dockerignore").symlink_to(secret)
    result = gogen("context", repo)
    assert result.returncode == 2
    assert ".dockerignore is a symbolic link that leads out of the repository" in result.stderr
    assert SECRET not in result.stderr


def test_a_fifo_as_defaults_file_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "defaults.toml"
    os.mkfifo(fifo)
    result = gogen("plan", "--help")  # the command line itself works
    assert result.returncode == 0
    result = gogen("init", "--dry-run", "--defaults", fifo, copy_fixture("root-main", tmp_path))
    assert result.returncode == 2
    assert f"{fifo}: is not a regular file" in result.stderr


def test_a_byte_order_mark_in_gogen_toml_is_accepted(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "gogen.toml").write_bytes(b'\xef\xbb\xbfprofile = "alpine"\n')
    assert api.plan(repo, {})[1].profile == "alpine"


def test_a_bad_debian_release_names_gogen_toml(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "gogen.toml").write_text('debian_release = "7"\n')
    with pytest.raises(GogenError) as caught:
        api.plan(repo, {})
    assert str(caught.value).startswith("gogen.toml:1: unknown Debian release '7'")


def test_control_characters_in_scanned_names_are_escaped_everywhere(tmp_path: Path) -> None:
    repo = copy_fixture("multi-cmd", tmp_path)
    evil = repo / "cmd" / f"evil{ESCAPE}\u202e"
    evil.mkdir()
    shutil.copy(repo / "cmd" / "api" / "main.go", evil / "main.go")
    for command in (("scan",), ("explain",), ("plan",), ("init", "--dry-run", "--diff"), ("context",)):
        result = gogen(*command, repo)
        printed = result.stdout + result.stderr
        assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed, command
        assert "Traceback" not in printed
    scanned = gogen("scan", "--json", repo)
    dirs = [main["dir"] for main in json.loads(scanned.stdout)["mains"]]
    assert f"cmd/evil{ESCAPE}\u202e" in dirs, "JSON escapes the characters and keeps the name"
    assert "\x1b" not in scanned.stdout and "\u202e" not in scanned.stdout
    assert "evil\\x1b]0;pwned\\x07" in gogen("scan", repo).stdout


def test_a_gitignore_line_docker_cannot_read_is_a_warning_on_its_own_line(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / ".gitignore").write_text("# build output\nbin/\n[abc\n")
    result = gogen("init", repo)
    assert result.returncode == 0, result.stderr
    assert ".gitignore:3: not copied into .dockerignore: bad pattern '**/[abc'" in result.stdout + result.stderr
    written = (repo / ".dockerignore").read_text()
    assert "**/bin" in written and "[abc" not in written
    assert gogen("check", repo).returncode == 0
