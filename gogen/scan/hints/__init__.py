"""What the project's own build configuration says, one module per source.

These are hints, not facts about the code: the main packages the project builds and the names
it gives them (goreleaser, ko, build scripts, its own Dockerfiles, README `go install` lines),
the platforms it releases for, whether its releases set CGO_ENABLED (the plan weighs it against
the source). Release ldflags are not read: `{{ .Version }}` templates are goreleaser's, and the
version variable is found in the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from gogen.model import BuildTarget, Evidence, Hints, Warning
from gogen.scan.hints.common import HINT_LIMIT, Report, Resolver
from gogen.scan.hints.dockerfiles import read_dockerfiles
from gogen.scan.hints.readme import read_readmes
from gogen.scan.hints.release import read_goreleaser, read_ko, read_promu
from gogen.scan.hints.scripts import read_scripts

__all__ = ["HINT_LIMIT", "BinaryName", "ProjectHints", "read_hints"]


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


def read_hints(root: Path, modules: Mapping[str, str] | None = None) -> ProjectHints:
    """Every hint source, strongest first: goreleaser, ko, promu, build scripts, Dockerfiles, README.

    `modules` maps each local module path to its directory from the root: a configuration that
    names a package by import path is resolved through it.
    """
    resolver = Resolver(dict(modules or {}))
    report = Report()
    hints, builds = read_goreleaser(root, resolver, report)
    builds.extend(read_ko(root, resolver, report))
    builds.extend(read_promu(root, resolver, report))
    builds.extend(read_scripts(root, resolver, report))
    docker_builds, dockerfiles = read_dockerfiles(root, resolver, report)
    builds.extend(docker_builds)
    builds.extend(read_readmes(root, resolver, report))
    hints = replace(hints, builds=tuple(builds), dockerfiles=tuple(dockerfiles))
    return ProjectHints(hints, _binary_names(builds), tuple(report.problems), tuple(report.warnings))


def _binary_names(builds: list[BuildTarget]) -> tuple[BinaryName, ...]:
    return tuple(BinaryName(b.dir, b.name, b.evidence) for b in builds if b.name is not None)
