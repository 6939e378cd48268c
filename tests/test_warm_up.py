"""The warm-up step's package list (gogen/plan/warm.py): what compiles before the sources."""

from __future__ import annotations

from pathlib import Path

from gogen import api
from gogen.plan import plan
from gogen.render import render
from gogen.settings import Options
from tests.conftest import FIXTURES
from tests.repo_builder import write_repo


def _plan(path: Path, **settings: object) -> tuple[str, ...]:
    return plan(api.scan(path), Options(**settings)).warm_packages  # type: ignore[arg-type]


def test_layers_warms_what_the_primary_imports_std_and_modules() -> None:
    assert _plan(FIXTURES / "deps" / "repo", strategy="layers") == (
        "example.com/greet",
        "example.com/rand2",
        "flag",
        "fmt",
        "log",
        "net/http",
        "os",
        "time",
    )


def test_buildkit_warms_only_for_several_binaries() -> None:
    assert _plan(FIXTURES / "deps" / "repo", strategy="buildkit") == ()
    project = api.scan(FIXTURES / "multi-cmd" / "repo")
    primary = next(m for m in project.mains if m.binary == "shop")
    assert _plan(FIXTURES / "multi-cmd" / "repo", strategy="buildkit") == primary.imports


def test_vendored_modules_compile_with_the_sources() -> None:
    assert _plan(FIXTURES / "vendored" / "repo", strategy="layers") == ()
    explained = plan(api.scan(FIXTURES / "vendored" / "repo"), Options(strategy="layers")).decisions
    assert any(d.topic == "warm-up" and "vendor/" in d.reason for d in explained)


def test_modules_of_the_repository_are_not_warmed() -> None:
    for case in ("local-replace", "workspace"):
        project = api.scan(FIXTURES / case / "repo")
        inside = [m.path for m in project.modules] + [r.module for m in project.modules for r in m.local_replaces]
        packages = _plan(FIXTURES / case / "repo", strategy="layers")
        assert packages, case
        assert not [p for p in packages if any(p == m or p.startswith(m + "/") for m in inside)]


def test_hostile_import_paths_never_reach_the_dockerfile(tmp_path: Path) -> None:
    hostile = ["-toolexec=/bin/sh", "a.b/$(touch x)", "a.b/x;rm", "a.b/../../etc", "a.b//c", "a.b/`id`"]
    imports = "\n".join(f"\t_ {p!r}".replace("'", '"') for p in hostile)
    repo = write_repo(
        tmp_path / "r",
        {
            "go.mod": "module example.com/r\n\ngo 1.22\n\nrequire a.b v1.0.0\n",
            "main.go": f'package main\n\nimport (\n\t"fmt"\n\t"a.b/ok"\n{imports}\n)\n\nfunc main() {{}}\n',
        },
    )
    the_plan = plan(api.scan(repo), Options(strategy="layers"))
    assert the_plan.warm_packages == ("a.b/ok", "fmt")
    dockerfile = render(the_plan)["Dockerfile"]
    for path in hostile:
        assert path not in dockerfile


def test_the_warm_up_comes_after_the_download_and_before_the_sources() -> None:
    text = render(plan(api.scan(FIXTURES / "deps" / "repo"), Options(strategy="layers")))["Dockerfile"]
    lines = text.splitlines()
    download = lines.index("RUN go mod download")
    warm = next(i for i, line in enumerate(lines) if line.endswith("go build -trimpath -buildvcs=false \\"))
    sources = lines.index("COPY . .")
    assert download < warm < sources
    assert lines[warm + 1] == "       example.com/greet example.com/rand2 flag fmt log net/http os time \\"


def test_a_long_list_wraps_between_packages_never_inside_one(tmp_path: Path) -> None:
    packages = [f"example.com/very-long-module-name-{i}/pkg" for i in range(30)]
    imports = "\n".join(f'\t_ "{p}"' for p in packages)
    repo = write_repo(
        tmp_path / "r",
        {
            "go.mod": "module example.com/r\n\ngo 1.22\n",
            "main.go": f"package main\n\nimport (\n{imports}\n)\n\nfunc main() {{}}\n",
        },
    )
    text = render(plan(api.scan(repo), Options(strategy="layers")))["Dockerfile"]
    listed = [line for line in text.splitlines() if line.startswith("       ")]
    assert len(listed) > 5 and all(len(line) <= 112 for line in listed)
    words = " ".join(line.removesuffix(" \\").strip() for line in listed).split()
    assert words == sorted(packages)
