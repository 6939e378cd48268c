"""The ordered registry of runtime profiles and build strategies.

A profile says what the final image is; a strategy says how modules and compiler output are
cached. The two are independent: every profile renders with every strategy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    final_image: str
    cgo: str


@dataclass(frozen=True)
class Strategy:
    name: str
    summary: str


PROFILES: tuple[Profile, ...] = (
    Profile(
        "distroless",
        "the default: no shell, no package manager; CA certificates, zoneinfo and a nonroot user included",
        "gcr.io/distroless/static-debian13:nonroot (base-debian13 with cgo)",
        "glibc: builds with cgo on the Debian golang image and runs on distroless base",
    ),
    Profile(
        "scratch",
        "the smallest image: the binary, plus CA certificates and a passwd line when needed",
        "scratch",
        "only a fully static musl build, when the cgo code links nothing but libc; otherwise refused",
    ),
    Profile(
        "alpine",
        "a small image with a shell and apk, for debugging",
        "alpine (pinned) with ca-certificates and tzdata, a non-root user",
        "musl: builds on golang:<version>-alpine with build-base",
    ),
    Profile(
        "debian",
        "debian slim with the packages cgo libraries need",
        "debian:<release>-slim",
        "glibc: builds on the Debian golang image",
    ),
)

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
