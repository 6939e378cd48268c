"""docs/settings.md, rendered from the table of settings (a test keeps the file equal to it)."""

from __future__ import annotations

import tomlkit

from gogen.settings.table import SETTINGS, Setting

_INTRO = """\
# Settings

<!-- Rendered from the Options fields in gogen/settings/table.py; do not edit.
     `pytest tests/test_settings.py --update-golden` rewrites it. -->

Each setting is read, lowest first, from gogen's default, an organisation's defaults file
(`--defaults FILE` or `GOGEN_DEFAULTS`), the repository's `gogen.toml`, then the command
line of `gogen init` and `gogen regen` (which record it in `gogen.toml`). A value that is not
allowed stops gogen with exit code 2, naming the flag, `gogen.toml` and its line, or the
defaults file. `[images]` and `[labels]` merge key by key over the defaults file's.

| gogen.toml | type | default | flag | meaning |
|---|---|---|---|---|
"""
_TYPES = {str: "string", bool: "boolean", int: "integer", dict: "table"}


def settings_markdown() -> str:
    """The Markdown table of every setting: key, type, default, flag and meaning."""
    return _INTRO + "".join(_row(row) for row in SETTINGS)


def _row(row: Setting) -> str:
    key = f"`{row.name}`" if row.in_file else f"`[{row.key}.{row.name}]`"
    kind = f"list of {_TYPES[row.item]}s" if row.item is not None else _TYPES[row.kind]
    return f"| {key} | {kind} | {_default(row)} | {_flag(row)} | {row.spec.comment} |\n"


def _default(row: Setting) -> str:
    if row.default is None:
        return "unset"
    if row.kind is dict:
        return "empty"
    value = list(row.default) if isinstance(row.default, tuple) else row.default
    return f"`{tomlkit.item(value).as_string()}`"


def _flag(row: Setting) -> str:
    flag = row.spec.flag
    if flag is None:
        return ""
    if row.kind is bool:
        return f"`{flag}`, `--no-{flag.removeprefix('--')}`"
    spelled = f"`{flag} {row.spec.metavar}`" if row.spec.metavar else f"`{flag}`"
    return f"{spelled} (repeatable)" if row.repeatable else spelled
