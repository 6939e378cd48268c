"""distroless (the default): Google's distroless images, static or glibc."""

from __future__ import annotations

from gogen.profiles.base import CgoPolicy, Profile, Refusal

PROFILE = Profile(
    name="distroless",
    order=10,
    summary="the default: no shell, no package manager; CA certificates, zoneinfo and a nonroot user included",
    final_image="gcr.io/distroless/static-debian13:nonroot (base-debian13 with cgo)",
    cgo_summary="glibc: builds with cgo on the Debian golang image and runs on distroless base",
    image_kind="distroless",
    static_image="static",
    cgo=CgoPolicy(
        mode="glibc",
        builder_variant="debian",
        choice="CGO_ENABLED=1, glibc",
        reason="cgo is required ({evidence}); distroless base ships glibc",
        image="glibc",
        cxx_image="glibc_cxx",
        cxx_reason="cgo is required ({evidence}); distroless cc ships glibc",
        library_refusal=Refusal(
            "profile distroless cannot provide the system libraries cgo links:",
            "choose --profile debian or alpine: gogen installs the library's packages there",
        ),
    ),
)
