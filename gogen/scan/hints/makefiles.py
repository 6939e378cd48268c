"""A Makefile's variables and rules, read far enough to expand its `go build` recipe lines.

Make expands a recipe when it runs it, after reading the whole file, so every command line is
expanded with the variables' final values: `NAME := value` (expanded where it is written),
`NAME = value` and `NAME ?= value` (expanded where they are used), `NAME += value`, each
optionally after `export` or `override`. Conditionals are not evaluated: an assignment in an
`else` branch is skipped, so a variable keeps its first branch's value. A target-specific
assignment (`runc static: export CGO_ENABLED=1`) applies to the recipes of those targets and
of their prerequisites, as in make. An exported CGO_ENABLED is the cgo setting of the go
commands that do not set their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from gogen.scan.hints.variables import MAX_VALUE, Variables

MAX_RULES = 4096
MAX_ANCESTORS = 64  # targets walked up from a recipe to find target-specific variables
MAX_EDGES = 65_536  # prerequisite links kept
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_OPERATOR = r"(?P<op>:::=|::=|:=|\?=|\+=|!=|=)"
_ASSIGNMENT = re.compile(rf"^(?P<export>export\s+)?(?:override\s+)?(?P<name>{_NAME})\s*{_OPERATOR}\s*(?P<value>.*)$")
_TARGET_ASSIGNMENT = re.compile(
    rf"^(?P<export>export\s+)?(?:override\s+)?(?P<name>{_NAME})\s*{_OPERATOR}\s*(?P<value>.*)$"
)
_EXPORT = re.compile(rf"^export(?P<names>(?:\s+{_NAME})*)\s*$")
_CONDITIONAL = re.compile(r"^(?P<word>ifeq|ifneq|ifdef|ifndef|else|endif)\b")
_COMMENT = re.compile(r"(?<!\\)#.*$")


@dataclass(frozen=True)
class CommandLine:
    """A line that may hold go commands: as written (the evidence) and as make would run it."""

    number: int
    text: str
    expanded: str
    cgo: bool | None


@dataclass
class _TargetVariable:
    targets: str
    name: str
    value: str
    exported: bool


@dataclass
class _Makefile:
    variables: Variables = field(default_factory=Variables)
    exported: set[str] = field(default_factory=set)
    rules: list[tuple[str, str]] = field(default_factory=list)  # (targets, prerequisites), as written
    target_variables: list[_TargetVariable] = field(default_factory=list)
    commands: list[tuple[int, str, int | None]] = field(default_factory=list)  # (line, text, rule)
    overflow_line: int | None = None


def makefile_lines(text: str, lines: list[tuple[int, str]]) -> tuple[list[CommandLine], int | None]:
    """The command lines of a Makefile, expanded, and the line where a variable was first refused
    (more than MAX_VARIABLES names), if one was."""
    raw = text.split("\n")
    makefile = _read(lines, raw)
    return list(_expanded(makefile)), makefile.overflow_line


def _read(lines: list[tuple[int, str]], raw: list[str]) -> _Makefile:
    makefile = _Makefile()
    in_else: list[bool] = []
    rule: int | None = None
    for number, line in lines:
        first = raw[number - 1][:1]
        # a tab starts a recipe line; so do spaces right after a rule (not valid make, but written)
        recipe = first == "\t" or (first == " " and rule is not None)
        if not line or (line.startswith("#") and not recipe):
            continue
        conditional = None if recipe else _CONDITIONAL.match(line)
        if conditional is not None:
            _conditional(conditional.group("word"), in_else)
            rule = None
            continue
        if recipe:
            makefile.commands.append((number, line, rule))
            continue
        rule = _directive(makefile, number, line, skip=any(in_else), rule=rule)
    return makefile


def _conditional(word: str, in_else: list[bool]) -> None:
    if word == "else" and in_else:
        in_else[-1] = True
    elif word == "endif" and in_else:
        in_else.pop()
    elif word.startswith("if"):
        in_else.append(False)


def _directive(makefile: _Makefile, number: int, line: str, *, skip: bool, rule: int | None) -> int | None:
    """Read one line outside a recipe; the rule whose recipe the next tab lines belong to."""
    assignment = _ASSIGNMENT.match(line)
    if assignment is not None:
        if not skip:
            _assign(makefile, number, assignment)
        return None
    rule_line = _split_rule(line)
    target_assignment = _TARGET_ASSIGNMENT.match(rule_line[1]) if rule_line else None
    if rule_line is not None and target_assignment is not None:
        if not skip and len(makefile.target_variables) < MAX_RULES:
            makefile.target_variables.append(
                _TargetVariable(
                    rule_line[0],
                    target_assignment.group("name"),
                    _strip_comment(target_assignment.group("value")),
                    target_assignment.group("export") is not None,
                )
            )
        return None
    export = _EXPORT.match(line)
    if export is not None:
        makefile.exported.update(export.group("names").split() or ["*"])  # `export` alone: all
        return rule
    makefile.commands.append((number, line, None))
    if rule_line is None:
        return rule
    if len(makefile.rules) >= MAX_RULES:
        return None
    makefile.rules.append((rule_line[0], re.split(r"[;#]", rule_line[1], maxsplit=1)[0]))
    return len(makefile.rules) - 1


def _split_rule(line: str) -> tuple[str, str] | None:
    """`targets: rest` split at the first colon (`::` too), or None when the line is no rule.
    Found with str.find, not a regular expression: a long run of spaces must stay linear."""
    colon = line.find(":")
    head = line[:colon]
    if colon <= 0 or "=" in head or "#" in head or line.startswith(":=", colon):
        return None
    rest = line[colon + 1 :]
    return head.strip(), (rest[1:] if rest.startswith(":") else rest).strip()


def _assign(makefile: _Makefile, number: int, assignment: re.Match[str]) -> None:
    name, operator = assignment.group("name"), assignment.group("op")
    value = _strip_comment(assignment.group("value"))
    variables = makefile.variables
    if assignment.group("export"):
        makefile.exported.add(name)
    if operator == "!=":
        variables.set(name, "$(shell )")  # a shell command's output: unknown
    elif operator == "?=":
        if name not in variables.values:
            variables.set(name, value)
    elif operator == "+=":
        variables.append(name, value)
    elif operator in (":=", "::=", ":::="):
        variables.set(name, variables.expand(value, "make"))
    else:
        variables.set(name, value)
    if variables.overflow and makefile.overflow_line is None:
        makefile.overflow_line = number


def _strip_comment(value: str) -> str:
    return _COMMENT.sub("", value[: MAX_VALUE + 1]).strip() if "#" in value else value.strip()


def _expanded(makefile: _Makefile) -> Iterator[CommandLine]:
    variables = makefile.variables
    rules = [(_words(variables, targets), _words(variables, prereqs)) for targets, prereqs in makefile.rules]
    parents: dict[str, list[str]] = {}
    edges = 0
    for targets, prereqs in rules:
        for prereq in prereqs:
            if edges < MAX_EDGES:
                edges += len(targets)
                parents.setdefault(prereq, []).extend(targets)
    per_target: dict[str, list[_TargetVariable]] = {}
    for setting in makefile.target_variables:
        for target in _words(variables, setting.targets):
            per_target.setdefault(target, []).append(setting)
    cache: dict[int, tuple[dict[str, str], set[str]]] = {}
    for number, text, rule in makefile.commands:
        overlay: dict[str, str] = {}
        exported = makefile.exported
        if rule is not None and per_target:
            if rule not in cache:
                cache[rule] = _target_overlay(rules[rule][0], parents, per_target, variables)
            overlay, extra = cache[rule]
            exported = exported | extra
        expanded = variables.expand(text, "make", overlay)
        yield CommandLine(number, text, expanded, _exported_cgo(variables, overlay, exported))


def _words(variables: Variables, text: str) -> list[str]:
    return variables.expand(text, "make").split()[:MAX_RULES]


def _target_overlay(
    targets: list[str],
    parents: dict[str, list[str]],
    per_target: dict[str, list[_TargetVariable]],
    variables: Variables,
) -> tuple[dict[str, str], set[str]]:
    """The target-specific variables a recipe of `targets` sees: its own, then those of the
    targets that (transitively) depend on it, nearest first."""
    overlay: dict[str, str] = {}
    exported: set[str] = set()
    queue = list(targets)
    seen = set(queue)
    index = 0
    while index < len(queue) and index < MAX_ANCESTORS:
        for setting in per_target.get(queue[index], []):
            if setting.name not in overlay:
                overlay[setting.name] = variables.expand(setting.value, "make")
                if setting.exported:
                    exported.add(setting.name)
        for parent in parents.get(queue[index], []):
            if parent not in seen and len(seen) < MAX_ANCESTORS:
                seen.add(parent)
                queue.append(parent)
        index += 1
    return overlay, exported


def _exported_cgo(variables: Variables, overlay: dict[str, str], exported: set[str]) -> bool | None:
    if "CGO_ENABLED" not in exported and "*" not in exported:
        return None
    value = variables.expand(overlay.get("CGO_ENABLED", variables.values.get("CGO_ENABLED", "")), "make", overlay)
    value = value.strip()
    return True if value == "1" else False if value == "0" else None
