"""scratch: an empty image, plus what gogen copies into it."""

from __future__ import annotations

from gogen.profiles.base import CgoPolicy, Profile, Refusal, User

PROFILE = Profile(
    name="scratch",
    order=20,
    summary="the smallest image: the binary, plus CA certificates and a passwd line when needed",
    final_image="scratch",
    cgo_summary="only a fully static musl build, when the cgo code links nothing but libc; otherwise refused",
    image_kind="",
    static_image="scratch",
    cgo=CgoPolicy(
        mode="musl-static",
        builder_variant="alpine",
        choice="CGO_ENABLED=1, static musl",
        reason="cgo is required ({evidence}); it links only libc, so a static musl build runs on scratch",
        image="scratch",
        cxx_image="scratch",
        cxx_reason="cgo is required ({evidence}); it links only libc, so a static musl build runs on scratch",
        builder_packages=("build-base",),
        library_refusal=Refusal(
            "profile scratch needs a fully static binary, but cgo links",
            "choose --profile debian or alpine: gogen installs the library's packages there",
        ),
    ),
    user=User(setup="passwd"),
    ca_certificates="from-builder",
    zoneinfo="embedded",
)
