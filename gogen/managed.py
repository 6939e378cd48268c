"""The marker gogen puts in every file it generates: a checksum of the file's content.

It tells `init` and `regen` whether a file is theirs to rewrite: a file with an intact
checksum is unchanged since gogen wrote it; one whose checksum no longer matches was edited.

Pins are the exception: an image digest (`golang:1.27@sha256:...`) or an action's commit
(`uses: actions/checkout@<sha> # v4.4.0`) is what Renovate and Dependabot update, and such an
update is not a hand edit. So the checksum covers the text with every pin's value blanked, and
the marker also records a short hash of the pins as gogen wrote them (` pins:<hash>`): a file
whose pins no longer match that hash had them moved by someone else, and `regen` adopts them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

PLACEHOLDER = "-"
MARKER = "# gogen:managed sha256:{digest} (gogen regen refuses to overwrite this file once it is edited)"
# In Markdown the marker sits in an HTML comment: `<!-- # gogen:managed ... -->`.
_MARKER_RE = re.compile(r"^(?:<!-- )?# gogen:managed sha256:([0-9a-f]{64}|-)(?: pins:([0-9a-f]{16}))? .*$", re.M)

# `name@sha256:<digest>` (a FROM line, the syntax line) and `uses: owner/name@<commit> # <tag>`.
_IMAGE_PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._:/-]*)@(?P<value>sha256:[0-9a-f]{64})")
_ACTION_PIN = re.compile(
    r"(?P<lead>uses:[ \t]+)(?P<name>[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@(?P<value>[0-9a-f]{40}(?:[ \t]+#[ \t]*[^\s#]+)?)"
)

State = Literal["unmanaged", "pristine", "edited"]
PinKind = Literal["image", "action"]


@dataclass(frozen=True)
class Pin:
    """A pinned reference in a generated file: an image `name` (as the file writes it, without its
    digest) and its `sha256:` digest, or an action `owner/name` and `<commit> # <version>`."""

    kind: PinKind
    name: str
    value: str


def marker_line() -> str:
    """The marker as templates print it, before `stamp` fills in the checksum."""
    return MARKER.format(digest=PLACEHOLDER)


def pins(text: str) -> tuple[Pin, ...]:
    """Every pin in `text`, in order."""
    found = [(m.start(), Pin("image", m["name"], m["value"])) for m in _IMAGE_PIN.finditer(text)]
    found += [(m.start(), Pin("action", m["name"], m["value"])) for m in _ACTION_PIN.finditer(text)]
    return tuple(pin for _, pin in sorted(found, key=lambda item: item[0]))


def _unpinned(text: str) -> str:
    """`text` with every pin's value blanked: what the checksum covers."""
    text = _IMAGE_PIN.sub(lambda m: f"{m['name']}@{PLACEHOLDER}", text)
    return _ACTION_PIN.sub(lambda m: f"{m['lead']}{m['name']}@{PLACEHOLDER}", text)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pins_hash(found: tuple[Pin, ...]) -> str:
    return _digest("\n".join(f"{pin.kind} {pin.name} {pin.value}" for pin in found))[:16]


def _unstamped(text: str, match: re.Match[str]) -> str:
    """`text` with its marker as templates print it: placeholder checksum, no pins hash."""
    end = match.end(2) if match.group(2) is not None else match.end(1)
    return text[: match.start(1)] + PLACEHOLDER + text[end:]


def stamp(text: str) -> str:
    """Fill the checksum of `text` into its marker line (and the hash of its pins, if it has any)."""
    match = _MARKER_RE.search(text)
    if match is None or match.group(1) != PLACEHOLDER:
        raise ValueError("rendered text has no unstamped gogen marker")
    found = pins(text)
    field = _digest(_unpinned(text)) + (f" pins:{_pins_hash(found)}" if found else "")
    return text[: match.start(1)] + field + text[match.end(1) :]


def state(text: str) -> State:
    """Whether `text` carries gogen's marker, and if so whether it was edited since (a pin moved
    by a bot is not an edit). A checksum of the whole text, as gogen wrote before it blanked
    pins, is accepted too."""
    match = _MARKER_RE.search(text)
    if match is None:
        return "unmanaged"
    unstamped = _unstamped(text, match)
    return "pristine" if match.group(1) in (_digest(_unpinned(unstamped)), _digest(unstamped)) else "edited"


def moved_pins(text: str) -> tuple[Pin, ...]:
    """The pins of a pristine `text` whose values are no longer those gogen wrote (a bot's
    update), all of them; empty when they are gogen's, or when the marker records none."""
    match = _MARKER_RE.search(text)
    if match is None or match.group(2) is None or state(text) != "pristine":
        return ()
    found = pins(text)
    return () if _pins_hash(found) == match.group(2) else found


def same_but_pins_record(old: str, new: str) -> bool:
    """Whether `old` and `new` differ only in the marker's record of the pins."""
    old_match, new_match = _MARKER_RE.search(old), _MARKER_RE.search(new)
    if old_match is None or new_match is None:
        return False
    return _unstamped(old, old_match) == _unstamped(new, new_match)


def has_placeholder(text: str) -> bool:
    """Whether `text` holds a marker line waiting for its checksum (what `stamp` fills in)."""
    match = _MARKER_RE.search(text)
    return match is not None and match.group(1) == PLACEHOLDER
