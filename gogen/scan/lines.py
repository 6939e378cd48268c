"""A line the Go-source line scan matched, and the offset-to-line helpers the scans share."""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple


class Hit(NamedTuple):
    """A line the line scan matched: 1-based line number, the text, and what was captured."""

    line: int
    text: str
    value: str = ""
    extra: str = ""


NO_HITS: tuple[Hit, ...] = ()
_NEWLINE = re.compile("\n")


def line_of(text: str, offset: int) -> int:
    """The 1-based line holding `offset`."""
    return text.count("\n", 0, offset) + 1


def line_text(text: str, offset: int) -> str:
    """The whole line holding `offset`, stripped."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)].strip()


class LineIndex:
    """Line numbers of many offsets in one text: the newline offsets are listed once, then bisected.

    `line_of` counts from the start each time, which is quadratic over a file with many hits.
    """

    __slots__ = ("_newlines", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines: list[int] | None = None

    def line(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [match.start() for match in _NEWLINE.finditer(self._text)]
        return bisect.bisect_left(self._newlines, offset) + 1
