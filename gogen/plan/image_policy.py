"""Image policy: the organisation's mirror and digest pins, labels, target platforms."""

from __future__ import annotations

from gogen.images import image_prefix
from gogen.model import ImageSource, Project
from gogen.plan.notes import Notes
from gogen.settings import Options

DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")


FORGES = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")


def apply_image_policy(ref: str, options: Options, notes: Notes) -> ImageSource:
    """Where `ref` is pulled from (the organisation's mirror, keeping gogen's tag) and its
    digest pin ([images.digests], keyed on gogen's reference)."""
    pulled_from = ref
    for kind, mirror in options.images:
        prefix = image_prefix(kind)
        if ref == prefix or ref.startswith((prefix + ":", prefix + "/")):
            pulled_from = mirror + ref[len(prefix) :]
            notes.decide("image mirror", pulled_from, f"[images] {kind} = {mirror!r}")
    digest = dict(options.digests).get(ref)
    source = ImageSource(ref, pulled_from, digest)
    if digest is not None:
        notes.decide("image pin", source.reference, f"[images.digests] pins {ref}")
    return source


def images(
    syntax: bool, frontend: str, builder: str, runtime: str, options: Options, notes: Notes
) -> tuple[ImageSource, ...]:
    """Every image the Dockerfile names, in its order: the syntax line's frontend (when there is
    one), the builder, the runtime (none for scratch)."""
    refs = ([frontend] if syntax else []) + [builder] + ([runtime] if runtime != "scratch" else [])
    return tuple(apply_image_policy(ref, options, notes) for ref in refs)


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
