"""BuildKit's own build checks (`docker buildx build --check`) on every golden Dockerfile.

The lab's BuildKit evaluates each Dockerfile of the golden set in its fixture's repository,
with the golden .dockerignore (so the checks that compare COPY sources with it see the real
context), and with every rule on, the experimental ones included
(`BUILDKIT_DOCKERFILE_CHECK=experimental=all`). The answer must be no finding at all.

The golden files start with `# syntax=docker/dockerfile:1`, which makes BuildKit pull the
frontend image: the lab has no registry, so the line is left out here and the engine's
built-in frontend runs the checks.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, fixture_cases
from tests.e2e.lab import Lab, find_lab

SYNTAX_PREFIX = "# syntax="


@pytest.fixture(scope="session")
def lab() -> Lab:
    return find_lab()


def _golden_dockerfiles(case: str) -> list[Path]:
    return sorted((FIXTURES / case / "expected").glob("*/Dockerfile"))


CASES = [case for case in fixture_cases() if _golden_dockerfiles(case)]


def _findings(lab: Lab, repo: Path, dockerfile: Path) -> str:
    """What `--check` reports for `dockerfile` in `repo`; empty when it finds nothing."""
    result = lab.docker_run(
        "buildx",
        "build",
        "--check",
        "--progress=quiet",
        "--build-arg",
        "BUILDKIT_DOCKERFILE_CHECK=experimental=all",
        "-f",
        str(dockerfile),
        str(repo),
        timeout=120,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode == 0 and "WARNING" not in output:
        return ""
    return output or f"exit {result.returncode} with no output"


@pytest.mark.parametrize("case", CASES)
def test_build_checks_find_nothing(lab: Lab, case: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / case / "repo", repo)
    shutil.copyfile(FIXTURES / case / "expected" / ".dockerignore", repo / ".dockerignore")
    checked: dict[str, Path] = {}
    for golden in _golden_dockerfiles(case):
        lines = golden.read_text().splitlines(keepends=True)
        assert lines[0].startswith(SYNTAX_PREFIX), f"{golden}: the golden set renders the syntax line"
        combination = golden.parent.name
        target = tmp_path / f"{combination}.Dockerfile"
        target.write_text("".join(lines[1:]))
        checked[combination] = target
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = dict(zip(checked, pool.map(lambda path: _findings(lab, repo, path), checked.values()), strict=True))
    findings = {combination: output for combination, output in outputs.items() if output}
    assert findings == {}, "\n\n".join(f"{case}/{name}:\n{output}" for name, output in findings.items())


def test_call_targets_lists_each_stage_with_its_description(lab: Lab, tmp_path: Path) -> None:
    """The stage comments follow BuildKit's `# <stage> <description>` form: `--call=targets`
    shows a user which target builds which binary."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "multi-cmd" / "repo", repo)
    golden = FIXTURES / "multi-cmd" / "expected" / "distroless-buildkit" / "Dockerfile"
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("".join(golden.read_text().splitlines(keepends=True)[1:]))
    listed = lab.docker_run("buildx", "build", "--call=targets", "--progress=quiet", "-f", str(dockerfile), str(repo))
    lines = [line for line in listed.stdout.splitlines() if line.strip()]
    assert lines[0].split() == ["TARGET", "DESCRIPTION"], listed.stdout
    rows = {line.split()[0]: line for line in lines[1:]}
    assert list(rows) == [
        "build",
        "build-shop-api",
        "build-worker",
        "build-shop",
        "runtime",
        "shop-api",
        "worker",
        "shop",
    ]
    assert "(default)" in rows["shop"] and "is the shop image" in rows["shop"]
    assert "compiles worker (./cmd/worker)" in rows["build-worker"]
