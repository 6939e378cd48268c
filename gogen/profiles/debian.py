"""debian: debian slim with the packages cgo libraries need."""

from __future__ import annotations

from gogen.profiles.base import CgoPolicy, Profile, User

PROFILE = Profile(
    name="debian",
    order=40,
    summary="debian slim with the packages cgo libraries need",
    final_image="debian:<release>-slim",
    cgo_summary="glibc: builds on the Debian golang image",
    image_kind="debian",
    static_image="slim",
    cgo=CgoPolicy(
        mode="glibc",
        builder_variant="debian",
        choice="CGO_ENABLED=1, glibc",
        reason="cgo is required ({evidence})",
        image="slim",
        cxx_image="slim",
        cxx_reason="cgo is required ({evidence})",
        libraries="install",
        pkg_config_package="pkg-config",
    ),
    package_manager="apt",
    shell=True,
    user=User(setup="create"),
    ca_certificates="when-needed",
    zoneinfo="when-needed",
)
