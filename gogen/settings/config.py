"""gogen.toml: read into setting values, and written back with a comment per key, both from the table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tomlkit
import tomlkit.exceptions
import tomlkit.items

from gogen.settings.checks import Invalid, SettingsError
from gogen.settings.table import FILE_KEYS, SETTINGS, Options, Setting, table_line

CONFIG_FILE = "gogen.toml"
_HEADER = (
    "gogen's settings for this repository; `gogen regen` reads them.",
    "Scanned facts (Go version, cgo, ports...) are not stored here: they are re-read each run.",
)


def key_line(text: str, key: str) -> int | None:
    """The line of `key = ...` in a TOML text."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().startswith(f"{key} ") or line.strip().startswith(f"{key}="):
            return number
    return None


def parse_config(text: str, file: str = CONFIG_FILE) -> dict[str, object]:
    """Read gogen.toml (or an organisation defaults file); unknown keys and wrong types are
    errors naming `file` and the line."""
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows editors write
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise SettingsError(f"not valid TOML: {exc}", file=file, line=exc.line, hint="fix the syntax") from exc
    values: dict[str, object] = {}
    for key, item in document.unwrap().items():
        row = FILE_KEYS.get(key)
        line = table_line(text, key)
        if row is None:
            raise SettingsError(
                f"unknown key {key!r}", file=file, line=line, hint=f"known keys: {', '.join(FILE_KEYS)}"
            )
        try:
            values.update(_read(row, item))
        except Invalid as problem:
            raise SettingsError(problem.message, file=file, line=line, hint=row.spec.comment) from problem
    return values


def _read(row: Setting, item: object) -> dict[str, object]:
    """One gogen.toml value as the Options values it holds."""
    container = list if row.kind is list else row.kind
    if not isinstance(item, container) or (container is int and isinstance(item, bool)):
        raise Invalid(f"{row.name} = {item!r} should be a {container.__name__}")
    if row.spec.read is not None:
        return row.spec.read(row.name, item)
    problem = row.shape_problem(item)
    if problem is not None:
        raise Invalid(problem)
    return {row.name: tuple(item) if isinstance(item, list) else item}


@dataclass(frozen=True)
class Pins:
    """Pins to record in gogen.toml: image digests by the reference gogen chose
    ([images.digests]) and workflow actions by name ([actions]: commit and version)."""

    digests: tuple[tuple[str, str], ...] = ()
    actions: tuple[tuple[str, str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.digests or self.actions)


def config_text(options: Options, existing: str | None, pins: Pins | None = None) -> str:
    """gogen.toml holding `options`: the existing file updated in place (its comments kept), or
    a new one listing the settings in the table's order, each with its comment; plus `pins`."""
    if existing is not None:
        document = tomlkit.parse(existing.removeprefix("\ufeff"))
    else:
        document = tomlkit.document()
        for line in _HEADER:
            document.add(tomlkit.comment(line))
        document.add(tomlkit.nl())
    for row in SETTINGS:
        if not row.in_file or row.spec.written == "never":
            continue
        value = getattr(options, row.name)
        if isinstance(value, tuple):
            value = list(value)
        if row.key in document:
            if value is not None and document[row.key] != value:
                document[row.key] = value
        elif _written(row, value):
            item = tomlkit.item(value)
            item.comment(row.spec.comment)
            document.add(row.key, item)
    if pins:
        _record_pins(document, pins)
    return tomlkit.dumps(document)


def _table(container: tomlkit.TOMLDocument | tomlkit.items.Table, key: str, super_table: bool) -> Any:
    """The table `key` of `container`, created when missing."""
    if key not in container:
        container.add(key, tomlkit.table(is_super_table=super_table))
    return container[key]


def _record_pins(document: tomlkit.TOMLDocument, pins: Pins) -> None:
    """Write `pins` into [images.digests] and [actions], keeping what else is there."""
    if pins.digests:
        digests = _table(_table(document, "images", True), "digests", False)
        for ref, digest in pins.digests:
            digests[ref] = digest
    if pins.actions:
        actions = _table(document, "actions", False)
        for name, commit, version in pins.actions:
            pin = tomlkit.inline_table()
            pin.update({"commit": commit, "version": version})
            actions[name] = pin


def _written(row: Setting, value: object) -> bool:
    """Whether a new key is added for `value`."""
    if row.spec.written == "set":
        return value is not None
    if row.spec.written == "nonempty":
        return bool(value)
    return True
