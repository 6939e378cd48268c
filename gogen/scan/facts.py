"""What one package contributes to the main packages that import it.

Computed once per package and merged over each main's import closure, so that a package
shared by twenty binaries is read once, not twenty times.
"""

from __future__ import annotations

import functools
import glob
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gogen.model import CgoLibrary, Embed, Evidence, Port, Warning
from gogen.safefs import Refused, is_inside, is_regular_inside, read_inside
from gogen.scan import knowledge
from gogen.scan.gofile import GoFile, locate_import
from gogen.scan.lines import Hit
from gogen.scan.packages import GO_FILE_LIMIT, Package

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass
class PackageFacts:
    local_deps: dict[Package, None] = field(default_factory=dict)  # an ordered set
    imports: dict[str, None] = field(default_factory=dict)  # standard-library and module packages, ordered
    cgo_required: list[Evidence] = field(default_factory=list)
    cgo_optional: list[Evidence] = field(default_factory=list)
    cgo_libraries: list[CgoLibrary] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    ca_certs: list[Evidence] = field(default_factory=list)
    tzdata: list[Evidence] = field(default_factory=list)
    tzdata_embedded: bool = False
    warnings: list[Warning] = field(default_factory=list)


def file_rel(package: Package, gofile: GoFile) -> str:
    return gofile.name if package.dir == "." else f"{package.dir}/{gofile.name}"


def _ev(file: str, hit: Hit) -> Evidence:
    return Evidence(file, hit.line, hit.text)


def package_facts(root: Path, package: Package, resolve: Callable[[str], Package | None]) -> PackageFacts:
    """Read the package's files for imports, cgo, embeds, listen addresses and run-time needs."""
    facts = PackageFacts()
    for gofile in package.linux_files:
        rel = file_rel(package, gofile)
        _imports(facts, gofile, rel, resolve, functools.partial(_import_evidence, root, rel))
        if gofile.imports_c:
            target = facts.cgo_required if gofile in package.pure else facts.cgo_optional
            target.append(_import_evidence(root, rel, "C"))
            facts.cgo_libraries.extend(_libraries(rel, gofile))
        for hit in gofile.embeds:
            for pattern in knowledge.embed_patterns(hit.value):
                if not valid_embed_pattern(pattern):
                    facts.warnings.append(_invalid_embed(pattern, rel, hit.line))
                    continue
                files = embedded_files(root, package.dir, pattern)
                exists = bool(files)
                facts.embeds.append(Embed(pattern, rel, hit.line, exists, files))
                if not exists:
                    facts.warnings.append(_missing_embed(root, package.dir, pattern, rel, hit.line))
        if not package.dependency:  # a vendored or replaced module's listeners are not this program's
            _ports(facts, gofile, rel)
        facts.ca_certs.extend(_ev(rel, hit) for hit in gofile.outbound_http)
        facts.tzdata.extend(_ev(rel, hit) for hit in gofile.load_location)
    return facts


def _import_evidence(root: Path, rel: str, path: str) -> Evidence:
    """Re-read the file to say on which line it imports `path` (only for imports that prove something)."""
    data = read_inside(root, rel, GO_FILE_LIMIT)
    if isinstance(data, Refused):
        return Evidence(rel, 0, f'import "{path}"')
    line, line_text = locate_import(data.decode("utf-8", errors="replace"), path)
    return Evidence(rel, line, line_text)


def _imports(
    facts: PackageFacts,
    gofile: GoFile,
    rel: str,
    resolve: Callable[[str], Package | None],
    evidence: Callable[[str], Evidence],
) -> None:
    for path in gofile.imports:
        if path in knowledge.TLS_IMPORTS:
            facts.ca_certs.append(evidence(path))
        if path == "time/tzdata":
            facts.tzdata_embedded = True
        if path == "C":
            continue
        if knowledge.is_std(path):
            facts.imports[path] = None
            continue
        local = resolve(path)
        if local is not None:
            facts.local_deps[local] = None
            continue
        facts.imports[path] = None
        if knowledge.cgo_module(path) is not None:
            where = evidence(path)
            facts.cgo_required.append(where)
            facts.cgo_libraries.extend(
                CgoLibrary("module", name, where) for name in knowledge.cgo_module_libraries(path)
            )
        if knowledge.needs_ca_certs(path):
            facts.ca_certs.append(evidence(path))


def _libraries(rel: str, gofile: GoFile) -> list[CgoLibrary]:
    result: list[CgoLibrary] = []
    for hit in gofile.cgo_directives:
        if hit.value == "pkg-config":
            result.extend(
                CgoLibrary("pkg-config", name, _ev(rel, hit)) for name in hit.extra.split() if not name.startswith("-")
            )
        else:
            result.extend(
                CgoLibrary("ldflags", flag[2:], _ev(rel, hit))
                for flag in hit.extra.split()
                if flag.startswith("-l") and len(flag) > 2
            )
    return result


def _missing_embed(root: Path, package_dir: str, pattern: str, file: str, line: int) -> Warning:
    """Name the pattern, and the front-end project that probably produces it, if there is one."""
    top = pattern.removeprefix("all:").split("/", 1)[0]
    places = [posixpath.join(package_dir, top), package_dir, "."]
    producer = next(
        (
            posixpath.normpath(posixpath.join(p, "package.json"))
            for p in places
            if is_regular_inside(root, posixpath.normpath(posixpath.join(p, "package.json")))
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


def valid_embed_pattern(pattern: str) -> bool:
    """The go command's check: an unrooted slash path with no empty, `.` or `..` element.

    As cmd/go (validEmbedPattern: `pattern != "." && fs.ValidPath(pattern)`, and path.Match
    syntax): `/etc/passwd`, `../secrets`, `a//b`, `./static` and `[` are "invalid pattern syntax".
    """
    body = pattern.removeprefix("all:")
    if not body or body == "." or "\x00" in body:
        return False
    if any(part in ("", ".", "..") for part in body.split("/")):
        return False
    return _match_syntax_ok(body)


def _match_syntax_ok(body: str) -> bool:
    """path.Match's syntax: every `[` closed by a later `]`, no `\\` at the end."""
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 >= len(body):
                return False
            index += 2
            continue
        if char == "[":
            close = body.find("]", index + 2 if body[index + 1 : index + 2] == "^" else index + 1)
            if close < 0:
                return False
            index = close
        index += 1
    return True


def _invalid_embed(pattern: str, file: str, line: int) -> Warning:
    return Warning(
        "embed-invalid-pattern",
        f"//go:embed {pattern}: invalid pattern syntax (the go command rejects an absolute pattern or one with "
        "an empty, `.` or `..` element, and the build fails); gogen looks for no file outside the package",
        file,
        line,
    )


def embedded_files(root: Path, package_dir: str, pattern: str) -> tuple[str, ...]:
    """The files a `//go:embed` pattern makes the build read, as paths from the root.

    As the go command does: a matched directory brings every regular file below it, except names
    starting with `.` or `_` unless the pattern has the `all:` prefix; a matched symbolic link is
    not embedded. Nothing outside the repository is ever listed: an invalid pattern matches
    nothing, and a match reached through a linked directory that leaves the repository is dropped.
    """
    if not valid_embed_pattern(pattern):
        return ()
    everything = pattern.startswith("all:")
    base = root / package_dir
    if not is_inside(base, root):
        return ()
    try:
        matches = sorted(glob.glob(pattern.removeprefix("all:"), root_dir=base, include_hidden=True))
    except (OSError, ValueError, RecursionError):
        return ()
    found: list[str] = []
    for match in matches:
        path = base / match
        if path.is_symlink() or not is_inside(path, root):
            continue
        if path.is_dir():
            found.extend(_files_below(root, path, everything))
        elif path.is_file():
            found.append(path.relative_to(root).as_posix())
    return tuple(sorted(set(found)))


def _files_below(root: Path, directory: Path, everything: bool) -> list[str]:
    """Regular files below `directory` (links are not followed nor listed), as paths from the root."""
    found = []
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            if not everything and entry.name.startswith((".", "_")):
                continue
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                found.append(Path(entry.path).relative_to(root).as_posix())
        stack.extend(reversed(subdirs))
    return found


def _ports(facts: PackageFacts, gofile: GoFile, rel: str) -> None:
    for source, hits in (("listen", gofile.listens), ("env", gofile.env_ports), ("flag", gofile.flag_ports)):
        for hit in hits:
            port_text, host = (hit.value, hit.extra) if source == "env" else (hit.extra, hit.value)
            number = int(port_text)
            if 0 < number < 65536:
                facts.ports.append(Port(number, host, source, rel, hit.line, hit.text))  # type: ignore[arg-type]


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def service_ports(ports: list[Port]) -> tuple[list[Port], list[Warning]]:
    """A main's service ports, and a warning for each loopback-only one when it has nothing else.

    A loopback address is unreachable from outside a container. Beside a reachable port it is a
    local debug listener (`localhost:6060` for net/http/pprof, an admin page) and not the
    service: it is left out, silently. When a program listens only on loopback, that is
    probably the service bound too narrowly: it stays, with a warning that names the fix.
    """
    reachable = [port for port in ports if not is_loopback(port.host)]
    if reachable:
        return reachable, []
    return ports, [_loopback_warning(port) for port in ports]


def _loopback_warning(port: Port) -> Warning:
    return Warning(
        "loopback-bind",
        f"listens on {port.host}:{port.port}, which is unreachable from outside a container; "
        f"bind to :{port.port} (all interfaces)",
        port.file,
        port.line,
    )
