"""What the Docker engine would receive as build context, and what is wrong with it.

Walks the repository with the Docker-semantics matcher, without descending into an
excluded directory unless a later `!` rule could bring something below it back, and never
following a symbolic link. The rules matching a directory are worked out once, when the walk
enters it, so the walk costs the same per file at any depth (a 1,500-level chain included).
Reports the files sent, their bytes, and two kinds of problem: a file the build needs that is
excluded, and a secret that is sent: a file named like one (gogen.denylist), or a small file
that holds a private key or a cloud service-account key.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gogen import safefs
from gogen.denylist import SECRET_PATTERNS
from gogen.dockerignore import NO_PARENT, Matcher, ParentMatches, Rule, parse

ProblemKind = Literal["needed-excluded", "secret-included"]

# Content checks: only files small enough to be a key file, and not named like source code,
# documentation or media (a key literal in a Go test or a README example is the usual false
# alarm; a key in a binary format is found by its name: *.p12, *.jks...).
CONTENT_LIMIT = 64 * 1024
_CONTENT_MIN = len("-----BEGIN PRIVATE KEY-----")
_SOURCE = (".go", ".mod", ".sum", ".s", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".m", ".rs", ".py")
_MORE_SOURCE = (".rb", ".java", ".kt", ".scala", ".swift", ".cs", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx")
_WEB_AND_DOCS = (".vue", ".css", ".scss", ".html", ".htm", ".xml", ".proto", ".sql", ".md", ".rst", ".adoc", ".txtar")
_MEDIA = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".pdf")
_BINARY = (".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".tar", ".jar", ".wasm", ".so", ".a", ".o", ".exe", ".pyc")
_NOT_CHECKED = frozenset((*_SOURCE, *_MORE_SOURCE, *_WEB_AND_DOCS, *_MEDIA, *_BINARY, ".lock", ".tmpl"))
_PRIVATE_KEY = re.compile(
    rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"  # PKCS#8, RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP
    rb"(?:\\n|\s)*(?:[A-Za-z-]+: [^\n]*(?:\\n|\n)\s*)*"  # PEM or PGP armour headers (Proc-Type:, Version:)
    rb"(?:\\n|[A-Za-z0-9+/=\s]){40,}"  # a body, also JSON-escaped: an example with no key is not one
)
_PUTTY_KEY = re.compile(rb"PuTTY-User-Key-File-\d+: .*\n(?:.*\n)*?Private-Lines: \d+")
_SERVICE_ACCOUNT = (re.compile(rb'"type"\s*:\s*"service_account"'), re.compile(rb'"private_key"\s*:\s*"'))


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


def secret_in_content(data: bytes) -> str | None:
    """What kind of secret `data` holds, in words (never quoting it), or None."""
    if all(pattern.search(data) for pattern in _SERVICE_ACCOUNT):
        return "a cloud service-account key"
    if _PRIVATE_KEY.search(data) or _PUTTY_KEY.search(data):
        return "a private key"
    return None


def content_checked(path: str, size: int) -> bool:
    """Whether the content check reads `path`: small, and not named like code, docs or media."""
    name = path.rpartition("/")[2]
    extension = os.path.splitext(name)[1].lower()
    return _CONTENT_MIN <= size <= CONTENT_LIMIT and extension not in _NOT_CHECKED


@dataclass(frozen=True)
class _Sent:
    """A file the context sends, its size, whether it is a regular file, the secret pattern its name matches."""

    path: str
    size: int
    regular: bool
    secret_rule: Rule | None


def _walk(root: Path, matcher: Matcher, secrets: Matcher) -> tuple[list[_Sent], int, list[str]]:
    """(files sent, excluded file count, directories not walked).

    Each directory on the stack carries the rules of both matchers that match it or one of
    its parents, so no path is matched more than once per rule.
    """
    included: list[_Sent] = []
    excluded = 0
    pruned: list[str] = []
    top = os.fspath(root)
    stack: list[tuple[str, ParentMatches, ParentMatches]] = [("", NO_PARENT, NO_PARENT)]
    while stack:
        rel_dir, above, secrets_above = stack.pop()
        try:
            with os.scandir(os.path.join(top, rel_dir)) as iterator:
                entries = sorted(iterator, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            here = matcher.enter(rel, above)
            rule = matcher.decision(here)
            is_excluded = rule is not None and not rule.negated
            if stat.S_ISDIR(info.st_mode):
                if is_excluded and not matcher.may_reinclude_below(rel):
                    pruned.append(rel)
                else:
                    stack.append((rel, here, secrets.enter(rel, secrets_above)))
                continue
            if is_excluded:
                excluded += 1
                continue
            secret = secrets.decide(rel, secrets_above)
            secret_rule = secret if secret is not None and not secret.negated else None
            included.append(_Sent(rel, info.st_size, stat.S_ISREG(info.st_mode), secret_rule))
    included.sort(key=lambda sent: sent.path)
    return included, excluded, sorted(pruned)


def _content_problem(root: Path, sent: _Sent) -> Problem | None:
    """A secret-included problem when `sent` is a small file holding a key (read safely)."""
    if not sent.regular or not content_checked(sent.path, sent.size):
        return None
    data = safefs.read_inside(root, sent.path, limit=CONTENT_LIMIT)
    if isinstance(data, safefs.Refused):
        return None
    found = secret_in_content(data)
    return Problem("secret-included", sent.path, f"content: {found}") if found else None


def evaluate(root: Path, rules: list[Rule], needed: list[str], source: str) -> ContextReport:
    """The build context `rules` give for the repository at `root`, checked against `needed`."""
    matcher = Matcher(rules)
    included, excluded, pruned = _walk(root, matcher, secret_matcher())
    problems = []
    for path in needed:
        rule = matcher.deciding_rule(path)
        if rule is not None and not rule.negated:
            problems.append(Problem("needed-excluded", path, f"{rule} (line {rule.line})"))
    wanted = set(needed)
    for sent in included:
        if sent.path in wanted:
            continue
        if sent.secret_rule is not None:
            problems.append(Problem("secret-included", sent.path, f"{sent.secret_rule} (gogen's secret patterns)"))
        elif problem := _content_problem(root, sent):
            problems.append(problem)
    return ContextReport(
        dockerignore=source,
        included=tuple(sent.path for sent in included),
        excluded_count=excluded,
        pruned_dirs=tuple(pruned),
        bytes=sum(sent.size for sent in included),
        problems=tuple(problems),
    )
