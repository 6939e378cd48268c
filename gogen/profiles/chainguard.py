"""chainguard: Chainguard's minimal images, ko's default base.

`static` (CA certificates, tzdata, nonroot 65532) for binaries without cgo; `glibc-dynamic`
(glibc, libgcc, libstdc++ and the CA bundle, nonroot 65532; no tzdata) with cgo, so C++
code runs there too and zoneinfo is embedded in the binary when the program loads a zone.
"""

from __future__ import annotations

from gogen.profiles.base import CgoPolicy, Profile, Refusal

PROFILE = Profile(
    name="chainguard",
    order=50,
    summary="Chainguard's minimal images (ko's default base): no shell, no package manager; a nonroot user included",
    final_image="cgr.dev/chainguard/static:latest (glibc-dynamic:latest with cgo)",
    cgo_summary="glibc: builds with cgo on the Debian golang image and runs on glibc-dynamic (libstdc++ included)",
    image_kind="chainguard",
    static_image="static",
    cgo=CgoPolicy(
        mode="glibc",
        builder_variant="debian",
        choice="CGO_ENABLED=1, glibc",
        reason="cgo is required ({evidence}); chainguard glibc-dynamic ships glibc",
        image="glibc",
        cxx_image="glibc",
        cxx_reason="cgo is required ({evidence}); chainguard glibc-dynamic ships glibc and libstdc++",
        library_refusal=Refusal(
            "profile chainguard cannot provide the system libraries cgo links:",
            "choose --profile debian or alpine: gogen installs the library's packages there",
        ),
        zoneinfo="embedded",
    ),
)
