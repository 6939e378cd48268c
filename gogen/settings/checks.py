"""The checks of setting values: small functions that raise Invalid, naming the value and what is allowed.

A check knows nothing of where the value came from; the loop in `gogen.settings.table` adds
the source (the flag, gogen.toml and its line, or the defaults file).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from gogen.errors import GogenError
from gogen.images import debian_codename, image_kinds

Check = Callable[[Any], None]

_DIR = re.compile(r"^[A-Za-z0-9._/+-]+$")
_IMAGE_REPOSITORY = re.compile(r"^[a-z0-9][a-z0-9._:/-]*[a-z0-9]$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_LABEL_KEY = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]*$")
_MODULE_GLOB = re.compile(r"^[A-Za-z0-9._~/*?\[\]-]+$")
_HEALTH_ARG = re.compile(r"^[A-Za-z0-9._/:=@%+-]+$")
LIBRARY_FIELDS = ("debian_dev", "debian", "alpine_dev", "alpine")
# Go's linux ports that Docker names as platforms, and the variants each accepts.
PLATFORM_VARIANTS: dict[str, tuple[str, ...]] = {
    "amd64": ("v1", "v2", "v3", "v4"),
    "arm64": ("v8",),
    "arm": ("v5", "v6", "v7"),
    "386": (),
    "ppc64le": (),
    "s390x": (),
    "riscv64": (),
    "mips64le": (),
    "loong64": (),
}


class SettingsError(GogenError):
    """An option or gogen.toml value is not allowed."""


class Invalid(Exception):
    """A value a check refuses: what is wrong and what is allowed, without the source."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def one_of(what: str, names: Sequence[str], hint: str | None = None) -> Check:
    """A check that the value is one of `names`."""

    def check(value: str) -> None:
        if value not in names:
            raise Invalid(f"unknown {what} {value!r}", hint or f"choose one of {', '.join(names)}")

    return check


_BUILD_TAG = re.compile(r"^[A-Za-z0-9_.]+$")


def each(check: Check) -> Check:
    """A check of every item of a list (or every pair of a table)."""

    def check_items(values: Sequence[object]) -> None:
        for value in values:
            check(value)

    return check_items


def port(value: int) -> None:
    if not 0 < value < 65536:
        raise Invalid(f"port {value} is out of range", "use 1-65535")


def directory(value: str) -> None:
    if not _DIR.match(value) or value.startswith("/") or ".." in value.split("/"):
        raise Invalid(
            f"binary directory {value!r} is not a plain relative path",
            "name a main package directory such as cmd/api or .",
        )


GO_MOD = "go.mod"


def go_version(value: str) -> None:
    """`go.mod`, or a Go release as golang image tags name it: 1.N or 1.N.P."""
    if value != GO_MOD and not re.fullmatch(r"1\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?", value):
        raise Invalid(f"go_version {value!r} is not a Go release", 'write "1.27", "1.26.3" or "go.mod"')


def dockerfile_syntax(value: str) -> None:
    """A minor release of the Dockerfile frontend: 1.N."""
    if not re.fullmatch(r"1\.(0|[1-9][0-9]{0,2})", value):
        raise Invalid(f"dockerfile_syntax {value!r} is not a minor release of docker/dockerfile", 'write it as "1.20"')


_ACTION = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_RELEASE = re.compile(r"^[A-Za-z0-9_.+-]{1,64}$")


def action_pin(pin: tuple[str, str, str]) -> None:
    """A workflow action pinned by its full commit SHA, with the release it is."""
    name, commit, version = pin
    if not _ACTION.match(name):
        raise Invalid(f"{name!r} is not a GitHub Action (owner/name)")
    if not _COMMIT.match(commit):
        raise Invalid(f"{name}: commit {commit!r} is not a full commit SHA", "40 lowercase hex digits")
    if not _RELEASE.match(version):
        raise Invalid(f"{name}: version {version!r} is not a release tag", "e.g. v4.4.0")


def debian_release(value: str) -> None:
    try:
        debian_codename(value)
    except GogenError as exc:
        raise Invalid(exc.message, exc.hint) from exc


def image_mirror(pair: tuple[str, str]) -> None:
    kind, mirror = pair
    if kind not in image_kinds():
        raise Invalid(f"unknown image {kind!r} in [images]", f"rewrite one of {', '.join(image_kinds())}")
    if not _IMAGE_REPOSITORY.match(mirror):
        raise Invalid(f"images.{kind} = {mirror!r} is not a repository name", "e.g. mirror.example.com/library/golang")


def digest(pair: tuple[str, str]) -> None:
    ref, value = pair
    if not _DIGEST.match(value):
        raise Invalid(
            f"digest {value!r} for {ref!r} is not sha256:<64 hex digits>",
            "copy it from `docker buildx imagetools inspect`",
        )


def label(pair: tuple[str, str]) -> None:
    key, value = pair
    if not _LABEL_KEY.match(key):
        raise Invalid(
            f"label key {key!r} is not allowed", "lower-case letters, digits, '.', '-' (e.g. com.example.team)"
        )
    if not value.isprintable():
        raise Invalid(f"label {key} holds control characters", "one printable line")


def package(value: str) -> None:
    if not _PACKAGE.match(value):
        raise Invalid(f"package name {value!r} is not allowed", "a Debian or Alpine package name")


def platform(value: str) -> None:
    """`linux/<arch>[/<variant>]` as Docker names it, for an architecture Go builds for Linux."""
    parts = value.split("/")
    arch = parts[1] if len(parts) > 1 else ""
    if (
        len(parts) not in (2, 3)
        or parts[0] != "linux"
        or arch not in PLATFORM_VARIANTS
        or (len(parts) == 3 and parts[2] not in PLATFORM_VARIANTS[arch])
    ):
        raise Invalid(
            f"platform {value!r} is not a Linux platform Go can build for",
            "e.g. linux/amd64, linux/arm64, linux/arm/v7 (architectures: " + ", ".join(PLATFORM_VARIANTS) + ")",
        )


def module_pattern(value: str) -> None:
    if not _MODULE_GLOB.match(value):
        raise Invalid(
            f"private = {value!r} is not a module path pattern",
            'a module path prefix or glob, e.g. "github.com/acme/*"',
        )


def build_tag(value: str) -> None:
    """A build tag as go/build accepts one: letters, digits, `_` and `.`."""
    if not _BUILD_TAG.match(value):
        raise Invalid(f"build tag {value!r} is not allowed", "a tag is letters, digits, _ and ., e.g. extended")


def health_argument(value: str) -> None:
    if not _HEALTH_ARG.match(value):
        raise Invalid(
            f"healthcheck argument {value!r} is not allowed",
            'a command and its arguments, e.g. ["/usr/local/bin/app", "healthcheck"]',
        )


def system_library(entry: tuple[str, tuple[tuple[str, str], ...]]) -> None:
    library, packages = entry
    for name, value in packages:
        if name not in LIBRARY_FIELDS or (value and not _PACKAGE.match(value)):
            raise Invalid(
                f"system_libraries.{library}.{name} = {value!r} is not allowed",
                f"keys {', '.join(LIBRARY_FIELDS)}, each a package name",
            )


def check_platform(value: str, source: str = "options") -> str:
    """`value` when it is a platform Go can build for Linux; else SettingsError naming `source`."""
    try:
        platform(value)
    except Invalid as problem:
        raise SettingsError(problem.message, file=source, hint=problem.hint) from problem
    return value


def normalise_dir(value: str) -> str:
    """`./cmd/api/` → `cmd/api`; `./` → `.`."""
    cleaned = value.strip().removeprefix("./").rstrip("/")
    return cleaned or "."
