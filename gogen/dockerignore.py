"""Docker's .dockerignore semantics, on pathspec's RegexPattern.

Docker (moby/patternmatcher) is not gitignore: every pattern is anchored at the context root
(`foo` and `*.log` match only there; `**/` is needed to match deeper), `*` and `?` never cross
`/` while `**` does, a pattern matching a directory also matches everything below it (and a
`!` pattern re-includes everything below a matching directory), and the last matching line
wins. Lines are trimmed, `#` starts a comment only in the first column, and each pattern is
cleaned like a path (`./a/../b` is `b`, `/vendor/` is `vendor`).
"""

from __future__ import annotations

import posixpath
import re
import warnings
from dataclasses import dataclass

from pathspec import RegexPattern

from gogen.errors import ParseError

_REGEX_ESCAPED = ".+()|{}$"


@dataclass(frozen=True)
class Rule:
    """One .dockerignore line: the cleaned pattern, whether it re-includes, where it was written."""

    pattern: str
    negated: bool
    line: int
    text: str
    compiled: RegexPattern

    def matches(self, path: str) -> bool:
        """Whether the pattern matches `path` itself or one of its parent directories."""
        regex = self.compiled.regex
        if regex.match(path):  # type: ignore[union-attr]
            return True
        parts = path.split("/")
        return any(regex.match("/".join(parts[:end])) for end in range(1, len(parts)))  # type: ignore[union-attr]

    def __str__(self) -> str:
        return f"{'!' if self.negated else ''}{self.pattern}"


def clean(pattern: str) -> str:
    """Clean a pattern as Docker does: path.Clean, then drop one leading slash."""
    cleaned = posixpath.normpath(pattern)
    if cleaned.startswith("//"):
        cleaned = cleaned[1:]
    if len(cleaned) > 1 and cleaned.startswith("/"):
        cleaned = cleaned[1:]
    return cleaned


def to_regex(pattern: str) -> str:
    """Translate a cleaned pattern into the regular expression patternmatcher uses.

    Besides its regular expressions, patternmatcher has three fast paths with their own
    meaning: an exact path, a prefix (`a**`, `a/**`) and a suffix (a pattern that starts with
    `**` and has no other wildcard: `**a` is "ends with a"). They are written here as
    regular expressions with the same meaning.
    """
    kind = "exact"
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            if index < len(pattern) and pattern[index] == "*":
                first = index == 1
                index += 1
                if index < len(pattern) and pattern[index] == "/":
                    index += 1
                if index >= len(pattern):
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        out.append(".*")
                        kind = "regex"
                else:
                    out.append("(.*/)?")
                    kind = "regex"
                if first:
                    kind = "suffix"
            else:
                out.append("[^/]*")
                kind = "regex"
        elif char == "?":
            out.append("[^/]")
            kind = "regex"
        elif char in _REGEX_ESCAPED:
            out.append("\\" + char)
        elif char == "\\":
            if index < len(pattern):
                out.append("\\" + pattern[index])
                index += 1
                kind = "regex"
            else:
                out.append("\\\\")
        elif char in "[]":
            out.append(char)
            kind = "regex"
        else:
            out.append(char)
    if kind == "exact":
        return "^" + re.escape(pattern) + "$"
    if kind == "prefix":
        return "^" + re.escape(pattern[:-2]) + ".*$"
    if kind == "suffix":
        suffix = pattern[2:]
        alternatives = [".*" + re.escape(suffix)]
        if suffix.startswith("/"):
            alternatives.append(re.escape(suffix[1:]))
        return "^(?:" + "|".join(alternatives) + ")$"
    return "^" + "".join(out) + "$"


def _compile(pattern: str, negated: bool, file: str, line: int) -> RegexPattern:
    if pattern.count("[") != pattern.count("]") or (pattern.endswith("\\") and not pattern.endswith("\\\\")):
        raise ParseError(f"bad pattern {pattern!r}", file=file, line=line, hint="close every [ and do not end with \\")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "possible nested set" for `[[`: Go reads it the same
            regex = re.compile(to_regex(pattern))
    except re.error as exc:
        raise ParseError(f"bad pattern {pattern!r}: {exc}", file=file, line=line) from exc
    return RegexPattern(regex, include=not negated)


def parse(text: str, file: str = ".dockerignore") -> list[Rule]:
    """Read .dockerignore text into rules, in order. A bad pattern raises ParseError."""
    rules = []
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if raw.startswith("#"):
            continue
        stripped = raw.strip()
        if not stripped:
            continue
        negated = stripped.startswith("!")
        body = stripped[1:].strip() if negated else stripped
        if not body:
            raise ParseError('illegal exclusion pattern "!"', file=file, line=number)
        pattern = clean(body)
        rules.append(Rule(pattern, negated, number, stripped, _compile(pattern, negated, file, number)))
    return rules


# A path segment pattern whose translation can never match `/`: no `/`, no `**`, no escape,
# and character classes of plain letters, digits, `.` and `_` only (`[^a]` or a range could
# match `/`).
_SEGMENT = re.compile(r"^(?:[^/\\\[\]*]|\*(?!\*)|\[[A-Za-z0-9._]+\])+$")

ParentMatches = frozenset[int]
"""The indices of the rules that match some parent directory of a path (see Matcher.enter)."""

NO_PARENT: ParentMatches = frozenset()


def _alternation(regexes: list[str]) -> re.Pattern[str] | None:
    """One regular expression matching where any of `regexes` does (a quick first test)."""
    if not regexes:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set", as in _compile
        return re.compile("|".join(f"(?:{regex})" for regex in regexes))


class Matcher:
    """Decides, for a path relative to the context root, whether Docker leaves it out.

    Docker checks every rule against the path and each of its parent directories. A walk
    does that in linear time with `enter` and `decide`: the rules that match a directory or
    one of its parents are computed once, when the walk enters it, and handed down.
    """

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._has_negation = any(rule.negated for rule in rules)
        self._literals = [re.split(r"[*?\[\\]", rule.pattern, maxsplit=1)[0] for rule in rules if rule.negated]
        # A rule `**/SEGMENT` matches a path exactly when SEGMENT matches its last component:
        # checked on the name alone, it costs the same at any depth.
        self._on_name: list[tuple[int, re.Pattern[str]]] = []
        self._on_path: list[tuple[int, re.Pattern[str]]] = []
        for index, rule in enumerate(rules):
            segment = rule.pattern[3:] if rule.pattern.startswith("**/") else ""
            if segment and _SEGMENT.match(segment):
                self._on_name.append((index, re.compile(to_regex(segment))))
            else:
                self._on_path.append((index, rule.compiled.regex))  # type: ignore[arg-type]
        self._any_on_name = _alternation([regex.pattern for _, regex in self._on_name])
        self._any_on_path = _alternation([regex.pattern for _, regex in self._on_path])

    def _matching(self, path: str) -> list[int]:
        """The indices of the rules whose pattern matches `path` itself (not a parent)."""
        name = path.rpartition("/")[2]
        hits: list[int] = []
        if self._any_on_name is not None and self._any_on_name.match(name):
            hits.extend(index for index, regex in self._on_name if regex.match(name))
        if self._any_on_path is not None and self._any_on_path.match(path):
            hits.extend(index for index, regex in self._on_path if regex.match(path))
        return hits

    def enter(self, directory: str, parent: ParentMatches = NO_PARENT) -> ParentMatches:
        """The rules matching `directory` or a parent, given those matching its parent."""
        hits = self._matching(directory)
        return parent.union(hits) if hits else parent

    def parents(self, path: str) -> ParentMatches:
        """The rules matching a parent directory of `path`, computed from the root."""
        matches = NO_PARENT
        parts = path.split("/")
        for end in range(1, len(parts)):
            matches = self.enter("/".join(parts[:end]), matches)
        return matches

    def decide(self, path: str, parent: ParentMatches) -> Rule | None:
        """The rule that decides `path`, given the rules that match one of its parents."""
        return self.decision(self.enter(path, parent))

    def decision(self, matching: ParentMatches) -> Rule | None:
        """The rule that decides a path matched (itself or through a parent) by `matching`.

        Docker's order: the last rule that matches wins, and a rule that cannot change the
        outcome is not looked at (so the first of several excluding rules in a row is named).
        """
        if not matching:
            return None
        decided: Rule | None = None
        excluded = False
        for index, rule in enumerate(self.rules):
            if rule.negated != excluded:
                continue
            if index in matching:
                decided = rule
                excluded = not rule.negated
        return decided

    def deciding_rule(self, path: str) -> Rule | None:
        """The last rule that matches `path` (or a parent), if any: it decides."""
        return self.decide(path, self.parents(path))

    def excluded(self, path: str) -> bool:
        rule = self.deciding_rule(path)
        return rule is not None and not rule.negated

    def may_reinclude_below(self, directory: str) -> bool:
        """Whether a `!` rule could bring back something below an excluded `directory`.

        Used to skip walking excluded directories (node_modules, .git) without missing a file.
        """
        if not self._has_negation:
            return False
        prefix = directory + "/"
        return any(
            literal.startswith(prefix) or prefix.startswith(literal) or literal == "" for literal in self._literals
        )


def from_gitignore(line: str) -> str | None:
    """A .gitignore pattern in Docker's terms, or None for a blank or comment line.

    gitignore matches a slash-free pattern at any depth and anchors one with a slash to the
    .gitignore's directory; Docker anchors everything at the root. So `foo` becomes `**/foo`,
    `/foo` and `a/foo` stay anchored. A trailing `/` (directories only) has no Docker
    equivalent and is dropped: the pattern then also matches files of that name.
    """
    text = line.rstrip()
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    body = text[1:] if negated else text
    if body.startswith("\\"):
        body = body[1:]
    body = body.rstrip("/")
    if not body:
        return None
    anchored = "/" in body
    body = body.lstrip("/")
    if not anchored:
        body = "**/" + body
    return ("!" if negated else "") + body
