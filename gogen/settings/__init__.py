"""The user's choices: command-line options, gogen.toml and an organisation's defaults.

Every setting is one field of `Options` in `table.py` (type, default, check, gogen.toml
comment, flag): the checks, gogen.toml's reading and writing, the CLI options of `init` and
`regen` and docs/settings.md are derived from it.
"""

from __future__ import annotations

from gogen.settings.checks import (
    LIBRARY_FIELDS,
    PLATFORM_VARIANTS,
    Invalid,
    SettingsError,
    check_platform,
    normalise_dir,
)
from gogen.settings.config import CONFIG_FILE, Pins, config_text, key_line, parse_config
from gogen.settings.docs import settings_markdown
from gogen.settings.table import SETTINGS, Options, Setting, check, layered, options_from

__all__ = [
    "CONFIG_FILE",
    "LIBRARY_FIELDS",
    "PLATFORM_VARIANTS",
    "SETTINGS",
    "Invalid",
    "Options",
    "Pins",
    "Setting",
    "SettingsError",
    "check",
    "check_platform",
    "config_text",
    "key_line",
    "layered",
    "normalise_dir",
    "options_from",
    "parse_config",
    "settings_markdown",
]
