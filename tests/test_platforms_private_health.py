"""Platforms and their variants, private modules, cgo system libraries, health checks, stage names:
the plan's decisions and the scanner's findings (the lab tests build the results)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gogen import api
from gogen.plan import PlanError, plan
from gogen.render import environment
from gogen.scan.gofile import parse_file
from gogen.settings import Options, SettingsError
from tests.conftest import FIXTURES
from tests.repo_builder import gogen, write_repo


@pytest.mark.parametrize(
    ("arch", "variant", "expected"),
    [
        ("arm", "v7", "linux arm 7 -"),
        ("arm", "v6", "linux arm 6 -"),
        ("arm", "", "linux arm - -"),
        ("amd64", "v3", "linux amd64 - v3"),
        ("amd64", "", "linux amd64 - -"),
        ("arm64", "v8", "linux arm64 - -"),
        ("riscv64", "", "linux riscv64 - -"),
    ],
)
def test_the_cross_environment_maps_the_platform_variant(arch: str, variant: str, expected: str) -> None:
    """Run the build step's shell prologue as /bin/sh runs it in the builder."""
    cross_env = environment(()).get_template("macros.j2").module.cross_env  # type: ignore[attr-defined]
    script = " && ".join(cross_env) + ' && echo "$GOOS $GOARCH ${GOARM:--} ${GOAMD64:--}"'
    env = {"TARGETOS": "linux", "TARGETARCH": arch, "TARGETVARIANT": variant, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == expected


def test_platforms_come_from_gogen_toml_then_goreleaser_then_the_default(tmp_path: Path) -> None:
    arm = api.scan(FIXTURES / "arm-goreleaser" / "repo")
    assert plan(arm, Options()).platforms == ("linux/amd64", "linux/arm/v7", "linux/arm64")
    chosen = plan(arm, Options(platforms=("linux/amd64/v2", "linux/riscv64")))
    assert chosen.platforms == ("linux/amd64/v2", "linux/riscv64")
    assert any(d.topic == "platforms" and "gogen.toml" in d.reason for d in chosen.decisions)
    plain = plan(api.scan(FIXTURES / "root-main" / "repo"), Options())
    assert plain.platforms == ("linux/amd64", "linux/arm64")
    health = plan(api.scan(FIXTURES / "healthcheck" / "repo"), api.options(FIXTURES / "healthcheck" / "repo", {}))
    assert health.platforms == ("linux/amd64", "linux/arm64", "linux/arm/v7")


@pytest.mark.parametrize("bad", ["linux/arm/v8", "windows/amd64", "linux/sparc", "linux", "linux/amd64/v5", "arm64"])
def test_a_platform_go_cannot_build_is_an_error_naming_gogen_toml(tmp_path: Path, bad: str) -> None:
    write_repo(tmp_path, {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"})
    (tmp_path / "gogen.toml").write_text(f'profile = "distroless"\nplatforms = ["{bad}"]\n')
    result = gogen("plan", tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("gogen: error: gogen.toml")
    assert bad in result.stderr and "Traceback" not in result.stderr


def test_cgo_for_several_platforms_says_what_it_needs() -> None:
    sqlite = plan(api.scan(FIXTURES / "cgo-sqlite" / "repo"), Options())
    assert sqlite.emulation and not sqlite.cross_compile
    reason = next(d.reason for d in sqlite.decisions if d.topic == "platforms")
    assert "QEMU" in reason and "natively" in reason
    single = plan(api.scan(FIXTURES / "cgo-sqlite" / "repo"), Options(platforms=("linux/amd64",)))
    assert not single.emulation


def test_private_modules_mount_the_netrc_secret_on_the_steps_that_download() -> None:
    repo = FIXTURES / "private-modules" / "repo"
    the_plan = plan(api.scan(repo), api.options(repo, {}))
    assert the_plan.private == ("example.com/private/*",)
    dockerfile = api.render(the_plan)["Dockerfile"]
    runs = dockerfile.split("\nRUN ")
    with_secret = [run for run in runs if "type=secret" in run]
    assert len(with_secret) == 2
    assert "go mod download" in with_secret[0] and "go build" in with_secret[1]
    assert dockerfile.count("type=secret,id=netrc,target=/root/.netrc,required=true") == 2
    assert "netrc" not in "".join(line for line in dockerfile.splitlines() if line.startswith(("COPY", "ENV", "ARG")))
    assert "ARG GOPRIVATE=example.com/private/*" in dockerfile
    # GOPRIVATE implies GONOSUMDB and GONOPROXY; neither gets a default that would override an
    # organisation builder image's own.
    assert "ARG GONOSUMDB\n" in dockerfile and "ARG GONOPROXY\n" in dockerfile
    assert "--secret id=netrc,src=$HOME/.netrc" in dockerfile


def test_private_modules_are_refused_without_buildkit_and_ignored_without_downloads() -> None:
    repo = FIXTURES / "private-modules" / "repo"
    with pytest.raises(PlanError, match="build secrets need BuildKit"):
        plan(api.scan(repo), api.options(repo, {"strategy": "layers"}))
    local = plan(api.scan(FIXTURES / "local-replace" / "repo"), Options(private=("example.com/*",)))
    assert local.private == ()
    assert "type=secret" not in api.render(local)["Dockerfile"]


def test_the_alpine_builder_gets_git_for_private_modules() -> None:
    repo = FIXTURES / "private-modules" / "repo"
    alpine = plan(api.scan(repo), api.options(repo, {"profile": "alpine"}))
    assert "git" in alpine.builder_packages


@pytest.mark.parametrize("bad", ["github.com/acme/*,other", "github.com/$(id)", ""])
def test_a_private_pattern_with_shell_or_list_syntax_is_refused(bad: str) -> None:
    with pytest.raises(SettingsError, match="not a module path pattern"):
        Options(private=(bad,)).validated()


CGO_MAIN = 'package main\n\n/*\n#cgo {directive}\n*/\nimport "C"\n\nfunc main() {{}}\n'


def _cgo_repo(tmp_path: Path, directive: str, toml: str = "") -> Path:
    files: dict[str, str | bytes] = {
        "go.mod": "module a.com/x\n\ngo 1.22\n",
        "main.go": CGO_MAIN.format(directive=directive),
    }
    if toml:
        files["gogen.toml"] = toml
    return write_repo(tmp_path, files)


def test_system_libraries_map_to_builder_and_runtime_packages_per_profile(tmp_path: Path) -> None:
    repo = _cgo_repo(tmp_path, "LDFLAGS: -lssl -lcrypto -lm")
    debian = plan(api.scan(repo), Options(profile="debian"))
    assert debian.builder_packages == ("libssl-dev",)
    assert debian.runtime_packages == ("libssl3t64",)
    bookworm = plan(api.scan(repo), Options(profile="debian", debian_release="12"))
    assert bookworm.runtime_packages == ("libssl3",)
    alpine = plan(api.scan(repo), Options(profile="alpine"))
    assert alpine.builder_packages == ("build-base", "openssl-dev")
    assert alpine.runtime_packages == ("ca-certificates", "tzdata", "libcrypto3", "libssl3")
    assert [lib.name for lib in debian.system_libraries] == ["crypto", "ssl"]
    assert debian.system_libraries[0].evidence.line == 4


def test_pkg_config_libraries_bring_pkg_config_into_the_builder(tmp_path: Path) -> None:
    repo = _cgo_repo(tmp_path, "pkg-config: sqlite3")
    assert plan(api.scan(repo), Options(profile="debian")).builder_packages == ("libsqlite3-dev", "pkg-config")
    assert plan(api.scan(repo), Options(profile="alpine")).builder_packages == ("build-base", "sqlite-dev", "pkgconf")


def test_an_unknown_library_is_a_warning_naming_its_line_and_gogen_toml_can_map_it(tmp_path: Path) -> None:
    repo = _cgo_repo(tmp_path, "LDFLAGS: -lfrobnicate")
    warned = plan(api.scan(repo), Options(profile="debian"))
    warning = next(w for w in warned.warnings if w.code == "cgo-library")
    assert (warning.file, warning.line) == ("main.go", 4)
    assert "[system_libraries.frobnicate]" in warning.message
    assert warned.builder_packages == ()
    mapped_repo = _cgo_repo(
        tmp_path / "mapped",
        "LDFLAGS: -lfrobnicate",
        '[system_libraries.frobnicate]\ndebian_dev = "libfrob-dev"\ndebian = "libfrob1"\n',
    )
    mapped = plan(api.scan(mapped_repo), api.options(mapped_repo, {"profile": "debian"}))
    assert not any(w.code == "cgo-library" for w in mapped.warnings)
    assert mapped.builder_packages == ("libfrob-dev",) and mapped.runtime_packages == ("libfrob1",)


def test_a_bad_system_library_entry_in_gogen_toml_is_a_clear_error(tmp_path: Path) -> None:
    repo = _cgo_repo(tmp_path, "LDFLAGS: -lz", '[system_libraries.z]\ndebain = "zlib1g"\n')
    result = gogen("plan", repo)
    assert result.returncode == 2
    assert "system_libraries.z.debain" in result.stderr and "Traceback" not in result.stderr


PROBE_MAIN = (
    'package main\n\nimport (\n\t"flag"\n\t"os"\n)\n\nvar _ = os.Args\n\n{body}\nfunc main() {{ flag.Parse() }}\n'
)
HEALTH_SOURCES = {
    "flag": ('var check = flag.Bool("healthcheck", false, "probe")\n', ("-healthcheck",)),
    "subcommand": (
        'func init() {\n\tif len(os.Args) > 1 && os.Args[1] == "health" {\n\t\tos.Exit(0)\n\t}\n}\n',
        ("health",),
    ),
}


@pytest.mark.parametrize("kind", sorted(HEALTH_SOURCES))
def test_a_health_flag_or_subcommand_becomes_the_healthcheck(tmp_path: Path, kind: str) -> None:
    body, args = HEALTH_SOURCES[kind]
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/probe\n\ngo 1.22\n",
            "main.go": PROBE_MAIN.format(body=body),
        },
    )
    the_plan = plan(api.scan(tmp_path), Options())
    assert the_plan.primary.healthcheck == ("/usr/local/bin/probe", *args)
    assert "HEALTHCHECK" in api.render(the_plan)["Dockerfile"]
    decision = next(d for d in the_plan.decisions if d.topic == "health check")
    assert "main.go:" in decision.reason


def test_a_health_case_that_does_not_switch_on_arguments_is_not_a_subcommand() -> None:
    source = b'package main\n\nfunc route(p string) int {\n\tswitch p {\n\tcase "health":\n\t\treturn 1\n\t}\n'
    source += b"\treturn 0\n}\n"
    assert parse_file(source, "main.go").health_checks == ()


def test_gogen_toml_sets_or_disables_the_healthcheck() -> None:
    repo = FIXTURES / "healthcheck" / "repo"
    project = api.scan(repo)
    assert plan(project, Options()).primary.healthcheck == ("/usr/local/bin/pinger", "healthcheck")
    assert plan(project, Options(healthcheck=())).primary.healthcheck == ()
    assert "HEALTHCHECK" not in api.render(plan(project, Options(healthcheck=())))["Dockerfile"]
    relative = plan(project, Options(healthcheck=("probe", "--quick")))
    assert relative.primary.healthcheck == ("/usr/local/bin/pinger", "probe", "--quick")
    absolute = plan(project, Options(healthcheck=("/usr/local/bin/pinger", "healthcheck")))
    assert absolute.primary.healthcheck == ("/usr/local/bin/pinger", "healthcheck")


@pytest.mark.parametrize("name", ["scratch", "context"])
def test_a_binary_named_like_a_reserved_stage_gets_another_stage_name(tmp_path: Path, name: str) -> None:
    """`FROM runtime AS scratch` makes BuildKit report a circular dependency: never name a stage so."""
    write_repo(
        tmp_path,
        {
            "go.mod": "module a.com/tools\n\ngo 1.22\n",
            f"cmd/{name}/main.go": "package main\n\nfunc main() {}\n",
            "cmd/tools/main.go": "package main\n\nfunc main() {}\n",
        },
    )
    the_plan = plan(api.scan(tmp_path), Options(profile="scratch"))
    stages = {binary.name: binary.stage for binary in the_plan.binaries}
    assert stages[name] == f"{name}-image"
    dockerfile = api.render(the_plan)["Dockerfile"]
    assert f"AS {name}\n" not in dockerfile
    assert f"--target {name}-image" in dockerfile
