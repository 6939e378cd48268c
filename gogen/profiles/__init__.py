"""The ordered registry of runtime profiles and build strategies.

A profile says what the final image is; a strategy says how modules and compiler output are
cached. The two are independent: every profile renders with every strategy. Each profile is
one module of this package defining `PROFILE` (see `base.Profile`), found here by listing the
package: adding a profile is its module, its template (templates/profiles/<name>.j2) and its
images in gogen/data/images.toml.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from gogen.profiles.base import CgoPolicy, Profile, Refusal, User

__all__ = [
    "PROFILES",
    "PROFILE_NAMES",
    "STRATEGIES",
    "STRATEGY_NAMES",
    "CgoPolicy",
    "Profile",
    "Refusal",
    "Strategy",
    "User",
    "profile_named",
]


@dataclass(frozen=True)
class Strategy:
    name: str
    summary: str


def _discover() -> tuple[Profile, ...]:
    """Every `PROFILE` of this package's modules, in their `order`."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        if module.name == "base":
            continue
        profile = getattr(importlib.import_module(f"{__name__}.{module.name}"), "PROFILE", None)
        if isinstance(profile, Profile):
            found.append(profile)
    return tuple(sorted(found, key=lambda p: (p.order, p.name)))


PROFILES: tuple[Profile, ...] = _discover()

STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        "buildkit",
        "the default: cache mounts for the module and build caches, bind mounts instead of COPY; "
        "a source edit never re-downloads a module",
    ),
    Strategy(
        "layers",
        "classic layer caching for builders without BuildKit: COPY go.mod go.sum, go mod download, COPY . .",
    ),
)

PROFILE_NAMES = tuple(p.name for p in PROFILES)
STRATEGY_NAMES = tuple(s.name for s in STRATEGIES)


def profile_named(name: str) -> Profile:
    """The profile called `name` (settings have checked it is one)."""
    return next(p for p in PROFILES if p.name == name)
