"""What the Docker engine would receive as build context, and what is wrong with it.

Walks the repository with the Docker-semantics matcher, without descending into an
excluded directory unless a later `!` rule could bring something below it back, and never
following a symbolic link. Reports the files sent, their bytes, and two kinds of problem: a
file the build needs that is excluded, and a secret-looking file that is sent.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gogen.dockerignore import Matcher, Rule, parse
from gogen.plan import SECRET_PATTERNS

ProblemKind = Literal["needed-excluded", "secret-included"]


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    path: str
    rule: str


@dataclass(frozen=True)
class ContextReport:
    dockerignore: str
    included: tuple[str, ...]
    excluded_count: int
    pruned_dirs: tuple[str, ...]
    bytes: int
    problems: tuple[Problem, ...]


def secret_matcher() -> Matcher:
    return Matcher(parse("\n".join(SECRET_PATTERNS), "gogen's secret patterns"))


def _walk(root: Path, matcher: Matcher) -> tuple[list[tuple[str, int]], int, list[str]]:
    """(included files with sizes, excluded file count, directories not walked)."""
    included: list[tuple[str, int]] = []
    excluded = 0
    pruned: list[str] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            entries = sorted(os.scandir(root / rel_dir), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                if matcher.excluded(rel) and not matcher.may_reinclude_below(rel):
                    pruned.append(rel)
                else:
                    stack.append(rel)
                continue
            if matcher.excluded(rel):
                excluded += 1
            else:
                included.append((rel, info.st_size))
    return sorted(included), excluded, sorted(pruned)


def evaluate(root: Path, rules: list[Rule], needed: list[str], source: str) -> ContextReport:
    """The build context `rules` give for the repository at `root`, checked against `needed`."""
    matcher = Matcher(rules)
    included, excluded, pruned = _walk(root, matcher)
    problems = []
    for path in needed:
        rule = matcher.deciding_rule(path)
        if rule is not None and not rule.negated:
            problems.append(Problem("needed-excluded", path, f"{rule} (line {rule.line})"))
    secrets = secret_matcher()
    for path, _ in included:
        rule = secrets.deciding_rule(path)
        if rule is not None and not rule.negated and path not in needed:
            problems.append(Problem("secret-included", path, f"{rule} (gogen's secret patterns)"))
    return ContextReport(
        dockerignore=source,
        included=tuple(path for path, _ in included),
        excluded_count=excluded,
        pruned_dirs=tuple(pruned),
        bytes=sum(size for _, size in included),
        problems=tuple(problems),
    )
