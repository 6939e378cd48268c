"""Image references: the golang tag for a Go version, and each runtime kind's images.

The table lives in package data (`data/images.toml`) so that it can be checked and updated
without touching code. Every reference gogen emits comes from here.
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
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


CACHE_FILE = "images.toml"
STALE_AFTER = datetime.timedelta(days=183)


def cache_dir() -> Path:
    """Where `gogen images update` keeps its refreshed table: GOGEN_CACHE_DIR, else
    $XDG_CACHE_HOME/gogen, else ~/.cache/gogen."""
    if os.environ.get("GOGEN_CACHE_DIR"):
        return Path(os.environ["GOGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gogen"


@cache
def shipped_table() -> dict[str, Any]:
    """The table in gogen's package data: the offline fallback."""
    text = resources.files("gogen").joinpath("data/images.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def cached_update() -> dict[str, Any] | None:
    """The refreshed table `gogen images update` wrote, when it is readable and well-formed."""
    try:
        update = tomllib.loads((cache_dir() / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    patches = update.get("golang", {}).get("latest_patch")
    minor = update.get("frontend", {}).get("minor")
    if not isinstance(update.get("updated"), datetime.date) or not isinstance(patches, dict) or not patches:
        return None
    if not all(re.fullmatch(r"1\.[0-9]+", k) and isinstance(v, int) and 0 <= v < 1000 for k, v in patches.items()):
        return None
    if not isinstance(minor, str) or not re.fullmatch(r"1\.[0-9]{1,3}", minor):
        return None
    return update


@cache
def table() -> dict[str, Any]:
    """The image table: gogen's, with a newer `gogen images update` laid over it (Go releases
    and the frontend's minor; the runtime images stay gogen's)."""
    shipped = shipped_table()
    update = cached_update()
    if update is None or update["updated"] < shipped["updated"]:
        return shipped
    golang = {
        **shipped["golang"],
        "latest_patch": {**shipped["golang"]["latest_patch"], **update["golang"]["latest_patch"]},
    }
    frontend = {**shipped["frontend"], "minor": update["frontend"]["minor"]}
    return {**shipped, "updated": update["updated"], "golang": golang, "frontend": frontend}


def table_source() -> str:
    """Where the table comes from, with its date: for `gogen images` and the staleness note."""
    used = table()
    origin = (
        "gogen's own" if used is shipped_table() else f"updated by `gogen images update` ({cache_dir() / CACHE_FILE})"
    )
    return f"{origin}, {used['updated']}"


def staleness(today: datetime.date) -> str | None:
    """A note when the table is more than six months old on `today`, else None."""
    updated: datetime.date = table()["updated"]
    if today - updated <= STALE_AFTER:
        return None
    months = (today - updated).days // 30
    return (
        f"gogen's image table is from {updated} ({months} months old): newer Go releases and image tags may "
        "exist; run `gogen images update` (or upgrade gogen)"
    )


def forget_table() -> None:
    """Read the table again on next use (after `gogen images update` wrote a new one)."""
    for loader in (cached_update, table):
        loader.cache_clear()


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


def _latest_patches() -> dict[int, int]:
    """Each Go minor the table knows and its latest patch release: {27: 1} for 1.27.1."""
    return {int(minor.split(".")[1]): patch for minor, patch in table()["golang"]["latest_patch"].items()}


def known_minors() -> frozenset[int]:
    """The Go minor releases the table knows."""
    return frozenset(_latest_patches())


def newest_minor() -> int:
    """The newest Go minor release in the table (27 for Go 1.27)."""
    return max(_latest_patches())


def supported_minors() -> tuple[int, ...]:
    """The Go releases that still get security fixes: the two newest minors (Go's release policy)."""
    return tuple(sorted(_latest_patches())[-2:])


def minor_tag_release(minor: int) -> str:
    """What the minor tag `golang:1.N` provides: its latest patch release, `1.N.P`."""
    return f"1.{minor}.{_latest_patches()[minor]}"


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
    if kind == "frontend":
        frontend: str = table()["frontend"]["prefix"]
        return frontend
    prefix: str = table()["runtime"][kind]["prefix"]
    return prefix


def frontend_image(minor: str | None) -> str:
    """The `# syntax=` frontend, `docker/dockerfile:1.N`: `minor`, else the table's."""
    frontend = table()["frontend"]
    return f"{frontend['prefix']}:{minor or frontend['minor']}"


def default_debian_release() -> str:
    release: str = table()["runtime"]["default_debian_release"]
    return release


def image_kinds() -> tuple[str, ...]:
    """The image kinds an `[images]` map may rewrite: golang, the syntax line's frontend, then each
    runtime in the table."""
    runtimes = [key for key, value in table()["runtime"].items() if isinstance(value, dict)]
    return ("golang", "frontend", *runtimes)


_RELEASE_TAG = re.compile(r"^1\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_FRONTEND_MINOR_TAG = re.compile(r"^1\.(0|[1-9][0-9]{0,2})$")


def refreshed(golang_tags: list[str], frontend_tags: list[str], today: datetime.date) -> dict[str, Any]:
    """The table update `gogen images update` writes, from the registries' tag lists: each Go
    minor's latest patch release (final releases only: `1.N.P` tags, from gogen's oldest minor
    on) and the frontend's newest minor (`docker/dockerfile:1.N`)."""
    oldest = shipped_table()["golang"]["oldest_minor"]
    patches: dict[int, int] = {}
    for tag in golang_tags:
        match = _RELEASE_TAG.match(tag)
        if match and int(match.group(1)) >= oldest:
            minor, patch = int(match.group(1)), int(match.group(2))
            patches[minor] = max(patch, patches.get(minor, 0))
    if not patches:
        raise GogenError(
            "the golang repository lists no Go release tag (1.N.P)", hint="check the [images] golang mirror"
        )
    minors = [int(match.group(1)) for tag in frontend_tags if (match := _FRONTEND_MINOR_TAG.match(tag))]
    if not minors:
        raise GogenError(
            "the docker/dockerfile repository lists no minor release tag (1.N)",
            hint="check the [images] frontend mirror",
        )
    return {
        "updated": today,
        "golang": {"latest_patch": {f"1.{minor}": patches[minor] for minor in sorted(patches)}},
        "frontend": {"minor": f"1.{max(minors)}"},
    }


def update_text(update: dict[str, Any]) -> str:
    """The cache file's text for `update` (what `refreshed` returned)."""
    lines = [
        "# gogen's image table, refreshed from the registries by `gogen images update`; gogen lays it over",
        "# the table it ships when it is newer. Delete this file to go back to gogen's own.",
        f"updated = {update['updated'].isoformat()}",
        "",
        "[golang.latest_patch]",
        *(f'"{minor}" = {patch}' for minor, patch in update["golang"]["latest_patch"].items()),
        "",
        "[frontend]",
        f'minor = "{update["frontend"]["minor"]}"',
    ]
    return "\n".join(lines) + "\n"
