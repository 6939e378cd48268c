"""Project + Options → Plan. Every decision is made here, with its reason; templates only print.

The plan is pure: it reads nothing from disk and validates every scanned string that will
reach the Dockerfile, so that no directory or module name can become shell syntax.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

from gogen import __version__, dockerignore
from gogen.denylist import BASE_IGNORE, IGNORED_SECRETS, SECRETS_TITLE
from gogen.dockerignore import Rule
from gogen.errors import GogenError, ParseError
from gogen.images import (
    Variant,
    alpine_image,
    debian_image,
    distroless_image,
    golang_image,
    known_go_versions,
)
from gogen.model import BinaryPlan, CgoLibrary, Decision, IgnoreSection, Main, Plan, Project, SystemLibrary, Warning
from gogen.scan.gomod import version_key
from gogen.scan.project import default_binary_name
from gogen.settings import Options, normalise_dir
from gogen.system_libraries import packages_for

UID = 65532
LIBC_LIBRARIES = frozenset({"c", "m", "pthread", "dl", "rt", "resolv", "util"})
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx")
DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._/+-]+$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_SYMBOL = re.compile(r"^[A-Za-z0-9._/~+-]+\.[A-Za-z_][A-Za-z0-9_]*$")
_STAGE_BAD = re.compile(r"[^a-z0-9_.-]")


class PlanError(GogenError):
    """The repository and the options cannot make a working image (the message says why)."""


@dataclass
class _Notes:
    """Decisions and warnings gathered while planning, in the order they were made."""

    decisions: list[Decision] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def decide(self, topic: str, choice: str, reason: str) -> None:
        self.decisions.append(Decision(topic, choice, reason))

    def warn(self, code: str, message: str, file: str = "", line: int = 0) -> None:
        self.warnings.append(Warning(code, message, file, line))


def _check_safe(value: str, what: str, pattern: re.Pattern[str] = _SAFE_PATH) -> str:
    if not pattern.match(value):
        raise PlanError(
            f"{what} {value!r} holds characters gogen will not put in a Dockerfile",
            hint="use letters, digits, '.', '_', '-', '/' and '+' only",
        )
    return value


def _describe(mains: tuple[Main, ...]) -> str:
    return (
        ", ".join(f"{m.dir} ({m.role}{'' if 'linux' in m.goos else ', ' + '/'.join(m.goos) + ' only'})" for m in mains)
        or "none"
    )


def select_mains(project: Project, options: Options, notes: _Notes) -> list[Main]:
    """The mains to build, primary last."""
    by_dir = {m.dir: m for m in project.mains if m.role != "generator"}
    if options.binaries:
        chosen = []
        for directory in dict.fromkeys(normalise_dir(d) for d in options.binaries):
            main = by_dir.get(directory)
            if main is None:
                raise PlanError(
                    f"--binary {directory}: no main package there",
                    hint=f"main packages found: {_describe(project.mains)}",
                )
            if "linux" not in main.goos:
                raise PlanError(f"--binary {directory}: it builds only for {', '.join(main.goos)}, not Linux")
            chosen.append(main)
        notes.decide("binaries", ", ".join(m.dir for m in chosen), "chosen with --binary / gogen.toml")
    else:
        chosen = [m for m in project.mains if m.default]
        if not chosen and not project.mains:
            raise PlanError(
                "no main package to build into a Linux image: the repository has none",
                hint="gogen builds main packages (package main with func main); a library has nothing to run",
            )
        if not chosen:
            raise PlanError(
                "no main package to build into a Linux image",
                hint=f"main packages found: {_describe(project.mains)}; pick one with --binary DIR",
            )
        notes.decide(
            "binaries",
            ", ".join(m.dir for m in chosen),
            "every application main package (examples, test fixtures and generators are left out)",
        )
    primary = _primary(project, chosen, options, notes)
    return [m for m in chosen if m is not primary] + [primary]


def _primary(project: Project, chosen: list[Main], options: Options, notes: _Notes) -> Main:
    module_name = default_binary_name(project.modules[0].path) if project.modules else ""
    if options.primary is not None:
        wanted = normalise_dir(options.primary)
        for main in chosen:
            if main.dir == wanted:
                notes.decide("primary", main.dir, "chosen with --primary / gogen.toml")
                return main
        raise PlanError(f"primary {wanted} is not among the binaries built: {', '.join(m.dir for m in chosen)}")
    if len(chosen) == 1:
        notes.decide("primary", chosen[0].dir, "the only binary")
        return chosen[0]
    for main in chosen:
        if main.dir in (f"cmd/{module_name}", "."):
            notes.decide("primary", main.dir, f"named after the module ({module_name}); change it with --primary DIR")
            return main
    notes.decide("primary", chosen[0].dir, "the first application in directory order; change it with --primary DIR")
    return chosen[0]


def _stage_name(binary: str, taken: set[str]) -> str:
    stage = _STAGE_BAD.sub("-", binary.lower())
    if not stage[:1].isalpha():
        stage = f"app-{stage}"
    while stage in taken:
        stage = f"{stage}-image"
    taken.add(stage)
    return stage


def _binary_plans(mains: list[Main], options: Options, notes: _Notes) -> tuple[BinaryPlan, ...]:
    names: dict[str, str] = {}
    # `scratch` and `context` mean something else in FROM/COPY --from: never a stage name.
    taken = {"build", "runtime", "scratch", "context"}
    plans = []
    for index, main in enumerate(mains):
        _check_safe(main.dir, "directory")
        _check_safe(main.binary, "binary name", _SAFE_NAME)
        if main.binary in names:
            raise PlanError(
                f"{names[main.binary]} and {main.dir} would both build a binary called {main.binary}",
                hint="choose one with --binary, or rename one in .goreleaser.yaml",
            )
        names[main.binary] = main.dir
        primary = index == len(mains) - 1
        ports = tuple(sorted({p.port for p in main.ports}))
        if primary and options.ports:
            ports = tuple(sorted(set(options.ports)))
            notes.decide("ports", ", ".join(map(str, ports)), f"{main.binary}: chosen with --port / gogen.toml")
        elif ports:
            evidence = "; ".join(f"{p.file}:{p.line}" for p in main.ports)
            notes.decide("ports", ", ".join(map(str, ports)), f"{main.binary} listens there ({evidence})")
        package = "." if main.dir == "." else f"./{main.dir}"
        go_name = default_binary_name(main.import_path)
        plans.append(
            BinaryPlan(
                main.binary,
                main.dir,
                package,
                go_name,
                _stage_name(main.binary, taken),
                ports,
                primary,
                healthcheck=_healthcheck(main, primary, options, notes),
                environment=_environment(main, ports),
            )
        )
    return tuple(plans)


def _healthcheck(main: Main, primary: bool, options: Options, notes: _Notes) -> tuple[str, ...]:
    """The HEALTHCHECK command: the binary checking itself (distroless and scratch have no curl)."""
    path = f"/usr/local/bin/{main.binary}"
    if primary and options.healthcheck is not None:
        if not options.healthcheck:
            notes.decide("health check", "none", f"{main.binary}: gogen.toml sets healthcheck = []")
            return ()
        command = options.healthcheck if options.healthcheck[0].startswith("/") else (path, *options.healthcheck)
        notes.decide("health check", " ".join(command), f"{main.binary}: chosen in gogen.toml")
        return tuple(command)
    if main.healthcheck is None:
        return ()
    evidence = main.healthcheck.evidence
    command = (path, *main.healthcheck.args)
    notes.decide(
        "health check",
        " ".join(command),
        f"{main.binary} checks itself ({evidence.file}:{evidence.line} {evidence.text})",
    )
    return command


def _environment(main: Main, ports: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
    """Environment defaults the program reads (PORT), for compose files."""
    env_ports = [p for p in main.ports if p.source == "env" and p.port in ports]
    return (("PORT", str(env_ports[0].port)),) if env_ports else ()


# Docker's platform (linux/arm/v7, linux/amd64/v3) as the go command's environment: the
# variant means GOARM for arm and GOAMD64 for amd64, and nothing elsewhere (GOARM=8 is an error).
CROSS_ENV = (
    'export GOOS="$TARGETOS" GOARCH="$TARGETARCH"',
    'case "$TARGETARCH/$TARGETVARIANT" in arm/v*) export GOARM="${TARGETVARIANT#v}" ;; '
    'amd64/v*) export GOAMD64="$TARGETVARIANT" ;; esac',
)


def build_commands(binaries: tuple[BinaryPlan, ...], flags: list[str], ldflags: str, cross: bool) -> tuple[str, ...]:
    """The shell commands of the build step, joined with && by the template.

    Several binaries build in one `go build -o /out/` (one compile of shared packages); those
    whose name differs from the go command's default are renamed after it. Binaries whose
    default names collide build one by one.
    """
    commands = list(CROSS_ENV) if cross else []
    go_build = " ".join(["go build", *flags, f'-ldflags="{ldflags}"'])
    go_names = [b.go_name for b in binaries]
    if len(binaries) == 1:
        commands.append(f"{go_build} -o /out/{binaries[0].name} {binaries[0].package}")
    elif len(set(go_names)) == len(go_names):
        commands.append(f"{go_build} -o /out/ {' '.join(b.package for b in binaries)}")
        commands.extend(f"mv /out/{b.go_name} /out/{b.name}" for b in binaries if b.go_name != b.name)
    else:
        commands.extend(f"{go_build} -o /out/{b.name} {b.package}" for b in binaries)
    return tuple(commands)


@dataclass(frozen=True)
class _Cgo:
    enabled: bool
    mode: str
    builder_variant: Variant
    builder_packages: tuple[str, ...]
    runtime_image: str
    runtime_packages: tuple[str, ...] = ()
    libraries: tuple[SystemLibrary, ...] = ()


def _libraries(mains: list[Main]) -> list[CgoLibrary]:
    """The C libraries beyond libc that cgo links, the first place each is named."""
    found: dict[str, CgoLibrary] = {}
    for main in mains:
        for library in main.cgo.libraries:
            if library.kind == "pkg-config" or library.name not in LIBC_LIBRARIES:
                found.setdefault(library.name, library)
    return [found[name] for name in sorted(found)]


def _cgo_evidence(mains: list[Main]) -> str:
    evidence = [e for m in mains for e in m.cgo.evidence][:3]
    return "; ".join(f"{e.file}:{e.line} {e.text}" for e in evidence)


def _system_libraries(
    libraries: list[CgoLibrary], variant: Variant, options: Options, notes: _Notes
) -> tuple[SystemLibrary, ...]:
    """Map each library to its packages; one gogen cannot map is a warning naming its line."""
    mapped = []
    for library in libraries:
        packages = packages_for(library.name, variant, options)
        where = library.evidence
        if packages is None:
            notes.warn(
                "cgo-library",
                f"cgo links {library.name} and gogen does not know the {variant} packages for it: "
                f"add [system_libraries.{library.name}] to gogen.toml (or `packages`)",
                where.file,
                where.line,
            )
            continue
        mapped.append(SystemLibrary(library.name, packages.builder, packages.runtime, where))
        notes.decide(
            "system library",
            f"{library.name}: {packages.builder or '-'} / {packages.runtime or '-'}",
            f"{where.file}:{where.line} {where.text}; builder / runtime {variant} packages",
        )
    return tuple(mapped)


def _library_packages(
    libraries: tuple[SystemLibrary, ...], pkg_config: bool, pkg_config_package: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    builder = [lib.builder_package for lib in libraries if lib.builder_package]
    if pkg_config:
        builder.append(pkg_config_package)
    runtime = [lib.runtime_package for lib in libraries if lib.runtime_package]
    return tuple(dict.fromkeys(builder)), tuple(dict.fromkeys(runtime))


def _plan_cgo(project: Project, mains: list[Main], options: Options, notes: _Notes) -> _Cgo:
    needs = [m for m in mains if m.cgo.required]
    release = options.debian_release
    profile = options.profile
    if not needs:
        notes.decide(
            "cgo", "CGO_ENABLED=0", 'no file of the built packages\' closure imports "C" or a module that needs cgo'
        )
        variant: Variant = "alpine" if profile == "alpine" else "debian"
        runtime = {
            "distroless": distroless_image("static", release),
            "scratch": "scratch",
            "alpine": alpine_image(),
            "debian": debian_image(release),
        }[profile]
        return _Cgo(False, "off", variant, (), runtime)
    libraries = _libraries(needs)
    names = ", ".join(lib.name for lib in libraries)
    pkg_config = any(lib.kind == "pkg-config" for lib in libraries)
    evidence = _cgo_evidence(needs)
    if profile in ("scratch", "distroless") and libraries:
        where = libraries[0].evidence
        what = (
            "profile scratch needs a fully static binary, but cgo links"
            if profile == "scratch"
            else "profile distroless cannot provide the system libraries cgo links:"
        )
        raise PlanError(
            f"{what} {names} ({where.file}:{where.line} {where.text})",
            hint="choose --profile debian or alpine: gogen installs the library's packages there",
        )
    if profile == "scratch":
        notes.decide(
            "cgo",
            "CGO_ENABLED=1, static musl",
            f"cgo is required ({evidence}); it links only libc, so a static musl build runs on scratch",
        )
        return _Cgo(True, "musl-static", "alpine", ("build-base",), "scratch")
    if profile == "distroless":
        cxx = any(path.endswith(CXX_SUFFIXES) for path in project.extra_build_files)
        image = distroless_image("glibc_cxx" if cxx else "glibc", release)
        notes.decide(
            "cgo",
            "CGO_ENABLED=1, glibc",
            f"cgo is required ({evidence}); distroless {'cc' if cxx else 'base'} ships glibc",
        )
        return _Cgo(True, "glibc", "debian", (), image)
    if profile == "alpine":
        mapped = _system_libraries(libraries, "alpine", options, notes)
        builder, runtime_packages = _library_packages(mapped, pkg_config, "pkgconf")
        notes.decide(
            "cgo",
            "CGO_ENABLED=1, musl",
            f"cgo is required ({evidence}); built on the alpine golang image with build-base",
        )
        return _Cgo(True, "musl", "alpine", ("build-base", *builder), alpine_image(), runtime_packages, mapped)
    mapped = _system_libraries(libraries, "debian", options, notes)
    builder, runtime_packages = _library_packages(mapped, pkg_config, "pkg-config")
    notes.decide("cgo", "CGO_ENABLED=1, glibc", f"cgo is required ({evidence})")
    return _Cgo(True, "glibc", "debian", builder, debian_image(release), runtime_packages, mapped)


def _go_version(project: Project, notes: _Notes) -> str:
    if project.go_version is None:
        newest = max(known_go_versions(), key=version_key)
        notes.decide("go version", newest, "go.mod has no go line; the newest Go gogen knows")
        return newest
    evidence = project.go_version_evidence
    where = f"{evidence.file}:{evidence.line} {evidence.text}" if evidence else ""
    notes.decide("go version", project.go_version, f"the newest of the go and toolchain lines ({where})")
    return project.go_version


def _module_files(project: Project) -> tuple[str, ...]:
    """go.mod/go.sum files `go mod download` reads: members, local replacements, go.work."""
    files: list[str] = []
    if project.workspace is not None:
        files.append(project.workspace.file)
        if project.workspace.sum_file:
            files.append(project.workspace.sum_file)
    for module in project.modules:
        files.append(posixpath.join(module.dir, "go.mod") if module.dir != "." else "go.mod")
        if module.go_sum:
            files.append(module.go_sum)
        for local in module.local_replaces:
            if not local.inside_repo:
                raise PlanError(
                    f"{local.module} is replaced by {local.dir}, outside the repository: "
                    "no build context rooted here can include it",
                    file=local.evidence.file,
                    line=local.evidence.line,
                    hint="move the replaced module into the repository, or build from a common parent directory",
                )
            if local.go_mod:
                files.append(local.go_mod)
    for path in files:
        _check_safe(path, "module file")
    return tuple(dict.fromkeys(files))


def _download(project: Project, notes: _Notes) -> bool:
    if project.vendor:
        notes.decide("modules", "vendor/ (-mod=vendor)", "vendor/modules.txt is present: nothing to download")
        return False
    external = sum(m.external_requires for m in project.modules)
    if external == 0:
        notes.decide("modules", "no download step", "no module requires anything that is not in the repository")
        return False
    notes.decide(
        "modules",
        "go mod download in its own step",
        f"{external} requirement(s); the step is keyed on go.mod/go.sum only, so a source edit never re-downloads",
    )
    return True


def _version_symbols(mains: list[Main], notes: _Notes) -> tuple[str, ...]:
    symbols = []
    for main in mains:
        if main.version_var is not None:
            symbols.append(_check_safe(main.version_var.symbol, "version variable", _SYMBOL))
    unique = tuple(dict.fromkeys(symbols))
    if unique:
        where = "; ".join(f"{m.version_var.file}:{m.version_var.line}" for m in mains if m.version_var)
        notes.decide("version", ", ".join(unique), f"set from the VERSION build argument with -X ({where})")
    return unique


def _needs(mains: list[Main]) -> tuple[bool, bool]:
    return any(m.needs_ca_certs for m in mains), any(m.needs_tzdata for m in mains)


def _runtime_packages(options: Options, cgo: _Cgo, ca: bool, tz: bool, notes: _Notes) -> tuple[str, ...]:
    if options.profile == "alpine":
        needed: tuple[str, ...] = ("ca-certificates", "tzdata", *cgo.runtime_packages)
    elif options.profile == "debian":
        needed = tuple(p for p, wanted in (("ca-certificates", ca), ("tzdata", tz)) if wanted) + cgo.runtime_packages
    else:
        if options.packages:
            notes.warn(
                "packages-ignored",
                f"profile {options.profile} has no package manager: {', '.join(options.packages)} not installed",
            )
        return ()
    return tuple(dict.fromkeys(needed + options.packages))


FORGES = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")
IMAGE_PREFIXES = {"golang": "golang", "alpine": "alpine", "debian": "debian", "distroless": "gcr.io/distroless"}


def apply_image_policy(ref: str, options: Options, notes: _Notes) -> str:
    """Rewrite `ref` to the organisation's mirror and pin it by digest, keeping gogen's tag."""
    digests = dict(options.digests)
    result = ref
    for kind, mirror in options.images:
        prefix = IMAGE_PREFIXES[kind]
        if ref == prefix or ref.startswith((prefix + ":", prefix + "/")):
            result = mirror + ref[len(prefix) :]
            notes.decide("image mirror", result, f"[images] {kind} = {mirror!r}")
    if ref in digests:
        result = f"{result}@{digests[ref]}"
        notes.decide("image pin", result, f"[images.digests] pins {ref}")
    return result


def _labels(project: Project, options: Options, notes: _Notes) -> tuple[tuple[str, str], ...]:
    labels: dict[str, str] = {}
    module = project.modules[0].path if project.modules else ""
    parts = module.split("/")
    if len(parts) >= 3 and parts[0] in FORGES:
        labels["org.opencontainers.image.source"] = "https://" + "/".join(parts[:3])
        notes.decide("labels", "org.opencontainers.image.source", f"the module path names {parts[0]}")
    labels.update(dict(options.labels))
    return tuple(sorted(labels.items()))


def needed_paths(project: Project, mains: list[Main], module_files: tuple[str, ...]) -> list[str]:
    """Every file the image build reads: module files, the closure's sources, embedded files, vendor/."""
    by_dir = {entry.dir: entry.files for entry in project.package_files}
    needed = list(module_files)
    for main in mains:
        for directory in main.closure:
            needed.extend(
                posixpath.join(directory, name) if directory != "." else name for name in by_dir.get(directory, ())
            )
        for embed in main.embeds:
            needed.extend(embed.files)
    if project.vendor:
        needed.append("vendor/modules.txt")
        for entry in project.package_files:
            if entry.dir.startswith("vendor/"):
                needed.extend(f"{entry.dir}/{name}" for name in entry.files)
    return sorted(set(needed))


def needed_for(project: Project, the_plan: Plan) -> list[str]:
    """The files the build of `the_plan` reads (see needed_paths)."""
    dirs = {binary.dir for binary in the_plan.binaries}
    mains = [m for m in project.mains if m.dir in dirs and m.role != "generator"]
    return needed_paths(project, mains, the_plan.module_files)


@dataclass
class _IgnoreDraft:
    """The .dockerignore being decided: sections of (pattern, where it came from)."""

    sections: list[tuple[str, list[tuple[str, str]]]]
    notes: list[str] = field(default_factory=list)
    reincluded: list[str] = field(default_factory=list)

    def rules(self) -> list[Rule]:
        rules: list[Rule] = []
        for _, patterns in self.sections:
            for pattern, origin in patterns:
                rules.extend(replace(rule, text=origin) for rule in dockerignore.parse(pattern))
        rules.extend(dockerignore.parse("\n".join(f"!{path}" for path in self.reincluded)))
        return rules

    def drop(self, pattern: str) -> None:
        for _, patterns in self.sections:
            patterns[:] = [(p, o) for p, o in patterns if p != pattern]

    def render(self) -> tuple[IgnoreSection, ...]:
        result = [IgnoreSection(title, tuple(p for p, _ in patterns)) for title, patterns in self.sections if patterns]
        if self.notes:
            result.append(
                IgnoreSection("Left out on purpose: the build reads these", tuple(f"# {n}" for n in self.notes))
            )
        if self.reincluded:
            lines = tuple(f"!{path}" for path in self.reincluded)
            result.append(IgnoreSection("Read by the build although they look like secrets", lines))
        return tuple(result)


def _printable(path: str) -> str:
    """A path as it may appear in a comment line: repr() when it holds control characters."""
    return path if path.isprintable() else repr(path)


def _ignore_literal(path: str) -> str:
    """`path` as a .dockerignore pattern that matches exactly it (wildcards escaped)."""
    if not path.isprintable() or path != path.strip():
        raise PlanError(
            f"the build reads {path!r}, which looks like a secret and cannot be written as a .dockerignore line",
            hint="rename the file",
        )
    return re.sub(r"([\\*?\[\]])", r"\\\1", path)


def _gitignore_patterns(project: Project, notes: _Notes) -> list[tuple[str, str]]:
    """The .gitignore's lines in Docker's terms, with where each came from; a line Docker
    cannot read (git takes `[abc` literally, Docker refuses it) is left out with a warning."""
    patterns = []
    for line in project.gitignore:
        pattern = dockerignore.from_gitignore(line.text)
        if pattern is None:
            continue
        try:
            dockerignore.parse(pattern, line.file)
        except ParseError as exc:
            notes.warn("gitignore-line-skipped", f"not copied into .dockerignore: {exc.message}", line.file, line.line)
            continue
        patterns.append((pattern, f"{line.file}:{line.line}"))
    return patterns


def _dockerignore(project: Project, needed: list[str], notes: _Notes) -> tuple[IgnoreSection, ...]:
    """The base denylist and the .gitignore's patterns, minus any pattern that would drop a needed file.

    A dropped pattern leaves a comment saying why. Secret patterns are never dropped: a
    secret-looking file the build reads is re-included by name, with a warning.
    """
    gitignore = _gitignore_patterns(project, notes)
    sections = [(title, [(p, "gogen") for p in patterns]) for title, patterns in BASE_IGNORE]
    if gitignore:
        sections.append(("From .gitignore, in Docker's terms (foo → **/foo)", gitignore))
    sections.append((SECRETS_TITLE, [(p, "secret") for p in IGNORED_SECRETS]))
    draft = _IgnoreDraft(sections)
    for _ in range(len(BASE_IGNORE) + len(gitignore) + len(IGNORED_SECRETS) + 1):
        matcher = dockerignore.Matcher(draft.rules())
        offenders = [(path, matcher.deciding_rule(path)) for path in needed if matcher.excluded(path)]
        if not offenders:
            break
        path, rule = offenders[0]
        assert rule is not None
        if rule.text == "secret":
            secret_paths = [p for p, r in offenders if r is rule]
            draft.reincluded.extend(_ignore_literal(p) for p in secret_paths)
            notes.warn(
                "secret-in-build",
                f"the build reads {secret_paths[0]}, which looks like a secret ({rule}); it is re-included",
            )
            continue
        origin = "gogen's defaults" if rule.text == "gogen" else rule.text
        draft.drop(rule.pattern)
        draft.notes.append(f"{rule} ({origin}) is not excluded: the build reads {_printable(path)}")
        notes.decide(".dockerignore", f"keeps {rule}", f"the build reads {path}")
    return draft.render()


def _platforms(project: Project, options: Options, cross: bool, notes: _Notes) -> tuple[str, ...]:
    """Target platforms: gogen.toml's, else the project's .goreleaser's, else amd64 and arm64."""
    if options.platforms:
        platforms, source = options.platforms, "chosen in gogen.toml / --platform"
    elif project.hints.platforms:
        platforms = tuple(p.platform for p in project.hints.platforms)
        first = project.hints.platforms[0].evidence
        source = f"from {first.file}:{first.line}"
    else:
        platforms, source = DEFAULT_PLATFORMS, "gogen's default"
    platforms = tuple(dict.fromkeys(platforms))
    if cross:
        notes.decide(
            "platforms",
            ", ".join(platforms),
            f"{source}; cross-compiled on the build platform ($BUILDPLATFORM), GOARM/GOAMD64 from the "
            "platform's variant: no emulation needed",
        )
    else:
        notes.decide(
            "platforms",
            ", ".join(platforms),
            f"{source}; cgo needs a C toolchain for the target, so each platform builds natively: "
            "a builder node per platform, or QEMU emulation (docker run --privileged tonistiigi/binfmt --install all)",
        )
    return platforms


def _private(options: Options, download: bool, notes: _Notes) -> tuple[str, ...]:
    """GOPRIVATE patterns, fetched with the `netrc` build secret (see _mounts)."""
    if not options.private:
        return ()
    patterns = ",".join(options.private)
    if not download:
        notes.decide("private modules", "nothing to fetch", f"{patterns}: the build downloads no module")
        return ()
    if options.strategy != "buildkit":
        raise PlanError(
            f"private modules ({patterns}) need the netrc build secret, and build secrets need BuildKit",
            hint="use --strategy buildkit, or vendor the modules (go mod vendor)",
        )
    notes.decide(
        "private modules",
        f"GOPRIVATE={patterns}",
        "not looked up in the public proxy or checksum database; credentials come from the `netrc` "
        "build secret, mounted (never copied) on the steps that can download, so they are in no layer",
    )
    return options.private


GO_CACHE_DIRS = (("go-mod", "/go/pkg/mod"), ("go-build", "/root/.cache/go-build"))


def _cache_dirs(options: Options, vendor: bool) -> tuple[tuple[str, str], ...]:
    """The directories the buildkit strategy keeps in cache mounts (a CI can carry them over)."""
    if options.strategy != "buildkit":
        return ()
    return tuple(entry for entry in GO_CACHE_DIRS if not (vendor and entry[0] == "go-mod"))


NETRC_MOUNT = "--mount=type=secret,id=netrc,target=/root/.netrc,required=true"
NETRC_OPTION = "--secret id=netrc,src=$HOME/.netrc"


def _mounts(
    cache_dirs: tuple[tuple[str, str], ...], download: bool, private: tuple[str, ...], module_files: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`RUN --mount` options of the download step and of the build step (none without BuildKit).

    The netrc secret goes on both: the download step can come from the layer cache while the
    module cache mount is empty (a fresh CI runner, a pruned builder), and go build then
    downloads the modules itself.
    """
    if not cache_dirs:
        return (), ()
    caches = {name: f"--mount=type=cache,target={target}" for name, target in cache_dirs}
    secret = (NETRC_MOUNT,) if private else ()
    binds = tuple(f"--mount=type=bind,source={file},target={file}" for file in module_files)
    download_mounts = (caches["go-mod"], *secret, *binds) if download else ()
    return download_mounts, (*caches.values(), *secret, "--mount=type=bind,target=.")


def _outputs(options: Options) -> tuple[str, ...]:
    wanted = (
        ("compose.yaml", options.compose),
        (".github/workflows/docker.yml", options.ci == "github"),
        ("README.Docker.md", options.docker_readme),
    )
    return tuple(name for name, chosen in wanted if chosen)


def plan(project: Project, options: Options) -> Plan:
    """Decide everything about the Dockerfile and .dockerignore for `project`."""
    options = options.validated()
    notes = _Notes()
    notes.warnings.extend(project.warnings)
    mains = select_mains(project, options, notes)
    binaries = _binary_plans(mains, options, notes)
    go_version = _go_version(project, notes)
    cgo = _plan_cgo(project, mains, options, notes)
    builder = golang_image(go_version, cgo.builder_variant)
    if not builder.known:
        notes.warn("image-unknown", builder.note)
    notes.decide(
        "builder image",
        builder.ref,
        f"golang {go_version}{' (alpine, musl)' if cgo.builder_variant == 'alpine' else ''}: the official images "
        "set GOTOOLCHAIN=local, so the builder must be at least go.mod's version",
    )
    notes.decide(
        "profile",
        options.profile,
        "chosen with --profile / gogen.toml" if options.profile != "distroless" else "the default",
    )
    notes.decide(
        "runtime image",
        cgo.runtime_image,
        f"profile {options.profile}, {'cgo ' + cgo.mode if cgo.enabled else 'static binary'}",
    )
    cross = not cgo.enabled
    platforms = _platforms(project, options, cross, notes)
    notes.decide(
        "strategy",
        options.strategy,
        "cache mounts keep modules and compiler output between builds"
        if options.strategy == "buildkit"
        else "COPY go.mod/go.sum, download, COPY . .: works without BuildKit",
    )
    download = _download(project, notes)
    private = _private(options, download, notes)
    module_files = _module_files(project)
    cache_dirs = _cache_dirs(options, project.vendor)
    download_mounts, build_mounts = _mounts(cache_dirs, download, private, module_files)
    ca, tz = _needs(mains)
    tags = []
    if options.profile == "scratch" and tz:
        tags.append("timetzdata")
        notes.decide("zoneinfo", "-tags timetzdata", "time.LoadLocation is used and scratch has no /usr/share/zoneinfo")
    if cgo.mode == "musl-static":
        tags += ["netgo", "osusergo"]
    flags = (
        ["-trimpath", "-buildvcs=false"]
        + (["-mod=vendor"] if project.vendor else [])
        + ([f"-tags={','.join(tags)}"] if tags else [])
    )
    symbols = _version_symbols(mains, notes)
    ldflags = ["-s", "-w"]
    if cgo.mode == "musl-static":
        ldflags += ["-linkmode", "external", "-extldflags", "'-static'"]
    ldflags += [f"-X {symbol}=${{VERSION}}" for symbol in symbols]
    scratch_ca = options.profile == "scratch" and ca
    if scratch_ca:
        notes.decide(
            "CA certificates",
            "copied from the builder",
            "the program makes TLS connections and scratch has no CA bundle",
        )
    notes.decide("user", f"{UID}:{UID}", "numeric non-root user in every final stage")
    return Plan(
        gogen_version=__version__,
        module_path=project.modules[0].path if project.modules else "",
        go_version=go_version,
        profile=options.profile,
        strategy=options.strategy,
        syntax=options.syntax,
        builder_image=apply_image_policy(builder.ref, options, notes),
        builder_variant=cgo.builder_variant,
        runtime_image=apply_image_policy(cgo.runtime_image, options, notes),
        cgo=cgo.enabled,
        cgo_mode=cgo.mode,  # type: ignore[arg-type]
        cross_compile=cross,
        platforms=platforms,
        emulation=not cross and len(platforms) > 1,
        download=download,
        module_files=module_files,
        vendor=project.vendor,
        build_flags=tuple(flags),
        ldflags=" ".join(ldflags),
        version_symbols=symbols,
        build_commands=build_commands(binaries, flags, " ".join(ldflags), cross),
        binaries=binaries,
        builder_packages=cgo.builder_packages
        + (("git",) if private and cgo.builder_variant == "alpine" and "git" not in cgo.builder_packages else ()),
        runtime_packages=_runtime_packages(options, cgo, ca, tz, notes),
        labels=_labels(project, options, notes),
        system_libraries=cgo.libraries,
        private=private,
        secret_option=NETRC_OPTION if private else "",
        cache_dirs=cache_dirs,
        download_mounts=download_mounts,
        build_mounts=build_mounts,
        outputs=_outputs(options),
        user=f"{UID}:{UID}",
        uid=UID,
        ca_certs=scratch_ca,
        passwd=options.profile == "scratch",
        dockerignore=_dockerignore(project, needed_paths(project, mains, module_files), notes),
        decisions=tuple(notes.decisions),
        warnings=tuple(notes.warnings),
    )
