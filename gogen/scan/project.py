"""Assemble the `Project`: modules, packages, main packages and what each main needs."""

from __future__ import annotations

import glob
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from gogen.errors import RepositoryError
from gogen.model import (
    Cgo,
    CgoLibrary,
    Embed,
    Evidence,
    Main,
    Port,
    Project,
    Role,
    VersionVar,
    Warning,
)
from gogen.scan import knowledge
from gogen.scan.constraints import Target
from gogen.scan.gofile import GoFile, Hit, Import
from gogen.scan.gomod import GO_VERSION_RE
from gogen.scan.hints import BinaryName, read_hints
from gogen.scan.modules import ModuleSet, load_modules
from gogen.scan.packages import Package, WalkOptions, is_generator, other_goos, walk_module

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
DEFAULT_ARCHES = ("amd64", "arm64")
_VERSION_ELEMENT = re.compile(r"^v(?:[2-9]|[1-9][0-9]+)$")
SAFE_PATH = re.compile(r"^[A-Za-z0-9._/+-]+$")


def default_binary_name(import_path: str) -> str:
    """The go command's name for a main package's binary: the last path element, skipping `/vN`."""
    parent, elem = posixpath.split(import_path)
    if parent and _VERSION_ELEMENT.match(elem):
        elem = posixpath.basename(parent)
    return elem


def role_for(dir: str) -> Role:
    parts = dir.split("/")
    if any(part in knowledge.EXAMPLE_DIRS for part in parts):
        return "example"
    if any(part in knowledge.TEST_DIRS for part in parts):
        return "test-fixture"
    if any(part.startswith("_") for part in parts):
        return "example"
    return "app"


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

    def get(self, import_path: str) -> Package | None:
        found = self.packages.get(import_path)
        if found is not None or import_path not in self.vendor_dirs:
            return found
        result = walk_module(WalkOptions(self.root, self.targets), self.vendor_dirs[import_path], import_path, True)
        package = next((p for p in result.packages if p.dir == self.vendor_dirs[import_path]), None)
        if package is not None:
            self.packages[import_path] = package
        return package


def _closure(index: _Index, start: Package) -> tuple[list[Package], list[tuple[Import, str]]]:
    """Local packages reachable from `start`, and every external import with its file."""
    seen = {start.import_path: start}
    order = [start]
    external: list[tuple[Import, str]] = []
    queue = [start]
    while queue:
        package = queue.pop()
        for gofile in package.linux_files:
            for imp in gofile.imports:
                if imp.path in seen or knowledge.is_std(imp.path):
                    continue
                found = index.get(imp.path)
                if found is None:
                    external.append((imp, _file_rel(package, gofile)))
                    continue
                seen[imp.path] = found
                order.append(found)
                queue.append(found)
    return sorted(order, key=lambda p: p.dir), external


def _ev(file: str, hit: Hit) -> Evidence:
    return Evidence(file, hit.line, hit.text)


def _file_rel(package: Package, gofile: GoFile) -> str:
    return gofile.name if package.dir == "." else f"{package.dir}/{gofile.name}"


def _cgo(closure: list[Package], external: list[tuple[Import, str]]) -> Cgo:
    evidence: list[Evidence] = []
    optional_evidence: list[Evidence] = []
    libraries: list[CgoLibrary] = []
    for package in closure:
        for gofile in package.linux_files:
            rel = _file_rel(package, gofile)
            if gofile.imports_c:
                imp = gofile.find_import("C")
                item = Evidence(rel, imp.line, imp.text)
                (evidence if gofile in package.pure else optional_evidence).append(item)
                libraries.extend(_libraries(rel, gofile))
    for imp, rel in external:
        if knowledge.cgo_module(imp.path) is not None:
            evidence.append(Evidence(rel, imp.line, imp.text))
    required = bool(evidence)
    return Cgo(
        required=required,
        optional=bool(optional_evidence) and not required,
        evidence=tuple(sorted(set(evidence or optional_evidence), key=_ev_key)),
        libraries=tuple(sorted(set(libraries), key=lambda lib: (lib.name, lib.evidence.file, lib.evidence.line))),
    )


def _ev_key(evidence: Evidence) -> tuple[str, int, str]:
    return (evidence.file, evidence.line, evidence.text)


def _libraries(rel: str, gofile: GoFile) -> list[CgoLibrary]:
    result = []
    for hit in gofile.cgo_directives:
        if hit.value == "pkg-config":
            for name in hit.extra.split():
                if not name.startswith("-"):
                    result.append(CgoLibrary("pkg-config", name, _ev(rel, hit)))
        else:
            for flag in hit.extra.split():
                if flag.startswith("-l") and len(flag) > 2:
                    result.append(CgoLibrary("ldflags", flag[2:], _ev(rel, hit)))
    return result


def _embeds(root: Path, closure: list[Package], warnings: list[Warning]) -> list[Embed]:
    result = []
    for package in closure:
        for gofile in package.linux_files:
            rel = _file_rel(package, gofile)
            for hit in gofile.embeds:
                for pattern in knowledge.embed_patterns(hit.value):
                    exists = _embed_exists(root, package.dir, pattern)
                    result.append(Embed(pattern, rel, hit.line, exists))
                    if not exists:
                        warnings.append(_missing_embed(root, package.dir, pattern, rel, hit.line))
    return sorted(set(result), key=lambda e: (e.file, e.line, e.pattern))


def _missing_embed(root: Path, package_dir: str, pattern: str, file: str, line: int) -> Warning:
    """Name the pattern, and the front-end project that probably produces it, if there is one."""
    top = pattern.removeprefix("all:").split("/", 1)[0]
    places = [posixpath.join(package_dir, top), package_dir, "."]
    producer = next(
        (
            posixpath.normpath(posixpath.join(p, "package.json"))
            for p in places
            if (root / p / "package.json").is_file()
        ),
        None,
    )
    how = (
        f"{producer} suggests a front-end build: run it before the Go build"
        if producer
        else "go generate, a build step"
    )
    return Warning(
        "embed-missing",
        f"//go:embed {pattern} matches no file: the Go build fails until it exists ({how})",
        file,
        line,
    )


def _embed_exists(root: Path, package_dir: str, pattern: str) -> bool:
    bare = pattern.removeprefix("all:")
    base = root / package_dir
    try:
        return bool(glob.glob(bare, root_dir=base)) or bool(glob.glob(bare, root_dir=base, include_hidden=True))
    except (OSError, ValueError):
        return False


def _ports(closure: list[Package], warnings: list[Warning]) -> list[Port]:
    ports: dict[tuple[int, str, int], Port] = {}
    for package in closure:
        for gofile in package.linux_files:
            rel = _file_rel(package, gofile)
            for source, hits in (("listen", gofile.listens), ("env", gofile.env_ports), ("flag", gofile.flag_ports)):
                for hit in hits:
                    port_text, host = (hit.extra, hit.value) if source != "env" else (hit.value, hit.extra)
                    number = int(port_text)
                    if not 0 < number < 65536:
                        continue
                    ports[(number, rel, hit.line)] = Port(number, host, source, rel, hit.line, hit.text)  # type: ignore[arg-type]
                    if host in LOOPBACK_HOSTS:
                        warnings.append(
                            Warning(
                                "loopback-bind",
                                f"listens on {host}:{number}, which is unreachable from outside a container; "
                                f"bind to :{number} (all interfaces)",
                                rel,
                                hit.line,
                            )
                        )
    return sorted(ports.values(), key=lambda p: (p.file, p.line, p.port))


def _runtime_needs(
    closure: list[Package], external: list[tuple[Import, str]]
) -> tuple[list[Evidence], list[Evidence], bool]:
    ca: list[Evidence] = []
    tz: list[Evidence] = []
    tz_embedded = False
    for package in closure:
        for gofile in package.linux_files:
            rel = _file_rel(package, gofile)
            for imp in gofile.imports:
                if imp.path in knowledge.TLS_IMPORTS:
                    ca.append(Evidence(rel, imp.line, imp.text))
                if imp.path == "time/tzdata":
                    tz_embedded = True
            ca.extend(_ev(rel, hit) for hit in gofile.outbound_http)
            tz.extend(_ev(rel, hit) for hit in gofile.load_location)
    for imp, rel in external:
        if knowledge.needs_ca_certs(imp.path):
            ca.append(Evidence(rel, imp.line, imp.text))
    return sorted(set(ca), key=_ev_key), sorted(set(tz), key=_ev_key), tz_embedded


def _version_var(main: Package, closure: list[Package]) -> VersionVar | None:
    candidates: list[VersionVar] = []
    for package in [main] + [
        p for p in closure if p is not main and p.dir.rsplit("/", 1)[-1] in knowledge.VERSION_PACKAGES
    ]:
        prefix = "main" if package is main else package.import_path
        for gofile in package.linux_files:
            for hit in gofile.version_vars:
                candidates.append(VersionVar(f"{prefix}.{hit.value}", _file_rel(package, gofile), hit.line, hit.text))
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
    role: Role
    goos: tuple[str, ...]
    files: tuple[GoFile, ...]
    import_path: str
    binary_default: str


def _candidates(packages: list[Package]) -> list[_MainCandidate]:
    result = []
    for package in packages:
        if package.dependency:
            continue
        role = role_for(package.dir)
        if package.is_main():
            result.append(
                _MainCandidate(
                    package,
                    role,
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
                        role,
                        goos,
                        tuple(package.files.values()),
                        package.import_path,
                        default_binary_name(package.import_path),
                    )
                )
        for gofile in package.files.values():
            if is_generator(gofile):
                stem = gofile.name.removesuffix(".go")
                result.append(_MainCandidate(package, "generator", ("linux",), (gofile,), package.import_path, stem))
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


def scan_project(root: Path) -> Project:
    """Read the repository at `root` into a Project. Raises GogenError for unusable input."""
    if not root.is_dir():
        raise RepositoryError(f"{root} is not a directory", hint="pass the repository's root directory")
    modset = load_modules(root)
    hints = read_hints(root)
    warnings = list(modset.warnings)
    warnings.extend(Warning("hint-ignored", message, file, line) for message, file, line in hints.problems)
    arches = sorted({p.platform.split("/")[1] for p in hints.hints.platforms} | set(DEFAULT_ARCHES))
    minor = _go_minor(modset.go_version)
    targets = tuple(Target("linux", arch, False, minor) for arch in arches)
    packages = _walk_all(root, modset, targets, warnings)
    index = _Index(root, {p.import_path: p for p in packages if p.visible}, modset.vendor_packages, targets, warnings)
    names = _binary_names(hints.binary_names)
    mains = [_main(root, candidate, index, names, warnings) for candidate in _candidates(packages)]
    mains.sort(key=lambda m: (m.role != "app", m.dir, m.binary))
    _warn_no_main(mains, modset, warnings)
    by_dir = {p.dir: p for p in index.packages.values()}
    extra = sorted({src for main in mains if main.default for d in main.closure for src in by_dir[d].extra_sources})
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


def _main(
    root: Path, candidate: _MainCandidate, index: _Index, names: dict[str, BinaryName], warnings: list[Warning]
) -> Main:
    package = candidate.package if candidate.role != "generator" else _generator_package(candidate)
    closure, external = _closure(index, package)
    named = names.get(package.dir) if candidate.role != "generator" else None
    binary = named.name if named else candidate.binary_default
    safe = _safe_name(candidate, binary, warnings)
    builds_on_linux = _builds_on_linux(candidate, warnings)
    default = candidate.role == "app" and builds_on_linux and safe
    main_warnings: list[Warning] = []
    embeds = _embeds(root, closure, main_warnings)
    ports = _ports(closure, main_warnings)
    if default:
        warnings.extend(main_warnings)
    ca, tz, tz_embedded = _runtime_needs(closure, external)
    return Main(
        dir=package.dir,
        import_path=candidate.import_path,
        binary=binary,
        binary_evidence=named.evidence if named else None,
        role=candidate.role,
        default=default,
        goos=candidate.goos,
        files=tuple(sorted(_file_rel(package, f) for f in candidate.files)),
        closure=tuple(p.dir for p in closure if not p.dir.startswith("vendor/")),
        cgo=_cgo(closure, external),
        embeds=tuple(embeds),
        ports=tuple(ports),
        needs_ca_certs=bool(ca),
        ca_certs_evidence=tuple(ca),
        needs_tzdata=bool(tz) and not tz_embedded,
        tzdata_evidence=tuple(tz),
        tzdata_embedded=tz_embedded,
        version_var=_version_var(package, closure),
    )


def _first_file(candidate: _MainCandidate) -> tuple[str, GoFile]:
    gofile = min(candidate.files, key=lambda f: f.name)
    return _file_rel(candidate.package, gofile), gofile


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
