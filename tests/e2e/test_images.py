"""Every generated Dockerfile is built and run by a real Docker engine (the test lab).

Each image must build, run and do its job (print what the fixture says, or answer HTTP on
127.0.0.1), run as 65532:65532, and hold no Go toolchain. With the buildkit strategy, a
source edit must cost no module download, and a new requirement must fetch only itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path
from typing import Any

import pytest

from gogen import api
from gogen.errors import GogenError
from gogen.images import newest_minor
from gogen.profiles import PROFILE_NAMES, STRATEGY_NAMES
from tests.conftest import FIXTURES, fixture_cases
from tests.e2e.gosum import go_sum_lines
from tests.e2e.lab import Lab, find_lab


@pytest.fixture(scope="session")
def lab() -> Lab:
    return find_lab()


def fixture_info(case: str) -> dict[str, Any]:
    return tomllib.loads((FIXTURES / case / "fixture.toml").read_text())


BUILDABLE = [c for c in fixture_cases() if not fixture_info(c)["scan_only"] and fixture_info(c)["run"]["target"]]


def prepared(case: str, root: Path, profile: str | None = None, strategy: str | None = None, **more: object) -> Path:
    """A copy of the fixture with gogen's files; profile and strategy default to the fixture's gogen.toml.

    `more` are further settings (`compose=True`...). No syntax line: the lab has no registry.
    """
    repo = root / f"{case}-{profile or 'default'}-{strategy or 'default'}"
    shutil.copytree(FIXTURES / case / "repo", repo)
    overrides: dict[str, object] = {"profile": profile, "strategy": strategy, "syntax": False, **more}
    api.init(repo, overrides, api.WriteOptions())
    return repo


def build_fixture(lab: Lab, case: str, repo: Path, image: str, *extra: str) -> None:
    """Build with what the fixture needs from the lab (the private-modules fixture: proxy and secret)."""
    if case == "private-modules":
        client = f"{lab.goproxy_tls}/c/{image.replace('/', '.').replace(':', '.')}"
        lab.build(repo, image, *lab.private_build_args(client), *extra, goproxy=client)
    else:
        lab.build(repo, image, *extra)


def check_image(lab: Lab, image: str, case: str) -> None:
    run = fixture_info(case)["run"]
    user = lab.docker_run("image", "inspect", "-f", "{{.Config.User}}", image).stdout.strip()
    assert user == "65532:65532"
    files = lab.image_files(image)
    toolchain = [f for f in files if f.startswith("usr/local/go/") or f.endswith(("bin/go", "bin/gofmt"))]
    assert toolchain == [], f"the final image holds a Go toolchain: {toolchain[:3]}"
    if run["http_port"]:
        body = lab.http_get(image, run["http_port"], run["http_path"], *run["args"])
        assert run["expect_body"] in body
    else:
        result = lab.run_command(image, *run["args"])
        assert result.returncode == 0, result.stdout + result.stderr
        assert run["expect_stdout"] in result.stdout


@pytest.mark.parametrize("case", BUILDABLE)
def test_default_profile_builds_and_runs(lab: Lab, case: str, tmp_path: Path) -> None:
    repo = prepared(case, tmp_path)
    image = f"gogen-e2e/{case}:default"
    build_fixture(lab, case, repo, image)
    check_image(lab, image, case)


def _matrix() -> list[tuple[str, str, str]]:
    combos = [(case, p, s) for case in ("deps", "multi-cmd") for p in PROFILE_NAMES for s in STRATEGY_NAMES]
    combos += [(case, p, "buildkit") for case in ("cgo-sqlite", "cgo-internal") for p in PROFILE_NAMES]
    return [c for c in combos if c[1:] != ("distroless", "buildkit")]


@pytest.mark.parametrize(("case", "profile", "strategy"), _matrix())
def test_profiles_and_strategies_build_and_run(
    lab: Lab, case: str, profile: str, strategy: str, tmp_path: Path
) -> None:
    try:
        repo = prepared(case, tmp_path, profile, strategy)
    except GogenError as refusal:
        pytest.fail(f"gogen refused {case} on {profile}: {refusal}")
    image = f"gogen-e2e/{case}:{profile}-{strategy}"
    lab.build(repo, image)
    check_image(lab, image, case)


def test_every_target_of_a_multi_binary_repository_builds(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("multi-cmd", tmp_path)
    lab.build(repo, "gogen-e2e/multi-cmd:worker", "--target", "worker")
    result = lab.run_command("gogen-e2e/multi-cmd:worker")
    assert "worker done" in result.stdout
    body = None
    lab.build(repo, "gogen-e2e/multi-cmd:api", "--target", "shop-api")
    body = lab.http_get("gogen-e2e/multi-cmd:api", 8080, "/")
    assert body


def test_a_source_edit_downloads_no_module(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("deps", tmp_path)
    lab.build(repo, "gogen-e2e/deps:edit")
    before = len(lab.proxy_requests())
    main = repo / "main.go"
    main.write_text(main.read_text() + "\n// an edit\n")
    log = lab.build(repo, "gogen-e2e/deps:edit")
    assert lab.proxy_requests()[before:] == []
    download = [
        line for line in (log.stdout + log.stderr).splitlines() if "go mod download" in line and line.startswith("#")
    ]
    step = download[0].split()[0]
    assert f"{step} CACHED" in log.stdout + log.stderr, "the download step must come from the cache"


def test_after_the_layers_warm_up_a_source_edit_compiles_only_the_module(lab: Lab, tmp_path: Path) -> None:
    """The layers strategy's warm-up layer holds the compiled standard library and what the primary
    imports: in the build stage (warm-up + sources; with several binaries each compiles in its own
    stage), compiling the primary compiles the module's own packages and nothing else."""
    repo = prepared("multi-cmd", tmp_path, strategy="layers")
    lab.build(repo, "gogen-e2e/multi-cmd:warm-build", "--target", "build")
    shop = next(m for m in api.scan(repo).mains if m.binary == "shop")
    result = lab.docker_run(
        "run", "--rm", "--network=host", "gogen-e2e/multi-cmd:warm-build",
        "go", "build", "-x", "-trimpath", "-buildvcs=false", "-o", "/tmp/program", "./cmd/shop",
    )  # fmt: skip
    compiled = [line.split(" -p ", 1)[1].split()[0] for line in result.stderr.splitlines() if "/compile " in line]
    own = {"main"} | {f"example.com/shop/{d}" for d in shop.closure if d != shop.dir}
    assert compiled and set(compiled) <= own, compiled


def test_a_new_requirement_fetches_only_itself(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("deps", tmp_path)
    # A go.mod no earlier run has seen (so no cached layer answers for the download step),
    # and an empty module cache mount: the first build downloads the existing requirements.
    (repo / "go.mod").write_text((repo / "go.mod").read_text() + f"\n// run {uuid.uuid4()}\n")
    lab.docker_run("builder", "prune", "-f", "--filter", "type=exec.cachemount")
    start = len(lab.proxy_requests())
    lab.build(repo, "gogen-e2e/deps:require")
    first = lab.proxy_requests()[start:]
    assert any("example.com/greet/@v/" in line for line in first), "the first build downloads the requirements"
    before = len(lab.proxy_requests())
    module_dir = FIXTURES / "_modules" / "example.com" / "extra@v0.1.0"
    (repo / "go.mod").write_text((repo / "go.mod").read_text() + "\nrequire example.com/extra v0.1.0\n")
    (repo / "go.sum").write_text(
        (repo / "go.sum").read_text() + go_sum_lines(module_dir, "example.com/extra", "v0.1.0")
    )
    (repo / "extra.go").write_text('package main\n\nimport "example.com/extra"\n\nvar _ = extra.Word()\n')
    api.regen(repo, {}, api.WriteOptions())
    lab.build(repo, "gogen-e2e/deps:require")
    fetched = lab.proxy_requests()[before:]
    assert fetched, "the new module must be downloaded"
    assert all("example.com/extra/@v/" in line for line in fetched), fetched


def test_gogen_verify_reports_sizes_times_and_the_rebuilt_steps(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("deps", tmp_path)
    result = subprocess.run(
        [
            sys.executable, "-m", "gogen", "verify", "--json", "--docker", lab.docker,
            "--build-arg", f"GOPROXY={lab.goproxy}", "--build-arg", "GOSUMDB=off", str(repo),
        ],
        capture_output=True, text=True, env=lab.env, check=False, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["user"] == "65532:65532"
    assert 0 < report["binary_bytes"] < report["image_bytes"]
    assert report["run_exit_code"] is None, "the deps fixture is a server: still running when checked"
    rerun = report["rerun_steps"]
    assert any("go build" in step for step in rerun)
    assert not any("go mod download" in step for step in rerun), "a source edit must not re-download"
    assert (repo / "main.go").read_text() == (FIXTURES / "deps" / "repo" / "main.go").read_text(), (
        "the repo is untouched"
    )


def test_gogen_verify_fails_with_the_build_log_tail(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("root-main", tmp_path)
    (repo / "main.go").write_text((repo / "main.go").read_text() + "\nthis is not Go\n")
    result = subprocess.run(
        [sys.executable, "-m", "gogen", "verify", "--docker", lab.docker, str(repo)],
        capture_output=True, text=True, env=lab.env, check=False, timeout=900,
    )  # fmt: skip
    assert result.returncode == 1
    assert "docker build failed" in result.stderr
    assert "syntax error" in result.stderr


def test_hostile_directory_names_build_without_running_anything(lab: Lab, tmp_path: Path) -> None:
    repo = tmp_path / "hostile"
    shutil.copytree(FIXTURES / "hostile-names" / "repo", repo)
    outcome = api.init(repo, {"syntax": False}, api.WriteOptions())
    assert [b.dir for b in outcome.plan.binaries] == ["cmd/ok"]
    lab.build(repo, "gogen-e2e/hostile:latest")
    assert lab.run_command("gogen-e2e/hostile:latest").returncode == 0
    assert not (repo / "pwned").exists() and not any(repo.rglob("pwned"))
    assert not any("pwned" in path for path in lab.image_files("gogen-e2e/hostile:latest"))


def test_an_organisation_overlay_builds_and_runs(lab: Lab, tmp_path: Path) -> None:
    """ACME's overlay: its CA in every image, its labels, its mirror (tagged here from the stand-ins)."""
    acme = FIXTURES / "_orgs" / "acme"
    for source, mirror in (
        (f"golang:1.{newest_minor()}", f"mirror.acme.test/library/golang:1.{newest_minor()}"),
        ("gcr.io/distroless/static-debian13:nonroot", "mirror.acme.test/distroless/static-debian13:nonroot"),
    ):
        lab.docker_run("tag", source, mirror)
    repo = tmp_path / "deps"
    shutil.copytree(FIXTURES / "deps" / "repo", repo)
    overrides = {"templates": str(acme / "templates"), "defaults": str(acme / "defaults.toml"), "syntax": False}
    api.init(repo, overrides, api.WriteOptions())
    assert (repo / "Dockerfile").read_text() == (acme / "expected" / "deps" / "Dockerfile").read_text()
    image = "gogen-e2e/acme-deps:latest"
    lab.build(repo, image)
    labels = lab.docker_run("image", "inspect", "-f", "{{json .Config.Labels}}", image).stdout
    assert json.loads(labels)["com.acme.team"] == "platform"
    assert "etc/ssl/certs/acme-ca.crt" in lab.image_files(image)
    check_image(lab, image, "deps")
