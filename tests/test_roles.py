"""Roles and the primary from evidence the project gives (issue 16), decided on real scans."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gogen import api
from gogen.model import BuildTarget, DockerfileHint, Evidence, Hints, Project
from gogen.plan import PlanError, plan
from gogen.scan.roles import ProjectEvidence, decide_role, is_generator_name
from gogen.settings import Options
from tests.repo_builder import MAIN, gogen, write_repo

GO_MOD = "module example.com/shop\n\ngo 1.22\n"


def _roles(project: Project) -> dict[str, tuple[str, bool]]:
    return {m.dir: (m.role, m.default) for m in project.mains}


def _build(source: str, dir: str, name: str | None = None, *, skip: bool = False, line: int = 3) -> BuildTarget:
    return BuildTarget(source, dir, name, (), None, skip, Evidence(f"{source}-file", line, f"builds {dir}"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("dir", "role"),
    [
        ("tools/benchmark", "tool"),
        ("hack/release-notes", "tool"),
        ("internal/cmd/weave", "tool"),
        ("internal/tools/lint", "tool"),
        ("scripts/bump", "tool"),
        ("bench/load", "tool"),
        ("tests/cmd/recvtty", "test-fixture"),
        ("test/integration/fake", "test-fixture"),
        ("e2e/runner", "test-fixture"),
        ("contrib/lock/client", "example"),
        ("examples/hello", "example"),
        ("_examples/basic", "example"),
        ("demo/server", "example"),
        ("docs/tool", "generator"),
        ("cmd/gen-docs", "generator"),
        ("cmd/docgen", "generator"),
        ("cmd/protoc-gen-shop", "app"),
        ("cmd/gen_functions_docs", "generator"),
        ("cmd/tools", "app"),
        ("cmd/test", "app"),
        ("cmd/shop", "app"),
        ("server", "app"),
    ],
)
def test_folder_and_name_conventions_give_roles(tmp_path: Path, dir: str, role: str) -> None:
    write_repo(tmp_path, {"go.mod": GO_MOD, f"{dir}/main.go": MAIN})
    main = api.scan(tmp_path).mains[0]
    assert (main.role, main.default) == (role, role == "app")
    assert main.role_reason
    if role != "app":
        assert main.role_evidence[0].file == dir


def test_a_docs_generator_is_found_by_its_import(tmp_path: Path) -> None:
    docs = 'package main\n\nimport "github.com/spf13/cobra/doc"\n\nfunc main() { _ = doc.GenMarkdownTree }\n'
    write_repo(tmp_path, {"go.mod": GO_MOD, "cmd/shop/main.go": MAIN, "cmd/help/main.go": docs})
    roles = _roles(api.scan(tmp_path))
    assert roles == {"cmd/shop": ("app", True), "cmd/help": ("generator", False)}
    help_main = next(m for m in api.scan(tmp_path).mains if m.dir == "cmd/help")
    assert "cobra/doc" in help_main.role_reason


def test_generator_names() -> None:
    assert all(map(is_generator_name, ["gen", "gen-docs", "gendocs", "mkdocs", "x_gen", "gen_functions_list"]))
    assert not any(
        map(is_generator_name, ["general", "genesis", "agent", "generic", "oxygen", "shop", "protoc-gen-shop"])
    )


def test_the_release_configuration_outweighs_folders_and_lists_what_ships() -> None:
    evidence = ProjectEvidence((_build("goreleaser", "tools/shipit"), _build("goreleaser", "cmd/gh")))
    assert decide_role("tools/shipit", "shipit", [], [evidence.builds[0]], evidence).role == "app"
    unlisted = decide_role("cmd/other", "other", [], [], evidence)
    assert unlisted.role == "tool"
    assert unlisted.reason == "not released: goreleaser-file builds tools/shipit, cmd/gh"
    assert unlisted.evidence == (evidence.builds[0].evidence,)


def test_a_build_script_does_not_outweigh_a_test_folder() -> None:
    builds = (_build("makefile", "tests/cmd/helper"), _build("makefile", "cmd/runc"))
    evidence = ProjectEvidence(builds)
    assert decide_role("tests/cmd/helper", "helper", [], [builds[0]], evidence).role == "test-fixture"
    decided = decide_role("cmd/runc", "runc", [], [builds[1]], evidence)
    assert (decided.role, decided.reason) == ("app", "built by the project's makefile")


def test_a_skipped_release_build_and_a_dockerfile_entrypoint() -> None:
    skipped = _build("goreleaser", "cmd/old", skip=True)
    evidence = ProjectEvidence((skipped,), entrypoints={"etcd": Evidence("Dockerfile", 9, 'ENTRYPOINT ["/etcd"]')})
    assert decide_role("cmd/old", "old", [], [skipped], evidence).role == "tool"
    decided = decide_role("server", "etcd", [], [], evidence)
    assert (decided.role, decided.evidence[0].file) == ("app", "Dockerfile")


def _project_with(tmp_path: Path, dirs: list[str], hints: Hints) -> Project:
    write_repo(tmp_path, {"go.mod": GO_MOD, **{f"{d}/main.go": MAIN for d in dirs}})
    return dataclasses.replace(api.scan(tmp_path), hints=hints)


def test_the_primary_is_the_release_configurations_first_build(tmp_path: Path) -> None:
    hints = Hints(builds=(_build("goreleaser", "cmd/worker"), _build("goreleaser", "cmd/shop")))
    the_plan = plan(_project_with(tmp_path, ["cmd/shop", "cmd/worker"], hints), Options())
    assert the_plan.primary.dir == "cmd/worker"
    primary = next(d for d in the_plan.decisions if d.topic == "primary")
    assert primary.reason.startswith("the first build of the release configuration (goreleaser-file:3)")


def test_the_primary_is_what_the_dockerfile_runs(tmp_path: Path) -> None:
    dockerfile = DockerfileHint(
        "Dockerfile",
        ("/bin/worker",),
        Evidence("Dockerfile", 7, 'ENTRYPOINT ["/bin/worker"]'),
        "worker",
        (),
        None,
        None,
    )
    the_plan = plan(
        _project_with(tmp_path, ["cmd/shop", "cmd/worker", "cmd/api"], Hints(dockerfiles=(dockerfile,))), Options()
    )
    assert the_plan.primary.dir == "cmd/worker"
    assert not [w for w in the_plan.warnings if w.code == "primary-guessed"]


def test_a_guessed_primary_is_said_with_the_flag_to_change_it(tmp_path: Path) -> None:
    hints = Hints(builds=(_build("makefile", "cmd/b"), _build("script", "cmd/b"), _build("makefile", "cmd/a")))
    the_plan = plan(_project_with(tmp_path, ["cmd/a", "cmd/b"], hints), Options())
    assert the_plan.primary.dir == "cmd/b"  # the most evidence
    (warning,) = [w for w in the_plan.warnings if w.code == "primary-guessed"]
    assert "--primary" in warning.message


def test_a_name_collision_between_two_mains_is_an_error_naming_both(tmp_path: Path) -> None:
    hints = Hints(builds=(_build("makefile", "cmd/a", "shop"), _build("makefile", "cmd/b", "shop")))
    write_repo(tmp_path, {"go.mod": GO_MOD, "cmd/a/main.go": MAIN, "cmd/b/main.go": MAIN})
    project = api.scan(tmp_path)
    renamed = dataclasses.replace(
        project, hints=hints, mains=tuple(dataclasses.replace(m, binary="shop") for m in project.mains)
    )
    with pytest.raises(PlanError, match="cmd/a and cmd/b would both build a binary called shop"):
        plan(renamed, Options())


def test_build_tags_select_files_and_reach_the_build(tmp_path: Path) -> None:
    extended = '//go:build extended\n\npackage main\n\n// #include <stdio.h>\nimport "C"\n'
    write_repo(tmp_path, {"go.mod": GO_MOD, "main.go": MAIN, "extended.go": extended})
    _, plain = api.plan(tmp_path, {})
    assert not plain.cgo
    project, tagged = api.plan(tmp_path, {"tags": ["extended"]})
    assert tagged.cgo and project.mains[0].cgo.required
    assert "-tags=extended" in tagged.build_flags
    assert any(d.topic == "build tags" and d.choice == "extended" for d in tagged.decisions)


def test_a_platform_only_main_gets_advice_that_can_be_followed(tmp_path: Path) -> None:
    windows = "//go:build windows\n\n" + MAIN
    write_repo(tmp_path, {"go.mod": GO_MOD, "main.go": windows, "tools/x/main.go": MAIN})
    with pytest.raises(PlanError) as raised:
        plan(api.scan(tmp_path), Options())
    assert "--binary tools/x" in str(raised.value.hint)


def test_a_main_run_by_go_generate_is_a_generator(tmp_path: Path) -> None:
    runner = "package warpc\n\n//go:generate go run ./genjs\n//go:generate go run example.com/shop/tools/stamp\n"
    write_repo(
        tmp_path,
        {
            "go.mod": GO_MOD,
            "main.go": "package main\n\n//go:generate go run gen.go\n\nfunc main() {}\n",
            "internal/warpc/warpc.go": runner,
            "internal/warpc/genjs/main.go": MAIN,
            "stamp/main.go": MAIN,
            "tools/stamp/main.go": MAIN,
        },
    )
    project = api.scan(tmp_path)
    assert _roles(project) == {
        ".": ("app", True),
        "stamp": ("app", True),
        "internal/warpc/genjs": ("generator", False),
        "tools/stamp": ("generator", False),
    }
    genjs = next(m for m in project.mains if m.dir == "internal/warpc/genjs")
    assert genjs.role_evidence == (Evidence("internal/warpc/warpc.go", 3, "//go:generate go run ./genjs"),)


def test_a_binary_that_is_no_main_is_blamed_on_where_it_was_set(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": GO_MOD, "cmd/shop/main.go": MAIN})
    result = gogen("init", "--dry-run", "--binary", "cmd/nope", tmp_path)
    assert (result.returncode, "--binary: binary cmd/nope: no main package there" in result.stderr) == (2, True)
    (tmp_path / "gogen.toml").write_text('profile = "distroless"\nbinaries = ["cmd/nope"]\n')
    result = gogen("init", "--dry-run", tmp_path)
    assert (result.returncode, "gogen.toml:2: binary cmd/nope: no main package there" in result.stderr) == (2, True)
    (tmp_path / "gogen.toml").write_text('primary = "cmd/other"\n')
    result = gogen("init", "--dry-run", tmp_path)
    assert "gogen.toml:1: primary cmd/other is not among the binaries built" in result.stderr


def test_a_dev_tool_or_a_generator_can_still_be_built_with_binary(tmp_path: Path) -> None:
    ignored = "//go:build ignore\n\npackage main\n\nfunc main() {}\n"
    write_repo(
        tmp_path,
        {"go.mod": GO_MOD, "cmd/shop/main.go": MAIN, "tools/bench/main.go": MAIN, "cmd/gen-docs/main.go": MAIN,
         "cmd/gen-docs/extra.go": ignored},
    )  # fmt: skip
    _, the_plan = api.plan(tmp_path, {"binaries": ["cmd/shop", "tools/bench", "cmd/gen-docs"]})
    assert [(b.dir, b.name) for b in the_plan.binaries] == [
        ("tools/bench", "bench"),
        ("cmd/gen-docs", "gen-docs"),
        ("cmd/shop", "shop"),
    ]
    programs = [m for m in api.scan(tmp_path).mains if m.program_file is not None]
    assert [(m.dir, m.binary, m.program_file) for m in programs] == [("cmd/gen-docs", "extra", "cmd/gen-docs/extra.go")]
