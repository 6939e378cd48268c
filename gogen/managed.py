"""The marker gogen puts in every file it generates: a checksum of the file's content.

It tells `init` and `regen` whether a file is theirs to rewrite: a file with an intact
checksum is unchanged since gogen wrote it; one whose checksum no longer matches was edited.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

PLACEHOLDER = "-"
MARKER = "# gogen:managed sha256:{digest} (gogen regen refuses to overwrite this file once it is edited)"
# In Markdown the marker sits in an HTML comment: `<!-- # gogen:managed ... -->`.
_MARKER_RE = re.compile(r"^(?:<!-- )?# gogen:managed sha256:([0-9a-f]{64}|-) .*$", re.M)

State = Literal["unmanaged", "pristine", "edited"]


def marker_line() -> str:
    """The marker as templates print it, before `stamp` fills in the checksum."""
    return MARKER.format(digest=PLACEHOLDER)


def _digest(text_with_placeholder: str) -> str:
    return hashlib.sha256(text_with_placeholder.encode("utf-8")).hexdigest()


def stamp(text: str) -> str:
    """Fill the checksum of `text` into its marker line."""
    match = _MARKER_RE.search(text)
    if match is None or match.group(1) != PLACEHOLDER:
        raise ValueError("rendered text has no unstamped gogen marker")
    digest = _digest(text)
    return text[: match.start(1)] + digest + text[match.end(1) :]


def state(text: str) -> State:
    """Whether `text` carries gogen's marker, and if so whether it was edited since."""
    match = _MARKER_RE.search(text)
    if match is None:
        return "unmanaged"
    unstamped = text[: match.start(1)] + PLACEHOLDER + text[match.end(1) :]
    return "pristine" if _digest(unstamped) == match.group(1) else "edited"


def has_placeholder(text: str) -> bool:
    """Whether `text` holds a marker line waiting for its checksum (what `stamp` fills in)."""
    match = _MARKER_RE.search(text)
    return match is not None and match.group(1) == PLACEHOLDER
