"""The image table and the plan's decisions, stage by stage (no rendering)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from gogen import api
from gogen.images import golang_image, known_go_versions, newest_minor, table
from gogen.model import BinaryPlan
from gogen.plan import PlanError, plan
from gogen.render import environment, render
from gogen.settings import Options
from tests.conftest import FIXTURES
from tests.repo_builder import MAIN, write_repo

NEWEST = newest_minor()


def macros() -> Any:
    """templates/macros.j2 as a module: its macros and variables."""
    return environment(()).get_template("macros.j2").module


def test_every_go_version_in_the_table_has_both_golang_variants() -> None:
    versions = known_go_versions()
    assert "1.22" in versions and "1.22.0" in versions and "1.27.1" in versions
    for version in versions:
        for variant in ("debian", "alpine"):
            image = golang_image(version, variant)
            assert image.known, image.note
            assert image.ref == f"golang:{version}{'-alpine' if variant == 'alpine' else ''}"


@pytest.mark.parametrize(
    ("version", "fragment"),
    [
        ("1.99", "newer than gogen's image table"),
        ("1.22.99", "patches up to 1.22.12"),
        ("1.12", "predates"),
        ("1.23rc1", "pre-release"),
    ],
)
def test_versions_the_table_cannot_vouch_for_are_flagged(version: str, fragment: str) -> None:
    image = golang_image(version, "debian")
    assert not image.known
    assert fragment in image.note


def test_unknown_builder_image_is_a_plan_warning(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.99\n", "main.go": MAIN})
    the_plan = plan(api.scan(tmp_path), Options())
    assert the_plan.builder_image == "golang:1.99"
    assert [w.code for w in the_plan.warnings] == ["image-unknown"]


def test_runtime_images_default_to_debian_13() -> None:
    runtime = table()["runtime"]
    assert runtime["default_debian_release"] == "13"
    project = api.scan(FIXTURES / "root-main" / "repo")
    assert plan(project, Options()).runtime_image == "gcr.io/distroless/static-debian13:nonroot"
    assert plan(project, Options(profile="debian")).runtime_image == "debian:trixie-slim"
    assert plan(project, Options(debian_release="12")).runtime_image == "gcr.io/distroless/static-debian12:nonroot"


@pytest.mark.parametrize(
    ("profile", "mode", "builder", "runtime"),
    [
        ("distroless", "glibc", f"golang:1.{NEWEST}", "gcr.io/distroless/base-debian13:nonroot"),
        ("scratch", "musl-static", f"golang:1.{NEWEST}-alpine", "scratch"),
        ("alpine", "musl", f"golang:1.{NEWEST}-alpine", "alpine:3.22"),
        ("debian", "glibc", f"golang:1.{NEWEST}", "debian:trixie-slim"),
    ],
)
def test_cgo_per_profile(profile: str, mode: str, builder: str, runtime: str) -> None:
    the_plan = plan(api.scan(FIXTURES / "cgo-sqlite" / "repo"), Options(profile=profile))
    assert (the_plan.cgo, the_plan.cgo_mode, the_plan.builder_image, the_plan.runtime_image) == (
        True,
        mode,
        builder,
        runtime,
    )
    assert not the_plan.cross_compile
    if mode == "musl-static":
        assert "-linkmode external -extldflags '-static'" in the_plan.ldflags


def test_distroless_refuses_cgo_with_system_libraries(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "main.go": 'package main\n\n// #cgo LDFLAGS: -lpq -lm\nimport "C"\n\nfunc main() {}\n',
        },
    )
    with pytest.raises(PlanError, match="cannot provide the system libraries cgo links: pq"):
        plan(api.scan(tmp_path), Options())


def test_two_mains_with_the_same_binary_name_are_an_error(tmp_path: Path) -> None:
    write_repo(
        tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n", "cmd/api/main.go": MAIN, "internal/api/main.go": MAIN}
    )
    with pytest.raises(PlanError, match="would both build a binary called api"):
        plan(api.scan(tmp_path), Options())


def test_primary_is_the_root_package_else_the_first(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": MAIN, "cmd/a/main.go": MAIN})
    assert plan(api.scan(tmp_path), Options()).primary.dir == "."
    (tmp_path / "main.go").unlink()
    write_repo(tmp_path, {"cmd/b/main.go": MAIN})
    the_plan = plan(api.scan(tmp_path), Options())
    assert [b.dir for b in the_plan.binaries] == ["cmd/b", "cmd/a"]
    assert the_plan.decisions[1].reason.startswith("nothing the project says names its main image")
    assert [w.code for w in the_plan.warnings] == ["primary-guessed"]


def test_build_commands_one_binary_each() -> None:
    """The compile step's commands, as the template macro prints them from the plan's decisions."""
    base = plan(api.scan(FIXTURES / "root-main" / "repo"), Options())

    def commands(binary: BinaryPlan, flags: tuple[str, ...], ldflags: str, cross: bool) -> list[str]:
        the_plan = dataclasses.replace(
            base, build_flags=flags, ldflags=ldflags, cross_compile=cross, version_symbols=("main.version",)
        )
        return str(macros().build_commands(the_plan, binary)).split(" \\\n    && ")

    api_binary = BinaryPlan("shop-api", "cmd/api", "./cmd/api", "build-shop-api", "shop-api", (), False)
    assert commands(api_binary, ("-trimpath",), "-s -w", False) == [
        'go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/shop-api ./cmd/api'
    ]
    cross = commands(api_binary, (), "-s", True)
    assert cross[:2] == macros().cross_env
    assert cross[2:] == ['go build -ldflags="-s -X main.version=${VERSION}" -o /out/shop-api ./cmd/api']


def test_each_binary_compiles_in_its_own_stage() -> None:
    """Several binaries: one compile stage each, named apart from every final stage; one: `build`."""
    single = plan(api.scan(FIXTURES / "root-main" / "repo"), Options())
    assert [b.build_stage for b in single.binaries] == ["build"]
    multi = plan(api.scan(FIXTURES / "multi-cmd" / "repo"), Options())
    assert [(b.stage, b.build_stage) for b in multi.binaries] == [
        ("shop-api", "build-shop-api"),
        ("worker", "build-worker"),
        ("shop", "build-shop"),
    ]
    text = render(multi)["Dockerfile"]
    assert "FROM build AS build-worker\n" in text
    assert "COPY --from=build-worker /out/worker /usr/local/bin/worker\n" in text


def test_workspace_and_local_replace_module_files() -> None:
    local = plan(api.scan(FIXTURES / "local-replace" / "repo"), Options())
    assert local.module_files == ("go.mod", "third_party/util/go.mod")
    assert not local.download
    deps = plan(api.scan(FIXTURES / "deps" / "repo"), Options())
    assert deps.module_files == ("go.mod", "go.sum")
    assert deps.download
    vendored = plan(api.scan(FIXTURES / "vendored" / "repo"), Options())
    assert not vendored.download
    assert "-mod=vendor" in vendored.build_flags


def test_replace_outside_the_repository_is_refused_with_its_location(tmp_path: Path) -> None:
    write_repo(
        tmp_path / "repo",
        {"go.mod": "module a.com/x\n\ngo 1.22\n\nrequire a.com/y v0.0.0\n\nreplace a.com/y => ../y\n", "main.go": MAIN},
    )
    with pytest.raises(PlanError) as info:
        plan(api.scan(tmp_path / "repo"), Options())
    assert (info.value.file, info.value.line) == ("go.mod", 7)


def test_scratch_needs_come_from_the_scan() -> None:
    the_plan = plan(api.scan(FIXTURES / "deps" / "repo"), Options(profile="scratch"))
    assert the_plan.ca_certs
    assert "-tags=timetzdata" in the_plan.build_flags
    root = plan(api.scan(FIXTURES / "root-main" / "repo"), Options(profile="scratch"))
    assert not root.ca_certs
    assert not any(flag.startswith("-tags") for flag in root.build_flags)


def test_version_symbol_and_output_dirs_kept_when_needed(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "bin/tool/main.go": 'package main\n\nvar Version = "dev"\n\nfunc main() {}\n',
        },
    )
    the_plan = plan(api.scan(tmp_path), Options())
    assert the_plan.version_symbols == ("main.Version",)
    lines = [line for section in the_plan.dockerignore for line in section.lines]
    assert "bin" not in lines
    assert "dist" in lines
    assert "# bin (gogen's defaults) is not excluded: the build reads bin/tool/main.go" in lines


def test_plan_is_json_serialisable_and_deterministic() -> None:
    project = api.scan(FIXTURES / "multi-cmd" / "repo")
    assert api.to_json(plan(project, Options())) == api.to_json(plan(project, Options()))
