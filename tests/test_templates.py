"""Organisation templates and image policy: overlays, export, defaults, mirrors, pins, labels."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path

import pytest

from gogen import api
from gogen.images import newest_minor
from gogen.model import Plan
from gogen.profiles import PROFILE_NAMES
from tests.conftest import FIXTURES
from tests.golden import check_golden
from tests.repo_builder import copy_fixture, gogen

ACME = FIXTURES / "_orgs" / "acme"


def acme_overrides(**more: object) -> dict[str, object]:
    return {"templates": str(ACME / "templates"), "defaults": str(ACME / "defaults.toml"), "syntax": False, **more}


@pytest.mark.parametrize("case", ["deps", "multi-cmd", "cgo-sqlite"])
def test_acme_overlay_renders_as_expected(case: str, tmp_path: Path, update_golden: bool) -> None:
    repo = copy_fixture(case, tmp_path)
    _, _, files = api.rendered(repo, acme_overrides())
    check_golden(ACME / "expected" / case / "Dockerfile", files["Dockerfile"], update_golden)
    text = files["Dockerfile"]
    assert "COPY --from=build /out/acme-ca.crt /etc/ssl/certs/acme-ca.crt" in text
    assert 'com.acme.team="platform"' in text
    assert (
        f"FROM --platform=$BUILDPLATFORM mirror.acme.test/library/golang:1.{newest_minor()} AS build" in text
        or case == "cgo-sqlite"
    )


def test_an_unmodified_export_reproduces_the_built_in_output(tmp_path: Path) -> None:
    exported = tmp_path / "exported"
    result = gogen("templates", "export", exported)
    assert result.returncode == 0, result.stderr
    for case in ("deps", "multi-cmd", "cgo-internal", "workspace"):
        repo = copy_fixture(case, tmp_path / "a")
        for profile in PROFILE_NAMES:
            _, _, builtin = api.rendered(repo, {"profile": profile})
            _, _, overlaid = api.rendered(repo, {"profile": profile, "templates": str(exported)})
            assert overlaid == builtin, f"{case}/{profile}"
    assert gogen("templates", "export", exported).returncode == 2, "export never overwrites"


def test_templates_list_says_where_each_template_comes_from(tmp_path: Path) -> None:
    result = gogen("templates", "list", "--templates", ACME / "templates", FIXTURES / "deps" / "repo")
    assert result.returncode == 0
    lines = dict(line.split(maxsplit=1) for line in result.stdout.splitlines())
    assert lines["Dockerfile.j2"] == str(ACME / "templates" / "Dockerfile.j2")
    assert lines["profiles/scratch.j2"] == "built-in"


def test_init_records_the_template_directory_and_check_follows_it(tmp_path: Path) -> None:
    repo = copy_fixture("deps", tmp_path)
    shutil.copytree(ACME / "templates", repo / "ci" / "templates")
    assert gogen("init", "--templates", repo / "ci" / "templates", repo).returncode == 0
    assert 'templates = "ci/templates"' in (repo / "gogen.toml").read_text()
    assert "acme-ca.crt" in (repo / "Dockerfile").read_text()
    assert gogen("check", repo).returncode == 0


def test_environment_variables_select_templates_and_defaults(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    env = {"GOGEN_TEMPLATES": str(ACME / "templates"), "GOGEN_DEFAULTS": str(ACME / "defaults.toml")}
    result = gogen("init", repo, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    text = (repo / "Dockerfile").read_text()
    assert "mirror.acme.test/distroless/static-debian13:nonroot" in text
    assert "acme-ca.crt" in text


def test_gogen_toml_overrides_the_organisation_defaults(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "gogen.toml").write_text('profile = "alpine"\n\n[labels]\n"com.acme.team" = "payments"\n')
    _, plan, _ = api.rendered(repo, {"defaults": str(ACME / "defaults.toml")})
    assert plan.profile == "alpine"
    assert plan.runtime_image == "mirror.acme.test/library/alpine:3.22"
    assert dict(plan.labels)["com.acme.team"] == "payments"
    assert dict(plan.labels)["com.acme.cost-centre"] == "42"


def test_digest_pins_keep_the_tag_gogen_chose(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    digest = "sha256:" + "a" * 64
    golang = f"golang:1.{newest_minor()}"
    (repo / "gogen.toml").write_text(
        f'[images]\ngolang = "mirror.example/golang"\n\n[images.digests]\n"{golang}" = "{digest}"\n'
    )
    _, plan, _ = api.rendered(repo, {})
    assert plan.builder_image == f"mirror.example/{golang}@{digest}"
    builder = next(image for image in plan.images if image.ref == golang)
    assert (builder.pulled_from, builder.digest) == (f"mirror.example/{golang}", digest)
    assert plan.runtime_image == "gcr.io/distroless/static-debian13:nonroot"


def test_source_label_comes_from_a_forge_module_path(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "go.mod").write_text("module github.com/acme/hello/v2\n\ngo 1.22\n")
    _, plan, files = api.rendered(repo, {})
    assert dict(plan.labels)["org.opencontainers.image.source"] == "https://github.com/acme/hello"
    assert 'org.opencontainers.image.source="https://github.com/acme/hello"' in files["Dockerfile"]


def test_label_values_are_data(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "gogen.toml").write_text('[labels]\n"com.example.note" = "a \\"quoted\\" $HOME `x` \\\\ y"\n')
    _, _, files = api.rendered(repo, {})
    assert 'com.example.note="a \\"quoted\\" \\$HOME `x` \\\\ y"' in files["Dockerfile"]


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ('[images]\nubuntu = "x/y"\n', "unknown image 'ubuntu' in [images]"),
        ('[images]\ngolang = "Bad Name"\n', "images.golang = 'Bad Name' is not a repository name"),
        ('[images.digests]\n"golang:1.22" = "md5:1"\n', "is not sha256:<64 hex digits>"),
        ('[labels]\n"Bad Key" = "x"\n', "label key 'Bad Key' is not allowed"),
        ('packages = ["ok", "$(evil)"]\n', "package name '$(evil)' is not allowed"),
    ],
)
def test_bad_policy_values_are_exit_2(tmp_path: Path, config: str, fragment: str) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "gogen.toml").write_text(config)
    result = gogen("init", repo)
    assert result.returncode == 2
    assert fragment in result.stderr


@pytest.mark.parametrize(
    ("template", "fragment", "line"),
    [
        (
            '{% extends "gogen/Dockerfile.j2" %}\n{% block header %}\n# {{ plan.no_such_field }}\n{% endblock %}\n',
            "no_such_field",
            3,
        ),
        (
            '{% extends "gogen/Dockerfile.j2" %}\n{% block header %}\n{% if %}\n{% endblock %}\n',
            "template syntax error",
            3,
        ),
        (
            '{% extends "gogen/Dockerfile.j2" %}\n\n{% block no_such_block %}x{% endblock %}\n',
            "block 'no_such_block' does not exist",
            3,
        ),
    ],
)
def test_a_broken_overlay_names_its_file_and_line(tmp_path: Path, template: str, fragment: str, line: int) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "Dockerfile.j2").write_text(template)
    repo = copy_fixture("root-main", tmp_path)
    result = gogen("init", "--templates", overlay, repo)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{overlay / 'Dockerfile.j2'}:{line}:" in result.stderr
    assert fragment in result.stderr
    assert not (repo / "Dockerfile").exists()


def test_an_overlay_extending_a_missing_template_says_so(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "Dockerfile.j2").write_text('{% extends "gogen/nope.j2" %}\n')
    result = gogen("init", "--templates", overlay, copy_fixture("root-main", tmp_path))
    assert result.returncode == 2
    assert "template 'gogen/nope.j2' not found" in result.stderr


def test_the_template_documentation_covers_every_variable_and_block() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "templates.md").read_text()
    for field in dataclasses.fields(Plan):
        assert f"`plan.{field.name}`" in doc, field.name
    base = (Path(__file__).parent.parent / "templates" / "Dockerfile.j2").read_text()
    for block in re.findall(r"{% block (\w+)", base):
        assert f"| `{block}` |" in doc, block
