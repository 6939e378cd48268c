"""alpine: a small image with a shell and apk, for debugging."""

from __future__ import annotations

from gogen.profiles.base import CgoPolicy, Profile, User

PROFILE = Profile(
    name="alpine",
    order=30,
    summary="a small image with a shell and apk, for debugging",
    final_image="alpine (pinned) with ca-certificates and tzdata, a non-root user",
    cgo_summary="musl: builds on golang:<version>-alpine with build-base",
    image_kind="alpine",
    static_image="image",
    cgo=CgoPolicy(
        mode="musl",
        builder_variant="alpine",
        choice="CGO_ENABLED=1, musl",
        reason="cgo is required ({evidence}); built on the alpine golang image with build-base",
        image="image",
        cxx_image="image",
        cxx_reason="cgo is required ({evidence}); built on the alpine golang image with build-base",
        libraries="install",
        builder_packages=("build-base",),
        pkg_config_package="pkgconf",
    ),
    builder_variant="alpine",
    package_manager="apk",
    shell=True,
    user=User(setup="create"),
    ca_certificates="installed",
    zoneinfo="installed",
)
