"""A line the Go-source line scan matched, and the offset-to-line helpers the scans share."""

from __future__ import annotations

from typing import NamedTuple


class Hit(NamedTuple):
    """A line the line scan matched: 1-based line number, the text, and what was captured."""

    line: int
    text: str
    value: str = ""
    extra: str = ""


NO_HITS: tuple[Hit, ...] = ()


def line_of(text: str, offset: int) -> int:
    """The 1-based line holding `offset`."""
    return text.count("\n", 0, offset) + 1


def line_text(text: str, offset: int) -> str:
    """The whole line holding `offset`, stripped."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)].strip()
