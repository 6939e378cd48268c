"""The user's choices: command-line options and gogen.toml, validated in one place."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import tomlkit
import tomlkit.exceptions

from gogen.errors import GogenError
from gogen.images import debian_codename, default_debian_release
from gogen.profiles import PROFILE_NAMES, STRATEGY_NAMES

_DIR = re.compile(r"^[A-Za-z0-9._/+-]+$")


class SettingsError(GogenError):
    """An option or gogen.toml value is not allowed."""


@dataclass(frozen=True)
class Options:
    """What the user chose. Empty tuples and None mean "decide from the scan"."""

    profile: str = "distroless"
    strategy: str = "buildkit"
    binaries: tuple[str, ...] = ()
    primary: str | None = None
    ports: tuple[int, ...] = ()
    syntax: bool = True
    debian_release: str = field(default_factory=default_debian_release)

    def validated(self, source: str = "options") -> Options:
        """Check every value; raise SettingsError naming the value and what is allowed."""
        if self.profile not in PROFILE_NAMES:
            raise SettingsError(
                f"unknown profile {self.profile!r}", file=source, hint=f"choose one of {', '.join(PROFILE_NAMES)}"
            )
        if self.strategy not in STRATEGY_NAMES:
            raise SettingsError(
                f"unknown strategy {self.strategy!r}", file=source, hint=f"choose one of {', '.join(STRATEGY_NAMES)}"
            )
        for port in self.ports:
            if not 0 < port < 65536:
                raise SettingsError(f"port {port} is out of range", file=source, hint="use 1-65535")
        for directory in (*self.binaries, *([self.primary] if self.primary else [])):
            if not _DIR.match(directory) or directory.startswith("/") or ".." in directory.split("/"):
                raise SettingsError(
                    f"binary directory {directory!r} is not a plain relative path",
                    file=source,
                    hint="name a main package directory such as cmd/api or .",
                )
        debian_codename(self.debian_release)
        return self


def normalise_dir(directory: str) -> str:
    """`./cmd/api/` → `cmd/api`; `./` → `.`."""
    cleaned = directory.strip().removeprefix("./").rstrip("/")
    return cleaned or "."


CONFIG_FILE = "gogen.toml"
_CONFIG_TYPES: dict[str, type] = {
    "profile": str,
    "strategy": str,
    "binaries": list,
    "primary": str,
    "ports": list,
    "syntax": bool,
    "debian_release": str,
}
_COMMENTS = {
    "profile": "runtime image: distroless (default), scratch, alpine or debian",
    "strategy": "buildkit (cache mounts, the default) or layers (no BuildKit needed)",
    "binaries": "main package directories to build; empty: every application main",
    "primary": "the directory of the binary in the last stage (what `docker build .` builds)",
    "ports": "ports the primary binary listens on; empty: the ones gogen detects",
    "syntax": "start the Dockerfile with `# syntax=docker/dockerfile:1` (needs registry access)",
    "debian_release": "Debian release of the distroless and debian images",
}


def _config_error(message: str, hint: str, line: int | None = None) -> SettingsError:
    return SettingsError(message, file=CONFIG_FILE, line=line, hint=hint)


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().startswith(f"{key} ") or line.strip().startswith(f"{key}="):
            return number
    return None


def parse_config(text: str) -> dict[str, object]:
    """Read gogen.toml text; unknown keys and wrong types are errors naming the key."""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise _config_error(f"not valid TOML: {exc}", "fix the syntax", exc.line) from exc
    values: dict[str, object] = {}
    for key, item in document.unwrap().items():
        expected = _CONFIG_TYPES.get(key)
        line = _key_line(text, key)
        if expected is None:
            raise _config_error(f"unknown key {key!r}", f"known keys: {', '.join(_CONFIG_TYPES)}", line)
        if not isinstance(item, expected) or (expected is int and isinstance(item, bool)):
            raise _config_error(f"{key} = {item!r} should be a {expected.__name__}", _COMMENTS[key], line)
        values[key] = item
    return values


def options_from(values: dict[str, object], base: Options | None = None) -> Options:
    """Apply config or command-line values (None and missing mean "keep") over `base`."""
    options = base or Options()
    changes: dict[str, object] = {}
    for key, given in values.items():
        if given is None:
            continue
        value = given
        if key in ("binaries", "ports"):
            if not isinstance(value, (list, tuple)):
                raise _config_error(f"{key} should be a list", _COMMENTS[key])
            if key == "ports" and not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                raise _config_error(f"ports = {list(value)!r} should hold port numbers", _COMMENTS[key])
            if key == "binaries" and not all(isinstance(v, str) for v in value):
                raise _config_error(f"binaries = {list(value)!r} should hold directory names", _COMMENTS[key])
            value = tuple(value)
        changes[key] = value
    return dataclasses.replace(options, **changes)  # type: ignore[arg-type]


def config_text(options: Options, existing: str | None) -> str:
    """gogen.toml holding `options`: the existing file updated in place (its comments kept), or a new one."""
    if existing is not None:
        document = tomlkit.parse(existing)
    else:
        document = tomlkit.document()
        document.add(tomlkit.comment("gogen's settings for this repository; `gogen regen` reads them."))
        document.add(
            tomlkit.comment("Scanned facts (Go version, cgo, ports...) are not stored here: they are re-read each run.")
        )
        document.add(tomlkit.nl())
    values: dict[str, object] = {
        "profile": options.profile,
        "strategy": options.strategy,
        "binaries": list(options.binaries),
        "ports": list(options.ports),
        "syntax": options.syntax,
        "debian_release": options.debian_release,
    }
    if options.primary is not None:
        values["primary"] = options.primary
    for key, value in values.items():
        if key in document:
            if document[key] != value:
                document[key] = value
            continue
        item = tomlkit.item(value)
        item.comment(_COMMENTS[key])
        document.add(key, item)
    return tomlkit.dumps(document)
