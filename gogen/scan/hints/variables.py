"""Variables of a build file, expanded in its `go build` lines without running anything.

Makefiles write `$(NAME)` / `${NAME}`; shell scripts and Dockerfiles `$NAME`, `${NAME}` and
`${NAME:-default}` (`${NAME-default}`). A variable gogen does not know (set by the caller's
environment, a `$(shell ...)` call, an included file) stays as written: the go command parser
then drops the word it is in, as it did before variables were read.

Everything is bounded, so a hostile file costs time in proportion to its length: at most
MAX_VARIABLES names per file, values of at most MAX_VALUE characters (a longer value makes the
variable unknown), MAX_DEPTH expansion passes, expanded text of at most MAX_EXPANDED characters
per line, and MAX_FILE_EXPANSION characters produced per file, after which nothing more expands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

MAX_VARIABLES = 256
MAX_VALUE = 4096
MAX_DEPTH = 2
MAX_EXPANDED = 16_384
MAX_FILE_EXPANSION = 512_000  # shlex reads the expanded text at about a microsecond a character

Syntax = Literal["make", "shell"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_MAKE_REF = re.compile(rf"\$\$|\$\((?P<paren>{_NAME})\)|\$\{{(?P<brace>{_NAME})\}}")
_SHELL_REF = re.compile(
    rf"\$\$|\$\{{(?P<brace>{_NAME})(?:(?P<op>:?-)(?P<default>[^{{}}$]*))?\}}|\$(?P<bare>{_NAME})(?![A-Za-z0-9_])"
)
# `$(shell git describe)`, `$(wildcard ...)`: a make function call, whose value gogen cannot know
_MAKE_CALL = re.compile(r"\$[({][a-z-]+\s")


@dataclass
class Variables:
    """The variables one file sets, in the order it sets them (bounded; see the module doc).

    `overflow` is set when a new name was refused (more than MAX_VARIABLES): the caller reports it.
    """

    values: dict[str, str] = field(default_factory=dict)
    overflow: bool = False
    budget: list[int] = field(default_factory=lambda: [MAX_FILE_EXPANSION])  # shared by copies
    _unknown: set[str] = field(default_factory=set)

    def set(self, name: str, value: str) -> None:
        """Record `name`; a too-long value, or a make function call in it, makes it unknown for good."""
        if name in self._unknown:
            return
        if len(value) > MAX_VALUE or _MAKE_CALL.search(value):
            self.values.pop(name, None)
            if len(self._unknown) < MAX_VARIABLES:
                self._unknown.add(name)
            return
        if name not in self.values and len(self.values) >= MAX_VARIABLES:
            self.overflow = True
            return
        self.values[name] = value

    def append(self, name: str, value: str) -> None:
        """Make's `+=`: a space, then `value` (an unset variable becomes `value`)."""
        if name in self._unknown:
            return
        current = self.values.get(name)
        self.set(name, value if not current else f"{current} {value}")

    def forget(self, name: str) -> None:
        self.values.pop(name, None)

    def copy(self) -> Variables:
        """The same variables, sharing this file's expansion budget."""
        return Variables(dict(self.values), self.overflow, self.budget, set(self._unknown))

    def expand(self, text: str, syntax: Syntax, overlay: Mapping[str, str] | None = None) -> str:
        """`text` with the variables it references replaced (`overlay` first), MAX_DEPTH passes."""
        if "$" not in text:
            return text
        values: Mapping[str, str] = {**self.values, **overlay} if overlay else self.values
        return expand(text, values, syntax, self.budget)


def expand(text: str, values: Mapping[str, str], syntax: Syntax, budget: list[int] | None = None) -> str:
    """`text` with known references replaced; `budget[0]` counts down the characters produced."""
    budget = budget if budget is not None else [MAX_FILE_EXPANSION]
    pattern = _MAKE_REF if syntax == "make" else _SHELL_REF
    for _ in range(MAX_DEPTH):
        if "$" not in text or budget[0] <= 0:
            break
        substitution = _Pass(values, MAX_EXPANDED - len(text), budget[0])
        expanded = pattern.sub(substitution, text)
        budget[0] -= substitution.produced
        if not substitution.changed:
            break
        text = expanded
    return text


class _Pass:
    """One pass over a text: each known reference replaced while the text grows by at most
    `room` characters and the values put in it total at most `budget`."""

    def __init__(self, values: Mapping[str, str], room: int, budget: int) -> None:
        self.values = values
        self.room = room
        self.budget = budget
        self.produced = 0
        self.changed = False

    def __call__(self, match: re.Match[str]) -> str:
        written = match.group(0)
        value = _value(match, self.values)
        growth = len(value) - len(written) if value is not None else 0
        if value is None or growth > self.room or self.produced + len(value) > self.budget:
            return written
        self.room -= max(0, growth)
        self.produced += len(value)
        self.changed = True
        return value


def _value(match: re.Match[str], values: Mapping[str, str]) -> str | None:
    """What one reference stands for; None: leave it as written (`$$`, an unknown variable)."""
    groups = match.groupdict()
    name = groups.get("paren") or groups.get("brace") or groups.get("bare")
    if name is None:
        return None
    value = values.get(name)
    operator = groups.get("op")
    if operator is not None and (value is None or (operator == ":-" and not value)):
        return str(groups.get("default") or "")
    return value
