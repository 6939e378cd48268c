"""The table of settings: each is one field of Options, declared once.

A field holds its type (the annotation), its default, and a Spec: the check of its value, its
gogen.toml comment and when it is written there, and its command-line flag with metavar and
help. `SETTINGS` reads the table back; validation, gogen.toml and the typer options of
`init` and `regen` are derived from it, so a new setting is one new field here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

from gogen.images import default_debian_release, image_kinds
from gogen.profiles import PROFILE_NAMES, STRATEGY_NAMES
from gogen.settings import checks
from gogen.settings.checks import Check, Invalid, SettingsError, each, one_of

T = TypeVar("T")
Written = Literal["always", "set", "nonempty", "never"]
Reader = Callable[[str, Any], dict[str, object]]


@dataclass(frozen=True)
class Spec:
    """What a setting is besides its type and default."""

    comment: str  # its gogen.toml comment; the hint for a value of the wrong type
    check: Check | None = None  # raises checks.Invalid
    written: Written = "always"  # to a new gogen.toml: always, when not None, when not empty, never
    key: str | None = None  # the gogen.toml key holding it, when not its own name ([images.digests])
    read: Reader | None = None  # a gogen.toml table into Options values
    merge: bool = False  # a table merged key by key over the layer below
    flag: str | None = None  # the command-line flag; a boolean also gets --no-...
    metavar: str | None = None
    help: str | None = None  # the flag's help when the comment will not do
    from_flag: Callable[[Any], object] | None = None  # the flag's value as the setting holds it


@overload
def setting(default: T, spec: Spec) -> T: ...
@overload
def setting(default: None, spec: Spec, *, factory: Callable[[], T]) -> T: ...
def setting(default: object, spec: Spec, *, factory: Callable[[], object] | None = None) -> Any:
    """An Options field: its default and its Spec."""
    if factory is not None:
        return field(default_factory=factory, metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


def _listing(names: tuple[str, ...], default: str) -> str:
    """`a (default), b, c or d`."""
    rest = [name for name in names if name != default]
    tail = f"{', '.join(rest[:-1])} or {rest[-1]}" if len(rest) > 1 else "".join(rest)
    return f"{default} (default), {tail}" if tail else f"{default} (default)"


def _labels_table(key: str, item: Any) -> dict[str, object]:
    if not all(isinstance(v, str) for v in item.values()):
        raise Invalid("every label value must be a string")
    return {key: tuple(sorted(item.items()))}


def _images_table(key: str, item: Any) -> dict[str, object]:
    """[images] mirrors, with [images.digests] pins."""
    digests = item.get("digests", {})
    mirrors = {k: v for k, v in item.items() if k != "digests"}
    if not isinstance(digests, dict) or not all(isinstance(v, str) for v in (*mirrors.values(), *digests.values())):
        raise Invalid(f"[{key}] values must be strings")
    return {key: tuple(sorted(mirrors.items())), "digests": tuple(sorted(digests.items()))}


def _actions_table(key: str, item: Any) -> dict[str, object]:
    """[actions]: each action's commit and version (what `gogen regen` records after a bot moved them)."""
    pins = []
    for name, pin in sorted(item.items()):
        if not isinstance(pin, dict) or set(pin) != {"commit", "version"}:
            raise Invalid(f'[{key}] "{name}" must be {{ commit = "...", version = "..." }}')
        if not all(isinstance(value, str) for value in pin.values()):
            raise Invalid(f'[{key}] "{name}": commit and version must be strings')
        pins.append((name, pin["commit"], pin["version"]))
    return {key: tuple(pins)}


def _libraries_table(key: str, item: Any) -> dict[str, object]:
    libraries = []
    for library, packages in sorted(item.items()):
        if not isinstance(packages, dict) or not all(isinstance(v, str) for v in packages.values()):
            raise Invalid(f"[{key}.{library}] must map package kinds to names")
        libraries.append((library, tuple(sorted(packages.items()))))
    return {key: tuple(libraries)}


def _absolute(directory: str) -> str:
    """A directory named on the command line, absolute: it means the same from any directory."""
    return str(Path(directory).resolve())


DEFAULT_PROFILE = "distroless"


@dataclass(frozen=True)
class Options:
    """What the user chose. Empty tuples and None mean "decide from the scan".

    The fields are in the order gogen.toml lists them.
    """

    profile: str = setting(
        DEFAULT_PROFILE,
        Spec(
            f"runtime image: {_listing(PROFILE_NAMES, DEFAULT_PROFILE)}",
            one_of("profile", PROFILE_NAMES),
            flag="--profile",
            metavar="PROFILE",
        ),
    )
    strategy: str = setting(
        "buildkit",
        Spec(
            "buildkit (cache mounts, the default) or layers (no BuildKit needed)",
            one_of("strategy", STRATEGY_NAMES),
            flag="--strategy",
            metavar="STRATEGY",
            help="how modules and compiler output are cached: buildkit (cache mounts, the default) or layers",
        ),
    )
    binaries: tuple[str, ...] = setting(
        (),
        Spec(
            "main package directories to build; empty: every application main",
            each(checks.directory),
            flag="--binary",
            metavar="DIR",
            help="main package directory to build",
        ),
    )
    ports: tuple[int, ...] = setting(
        (),
        Spec(
            "ports the primary binary listens on; empty: the ones gogen detects",
            each(checks.port),
            flag="--port",
            metavar="PORT",
            help="port the primary binary listens on",
        ),
    )
    tags: tuple[str, ...] | None = setting(
        None,
        Spec(
            "build tags (go build -tags); empty list: none; absent: the ones the project's build configuration passes",
            each(checks.build_tag),
            written="set",
            flag="--tag",
            metavar="TAG",
            help="build tag passed to go build (repeatable); default: the project's own",
        ),
    )
    go_version: str | None = setting(
        None,
        Spec(
            "the builder's Go release; absent: the newest supported one (go.mod's go line is a minimum); "
            '"go.mod": go.mod\'s own; "1.26.3": that one',
            checks.go_version,
            written="set",
            flag="--go-version",
            metavar="VERSION",
            help='the builder\'s Go release: "1.27", "1.26.3", or "go.mod" for go.mod\'s go/toolchain line; '
            "default: the newest supported release",
        ),
    )
    syntax: bool = setting(
        True,
        Spec(
            "start the Dockerfile with a `# syntax=docker/dockerfile:1.N` line (needs registry access)",
            flag="--syntax",
            help="start the Dockerfile with a syntax=docker/dockerfile:1.N line (needs registry access)",
        ),
    )
    dockerfile_syntax: str | None = setting(
        None,
        Spec(
            "the minor release of docker/dockerfile the syntax line names; absent: gogen's (its image table)",
            checks.dockerfile_syntax,
            written="set",
            flag="--dockerfile-syntax",
            metavar="1.N",
        ),
    )
    debian_release: str = setting(
        None,
        Spec("Debian release of the distroless and debian images", checks.debian_release),
        factory=default_debian_release,
    )
    primary: str | None = setting(
        None,
        Spec(
            "the directory of the binary in the last stage (what `docker build .` builds)",
            checks.directory,
            written="set",
            flag="--primary",
            metavar="DIR",
        ),
    )
    templates: str | None = setting(
        None,
        Spec(
            "a directory of templates searched before gogen's own",
            written="set",
            flag="--templates",
            metavar="DIR",
            from_flag=_absolute,
        ),
    )
    platforms: tuple[str, ...] = setting(
        (),
        Spec(
            "target platforms, e.g. linux/amd64, linux/arm/v7; empty: .goreleaser's, else amd64 and arm64",
            each(checks.platform),
            written="nonempty",
            flag="--platform",
            metavar="PLATFORM",
            help="target platform, e.g. linux/arm/v7",
        ),
    )
    private: tuple[str, ...] = setting(
        (),
        Spec(
            'private module patterns (GOPRIVATE), e.g. "github.com/acme/*"; needs --secret id=netrc',
            each(checks.module_pattern),
            written="nonempty",
            flag="--private",
            metavar="PATTERN",
            help="private module pattern (GOPRIVATE), e.g. github.com/acme/*",
        ),
    )
    compose: bool = setting(
        False,
        Spec("also write compose.yaml (one service per binary)", written="nonempty", flag="--compose"),
    )
    bake: bool = setting(
        False,
        Spec(
            "also write docker-bake.hcl (one target per binary: `docker buildx bake` builds them all)",
            written="nonempty",
            flag="--bake",
        ),
    )
    docker_readme: bool = setting(
        False,
        Spec(
            "also write README.Docker.md (how to build, run and regenerate)", written="nonempty", flag="--docker-readme"
        ),
    )
    ci: str | None = setting(
        None,
        Spec(
            'also write a CI workflow: "github"',
            one_of("CI provider", ("github",)),
            written="nonempty",
        ),
    )
    healthcheck: tuple[str, ...] | None = setting(
        None,
        Spec(
            "HEALTHCHECK command of the primary binary; empty list: none; absent: detected",
            each(checks.health_argument),
            written="set",
        ),
    )
    images: tuple[tuple[str, str], ...] = setting(
        (),
        Spec(
            f'[images] {"/".join(image_kinds())} = mirror repository; [images.digests] "golang:1.22" = digest',
            each(checks.image_mirror),
            written="never",
            read=_images_table,
            merge=True,
        ),
    )
    digests: tuple[tuple[str, str], ...] = setting(
        (),
        Spec(
            '[images.digests] "<image>:<tag>" = "sha256:..." pins an image',
            each(checks.digest),
            written="never",
            key="images",
            merge=True,
        ),
    )
    actions: tuple[tuple[str, str, str], ...] = setting(
        (),
        Spec(
            '[actions] "owner/name" = { commit = "<40 hex>", version = "vX.Y.Z" } pins a workflow action',
            each(checks.action_pin),
            written="never",
            read=_actions_table,
            merge=True,
        ),
    )
    labels: tuple[tuple[str, str], ...] = setting(
        (),
        Spec(
            "[labels] extra OCI labels for every final stage",
            each(checks.label),
            written="never",
            read=_labels_table,
            merge=True,
        ),
    )
    packages: tuple[str, ...] = setting(
        (),
        Spec("extra packages for the alpine and debian runtime images", each(checks.package), written="never"),
    )
    system_libraries: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = setting(
        (),
        Spec(
            f"[system_libraries.<lib>] {'/'.join(checks.LIBRARY_FIELDS)} package names for a cgo library",
            each(checks.system_library),
            written="never",
            read=_libraries_table,
        ),
    )

    def validated(self, source: str = "options") -> Options:
        """Check every value; raise SettingsError naming `source`, the value and what is allowed."""
        check({name: getattr(self, name) for name in BY_NAME}, source)
        return self


@dataclass(frozen=True)
class Setting:
    """One row of the table, read back from its Options field."""

    name: str
    kind: type  # its gogen.toml type: str, bool, list or dict (a table)
    item: type | None  # the type of a list's items
    default: object
    spec: Spec

    @property
    def key(self) -> str:
        """The gogen.toml key that holds it."""
        return self.spec.key or self.name

    @property
    def in_file(self) -> bool:
        """Whether it is a gogen.toml key of its own (digests live inside [images])."""
        return self.spec.key is None

    @property
    def repeatable(self) -> bool:
        return self.kind is list

    def flag_help(self) -> str:
        """The flag's help: its own, else the gogen.toml comment."""
        text = self.spec.help or self.spec.comment
        text = f"{text[0].upper()}{text[1:]}."
        return f"{text} Repeatable." if self.repeatable else text

    def shape_problem(self, value: object) -> str | None:
        """What is wrong with the type of `value`, None when it has this setting's type."""
        if self.kind is list:
            if not isinstance(value, (list, tuple)):
                return f"{self.name} should be a list"
            if self.item is int and not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                return f"{self.name} = {list(value)!r} should hold port numbers"
            if self.item is str and not all(isinstance(v, str) for v in value):
                return f"{self.name} = {list(value)!r} should hold names"
        elif self.kind is not dict and not isinstance(value, self.kind):
            return f"{self.name} = {value!r} should be a {self.kind.__name__}"
        return None


def _kind(hint: object) -> tuple[type, type | None]:
    """The gogen.toml type of an Options annotation: a tuple of pairs is a table, other tuples lists."""
    if isinstance(hint, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        return (dict, None) if typing.get_origin(item) is tuple else (list, item)
    assert isinstance(hint, type), hint
    return hint, None


def _read_table() -> tuple[Setting, ...]:
    hints = typing.get_type_hints(Options)
    defaults = Options()
    rows = []
    for item in dataclasses.fields(Options):
        kind, element = _kind(hints[item.name])
        rows.append(Setting(item.name, kind, element, getattr(defaults, item.name), item.metadata["spec"]))
    return tuple(rows)


SETTINGS: tuple[Setting, ...] = _read_table()
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
FILE_KEYS: dict[str, Setting] = {s.name: s for s in SETTINGS if s.in_file}


def table_line(text: str, key: str) -> int | None:
    """The line of `key = ...`, or of its table `[key]` / `[key.sub]`, in a TOML text."""
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith((f"{key} ", f"{key}=", f"[{key}]", f"[{key}.")):
            return number
    return None


def check(values: Mapping[str, object], source: str | None = None, text: str | None = None) -> None:
    """Check one layer's values (None means "not given"). An error names `source`, with the
    key's line when `text` is the file's; with no source the values came from the command
    line, and an error names the flag (or, for a setting without one, the command that sets
    it: `gogen ci gitlab` → `ci: ...`)."""
    for name, value in values.items():
        row = BY_NAME.get(name)
        if value is None or row is None:
            continue
        try:
            shape = row.shape_problem(value)
            if shape is not None:
                raise Invalid(shape, row.spec.comment)
            if row.spec.check is not None:
                row.spec.check(value)
        except Invalid as problem:
            where = source or row.spec.flag or row.name
            line = table_line(text, row.key) if text is not None else None
            raise SettingsError(problem.message, file=where, line=line, hint=problem.hint) from problem


def options_from(values: Mapping[str, object], base: Options | None = None) -> Options:
    """Apply config or command-line values (None and missing mean "keep") over `base`.

    [images] and [labels] merge key by key, so a repository can add to its organisation's.
    """
    options = base or Options()
    changes: dict[str, object] = {}
    for name, given in values.items():
        row = BY_NAME.get(name)
        if given is None or row is None:
            continue
        value = given
        if row.kind is list:
            if not isinstance(given, (list, tuple)):
                raise SettingsError(f"{name} should be a list", hint=row.spec.comment)
            value = tuple(given)
        if row.spec.merge and isinstance(value, tuple):
            merged = {item[0]: item for item in (*getattr(options, name), *value)}
            value = tuple(sorted(merged.values()))
        changes[name] = value
    return dataclasses.replace(options, **changes)  # type: ignore[arg-type]


def layered(values: Mapping[str, object], base: Options, source: str | None = None, text: str | None = None) -> Options:
    """One layer over `base`: its values checked (errors name `source`, or the flag), then applied."""
    check(values, source, text)
    return options_from(values, base)
