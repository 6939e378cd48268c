"""The data that flows between gogen's stages: plain, frozen, JSON-serialisable.

`scan` produces a `Project`: facts about the repository, each with the evidence that proved it
(`file:line` and the text). Paths are relative to the scanned root and use `/`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["app", "example", "test-fixture", "generator", "tool"]
# Where a fact about how the project builds came from, strongest first (see BuildTarget).
BuildSource = Literal[
    "goreleaser", "ko", "promu", "makefile", "justfile", "taskfile", "magefile", "script", "dockerfile", "readme"
]


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: a file, a 1-based line (0 when the whole file is meant), the text."""

    file: str
    line: int
    text: str


@dataclass(frozen=True)
class Warning:
    """Something the user should know or fix; never fatal."""

    code: str
    message: str
    file: str
    line: int


@dataclass(frozen=True)
class LocalReplace:
    """A `replace` whose target is a directory rather than a module version."""

    module: str
    dir: str
    go_mod: str | None
    inside_repo: bool
    evidence: Evidence


@dataclass(frozen=True)
class Module:
    dir: str
    path: str
    go: str | None
    toolchain: str | None
    requires: int
    external_requires: int
    go_sum: str | None
    local_replaces: tuple[LocalReplace, ...]
    evidence: Evidence


@dataclass(frozen=True)
class Workspace:
    file: str
    sum_file: str | None
    use: tuple[str, ...]
    go: str | None
    toolchain: str | None


@dataclass(frozen=True)
class CgoLibrary:
    """A system library named by a `#cgo pkg-config:` or `#cgo LDFLAGS: -lX` line, or linked by
    an imported module gogen knows (`module`: data/cgo_modules.toml's `libraries`)."""

    kind: Literal["pkg-config", "ldflags", "module"]
    name: str
    evidence: Evidence


@dataclass(frozen=True)
class Cgo:
    """Whether a main package needs cgo, and why.

    `required`: a file of the import closure imports "C" for the target platform with no pure-Go
    alternative, or the closure imports a module known to need cgo. `optional`: cgo code exists
    but only behind a `cgo` build tag, with a pure-Go fallback.
    """

    required: bool
    optional: bool
    evidence: tuple[Evidence, ...]
    libraries: tuple[CgoLibrary, ...]


@dataclass(frozen=True)
class Embed:
    """A `//go:embed` pattern; `files` are the paths (from the root) it makes the build read."""

    pattern: str
    file: str
    line: int
    exists: bool
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Port:
    port: int
    host: str
    source: Literal["listen", "env", "flag", "expose"]
    file: str
    line: int
    text: str


@dataclass(frozen=True)
class VersionVar:
    """A string variable meant for `-ldflags -X`: `symbol` is what -X takes (`main.version`)."""

    symbol: str
    file: str
    line: int
    text: str


@dataclass(frozen=True)
class HealthCheck:
    """How the program checks itself: `args` after the binary (`healthcheck` or `-health`)."""

    args: tuple[str, ...]
    evidence: Evidence


@dataclass(frozen=True)
class Main:
    dir: str
    import_path: str
    binary: str
    binary_evidence: Evidence | None
    role: Role
    default: bool
    goos: tuple[str, ...]
    files: tuple[str, ...]
    closure: tuple[str, ...]
    cgo: Cgo
    embeds: tuple[Embed, ...]
    ports: tuple[Port, ...]
    needs_ca_certs: bool
    ca_certs_evidence: tuple[Evidence, ...]
    needs_tzdata: bool
    tzdata_evidence: tuple[Evidence, ...]
    tzdata_embedded: bool
    version_var: VersionVar | None
    healthcheck: HealthCheck | None = None
    role_reason: str = ""
    role_evidence: tuple[Evidence, ...] = ()
    tags: tuple[str, ...] = ()
    program_file: str | None = None  # a `//go:build ignore` program (`go run file.go`), not a package
    imports: tuple[str, ...] = ()  # the packages outside the repository its closure imports (std and modules)


@dataclass(frozen=True)
class Platform:
    platform: str
    evidence: Evidence


@dataclass(frozen=True)
class CgoHint:
    """`CGO_ENABLED` as the project's own build configuration sets it."""

    enabled: bool
    evidence: Evidence


@dataclass(frozen=True)
class BuildTarget:
    """A main package the project's own configuration builds, installs or documents.

    `dir` is the package directory relative to the scanned root (`.` for the root), resolved
    from `./cmd/x`, `cmd/x/main.go` or a full import path; `name` is the binary name the project
    gives it (None when it gives none, or only a template gogen cannot evaluate). `tags` and
    `cgo_enabled` are how that configuration builds it (None: it does not say). `skip`:
    goreleaser's `skip: true` (the project does not release it). `id` is goreleaser's build id.
    """

    source: BuildSource
    dir: str
    name: str | None
    tags: tuple[str, ...]
    cgo_enabled: bool | None
    skip: bool
    evidence: Evidence
    id: str | None = None


@dataclass(frozen=True)
class DockerfileHint:
    """What one of the project's own hand-written Dockerfiles says (never one gogen wrote).

    `entrypoint` is the final stage's ENTRYPOINT (else CMD) split into words; `binary` the base
    name of its program (`/usr/local/bin/etcd` → `etcd`), None for a shell or nothing;
    `ports` its EXPOSE lines (source "expose"); `base_image` the final stage's FROM. `cmd` is
    the CMD an exec-form ENTRYPOINT receives as default arguments (empty when the CMD is the
    command itself, already in `entrypoint`); `user` the final stage's USER, None when unset.
    """

    file: str
    entrypoint: tuple[str, ...]
    entrypoint_evidence: Evidence | None
    binary: str | None
    ports: tuple[Port, ...]
    base_image: str | None
    base_image_evidence: Evidence | None
    cmd: tuple[str, ...] = ()
    cmd_evidence: Evidence | None = None
    user: str | None = None
    user_evidence: Evidence | None = None


@dataclass(frozen=True)
class Hints:
    """What the project's own build configuration says (goreleaser, ko, build scripts,
    Dockerfiles, README `go install` lines)."""

    platforms: tuple[Platform, ...] = ()
    cgo_enabled: CgoHint | None = None
    builds: tuple[BuildTarget, ...] = ()
    dockerfiles: tuple[DockerfileHint, ...] = ()


@dataclass(frozen=True)
class PackageFiles:
    """The files the build reads in one package directory of some main's import closure."""

    dir: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class Project:
    go_version: str | None
    go_version_evidence: Evidence | None
    modules: tuple[Module, ...]
    workspace: Workspace | None
    vendor: bool
    mains: tuple[Main, ...]
    extra_build_files: tuple[str, ...]
    hints: Hints = field(default_factory=Hints)
    warnings: tuple[Warning, ...] = ()
    package_files: tuple[PackageFiles, ...] = ()
    gitignore: tuple[Evidence, ...] = ()


def to_jsonable(value: Any) -> Any:
    """Turn a model value into JSON data: dataclasses become dicts, tuples become lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: to_jsonable(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Decision:
    """One choice the plan made, and why (shown by `gogen explain`)."""

    topic: str
    choice: str
    reason: str


@dataclass(frozen=True)
class BinaryPlan:
    """One binary: built from `package` in the stage `build_stage` (`build` when it is the only
    one, else its own compile stage, so `--target` compiles only what it ships), shipped in the
    final stage `stage`."""

    name: str
    dir: str
    package: str
    build_stage: str
    stage: str
    ports: tuple[int, ...]
    primary: bool
    healthcheck: tuple[str, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SystemLibrary:
    """A C library cgo links, and the packages that provide it to the builder and the runtime."""

    name: str
    builder_package: str
    runtime_package: str
    evidence: Evidence


@dataclass(frozen=True)
class IgnoreSection:
    """A commented group of .dockerignore lines (comment lines start with #)."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ImageSource:
    """An image the generated files name: `ref` as gogen chose it (the key of [images.digests]),
    `pulled_from` after the organisation's [images] mirror, and its digest pin, if any."""

    ref: str
    pulled_from: str
    digest: str | None

    @property
    def reference(self) -> str:
        """What the Dockerfile writes: the mirrored reference, with `@digest` when pinned."""
        return f"{self.pulled_from}@{self.digest}" if self.digest else self.pulled_from


@dataclass(frozen=True)
class ActionPin:
    """A GitHub Action the workflow uses, pinned by commit: `uses: <name>@<commit> # <version>`."""

    name: str
    commit: str
    version: str


@dataclass(frozen=True)
class Plan:
    """Everything the templates need, decided: no template makes a decision of its own."""

    gogen_version: str
    module_path: str
    go_version: str
    profile: str
    strategy: str
    syntax: bool
    syntax_image: str
    builder_image: str
    builder_variant: Literal["debian", "alpine"]
    runtime_image: str
    cgo: bool
    cgo_mode: Literal["off", "glibc", "musl", "musl-static"]
    cross_compile: bool
    platforms: tuple[str, ...]
    emulation: bool
    download: bool
    module_files: tuple[str, ...]
    vendor: bool
    build_flags: tuple[str, ...]
    ldflags: str
    version_symbols: tuple[str, ...]
    warm_packages: tuple[str, ...]  # compiled before the sources are copied (gogen/plan/warm.py)
    binaries: tuple[BinaryPlan, ...]
    builder_package_manager: Literal["apk", "apt"]
    builder_packages: tuple[str, ...]
    runtime_package_manager: Literal["apk", "apt", ""]
    runtime_packages: tuple[str, ...]
    package_caches: bool
    system_libraries: tuple[SystemLibrary, ...]
    private: tuple[str, ...]
    netrc_secret: bool
    cache_dirs: tuple[tuple[str, str], ...]
    outputs: tuple[str, ...]
    user: str
    uid: int
    user_name: str
    shell: bool
    ca_certs: bool
    passwd: bool
    bin_dir: str
    needed_files: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]
    images: tuple[ImageSource, ...]
    actions: tuple[ActionPin, ...]
    dockerignore: tuple[IgnoreSection, ...]
    decisions: tuple[Decision, ...]
    warnings: tuple[Warning, ...]

    @property
    def primary(self) -> BinaryPlan:
        return self.binaries[-1]
