"""Profiles as units: the registry, each profile's choices, and the Chainguard profile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gogen import api
from gogen.images import image_kinds, newest_minor
from gogen.plan import PlanError, plan
from gogen.profiles import PROFILE_NAMES, PROFILES, Profile, profile_named
from gogen.render import builtin_templates
from gogen.settings import Options
from tests.conftest import FIXTURES
from tests.repo_builder import write_repo

ROOT = Path(__file__).parent.parent


def test_the_registry_is_ordered_and_starts_with_the_default() -> None:
    assert PROFILE_NAMES[:4] == ("distroless", "scratch", "alpine", "debian")
    assert "chainguard" in PROFILE_NAMES
    assert [p.order for p in PROFILES] == sorted(p.order for p in PROFILES)


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_NAMES)
def test_every_profile_has_a_template_and_its_images_in_the_table(profile: object) -> None:
    assert isinstance(profile, Profile)
    assert (builtin_templates() / "profiles" / f"{profile.name}.j2").is_file()
    if profile.image_kind:
        assert profile.image_kind in image_kinds()
        profile.image(profile.static_image, "13")
        profile.image(profile.cgo.image, "13")
    assert (profile.package_manager != "") == profile.shell or profile.name == "scratch"


def test_the_plan_never_asks_which_profile_it_is() -> None:
    """Behaviour lives in the profile objects: the plan package compares no profile with a name."""
    for module in [*(ROOT / "gogen" / "plan").glob("*.py"), *(ROOT / "templates").rglob("*.j2")]:
        found = re.search(r"profile(\.name)?\s*(==|!=|in)\s*[(\"']", module.read_text())
        assert found is None, f"{module.name}: {found.group() if found else ''}"


def test_chainguard_runs_static_binaries_on_static_and_cgo_on_glibc_dynamic() -> None:
    plain = plan(api.scan(FIXTURES / "root-main" / "repo"), Options(profile="chainguard"))
    assert plain.runtime_image == "cgr.dev/chainguard/static:latest"
    assert (plain.user, plain.user_name, plain.shell, plain.runtime_packages) == ("65532:65532", "nonroot", False, ())
    cgo = plan(api.scan(FIXTURES / "cgo-sqlite" / "repo"), Options(profile="chainguard"))
    assert (cgo.cgo_mode, cgo.builder_image, cgo.runtime_image) == (
        "glibc",
        f"golang:1.{newest_minor()}",
        "cgr.dev/chainguard/glibc-dynamic:latest",
    )


CGO_TZ_MAIN = "\n".join(
    [
        "package main",
        "",
        "// int one() { return 1; }",
        'import "C"',
        'import "time"',
        "",
        'func main() { time.LoadLocation("UTC") }',
        "",
    ]
)
LIBZ_MAIN = 'package main\n\n// #cgo LDFLAGS: -lz\nimport "C"\n\nfunc main() {}\n'


def test_chainguard_embeds_zoneinfo_with_cgo_only(tmp_path: Path) -> None:
    """glibc-dynamic ships no tzdata (static does): the binary carries it (-tags timetzdata)."""
    repo = write_repo(tmp_path / "cgo", {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": CGO_TZ_MAIN})
    cgo = plan(api.scan(repo), Options(profile="chainguard"))
    assert "-tags=timetzdata" in cgo.build_flags
    assert any(d.topic == "zoneinfo" and "glibc-dynamic" in d.reason for d in cgo.decisions)
    assert "-tags=timetzdata" not in plan(api.scan(repo), Options(profile="distroless")).build_flags
    static_main = 'package main\n\nimport "time"\n\nfunc main() { time.LoadLocation("UTC") }\n'
    static = write_repo(tmp_path / "static", {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": static_main})
    assert not any("tags" in flag for flag in plan(api.scan(static), Options(profile="chainguard")).build_flags)


def test_chainguard_accepts_cpp_and_refuses_system_libraries(tmp_path: Path) -> None:
    cpp = write_repo(
        tmp_path / "cpp",
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "main.go": 'package main\n\n// int one();\nimport "C"\n\nfunc main() { C.one() }\n',
            "one.cc": 'extern "C" int one() { return 1; }\n',
        },
    )
    chosen = plan(api.scan(cpp), Options(profile="chainguard"))
    assert chosen.runtime_image == "cgr.dev/chainguard/glibc-dynamic:latest"
    assert any("libstdc++" in d.reason for d in chosen.decisions if d.topic == "cgo")
    assert plan(api.scan(cpp), Options()).runtime_image == "gcr.io/distroless/cc-debian13:nonroot"
    lib = write_repo(
        tmp_path / "lib",
        {
            "go.mod": "module a.com/x\n\ngo 1.22\n",
            "main.go": 'package main\n\n// #cgo LDFLAGS: -lz\nimport "C"\n\nfunc main() {}\n',
        },
    )
    with pytest.raises(PlanError, match="profile chainguard cannot provide the system libraries cgo links: z"):
        plan(api.scan(lib), Options(profile="chainguard"))


def test_chainguard_images_follow_the_mirror_map() -> None:
    chosen = plan(
        api.scan(FIXTURES / "root-main" / "repo"),
        Options(profile="chainguard", images=(("chainguard", "mirror.example.com/cg"),)),
    )
    assert chosen.runtime_image == "mirror.example.com/cg/static:latest"


def test_profile_named_returns_the_registered_object() -> None:
    assert profile_named("scratch").user.setup == "passwd"
    assert profile_named("alpine").package_manager == "apk"


ROCKS_MAIN = (
    'package main\n\nimport "github.com/linxGnu/grocksdb"\n\nvar _ = grocksdb.NewDefaultOptions\n\nfunc main() {}\n'
)
ROCKS_MOD = "module a.com/x\n\ngo 1.22\n\nrequire github.com/linxGnu/grocksdb v1.9.0\n"


def test_a_cgo_module_s_libraries_take_the_path_of_scanned_libraries(tmp_path: Path) -> None:
    """cgo_modules.toml's `libraries`: grocksdb links rocksdb, as `#cgo LDFLAGS: -lrocksdb` would."""
    repo = write_repo(tmp_path, {"go.mod": ROCKS_MOD, "main.go": ROCKS_MAIN})
    project = api.scan(repo)
    assert [(lib.kind, lib.name, lib.evidence.line) for lib in project.mains[0].cgo.libraries] == [
        ("module", "rocksdb", 3)
    ]
    debian = plan(project, Options(profile="debian"))
    assert (debian.builder_packages, debian.runtime_packages) == (("librocksdb-dev",), ("librocksdb9.10",))
    assert plan(project, Options(profile="debian", debian_release="12")).runtime_packages == ("librocksdb7.8",)
    assert plan(project, Options(profile="alpine")).builder_packages == ("build-base", "rocksdb-dev")
    for profile in ("distroless", "scratch", "chainguard"):
        with pytest.raises(PlanError, match=r"rocksdb \(main.go:3"):
            plan(project, Options(profile=profile))


GORELEASER = "builds:\n  - main: .\n    env:\n      - CGO_ENABLED={value}\n"


def test_a_release_built_with_cgo_is_followed_when_no_file_requires_it(tmp_path: Path) -> None:
    main = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println() }\n'
    repo = write_repo(
        tmp_path,
        {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": main, ".goreleaser.yaml": GORELEASER.format(value=1)},
    )
    chosen = plan(api.scan(repo), Options())
    assert chosen.cgo and chosen.runtime_image == "gcr.io/distroless/base-debian13:nonroot"
    cgo = next(d for d in chosen.decisions if d.topic == "cgo")
    assert ".goreleaser.yaml:4" in cgo.reason and "release configuration builds with cgo" in cgo.reason
    (repo / ".goreleaser.yaml").write_text(GORELEASER.format(value=0))
    off = plan(api.scan(repo), Options())
    assert not off.cgo
    assert next(d for d in off.decisions if d.topic == "cgo").reason.endswith("CGO_ENABLED=0 agrees")


def test_a_release_built_without_cgo_does_not_turn_off_cgo_the_source_needs(tmp_path: Path) -> None:
    main = 'package main\n\n// int one() { return 1; }\nimport "C"\n\nfunc main() { C.one() }\n'
    repo = write_repo(
        tmp_path,
        {"go.mod": "module a.com/x\n\ngo 1.22\n", "main.go": main, ".goreleaser.yaml": GORELEASER.format(value=0)},
    )
    chosen = plan(api.scan(repo), Options())
    assert chosen.cgo
    warning = next(w for w in chosen.warnings if w.code == "cgo-release-off")
    assert (warning.file, warning.line) == (".goreleaser.yaml", 4)
