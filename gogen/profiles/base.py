"""What a runtime profile is: one object holding every choice that differs between profiles.

The plan asks the profile (never `if profile == ...`); the profile's template prints the
choices as Dockerfile syntax. A profile module defines one `PROFILE`; the registry in
`gogen.profiles` finds it. Profiles depend on nothing but the image table, so that settings,
the plan and the report can all import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gogen.images import Variant, runtime_image

PackageManager = Literal["apk", "apt", ""]
# How the runtime image gets a file the program may need (CA bundle, zoneinfo):
# included in the image, always installed, installed when the program needs it, copied from
# the builder (CA bundle on scratch) or embedded in the binary (zoneinfo: -tags timetzdata).
Provision = Literal["included", "installed", "when-needed", "from-builder", "embedded"]


@dataclass(frozen=True)
class User:
    """The numeric non-root user of the final stages, and how the runtime image gets it:
    `image` (it ships one), `passwd` (a passwd line made in the builder), `create` (created
    with the image's own tools)."""

    name: str = "nonroot"
    uid: int = 65532
    setup: Literal["image", "passwd", "create"] = "image"


@dataclass(frozen=True)
class Refusal:
    """Why a profile cannot run a build, and what to do instead."""

    message: str
    hint: str


@dataclass(frozen=True)
class CgoPolicy:
    """What a profile does when the binaries need cgo.

    `libraries`: `install` maps each system library cgo links to packages of `builder_variant`;
    `refuse` stops with `library_refusal` (its message is followed by the libraries and where
    they are named). `image`/`cxx_image` are keys of the profile's image table entry (`cxx_image`
    None: C++ code is refused with `cxx_refusal`). `reason`/`cxx_reason` are the decision's
    text, with `{evidence}` where the cgo evidence goes. `zoneinfo`: how the cgo image provides
    zoneinfo when it differs from the profile's static image (None: the same).
    """

    mode: Literal["glibc", "musl", "musl-static"]
    builder_variant: Variant
    choice: str
    reason: str
    image: str
    cxx_image: str | None = None
    cxx_reason: str = ""
    cxx_refusal: Refusal | None = None
    libraries: Literal["install", "refuse"] = "refuse"
    library_refusal: Refusal | None = None
    builder_packages: tuple[str, ...] = ()
    pkg_config_package: str = ""
    zoneinfo: Provision | None = None


@dataclass(frozen=True)
class Profile:
    """A runtime profile: what the final image is, and everything that follows from it.

    `image_kind` is the profile's entry in gogen/data/images.toml (`[runtime.<kind>]`, also the
    `[images]` mirror key); `static_image` the key of the image for binaries without cgo (an
    empty `image_kind` makes `static_image` the reference itself: `scratch`). `summary`,
    `final_image` and `cgo_summary` are what `gogen profiles` prints.
    """

    name: str
    order: int
    summary: str
    final_image: str
    cgo_summary: str
    image_kind: str
    static_image: str
    cgo: CgoPolicy
    builder_variant: Variant = "debian"
    package_manager: PackageManager = ""
    shell: bool = False
    user: User = User()
    ca_certificates: Provision = "included"
    zoneinfo: Provision = "included"

    def image(self, key: str, release: str) -> str:
        """The reference of image `key` of this profile's table entry, for a Debian `release`."""
        return runtime_image(self.image_kind, key, release) if self.image_kind else key

    def zoneinfo_for(self, cgo: bool) -> Provision:
        """How the runtime image provides zoneinfo: the cgo image may differ from the static one."""
        return self.cgo.zoneinfo if cgo and self.cgo.zoneinfo is not None else self.zoneinfo

    def base_packages(self, ca: bool, tz: bool, cgo: bool) -> tuple[str, ...]:
        """The CA bundle and zoneinfo packages this profile installs, given what the program needs."""
        wanted = (("ca-certificates", self.ca_certificates, ca), ("tzdata", self.zoneinfo_for(cgo), tz))
        return tuple(
            package
            for package, provision, needed in wanted
            if provision == "installed" or (provision == "when-needed" and needed)
        )
