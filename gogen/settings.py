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
_IMAGE_REPOSITORY = re.compile(r"^[a-z0-9][a-z0-9._:/-]*[a-z0-9]$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_LABEL_KEY = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]*$")
IMAGE_KINDS = ("golang", "distroless", "alpine", "debian")


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
    templates: str | None = None
    images: tuple[tuple[str, str], ...] = ()
    digests: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    packages: tuple[str, ...] = ()

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
        for kind, mirror in self.images:
            if kind not in IMAGE_KINDS:
                raise SettingsError(
                    f"unknown image {kind!r} in [images]", file=source, hint=f"rewrite one of {', '.join(IMAGE_KINDS)}"
                )
            if not _IMAGE_REPOSITORY.match(mirror):
                raise SettingsError(
                    f"images.{kind} = {mirror!r} is not a repository name",
                    file=source,
                    hint="e.g. mirror.example.com/library/golang",
                )
        for ref, digest in self.digests:
            if not _DIGEST.match(digest):
                raise SettingsError(
                    f"digest {digest!r} for {ref!r} is not sha256:<64 hex digits>",
                    file=source,
                    hint="copy it from `docker buildx imagetools inspect`",
                )
        for key, value in self.labels:
            if not _LABEL_KEY.match(key):
                raise SettingsError(
                    f"label key {key!r} is not allowed",
                    file=source,
                    hint="lower-case letters, digits, '.', '-' (e.g. com.example.team)",
                )
            if not value.isprintable():
                raise SettingsError(f"label {key} holds control characters", file=source, hint="one printable line")
        for package in self.packages:
            if not _PACKAGE.match(package):
                raise SettingsError(
                    f"package name {package!r} is not allowed", file=source, hint="a Debian or Alpine package name"
                )
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
    "templates": str,
    "images": dict,
    "labels": dict,
    "packages": list,
}
_COMMENTS = {
    "profile": "runtime image: distroless (default), scratch, alpine or debian",
    "strategy": "buildkit (cache mounts, the default) or layers (no BuildKit needed)",
    "binaries": "main package directories to build; empty: every application main",
    "primary": "the directory of the binary in the last stage (what `docker build .` builds)",
    "ports": "ports the primary binary listens on; empty: the ones gogen detects",
    "syntax": "start the Dockerfile with `# syntax=docker/dockerfile:1` (needs registry access)",
    "debian_release": "Debian release of the distroless and debian images",
    "templates": "a directory of templates searched before gogen's own",
    "images": '[images] golang/distroless/alpine/debian = mirror repository; [images.digests] "golang:1.22" = digest',
    "labels": "[labels] extra OCI labels for every final stage",
    "packages": "extra packages for the alpine and debian runtime images",
}


def _config_error(message: str, hint: str, line: int | None = None, file: str = CONFIG_FILE) -> SettingsError:
    return SettingsError(message, file=file, line=line, hint=hint)


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().startswith(f"{key} ") or line.strip().startswith(f"{key}="):
            return number
    return None


def parse_config(text: str, file: str = CONFIG_FILE) -> dict[str, object]:
    """Read gogen.toml (or an organisation defaults file); unknown keys and wrong types are errors."""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise _config_error(f"not valid TOML: {exc}", "fix the syntax", exc.line, file) from exc
    values: dict[str, object] = {}
    for key, item in document.unwrap().items():
        expected = _CONFIG_TYPES.get(key)
        line = _key_line(text, key) or _key_line(text, f"[{key}]")
        if expected is None:
            raise _config_error(f"unknown key {key!r}", f"known keys: {', '.join(_CONFIG_TYPES)}", line, file)
        if not isinstance(item, expected) or (expected is int and isinstance(item, bool)):
            raise _config_error(f"{key} = {item!r} should be a {expected.__name__}", _COMMENTS[key], line, file)
        values.update(_tables(key, item, line, file))
    return values


def _tables(key: str, item: object, line: int | None, file: str) -> dict[str, object]:
    """[images] (with [images.digests]) and [labels] as the pairs Options holds."""
    if key == "labels" and isinstance(item, dict):
        if not all(isinstance(v, str) for v in item.values()):
            raise _config_error("every label value must be a string", _COMMENTS[key], line, file)
        return {"labels": tuple(sorted(item.items()))}
    if key == "images" and isinstance(item, dict):
        digests = item.get("digests", {})
        mirrors = {k: v for k, v in item.items() if k != "digests"}
        if not isinstance(digests, dict) or not all(isinstance(v, str) for v in (*mirrors.values(), *digests.values())):
            raise _config_error("[images] values must be strings", _COMMENTS[key], line, file)
        return {"images": tuple(sorted(mirrors.items())), "digests": tuple(sorted(digests.items()))}
    return {key: item}


def options_from(values: dict[str, object], base: Options | None = None) -> Options:
    """Apply config or command-line values (None and missing mean "keep") over `base`.

    [images] and [labels] merge key by key, so a repository can add to its organisation's.
    """
    options = base or Options()
    changes: dict[str, object] = {}
    for key in ("images", "digests", "labels"):
        given = values.get(key)
        if isinstance(given, tuple):
            changes[key] = tuple(sorted({**dict(getattr(options, key)), **dict(given)}.items()))
    for key, given in values.items():
        if given is None or key in changes:
            continue
        value = given
        if key in ("binaries", "ports", "packages"):
            if not isinstance(value, (list, tuple)):
                raise _config_error(f"{key} should be a list", _COMMENTS[key])
            if key == "ports" and not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                raise _config_error(f"ports = {list(value)!r} should hold port numbers", _COMMENTS[key])
            if key in ("binaries", "packages") and not all(isinstance(v, str) for v in value):
                raise _config_error(f"{key} = {list(value)!r} should hold names", _COMMENTS[key])
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
    if options.templates is not None:
        values["templates"] = options.templates
    for key, value in values.items():
        if key in document:
            if document[key] != value:
                document[key] = value
            continue
        item = tomlkit.item(value)
        item.comment(_COMMENTS[key])
        document.add(key, item)
    return tomlkit.dumps(document)
