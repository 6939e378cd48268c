"""What every hint reader shares: safe reads, package paths, and the `go build` command line.

A hint file is untrusted text: it is read only through `gogen.safefs` (a regular file inside
the repository, at most HINT_LIMIT bytes), and every path it names is checked to stay inside
the repository before it becomes a `BuildTarget.dir`.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gogen.errors import ParseError
from gogen.model import BuildSource, BuildTarget, Evidence, Warning
from gogen.safefs import Refused, read_inside
from gogen.scan.gomod import decode_text
from gogen.scan.reading import local_dir, refusal_warning

HINT_LIMIT = 1_000_000  # bytes: a release configuration, build script or Dockerfile is far smaller
EVIDENCE_TEXT_LIMIT = 300  # characters of a (joined) command kept as evidence
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PLATFORM_SUFFIX = re.compile(
    r"[-_.](?:linux|darwin|windows|freebsd|openbsd|netbsd|dragonfly|solaris|illumos|aix|android|plan9)"
    r"[-_.](?:amd64|arm64|386|armv?[5-7]?|ppc64le|ppc64|s390x|riscv64|mips64le|mips64|mipsle|mips|loong64)(?:\.exe)?$"
)
_SAFE_TAG = re.compile(r"^[A-Za-z0-9_.]+$")
_UNSAFE_DIR = re.compile(r"[\s$%{}*?\[\]<>|;&`'\"\\\x00]")
_ENV_ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")
# a whole word that is a variable gogen could not expand: `$(EXTRA_FLAGS)`, `${PKG}`, `$PKG`
_UNEXPANDED = re.compile(r"^\$(?:\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$")

Problem = tuple[str, str, int]


@dataclass
class Report:
    """What the readers found that the user should know: hint problems and refused files."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def read(self, root: Path, rel: str) -> str | None:
        """The text of a hint file; None when absent (silently), refused or not text (reported)."""
        data = read_inside(root, rel, HINT_LIMIT)
        if isinstance(data, Refused):
            if data.kind != "missing":
                self.warnings.append(refusal_warning(data, "its hints are ignored"))
            return None
        try:
            return decode_text(data, rel)
        except ParseError as exc:
            self.problems.append((f"{rel}: {exc.message}; its hints are ignored", rel, exc.line or 1))
            return None


def evidence(file: str, line: int, text: str) -> Evidence:
    return Evidence(file, line, text.strip()[:EVIDENCE_TEXT_LIMIT])


def plain_name(path: str) -> str | None:
    """The base name of an output path when it is a plain file name (no variable, no template),
    without a release artefact's platform suffix (`bin/hey_linux_amd64` names `hey`)."""
    base = path.rstrip("/").rsplit("/", 1)[-1] if not path.endswith("/") else ""
    base = _PLATFORM_SUFFIX.sub("", base) or base
    return base if SAFE_NAME.match(base) else None


def clean_tags(values: list[str]) -> tuple[str, ...]:
    """Build tags from `-tags` values (comma- or space-separated); variables are dropped."""
    tags: list[str] = []
    for value in values:
        for tag in re.split(r"[,\s]+", value):
            if _SAFE_TAG.match(tag) and tag not in tags:
                tags.append(tag)
    return tuple(tags)


@dataclass(frozen=True)
class Resolver:
    """Turns the package a configuration names into a directory of the repository.

    `modules` maps each local module path to its directory from the root. A relative path is
    taken from `base`; an import path goes through the module whose path is its longest prefix.
    None: not a directory of this repository (outside it, another module, a variable).
    """

    modules: Mapping[str, str]

    def relative(self, base: str, path: str) -> str | None:
        path = path.strip()
        if not path or _UNSAFE_DIR.search(path):
            return None
        if path.endswith(".go"):
            path = posixpath.dirname(path) or "."
        joined = local_dir(base, path)
        return joined

    def import_path(self, path: str) -> str | None:
        path = path.strip().rstrip("/")
        if not path or _UNSAFE_DIR.search(path) or path.startswith((".", "/")):
            return None
        best: str | None = None
        for module in self.modules:
            if (path == module or path.startswith(module + "/")) and (best is None or len(module) > len(best)):
                best = module
        if best is None:
            return None
        rest = path[len(best) :].lstrip("/")
        return local_dir(self.modules[best], rest or ".")

    def package(self, base: str, path: str) -> str | None:
        """A `go build` argument: `./x`, `x/y.go` or `.` is a path; anything else an import path."""
        if path == "." or path.startswith(("./", "../")) or path.endswith(".go"):
            return self.relative(base, path)
        return self.import_path(path)


@dataclass(frozen=True)
class GoCommand:
    """One `go build` or `go install` invocation, as written."""

    verb: str
    output: str | None
    tags: tuple[str, ...]
    cgo_enabled: bool | None
    packages: tuple[str, ...]
    workdir: str | None


# `go`, tonistiigi/xx's `xx-go` wrapper, or a make variable naming the go command
_GO_VERB = re.compile(
    r"(?:(?<![\w.$-])(?:xx-)?go|\$\(GO[A-Z_]*\)|\$\{GO[A-Z_]*\})\s+(?P<verb>build|install)(?=\s|$|[;&|`\"'])"
)
_SEPARATOR = re.compile(r"&&|\|\||[;|`]|\s#|\s[0-9&]*[<>]")
_VALUE_FLAGS = frozenset(  # go build flags that take the next word as their value
    {"C", "o", "p", "asmflags", "buildmode", "compiler", "gccgoflags", "gcflags", "installsuffix", "ldflags"}
    | {"mod", "modfile", "overlay", "pgo", "pkgdir", "tags", "toolexec", "coverpkg", "covermode"}
)
_GO_DIR = re.compile(r"\S*/$")  # `/usr/local/go/bin/` before `go`
MAX_COMMANDS_PER_LINE = 16
MAX_COMMAND_TEXT = 8192  # characters of one command's words


def go_commands(line: str) -> Iterator[GoCommand]:
    """Every `go build`/`go install` in one (joined) shell line, with the env prefix before it.

    Each command's words end at a shell separator, the next `go` command or MAX_COMMAND_TEXT
    characters, so a hostile line costs time in proportion to its length.
    """
    matches = list(itertools.islice(_GO_VERB.finditer(line), MAX_COMMANDS_PER_LINE))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        rest = line[match.end() : min(end, match.end() + MAX_COMMAND_TEXT)]
        cut = _SEPARATOR.search(rest)
        words = split_words(rest[: cut.start()] if cut else rest)
        yield parse_words(match.group("verb"), words, _env_prefix(line[max(0, match.start() - 400) : match.start()]))


def split_words(text: str) -> list[str]:
    """Shell words (quotes removed); unbalanced quotes fall back to whitespace. At most
    MAX_COMMAND_TEXT characters are read: shlex is slow, and no real command is longer."""
    text = text[:MAX_COMMAND_TEXT]
    try:
        return shlex.split(text)
    except ValueError:
        return [word.strip("\"'") for word in text.split()]


def _env_prefix(before: str) -> bool | None:
    """CGO_ENABLED from the `VAR=value` words right before `go` (`env` and `export` allowed)."""
    cgo: bool | None = None
    for word in reversed(split_words(_GO_DIR.sub("", before))):
        match = _ENV_ASSIGNMENT.match(word)
        if match is None:
            if word in ("env", "export"):
                continue
            break
        if match.group("name") == "CGO_ENABLED" and cgo is None:
            value = match.group("value").strip()
            cgo = True if value == "1" else False if value == "0" else None
    return cgo


def parse_words(verb: str, words: list[str], cgo: bool | None = None) -> GoCommand:
    """A go command from its words after the verb (flags may come after packages: be lenient)."""
    flags: dict[str, list[str]] = {}
    packages: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            packages.extend(words[index:])
            break
        if not word.startswith("-") or word == "-":
            packages.append(word)
            continue
        name, eq, value = word.lstrip("-").partition("=")
        if not eq and name in _VALUE_FLAGS:
            if index >= len(words):
                break
            value = words[index]
            index += 1
        flags.setdefault(name, []).append(value)
    output = flags.get("o", [None])[-1]
    workdir = flags.get("C", [None])[-1]
    return GoCommand(verb, output, clean_tags(flags.get("tags", [])), cgo, tuple(packages), workdir)


def command_targets(
    command: GoCommand,
    resolver: Resolver,
    base: str,
    source: BuildSource,
    proof: Evidence,
    *,
    require_version: bool = False,
) -> list[BuildTarget]:
    """The main packages one command builds: `...` patterns and unknown packages are not targets.

    `-o NAME` names the binary of a single package; with several packages, or `-o dir/`, each
    keeps the go command's default name (None). A word that is an unexpanded variable (an
    `$(EXTRA_FLAGS)` the caller sets) is not counted; when every package word is one, the
    packages are unknown.
    """
    if command.workdir is not None:
        moved = resolver.relative(base, command.workdir)
        if moved is None:
            return []
        base = moved
    packages = [package for package in command.packages if not _UNEXPANDED.match(package)]
    if command.packages and not packages:
        return []
    packages = packages or ["."]
    name = plain_name(command.output) if command.output and len(packages) == 1 else None
    targets = []
    for package in packages:
        path, at, version = package.partition("@")
        if "..." in path or (require_version and not (at and version)) or (at and command.verb != "install"):
            continue
        resolved = resolver.package(base, path)
        if resolved is not None:
            targets.append(BuildTarget(source, resolved, name, command.tags, command.cgo_enabled, False, proof))
    return targets


def logical_lines(text: str, escape: str = "\\") -> Iterator[tuple[int, str]]:
    """Lines with `escape`-newline continuations joined, each with its first line's number."""
    start = 0
    parts: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not parts:
            start = number
        stripped = line.rstrip()
        if stripped.endswith(escape) and not stripped.endswith(escape * 2):
            parts.append(stripped[: -len(escape)].strip())
            continue
        parts.append(line.strip())
        yield start, " ".join(part for part in parts if part)
        parts = []
    if parts:
        yield start, " ".join(part for part in parts if part)


def unique_targets(targets: list[BuildTarget]) -> list[BuildTarget]:
    """The first of targets that say the same thing (a README naming one package twice)."""
    seen: set[tuple[object, ...]] = set()
    result = []
    for target in targets:
        key = (target.source, target.evidence.file, target.dir, target.name, target.tags, target.cgo_enabled)
        if key not in seen:
            seen.add(key)
            result.append(target)
    return result
