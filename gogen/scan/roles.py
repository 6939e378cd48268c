"""What each main package is for: an application the project ships, or an example, a test
helper, a generator or a developer tool — decided from evidence the project itself gives.

Strongest first:
1. the release configuration (`.goreleaser.y*ml` builds, `.ko.yaml`, `.promu.yml`): a main it releases is an
   application, wherever it lives; once a release configuration lists its builds, a main it
   does not list (and nothing else below ships) is not built by default;
2. the project's own Dockerfiles (`go build` of the package, ENTRYPOINT naming its binary);
3. documentation: `go install module/cmd/x@latest` in a README;
4. conventions: `//go:generate go run ./x` targets, docs generators (`cobra/doc`), generator
   names (`gen-docs`, `*-gen`), folders (`tools/`, `hack/`, `test/`, `examples/`...);
5. build scripts (Makefile, justfile, Taskfile, magefile, scripts/*.sh): they build developer
   tools and test helpers too, so a folder convention outweighs them;
6. otherwise a main package is an application.

Every decision carries its reason and the evidence (`file:line`) behind it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from gogen.model import BuildTarget, Evidence, Role

RELEASE_SOURCES = frozenset({"goreleaser", "ko", "promu"})
SCRIPT_SOURCES = frozenset({"makefile", "justfile", "taskfile", "magefile", "script"})

EXAMPLE_DIRS = frozenset(
    {"examples", "example", "_examples", "_example", "samples", "_samples", "sample", "demo", "demos", "contrib"}
)
TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "testdata",
        "testutil",
        "testutils",
        "testhelper",
        "testhelpers",
        "testing",
        "e2e",
        "integration",
        "fuzz",
        "antithesis",
    }
)
TOOL_DIRS = frozenset({"hack", "tools", "scripts", "script", "dev", "devtools", "ci", "build"})
DOCS_DIRS = frozenset({"docs", "doc", "website"})
# `internal/cmd` holds the project's own helper commands (not importable, not released).
TOOL_PATHS = ("internal/cmd", "internal/tools")
_BENCH_DIR = re.compile(r"^(bench|benchmark|benchmarks|benchtool)s?$")
_GENERATOR_NAME = re.compile(
    r"^(gen|generate|generator|codegen|docgen|gendocs?|mkdocs?|makedocs?)$"
    r"|^gen[-_]"
    r"|[-_](gen|generator|codegen|docgen|docs?gen|gendocs?)$"
    r"|^(gen|mk|make)[-_]?docs?$"
)
DOCS_IMPORTS = ("github.com/spf13/cobra/doc", "github.com/urfave/cli/v2/docs", "github.com/urfave/cli/v3/docs")


@dataclass(frozen=True)
class RoleDecision:
    role: Role
    reason: str
    evidence: tuple[Evidence, ...] = ()
    unreleased: bool = False  # an application by every other sign, left out only by the release configuration


@dataclass(frozen=True)
class ProjectEvidence:
    """What the project says about all of its mains, gathered once before deciding each one."""

    builds: tuple[BuildTarget, ...]
    entrypoints: dict[str, Evidence] = field(default_factory=dict)  # binary name -> ENTRYPOINT line
    generated_by: dict[str, Evidence] = field(default_factory=dict)  # main dir -> //go:generate line
    main_dirs: frozenset[str] | None = None  # every main package found (None: take the builds as they are)
    example_module: Evidence | None = None  # the module path says it holds examples

    @property
    def release(self) -> list[BuildTarget]:
        """The release configuration's builds of main packages that exist: a build of a folder
        its own hooks create (caddy's `dir: ./caddy-build`) lists nothing gogen can build."""
        return [
            b
            for b in self.builds
            if b.source in RELEASE_SOURCES and (self.main_dirs is None or b.dir in self.main_dirs)
        ]

    def builds_for(self, dir: str) -> list[BuildTarget]:
        """The build-configuration entries that name the main package in `dir`, strongest first."""
        return [b for b in self.builds if b.dir == dir]

    def release_summary(self) -> str:
        released = [b for b in self.release if not b.skip]
        first = self.release[0].evidence
        dirs = ", ".join(dict.fromkeys(b.dir for b in released)) or "nothing"
        return f"{first.file} builds {dirs}"


def _folder_role(dir: str) -> tuple[Role, str] | None:
    """The role a folder convention gives, with the folder that gave it."""
    if any(dir == path or dir.startswith(path + "/") for path in TOOL_PATHS):
        return "tool", next(p for p in TOOL_PATHS if dir == p or dir.startswith(p + "/"))
    parts = dir.split("/")
    if len(parts) >= 2 and parts[-2] == "cmd":
        parts = parts[:-2]  # `cmd/<name>` is the application convention, whatever the name
    for part in parts:
        if part in EXAMPLE_DIRS:
            return "example", part
        if part in TEST_DIRS:
            return "test-fixture", part
        if part in DOCS_DIRS:
            return "generator", part
        if part in TOOL_DIRS or _BENCH_DIR.match(part):
            return "tool", part
        if part.startswith("_"):
            return "example", part
    return None


def is_generator_name(name: str) -> bool:
    return bool(_GENERATOR_NAME.search(name.lower()))


def _convention(dir: str, binary: str, imports: Iterable[str], evidence: ProjectEvidence) -> RoleDecision | None:
    folder_evidence = Evidence(dir, 0, f"folder {dir}/")
    if evidence.example_module is not None:
        return RoleDecision("example", "the module holds examples", (evidence.example_module,))
    if dir in evidence.generated_by:
        where = evidence.generated_by[dir]
        return RoleDecision("generator", "run by //go:generate", (where,))
    docs = next((path for path in imports if path in DOCS_IMPORTS), None)
    if docs is not None:
        return RoleDecision("generator", f"writes documentation (imports {docs})", (folder_evidence,))
    base = dir.rsplit("/", 1)[-1] if dir != "." else binary
    if is_generator_name(base) or is_generator_name(binary):
        return RoleDecision("generator", f"named like a generator ({base})", (folder_evidence,))
    folder = _folder_role(dir)
    if folder is not None:
        role, part = folder
        return RoleDecision(role, f"under {part}/, where projects keep {_KIND[role]}", (folder_evidence,))
    return None


_KIND: dict[Role, str] = {
    "example": "examples",
    "test-fixture": "test programs",
    "generator": "generators and documentation tools",
    "tool": "developer tools",
    "app": "applications",
}


def _first(builds: list[BuildTarget]) -> Evidence:
    return builds[0].evidence


def decide_role(
    dir: str, binary: str, imports: Iterable[str], builds: list[BuildTarget], evidence: ProjectEvidence
) -> RoleDecision:
    """The role of the main package in `dir`, whose project binary name is `binary`.

    `builds` are the build-configuration entries that name `dir`; `imports` its files' imports.
    """
    released = [b for b in builds if b.source in RELEASE_SOURCES and not b.skip]
    if released:
        return RoleDecision("app", f"released by {released[0].source}", (_first(released),))
    dockerfile = [b for b in builds if b.source == "dockerfile"]
    if dockerfile:
        return RoleDecision("app", "built by the project's Dockerfile", (_first(dockerfile),))
    if binary in evidence.entrypoints:
        return RoleDecision("app", "the project's Dockerfile runs it", (evidence.entrypoints[binary],))
    readme = [b for b in builds if b.source == "readme"]
    if readme:
        return RoleDecision("app", "its README tells users to go install it", (_first(readme),))
    convention = _convention(dir, binary, imports, evidence)
    if convention is not None:
        return convention
    scripts = [b for b in builds if b.source in SCRIPT_SOURCES]
    if scripts:
        return RoleDecision("app", f"built by the project's {scripts[0].source}", (_first(scripts),))
    skipped = [b for b in builds if b.source in RELEASE_SOURCES and b.skip]
    if skipped:
        return RoleDecision("tool", "skipped by the release configuration", (_first(skipped),))
    if evidence.release and not evidence.release[0].skip:
        return RoleDecision(
            "tool",
            f"not released: {evidence.release_summary()}",
            (evidence.release[0].evidence,),
            unreleased=True,
        )
    return RoleDecision("app", "a main package outside example, test and tool folders")
