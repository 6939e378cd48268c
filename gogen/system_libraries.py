"""Which Debian and Alpine packages provide a C library cgo links (data/system_libraries.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gogen.images import debian_codename
from gogen.settings import Options


@dataclass(frozen=True)
class Packages:
    """The builder's `-dev` package and the runtime library package ("" when there is none)."""

    builder: str
    runtime: str


@cache
def _table() -> dict[str, dict[str, str]]:
    """Every name a directive may use for a library → that library's packages."""
    text = resources.files("gogen").joinpath("data/system_libraries.toml").read_text(encoding="utf-8")
    by_name: dict[str, dict[str, str]] = {}
    for entry in tomllib.loads(text).values():
        packages = {kind: package for kind, package in entry.items() if kind != "names"}
        by_name.update(dict.fromkeys(entry["names"], packages))
    return by_name


def packages_for(library: str, variant: str, options: Options) -> Packages | None:
    """The packages for `library` on `variant` ("debian" or "alpine"); None when gogen does not know it.

    gogen.toml's [system_libraries.<library>] wins over gogen's table, key by key.
    """
    entry = dict(_table().get(library, {}))
    entry.update(dict(dict(options.system_libraries).get(library, ())))
    if not entry:
        return None
    runtime = entry.get(variant, "")
    if variant == "debian":
        runtime = entry.get(f"debian_{debian_codename(options.debian_release)}", runtime)
    builder = entry.get(f"{variant}_dev", "")
    if not builder and not runtime:
        return None
    return Packages(builder, runtime)
