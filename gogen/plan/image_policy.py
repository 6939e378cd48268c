"""Image policy: the organisation's mirror and digest pins, labels, target platforms."""

from __future__ import annotations

from gogen.images import image_prefix
from gogen.model import Project
from gogen.plan.notes import Notes
from gogen.settings import Options

DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")


FORGES = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")


def apply_image_policy(ref: str, options: Options, notes: Notes) -> str:
    """Rewrite `ref` to the organisation's mirror and pin it by digest, keeping gogen's tag."""
    digests = dict(options.digests)
    result = ref
    for kind, mirror in options.images:
        prefix = image_prefix(kind)
        if ref == prefix or ref.startswith((prefix + ":", prefix + "/")):
            result = mirror + ref[len(prefix) :]
            notes.decide("image mirror", result, f"[images] {kind} = {mirror!r}")
    if ref in digests:
        result = f"{result}@{digests[ref]}"
        notes.decide("image pin", result, f"[images.digests] pins {ref}")
    return result


def labels(project: Project, options: Options, notes: Notes) -> tuple[tuple[str, str], ...]:
    labels: dict[str, str] = {}
    module = project.modules[0].path if project.modules else ""
    parts = module.split("/")
    if len(parts) >= 3 and parts[0] in FORGES:
        labels["org.opencontainers.image.source"] = "https://" + "/".join(parts[:3])
        notes.decide("labels", "org.opencontainers.image.source", f"the module path names {parts[0]}")
    labels.update(dict(options.labels))
    return tuple(sorted(labels.items()))


def platforms(project: Project, options: Options, cross: bool, notes: Notes) -> tuple[str, ...]:
    """Target platforms: gogen.toml's, else the project's .goreleaser's, else amd64 and arm64."""
    if options.platforms:
        platforms, source = options.platforms, "chosen in gogen.toml / --platform"
    elif project.hints.platforms:
        platforms = tuple(p.platform for p in project.hints.platforms)
        first = project.hints.platforms[0].evidence
        source = f"from {first.file}:{first.line}"
    else:
        platforms, source = DEFAULT_PLATFORMS, "gogen's default"
    platforms = tuple(dict.fromkeys(platforms))
    if cross:
        notes.decide(
            "platforms",
            ", ".join(platforms),
            f"{source}; cross-compiled on the build platform ($BUILDPLATFORM), GOARM/GOAMD64 from the "
            "platform's variant: no emulation needed",
        )
    else:
        notes.decide(
            "platforms",
            ", ".join(platforms),
            f"{source}; cgo needs a C toolchain for the target, so each platform builds natively: "
            "a builder node per platform, or QEMU emulation (docker run --privileged tonistiigi/binfmt --install all)",
        )
    return platforms
