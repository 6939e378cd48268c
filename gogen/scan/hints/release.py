"""Release configurations: `.goreleaser.y*ml` (v1 and v2 schemas) and `.ko.yaml`.

Both are YAML. The file is composed into a node graph (aliases are never expanded, so a "billion
laughs" file stays cheap) after a cheap bound on its nesting depth (PyYAML's composer recurses
once per level, so a deep file would otherwise be a RecursionError).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from gogen.model import BuildSource, BuildTarget, CgoHint, Evidence, Hints, Platform
from gogen.scan.hints.common import Report, Resolver, clean_tags, evidence, parse_words, plain_name

GORELEASER_FILES = (".goreleaser.yaml", ".goreleaser.yml", "goreleaser.yaml", "goreleaser.yml")
KO_FILE = ".ko.yaml"
_BRACKETS = re.compile(r"[\[\]{}]")
MAX_YAML_DEPTH = 200  # a goreleaser file is a few levels deep; PyYAML's composer recurses per level
_TRUE = ("true", "yes", "on")


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


def _scalar(node: yaml.Node, name: str) -> tuple[str, int] | None:
    found = _get(node, name)
    if found is None or not isinstance(found[0], yaml.ScalarNode):
        return None
    return str(found[0].value), found[1]


def _scalars(node: yaml.Node) -> list[tuple[str, int]]:
    if isinstance(node, yaml.SequenceNode):
        return [(str(item.value), _node_line(item)) for item in node.value if isinstance(item, yaml.ScalarNode)]
    if isinstance(node, yaml.ScalarNode):
        return [(str(node.value), _node_line(node))]
    return []


def _list(node: yaml.Node, name: str) -> list[tuple[str, int]]:
    found = _get(node, name)
    return _scalars(found[0]) if found else []


def _sequence(node: yaml.Node, name: str) -> list[yaml.Node]:
    found = _get(node, name)
    return list(found[0].value) if found and isinstance(found[0], yaml.SequenceNode) else []


@dataclass(frozen=True)
class _File:
    name: str
    lines: list[str]
    resolver: Resolver
    report: Report

    def evidence(self, line: int) -> Evidence:
        return evidence(self.name, line, self.lines[line - 1] if 0 < line <= len(self.lines) else "")


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


def _document(root: Path, name: str, report: Report) -> tuple[yaml.Node, list[str]] | None:
    text = report.read(root, name)
    if text is None:
        return None
    document, problem = _compose(text, name)
    if problem is not None:
        report.problems.append(problem)
    return (document, text.split("\n")) if document is not None else None


def read_goreleaser(root: Path, resolver: Resolver, report: Report) -> tuple[Hints, list[BuildTarget]]:
    """The first goreleaser file found: its platforms, its CGO_ENABLED and every build."""
    for name in GORELEASER_FILES:
        found = _document(root, name, report)
        if found is not None:
            try:
                return _read_goreleaser(found[0], _File(name, found[1], resolver, report))
            except RecursionError:  # pragma: no cover - _compose bounds the depth first
                report.problems.append((f"{name} is nested too deeply; its hints are ignored", name, 1))
                return Hints(), []
        if (root / name).exists() or (root / name).is_symlink():
            return Hints(), []
    return Hints(), []


def _read_goreleaser(document: yaml.Node, file: _File) -> tuple[Hints, list[BuildTarget]]:
    project = _scalar(document, "project_name")
    global_cgo = _cgo(_list(document, "env"), file)
    targets: list[BuildTarget] = []
    platforms: list[Platform] = []
    cgo: CgoHint | None = None
    builds = _sequence(document, "builds")
    # goreleaser names a build without `binary:` after the project; gogen follows it only for a
    # single build: several would all be called that, while each folder has a name of its own.
    if len(builds) > 1:
        project = None
    for build in builds:
        platforms.extend(_platforms(build, file))
        build_cgo = _cgo(_list(build, "env"), file)
        cgo = cgo or build_cgo
        target = _goreleaser_build(build, project, build_cgo or global_cgo, file)
        if target is not None:
            targets.append(target)
    unique = {p.platform: p for p in reversed(platforms)}
    hints = Hints(platforms=tuple(sorted(unique.values(), key=lambda p: p.platform)), cgo_enabled=cgo)
    return hints, targets


def _cgo(env: list[tuple[str, int]], file: _File) -> CgoHint | None:
    for value, line in env:
        name, eq, setting = value.replace(" ", "").partition("=")
        if name == "CGO_ENABLED" and eq and setting in ("0", "1"):
            return CgoHint(setting == "1", file.evidence(line))
    return None


def _goreleaser_build(
    build: yaml.Node, project: tuple[str, int] | None, cgo: CgoHint | None, file: _File
) -> BuildTarget | None:
    builder = _scalar(build, "builder")
    if builder is not None and builder[0] not in ("go", ""):
        return None
    package = _package(build, file)
    if package is None:
        return None
    directory, line = package
    name, name_line = _goreleaser_name(build, project, file)
    if _scalar(build, "binary") is None:
        name_line = None  # the evidence is the build's `main:` line, not project_name
    skip = _scalar(build, "skip")
    build_id = _scalar(build, "id")
    tags = clean_tags([value for value, _ in _list(build, "tags")]) + _flag_tags(build)
    return BuildTarget(
        source="goreleaser",
        dir=directory,
        name=name,
        tags=tuple(dict.fromkeys(tags)),
        cgo_enabled=cgo.enabled if cgo else None,
        skip=skip is not None and skip[0].strip().lower() in _TRUE,
        evidence=file.evidence(name_line or line),
        id=build_id[0] if build_id else None,
    )


def _package(build: yaml.Node, file: _File) -> tuple[str, int] | None:
    """The build's package directory (`main`, relative to `dir`) and the line that says so."""
    start = _node_line(build)
    workdir = _scalar(build, "dir")
    base = file.resolver.relative(".", workdir[0]) if workdir else "."
    main = _scalar(build, "main") or ((".", workdir[1]) if workdir else (".", start))
    directory = None
    if base is not None:
        directory = file.resolver.import_path(main[0]) or file.resolver.relative(base, main[0])
    if directory is None:
        shown = main[0] if base is not None or workdir is None else workdir[0]
        file.report.problems.append(
            (f"build {shown!r} is not a package directory of this repository; it is ignored", file.name, main[1])
        )
    return (directory, main[1]) if directory is not None else None


def _goreleaser_name(build: yaml.Node, project: tuple[str, int] | None, file: _File) -> tuple[str | None, int | None]:
    """`binary:` (its base name), else the project name goreleaser defaults to, else None."""
    binary = _scalar(build, "binary")
    if binary is not None:
        value, line = binary
        name = plain_name(value) if "{{" not in value else None
        if name is None:
            file.report.problems.append(
                (f"binary name {value!r} is a template or not a plain name; using the directory name", file.name, line)
            )
        return name, line
    if project is not None and plain_name(project[0]) is not None and "{{" not in project[0]:
        return project[0], project[1]
    return None, None


def _flag_tags(build: yaml.Node) -> tuple[str, ...]:
    words = [value for value, _ in _list(build, "flags")]
    return parse_words("build", [w for value in words for w in value.split()]).tags


def _platforms(build: yaml.Node, file: _File) -> list[Platform]:
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
            result.append(Platform(f"linux/{arch}{variant}", file.evidence(line)))
    return result


def read_ko(root: Path, resolver: Resolver, report: Report) -> list[BuildTarget]:
    """`.ko.yaml` builds: ko names each binary after its import path, so the name is None."""
    found = _document(root, KO_FILE, report)
    if found is None:
        return []
    file = _File(KO_FILE, found[1], resolver, report)
    targets = []
    try:
        for build in _sequence(found[0], "builds"):
            targets.extend(_ko_build(build, file, "ko"))
    except RecursionError:  # pragma: no cover - _compose bounds the depth first
        report.problems.append((f"{KO_FILE} is nested too deeply; its hints are ignored", KO_FILE, 1))
        return []
    return targets


def _ko_build(build: yaml.Node, file: _File, source: BuildSource) -> list[BuildTarget]:
    package = _package(build, file)
    if package is None:
        return []
    cgo = _cgo(_list(build, "env"), file)
    build_id = _scalar(build, "id")
    return [
        BuildTarget(
            source=source,
            dir=package[0],
            name=None,
            tags=_flag_tags(build),
            cgo_enabled=cgo.enabled if cgo else None,
            skip=False,
            evidence=file.evidence(package[1]),
            id=build_id[0] if build_id else None,
        )
    ]


PROMU_FILE = ".promu.yml"


def read_promu(root: Path, resolver: Resolver, report: Report) -> list[BuildTarget]:
    """`.promu.yml`, the release configuration of Prometheus and its exporters:
    `build.binaries[]` (`name`, `path`) and `build.tags.all` (or a plain list)."""
    found = _document(root, PROMU_FILE, report)
    if found is None:
        return []
    file = _File(PROMU_FILE, found[1], resolver, report)
    build = _get(found[0], "build")
    if build is None:
        return []
    tags = _promu_tags(build[0])
    targets = []
    for binary in _sequence(build[0], "binaries"):
        path = _scalar(binary, "path")
        name = _scalar(binary, "name")
        directory = resolver.package(".", path[0]) if path else None
        if path is None or directory is None:
            continue
        targets.append(
            BuildTarget(
                "promu",
                directory,
                plain_name(name[0]) if name else None,
                tags,
                None,
                False,
                file.evidence(path[1]),
            )
        )
    return targets


def _promu_tags(build: yaml.Node) -> tuple[str, ...]:
    found = _get(build, "tags")
    if found is None:
        return ()
    if isinstance(found[0], yaml.MappingNode):
        return clean_tags([value for value, _ in _list(found[0], "all")])
    return clean_tags([value for value, _ in _scalars(found[0])])
