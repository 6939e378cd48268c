"""What the project's own build configuration says: `.goreleaser.y*ml` and build scripts.

These are hints, not facts about the code: a binary name the project already uses, the
platforms it releases for, whether its releases set CGO_ENABLED (the plan weighs it
against the source). Release ldflags are not read: `{{ .Version }}` templates are goreleaser's,
and the version variable is found in the source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from gogen.errors import ParseError
from gogen.model import CgoHint, Evidence, Hints, Platform, Warning
from gogen.safefs import Refused, read_inside
from gogen.scan.gomod import decode_text
from gogen.scan.reading import dir_inside, refusal_warning

GORELEASER_FILES = (".goreleaser.yaml", ".goreleaser.yml", "goreleaser.yaml", "goreleaser.yml")
BUILD_SCRIPTS = (
    "Makefile",
    "makefile",
    "GNUmakefile",
    "build.sh",
    "justfile",
    "Justfile",
    "Taskfile.yml",
    "Taskfile.yaml",
)
_GO_BUILD_OUTPUT = re.compile(r"\bgo\s+build\b(?P<args>[^\n#;&|]*)")
_OUTPUT_FLAG = re.compile(r"(?:^|\s)-o[=\s]+(?P<out>[^\s]+)")
_PACKAGE_ARG = re.compile(r"(?:^|\s)(?P<pkg>\.(?:/[^\s]*)?)(?=\s|$)")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
HINT_LIMIT = 1_000_000  # bytes: a release configuration or build script is far smaller
_BRACKETS = re.compile(r"[\[\]{}]")
MAX_YAML_DEPTH = 200  # a goreleaser file is a few levels deep; PyYAML's composer recurses per level


@dataclass(frozen=True)
class BinaryName:
    """A binary name the project gives the main package in `dir`."""

    dir: str
    name: str
    evidence: Evidence


@dataclass(frozen=True)
class ProjectHints:
    hints: Hints
    binary_names: tuple[BinaryName, ...]
    problems: tuple[tuple[str, str, int], ...]
    warnings: tuple[Warning, ...] = ()


def _node_line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _mapping_items(node: yaml.Node) -> Iterator[tuple[str, yaml.Node, int]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield str(key.value), value, _node_line(key)


def _get(node: yaml.Node, name: str) -> tuple[yaml.Node, int] | None:
    for key, value, line in _mapping_items(node):
        if key == name:
            return value, line
    return None


def _scalars(node: yaml.Node) -> list[tuple[str, int]]:
    if isinstance(node, yaml.SequenceNode):
        return [(str(item.value), _node_line(item)) for item in node.value if isinstance(item, yaml.ScalarNode)]
    if isinstance(node, yaml.ScalarNode):
        return [(str(node.value), _node_line(node))]
    return []


def _main_dir(main: str) -> str:
    """goreleaser's `main` is a package path (`./cmd/api`) or a file (`./cmd/api/main.go`)."""
    path = main.strip()
    if path.endswith(".go"):
        path = path.rsplit("/", 1)[0] if "/" in path else "."
    path = path.removeprefix("./").rstrip("/")
    return path or "."


def _platforms(build: yaml.Node, file: str, lines: list[str]) -> list[Platform]:
    goos_node = _get(build, "goos")
    goarch_node = _get(build, "goarch")
    goarm_node = _get(build, "goarm")
    if goos_node is None and goarch_node is None:
        return []
    goos = [value for value, _ in _scalars(goos_node[0])] if goos_node else ["linux"]
    if "linux" not in goos:
        return []
    arches = _scalars(goarch_node[0]) if goarch_node else [("amd64", 0), ("arm64", 0)]
    arms = [value.removeprefix("v") for value, _ in _scalars(goarm_node[0])] if goarm_node else ["6"]
    result = []
    for arch, arch_line in arches:
        line = arch_line or (goos_node[1] if goos_node else 1)
        variants = [f"/v{arm}" for arm in arms] if arch == "arm" else [""]
        for variant in variants:
            result.append(Platform(f"linux/{arch}{variant}", Evidence(file, line, lines[line - 1].strip())))
    return result


def read_goreleaser(
    root: Path, warnings: list[Warning] | None = None
) -> tuple[Hints, list[BinaryName], list[tuple[str, str, int]]]:
    """Parse the first goreleaser file found; a file that does not parse is a warning.

    The file is untrusted: only a regular file inside the repository, at most HINT_LIMIT bytes,
    and a document nested too deep for the YAML composer (a "yaml bomb") is a problem, not a crash.
    """
    for name in GORELEASER_FILES:
        data = read_inside(root, name, HINT_LIMIT)
        if isinstance(data, Refused):
            if data.kind == "missing":
                continue
            if warnings is not None:
                warnings.append(refusal_warning(data, "its hints are ignored"))
            return Hints(), [], []
        try:
            text = decode_text(data, name)
        except ParseError as exc:
            return Hints(), [], [(f"{name}: {exc.message}; its hints are ignored", name, exc.line or 1)]
        lines = text.split("\n")
        document, problem = _compose(text, name)
        if problem is not None:
            return Hints(), [], [problem]
        if document is None:
            return Hints(), [], []
        try:
            return _read_builds(document, name, lines)
        except RecursionError:  # pragma: no cover - _compose bounds the depth first
            return Hints(), [], [(f"{name} is nested too deeply; its hints are ignored", name, 1)]
    return Hints(), [], []


def _compose(text: str, name: str) -> tuple[yaml.Node | None, tuple[str, str, int] | None]:
    """The YAML node graph (aliases are not expanded), or why there is none."""
    depth = _nesting_depth(text)
    if depth > MAX_YAML_DEPTH:
        return None, (f"{name} is nested more than {MAX_YAML_DEPTH} levels deep; its hints are ignored", name, 1)
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = int(mark.line) + 1 if mark is not None else 1
        return None, (f"{name} does not parse as YAML; its hints are ignored", name, line)
    except (RecursionError, MemoryError):
        return None, (f"{name} is nested too deeply to read; its hints are ignored", name, 1)


def _nesting_depth(text: str) -> int:
    """An upper bound of the flow and block nesting of a YAML text, without parsing it.

    Flow collections (`[`, `{`) count one level each whatever quotes say; block nesting counts
    the distinct indentation widths. Over-counting only makes gogen give up on an absurd file.
    """
    flow = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group(0) in "[{":
            flow += 1
            deepest = max(deepest, flow)
        elif flow:
            flow -= 1
    widths = {len(line) - len(line.lstrip(" -")) for line in text.split("\n") if line.strip()}
    return deepest + len(widths)


def _read_builds(
    document: yaml.Node, file: str, lines: list[str]
) -> tuple[Hints, list[BinaryName], list[tuple[str, str, int]]]:
    builds = _get(document, "builds")
    names: list[BinaryName] = []
    problems: list[tuple[str, str, int]] = []
    platforms: list[Platform] = []
    cgo: CgoHint | None = None
    build_nodes = builds[0].value if builds and isinstance(builds[0], yaml.SequenceNode) else []
    for build in build_nodes:
        main_node = _get(build, "main")
        main_dir = (
            _main_dir(str(main_node[0].value)) if main_node and isinstance(main_node[0], yaml.ScalarNode) else "."
        )
        binary = _get(build, "binary")
        if binary and isinstance(binary[0], yaml.ScalarNode):
            value, line = str(binary[0].value), binary[1]
            if "{{" in value or not _SAFE_NAME.match(value.rsplit("/", 1)[-1]):
                problems.append(
                    (f"binary name {value!r} is a template or not a plain name; using the directory name", file, line)
                )
            else:
                names.append(
                    BinaryName(main_dir, value.rsplit("/", 1)[-1], Evidence(file, line, lines[line - 1].strip()))
                )
        platforms.extend(_platforms(build, file, lines))
        env = _get(build, "env")
        if env:
            for value, line in _scalars(env[0]):
                if value.replace(" ", "").startswith("CGO_ENABLED=") and cgo is None:
                    cgo = CgoHint(value.split("=", 1)[1].strip() == "1", Evidence(file, line, lines[line - 1].strip()))
    unique = {p.platform: p for p in reversed(platforms)}
    hints = Hints(platforms=tuple(sorted(unique.values(), key=lambda p: p.platform)), cgo_enabled=cgo)
    return hints, names, problems


def read_build_scripts(root: Path, warnings: list[Warning] | None = None) -> list[BinaryName]:
    """`go build -o bin/NAME ./cmd/x` in a Makefile or build script names the binary of ./cmd/x."""
    candidates = list(BUILD_SCRIPTS)
    if (root / "scripts").is_dir() and dir_inside(root, "scripts"):
        candidates.extend(f"scripts/{path.name}" for path in sorted((root / "scripts").glob("*.sh")))
    names: list[BinaryName] = []
    for rel in candidates:
        data = read_inside(root, rel, HINT_LIMIT)
        if isinstance(data, Refused):
            if data.kind != "missing" and warnings is not None:
                warnings.append(refusal_warning(data, "its hints are ignored"))
            continue
        try:
            text = decode_text(data, rel)
        except ParseError:
            continue
        for lineno, line in enumerate(text.split("\n"), start=1):
            names.extend(_names_in_line(line, rel, lineno))
    return names


def _names_in_line(line: str, file: str, lineno: int) -> list[BinaryName]:
    found = []
    for match in _GO_BUILD_OUTPUT.finditer(line):
        args = match.group("args")
        out = _OUTPUT_FLAG.search(args)
        pkg = _PACKAGE_ARG.search(_OUTPUT_FLAG.sub(" ", args))
        if not out or not pkg or "$" in out.group("out") or out.group("out").endswith("/"):
            continue
        name = out.group("out").rsplit("/", 1)[-1]
        if _SAFE_NAME.match(name) and "..." not in pkg.group("pkg"):
            found.append(BinaryName(_main_dir(pkg.group("pkg")), name, Evidence(file, lineno, line.strip())))
    return found


def read_hints(root: Path) -> ProjectHints:
    warnings: list[Warning] = []
    hints, goreleaser_names, problems = read_goreleaser(root, warnings)
    names = goreleaser_names + read_build_scripts(root, warnings)
    return ProjectHints(hints, tuple(names), tuple(problems), tuple(warnings))
