"""Assemble the `Project`: modules, packages, main packages and what each main needs."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gogen.errors import RepositoryError
from gogen.model import (
    Cgo,
    CgoLibrary,
    Embed,
    Evidence,
    HealthCheck,
    Hints,
    Main,
    PackageFiles,
    Project,
    VersionVar,
    Warning,
)
from gogen.scan import knowledge
from gogen.scan.constraints import Target
from gogen.scan.facts import PackageFacts, file_rel, package_facts, service_ports
from gogen.scan.gofile import GoFile
from gogen.scan.gomod import GO_VERSION_RE
from gogen.scan.hints import BinaryName, read_hints
from gogen.scan.hints.common import Resolver
from gogen.scan.modules import ModuleSet, load_modules
from gogen.scan.packages import Package, WalkOptions, is_generator, other_goos, walk_module
from gogen.scan.reading import read_optional
from gogen.scan.roles import EXAMPLE_DIRS, ProjectEvidence, RoleDecision, decide_role

DEFAULT_ARCHES = ("amd64", "arm64")
_VERSION_ELEMENT = re.compile(r"^v(?:[2-9]|[1-9][0-9]+)$")
SAFE_PATH = re.compile(r"^[A-Za-z0-9._/+-]+$")


def default_binary_name(import_path: str) -> str:
    """The go command's name for a main package's binary: the last path element, skipping `/vN`."""
    parent, elem = posixpath.split(import_path)
    if parent and _VERSION_ELEMENT.match(elem):
        elem = posixpath.basename(parent)
    return elem


def _go_minor(version: str | None) -> int:
    match = GO_VERSION_RE.match(version or "")
    return int(match.group(2)) if match else 99


@dataclass
class _Index:
    """Every package gogen can see, by import path, with vendored ones loaded on demand."""

    root: Path
    packages: dict[str, Package]
    vendor_dirs: dict[str, str]
    targets: tuple[Target, ...]
    warnings: list[Warning]
    _facts: dict[Package, PackageFacts] = field(default_factory=dict)

    def facts(self, package: Package) -> PackageFacts:
        """The package's facts, read once however many closures include it."""
        cached = self._facts.get(package)
        if cached is None:
            cached = package_facts(self.root, package, self.get)
            self._facts[package] = cached
        return cached

    def facts_computed(self) -> list[Package]:
        """The packages whose facts were read: every package of every main's closure."""
        return list(self._facts)

    def get(self, import_path: str) -> Package | None:
        found = self.packages.get(import_path)
        if found is not None or import_path not in self.vendor_dirs:
            return found
        result = walk_module(WalkOptions(self.root, self.targets), self.vendor_dirs[import_path], import_path, True)
        package = next((p for p in result.packages if p.dir == self.vendor_dirs[import_path]), None)
        if package is not None:
            self.packages[import_path] = package
        return package


@dataclass(frozen=True)
class _Closure:
    """What a main package's import closure holds, merged from each package's facts."""

    packages: list[Package]
    facts: list[PackageFacts]

    def collect(self, name: str) -> list[Any]:
        return [item for facts in self.facts for item in getattr(facts, name)]


def _closure(index: _Index, start: Package) -> _Closure:
    """Local packages reachable from `start`, each with its (cached) facts."""
    seen = {start}
    order = [start]
    queue = [start]
    while queue:
        for dep in index.facts(queue.pop()).local_deps:
            if dep not in seen:
                seen.add(dep)
                order.append(dep)
                queue.append(dep)
    order.sort(key=lambda p: p.dir)
    return _Closure(order, [index.facts(p) for p in order])


def _ev_key(evidence: Evidence) -> tuple[str, int, str]:
    return (evidence.file, evidence.line, evidence.text)


def _cgo(closure: _Closure) -> Cgo:
    required: list[Evidence] = closure.collect("cgo_required")
    optional: list[Evidence] = closure.collect("cgo_optional")
    libraries: list[CgoLibrary] = closure.collect("cgo_libraries")
    return Cgo(
        required=bool(required),
        optional=bool(optional) and not required,
        evidence=tuple(sorted(set(required or optional), key=_ev_key)),
        libraries=tuple(sorted(set(libraries), key=lambda lib: (lib.name, lib.evidence.file, lib.evidence.line))),
    )


def _version_var(main: Package, closure: list[Package]) -> VersionVar | None:
    candidates: list[VersionVar] = []
    for package in [main] + [
        p for p in closure if p is not main and p.dir.rsplit("/", 1)[-1] in knowledge.VERSION_PACKAGES
    ]:
        prefix = "main" if package is main else package.import_path
        for gofile in package.linux_files:
            for hit in gofile.version_vars:
                candidates.append(VersionVar(f"{prefix}.{hit.value}", file_rel(package, gofile), hit.line, hit.text))
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda v: (
            not v.symbol.startswith("main."),
            knowledge.VERSION_NAMES.index(v.symbol.rsplit(".", 1)[1]),
            v.file,
            v.line,
        ),
    )


@dataclass(frozen=True)
class _MainCandidate:
    package: Package
    generator: bool
    goos: tuple[str, ...]
    files: tuple[GoFile, ...]
    import_path: str
    binary_default: str


def _candidates(packages: list[Package]) -> list[_MainCandidate]:
    result = []
    for package in packages:
        if package.dependency:
            continue
        if package.is_main():
            result.append(
                _MainCandidate(
                    package,
                    False,
                    ("linux",),
                    tuple(package.linux_files),
                    package.import_path,
                    default_binary_name(package.import_path),
                )
            )
        elif package.files and not package.linux_files:
            goos = other_goos(package)
            if goos:
                result.append(
                    _MainCandidate(
                        package,
                        False,
                        goos,
                        tuple(package.files.values()),
                        package.import_path,
                        default_binary_name(package.import_path),
                    )
                )
        for gofile in package.files.values():
            if is_generator(gofile):
                stem = gofile.name.removesuffix(".go")
                result.append(_MainCandidate(package, True, ("linux",), (gofile,), package.import_path, stem))
    return result


def _generator_package(candidate: _MainCandidate) -> Package:
    """A `//go:build ignore` file is a program of its own: a package of that one file."""
    only = Package(
        candidate.package.dir,
        candidate.package.import_path,
        candidate.package.visible,
        False,
        {f.name: f for f in candidate.files},
    )
    only.pure = list(candidate.files)
    return only


def scan_project(root: Path, tags: tuple[str, ...] | None = None) -> Project:
    """Read the repository at `root` into a Project. Raises GogenError for unusable input.

    `tags` are the build tags to evaluate build constraints with; None: the tags the project's
    own build configuration passes (every build's, together).
    """
    if not root.is_dir():
        raise RepositoryError(f"{root} is not a directory", hint="pass the repository's root directory")
    modset = load_modules(root)
    module_dirs = {m.gomod.module: m.dir for m in modset.modules if m.gomod.module}
    hints = read_hints(root, module_dirs)
    warnings = list(modset.warnings)
    warnings.extend(Warning("hint-ignored", message, file, line) for message, file, line in hints.problems)
    warnings.extend(hints.warnings)
    arches = sorted({p.platform.split("/")[1] for p in hints.hints.platforms} | set(DEFAULT_ARCHES))
    minor = _go_minor(modset.go_version)
    build_tags = frozenset(tags if tags is not None else _configured_tags(hints.hints))
    targets = tuple(Target("linux", arch, False, minor, build_tags) for arch in arches)
    packages = _walk_all(root, modset, targets, warnings)
    index = _Index(root, {p.import_path: p for p in packages if p.visible}, modset.vendor_packages, targets, warnings)
    names = _binary_names(hints.binary_names)
    candidates = _candidates(packages)
    evidence = _project_evidence(hints.hints, candidates, modset, _generated_by(packages, Resolver(module_dirs)))
    mains = [_main(candidate, index, names, evidence, warnings) for candidate in candidates]
    mains.sort(key=lambda m: (m.role != "app", m.dir, m.binary))
    _warn_no_main(mains, modset, warnings)
    by_dir = {p.dir: p for p in index.packages.values()}
    extra = sorted({src for main in mains if main.default for d in main.closure for src in by_dir[d].extra_sources})
    package_files = _package_files(index)
    gitignore = read_gitignore(root, warnings)
    return Project(
        go_version=modset.go_version,
        go_version_evidence=modset.go_version_evidence,
        modules=modset.facts,
        workspace=modset.workspace_fact,
        vendor=modset.vendor,
        mains=tuple(mains),
        extra_build_files=tuple(extra),
        hints=hints.hints,
        warnings=tuple(sorted(set(warnings), key=lambda w: (w.file, w.line, w.code, w.message))),
        package_files=package_files,
        gitignore=gitignore,
    )


def _configured_tags(hints: Hints) -> set[str]:
    return {tag for build in hints.builds if not build.skip and build.source != "readme" for tag in build.tags}


def _package_files(index: _Index) -> tuple[PackageFiles, ...]:
    """Every package some main imports, with the files a Linux build of it reads."""
    result = []
    for package in index.facts_computed():
        names = sorted(
            {f.name for f in package.linux_files} | {src.rsplit("/", 1)[-1] for src in package.extra_sources}
        )
        result.append(PackageFiles(package.dir, tuple(names)))
    return tuple(sorted(result, key=lambda p: p.dir))


GITIGNORE_LIMIT = 4 * 1024 * 1024


def read_gitignore(root: Path, warnings: list[Warning] | None = None) -> tuple[Evidence, ...]:
    """The root .gitignore's patterns, each with its line (comments and blank lines left out).

    Only a regular file inside the repository: a `.gitignore` that links out of it (to a secrets
    file, say) would otherwise be copied line by line into the generated .dockerignore.
    """
    data = read_optional(root, ".gitignore", warnings if warnings is not None else [], GITIGNORE_LIMIT)
    if data is None:
        return ()
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    return tuple(
        Evidence(".gitignore", number, line.rstrip())
        for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1)
        if line.strip() and not line.startswith("#")
    )


def _walk_all(root: Path, modset: ModuleSet, targets: tuple[Target, ...], warnings: list[Warning]) -> list[Package]:
    options = WalkOptions(root, targets)
    packages: list[Package] = []
    for module in modset.modules + modset.replaces:
        result = walk_module(options, module.dir, module.gomod.module or "", dependency=not module.member)
        packages.extend(result.packages)
        warnings.extend(result.warnings)
    return packages


def _binary_names(names: tuple[BinaryName, ...]) -> dict[str, BinaryName]:
    """The first name given for each directory wins (goreleaser before build scripts)."""
    chosen: dict[str, BinaryName] = {}
    for name in names:
        chosen.setdefault(name.dir, name)
    return chosen


def _project_evidence(
    hints: Hints, candidates: list[_MainCandidate], modset: ModuleSet, generated: dict[str, Evidence]
) -> ProjectEvidence:
    entrypoints: dict[str, Evidence] = {}
    for dockerfile in hints.dockerfiles:
        if dockerfile.binary and dockerfile.entrypoint_evidence:
            entrypoints.setdefault(dockerfile.binary, dockerfile.entrypoint_evidence)
    main_dirs = frozenset(c.package.dir for c in candidates if not c.generator)
    return ProjectEvidence(hints.builds, entrypoints, generated, main_dirs, _example_module(modset))


def _example_module(modset: ModuleSet) -> Evidence | None:
    """`golang.org/x/example`: a root module named for examples is not an application repository."""
    module = modset.modules[0].gomod if modset.modules else None
    if module is None or not module.module:
        return None
    if module.module.rsplit("/", 1)[-1] in EXAMPLE_DIRS:
        return Evidence(module.file, module.module_line, f"module {module.module}")
    return None


def _generated_by(packages: list[Package], resolver: Resolver) -> dict[str, Evidence]:
    """Main package directories that a `//go:generate go run ./x` line runs, with that line."""
    found: dict[str, Evidence] = {}
    for package in sorted(packages, key=lambda p: p.dir):
        if package.dependency:
            continue
        for gofile in sorted(package.files.values(), key=lambda f: f.name):
            for hit in gofile.generate_runs:
                target = _runs_itself(package, hit.value) or _generated_dir(package.dir, hit.value, resolver)
                if target is not None:
                    found.setdefault(target, Evidence(file_rel(package, gofile), hit.line, hit.text))
    return found


def _runs_itself(package: Package, argument: str) -> str | None:
    """`//go:generate go run main.go` in a main package's own file: the package is a generator."""
    gofile = package.files.get(argument)
    if gofile is None or not package.is_main() or is_generator(gofile):
        return None
    return package.dir


def _generated_dir(base: str, argument: str, resolver: Resolver) -> str | None:
    """The folder `go run ARGUMENT` runs from package `base`: a relative path or a local import
    path. A `.go` file is a `//go:build ignore` program (already a generator of its own), and
    one with `@version` is a module's, not this repository's."""
    if "@" in argument or argument.endswith(".go"):
        return None
    return resolver.package(base, argument)


def _role(candidate: _MainCandidate, binary: str, evidence: ProjectEvidence) -> RoleDecision:
    if candidate.generator:
        file, gofile = _first_file(candidate)
        return RoleDecision(
            "generator",
            "a //go:build ignore program (go run file.go)",
            (Evidence(file, gofile.constraint_line, f"//go:build {gofile.constraint_text}"),),
        )
    builds = evidence.builds_for(candidate.package.dir)
    imports = {path for gofile in candidate.files for path in gofile.imports}
    return decide_role(candidate.package.dir, binary, sorted(imports), builds, evidence)


def _build_tags(candidate: _MainCandidate, evidence: ProjectEvidence) -> tuple[str, ...]:
    """The tags the project's first build of this main that passes tags builds it with."""
    if candidate.generator:
        return ()
    return next((b.tags for b in evidence.builds_for(candidate.package.dir) if b.tags and not b.skip), ())


def _main(
    candidate: _MainCandidate,
    index: _Index,
    names: dict[str, BinaryName],
    evidence: ProjectEvidence,
    warnings: list[Warning],
) -> Main:
    package = _generator_package(candidate) if candidate.generator else candidate.package
    closure = _closure(index, package)
    named = None if candidate.generator else names.get(package.dir)
    binary = named.name if named else candidate.binary_default
    safe = _safe_name(candidate, binary, warnings)
    builds_on_linux = _builds_on_linux(candidate, warnings)
    role = _role(candidate, binary, evidence)
    if role.unreleased and builds_on_linux:
        where = role.evidence[0]
        warnings.append(
            Warning(
                "not-released",
                f"main package {package.dir} is not among the builds of {where.file}, so it is not built into the "
                f"image; add it there, or build it with --binary {package.dir}",
                where.file,
                where.line,
            )
        )
    default = role.role == "app" and builds_on_linux and safe
    ports, port_warnings = service_ports(closure.collect("ports"))
    if default:
        warnings.extend(closure.collect("warnings"))
        warnings.extend(port_warnings)
    ca: list[Evidence] = sorted(set(closure.collect("ca_certs")), key=_ev_key)
    tz: list[Evidence] = sorted(set(closure.collect("tzdata")), key=_ev_key)
    tz_embedded = any(facts.tzdata_embedded for facts in closure.facts)
    embeds: list[Embed] = closure.collect("embeds")
    return Main(
        dir=package.dir,
        import_path=candidate.import_path,
        binary=binary,
        binary_evidence=named.evidence if named else None,
        role=role.role,
        role_reason=role.reason,
        role_evidence=role.evidence,
        tags=_build_tags(candidate, evidence),
        program_file=_first_file(candidate)[0] if candidate.generator else None,
        default=default,
        goos=candidate.goos,
        files=tuple(sorted(file_rel(package, f) for f in candidate.files)),
        closure=tuple(p.dir for p in closure.packages if not p.dir.startswith("vendor/")),
        imports=tuple(sorted({path for facts in closure.facts for path in facts.imports})),
        cgo=_cgo(closure),
        embeds=tuple(sorted(set(embeds), key=lambda e: (e.file, e.line, e.pattern))),
        ports=tuple(sorted(set(ports), key=lambda p: (p.file, p.line, p.port))),
        needs_ca_certs=bool(ca),
        ca_certs_evidence=tuple(ca),
        needs_tzdata=bool(tz) and not tz_embedded,
        tzdata_evidence=tuple(tz),
        tzdata_embedded=tz_embedded,
        version_var=_version_var(package, closure.packages),
        healthcheck=_healthcheck(candidate),
    )


def _healthcheck(candidate: _MainCandidate) -> HealthCheck | None:
    """The first `-healthcheck` flag or `healthcheck` subcommand in the main package's files."""
    for gofile in sorted(candidate.files, key=lambda f: f.name):
        for hit in gofile.health_checks:
            args = (f"-{hit.extra}",) if hit.value == "flag" else (hit.extra,)
            return HealthCheck(args, Evidence(file_rel(candidate.package, gofile), hit.line, hit.text))
    return None


def _first_file(candidate: _MainCandidate) -> tuple[str, GoFile]:
    gofile = min(candidate.files, key=lambda f: f.name)
    return file_rel(candidate.package, gofile), gofile


def _safe_name(candidate: _MainCandidate, binary: str, warnings: list[Warning]) -> bool:
    """Names that could become shell syntax are reported, and such a main is not built."""
    if SAFE_PATH.match(candidate.package.dir) and SAFE_PATH.match(binary):
        return True
    file, _ = _first_file(candidate)
    warnings.append(
        Warning(
            "unsafe-name",
            f"main package directory {candidate.package.dir!r} (binary {binary!r}) holds characters outside "
            "A-Z a-z 0-9 . _ - / +: the go command rejects it as an import path and gogen will not put it "
            "in a Dockerfile; rename the directory",
            file,
            0,
        )
    )
    return False


def _builds_on_linux(candidate: _MainCandidate, warnings: list[Warning]) -> bool:
    if "linux" in candidate.goos:
        return True
    file, gofile = _first_file(candidate)
    warnings.append(
        Warning(
            "platform-only-main",
            f"main package {candidate.package.dir} builds only for {', '.join(candidate.goos)}: "
            "it cannot be a Linux image",
            file,
            gofile.constraint_line,
        )
    )
    return False


def _warn_no_main(mains: list[Main], modset: ModuleSet, warnings: list[Warning]) -> None:
    if any(main.default for main in mains):
        return
    found = ", ".join(f"{m.dir} ({m.role})" for m in mains) or "none"
    module = modset.modules[0].gomod
    warnings.append(
        Warning(
            "no-main-package",
            f"{module.module} has no main package to build into a Linux image (main packages found: {found})",
            module.file,
            module.module_line,
        )
    )
