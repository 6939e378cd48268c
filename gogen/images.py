"""Image references: the golang tag for a Go version, and each runtime kind's images.

The table lives in package data (`data/images.toml`) so that it can be checked and updated
without touching code. Every reference gogen emits comes from here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from gogen.errors import GogenError
from gogen.scan.gomod import GO_VERSION_RE

Variant = Literal["debian", "alpine"]


@dataclass(frozen=True)
class ImageRef:
    """An image reference and whether gogen's table vouches that it exists."""

    ref: str
    known: bool
    note: str


@cache
def table() -> dict[str, Any]:
    text = resources.files("gogen").joinpath("data/images.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def golang_image(version: str, variant: Variant) -> ImageRef:
    """`golang:<version>` (Debian) or `golang:<version>-alpine`, keeping the version's precision."""
    match = GO_VERSION_RE.match(version)
    if match is None or match.group(1) != "1":
        raise GogenError(f"no golang image for Go version {version!r}", hint="set `go 1.N` in go.mod")
    golang = table()["golang"]
    minor = int(match.group(2))
    suffix = "-alpine" if variant == "alpine" else ""
    ref = f"{golang['registry']}:{version}{suffix}"
    latest = golang["latest_patch"]
    newest_minor = max(int(key.split(".")[1]) for key in latest)
    if minor < golang["oldest_minor"]:
        return ImageRef(
            ref, False, f"Go 1.{minor} predates the golang images gogen knows (from 1.{golang['oldest_minor']})"
        )
    if minor > newest_minor:
        return ImageRef(
            ref, False, f"Go 1.{minor} is newer than gogen's image table (up to 1.{newest_minor}): check {ref} exists"
        )
    patch = match.group(3)
    if patch is not None and int(patch) > latest[f"1.{minor}"]:
        return ImageRef(
            ref,
            False,
            f"gogen knows golang 1.{minor} patches up to 1.{minor}.{latest[f'1.{minor}']}: check {ref} exists",
        )
    if match.group(4):
        return ImageRef(ref, False, f"{version} is a pre-release: its image may be gone from the registry")
    return ImageRef(ref, True, "")


def known_go_versions() -> list[str]:
    """Every Go version (minor and patch spellings) the table vouches for."""
    versions = []
    for minor_text, latest in table()["golang"]["latest_patch"].items():
        versions.append(minor_text)
        versions.extend(f"{minor_text}.{patch}" for patch in range(latest + 1))
    return versions


def debian_codename(release: str) -> str:
    codenames: dict[str, str] = table()["runtime"]["debian"]["codenames"]
    if release not in codenames:
        raise GogenError(f"unknown Debian release {release!r}", hint=f"choose one of {', '.join(sorted(codenames))}")
    return codenames[release]


def runtime_image(kind: str, key: str, release: str) -> str:
    """Image `key` of runtime `kind` (`[runtime.<kind>]`), its `{release}`/`{codename}` filled in."""
    template: str = table()["runtime"][kind][key]
    if "{" not in template:
        return template
    return template.format(release=release, codename=debian_codename(release))


def image_prefix(kind: str) -> str:
    """The repository prefix an `[images]` mirror of `kind` replaces (`gcr.io/distroless`)."""
    if kind == "golang":
        registry: str = table()["golang"]["registry"]
        return registry
    prefix: str = table()["runtime"][kind]["prefix"]
    return prefix


def default_debian_release() -> str:
    release: str = table()["runtime"]["default_debian_release"]
    return release


def image_kinds() -> tuple[str, ...]:
    """The image kinds an `[images]` map may rewrite: golang, then each runtime in the table."""
    runtimes = [key for key, value in table()["runtime"].items() if isinstance(value, dict)]
    return ("golang", *runtimes)
