"""The user's choices: command-line options and gogen.toml, validated in one place."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import tomlkit
import tomlkit.exceptions

from gogen.errors import GogenError
from gogen.images import debian_codename, default_debian_release, image_kinds
from gogen.profiles import PROFILE_NAMES, STRATEGY_NAMES

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
    platforms: tuple[str, ...] = ()
    private: tuple[str, ...] = ()
    healthcheck: tuple[str, ...] | None = None
    system_libraries: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    compose: bool = False
    docker_readme: bool = False
    ci: str | None = None

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
        try:
            debian_codename(self.debian_release)
        except GogenError as exc:
            raise SettingsError(exc.message, file=source, hint=exc.hint) from exc
        for kind, mirror in self.images:
            if kind not in image_kinds():
                raise SettingsError(
                    f"unknown image {kind!r} in [images]",
                    file=source,
                    hint=f"rewrite one of {', '.join(image_kinds())}",
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
        for platform in self.platforms:
            check_platform(platform, source)
        for pattern in self.private:
            if not _MODULE_GLOB.match(pattern):
                raise SettingsError(
                    f"private = {pattern!r} is not a module path pattern",
                    file=source,
                    hint='a module path prefix or glob, e.g. "github.com/acme/*"',
                )
        for argument in self.healthcheck or ():
            if not _HEALTH_ARG.match(argument):
                raise SettingsError(
                    f"healthcheck argument {argument!r} is not allowed",
                    file=source,
                    hint='a command and its arguments, e.g. ["/usr/local/bin/app", "healthcheck"]',
                )
        for library, packages in self.system_libraries:
            for name, package in packages:
                if name not in LIBRARY_FIELDS or (package and not _PACKAGE.match(package)):
                    raise SettingsError(
                        f"system_libraries.{library}.{name} = {package!r} is not allowed",
                        file=source,
                        hint=f"keys {', '.join(LIBRARY_FIELDS)}, each a package name",
                    )
        if self.ci not in (None, "github"):
            raise SettingsError(f"unknown ci {self.ci!r}", file=source, hint='the supported CI is "github"')
        return self


def check_platform(platform: str, source: str = "options") -> str:
    """`linux/<arch>[/<variant>]` as Docker names it, for an architecture Go builds for Linux."""
    parts = platform.split("/")
    arch = parts[1] if len(parts) > 1 else ""
    if (
        len(parts) not in (2, 3)
        or parts[0] != "linux"
        or arch not in PLATFORM_VARIANTS
        or (len(parts) == 3 and parts[2] not in PLATFORM_VARIANTS[arch])
    ):
        raise SettingsError(
            f"platform {platform!r} is not a Linux platform Go can build for",
            file=source,
            hint="e.g. linux/amd64, linux/arm64, linux/arm/v7 (architectures: " + ", ".join(PLATFORM_VARIANTS) + ")",
        )
    return platform


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
    "platforms": list,
    "private": list,
    "healthcheck": list,
    "system_libraries": dict,
    "compose": bool,
    "docker_readme": bool,
    "ci": str,
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
    "platforms": "target platforms, e.g. linux/amd64, linux/arm/v7; empty: .goreleaser's, else amd64 and arm64",
    "private": 'private module patterns (GOPRIVATE), e.g. "github.com/acme/*"; needs --secret id=netrc',
    "healthcheck": "HEALTHCHECK command of the primary binary; empty list: none; absent: detected",
    "system_libraries": "[system_libraries.<lib>] debian_dev/debian/alpine_dev/alpine package names for a cgo library",
    "compose": "also write compose.yaml (one service per binary)",
    "docker_readme": "also write README.Docker.md (how to build, run and regenerate)",
    "ci": 'also write a CI workflow: "github"',
}


def _config_error(message: str, hint: str, line: int | None = None, file: str = CONFIG_FILE) -> SettingsError:
    return SettingsError(message, file=file, line=line, hint=hint)


def key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().startswith(f"{key} ") or line.strip().startswith(f"{key}="):
            return number
    return None


def parse_config(text: str, file: str = CONFIG_FILE) -> dict[str, object]:
    """Read gogen.toml (or an organisation defaults file); unknown keys and wrong types are errors."""
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows editors write
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise _config_error(f"not valid TOML: {exc}", "fix the syntax", exc.line, file) from exc
    values: dict[str, object] = {}
    for key, item in document.unwrap().items():
        expected = _CONFIG_TYPES.get(key)
        line = key_line(text, key) or key_line(text, f"[{key}]")
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
    if key == "system_libraries" and isinstance(item, dict):
        libraries = []
        for library, packages in sorted(item.items()):
            if not isinstance(packages, dict) or not all(isinstance(v, str) for v in packages.values()):
                raise _config_error(
                    f"[system_libraries.{library}] must map package kinds to names", _COMMENTS[key], line, file
                )
            libraries.append((library, tuple(sorted(packages.items()))))
        return {key: tuple(libraries)}
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
        if _CONFIG_TYPES.get(key) is list:
            if not isinstance(value, (list, tuple)):
                raise _config_error(f"{key} should be a list", _COMMENTS[key])
            if key == "ports" and not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                raise _config_error(f"ports = {list(value)!r} should hold port numbers", _COMMENTS[key])
            if key != "ports" and not all(isinstance(v, str) for v in value):
                raise _config_error(f"{key} = {list(value)!r} should hold names", _COMMENTS[key])
            value = tuple(value)
        changes[key] = value
    return dataclasses.replace(options, **changes)  # type: ignore[arg-type]


def config_text(options: Options, existing: str | None) -> str:
    """gogen.toml holding `options`: the existing file updated in place (its comments kept), or a new one."""
    if existing is not None:
        document = tomlkit.parse(existing.removeprefix("\ufeff"))
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
    optional: dict[str, object] = {
        "platforms": list(options.platforms),
        "private": list(options.private),
        "compose": options.compose,
        "docker_readme": options.docker_readme,
        "ci": options.ci,
    }
    values.update({key: value for key, value in optional.items() if value})
    if options.healthcheck is not None:
        values["healthcheck"] = list(options.healthcheck)
    for key, value in values.items():
        if key in document:
            if document[key] != value:
                document[key] = value
            continue
        item = tomlkit.item(value)
        item.comment(_COMMENTS[key])
        document.add(key, item)
    return tomlkit.dumps(document)
