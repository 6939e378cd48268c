"""Whether the binaries need cgo, and what that means for the builder and the runtime image."""

from __future__ import annotations

from dataclasses import dataclass

from gogen.images import Variant, alpine_image, debian_image, distroless_image
from gogen.model import CgoLibrary, Main, Project, SystemLibrary
from gogen.plan.notes import Notes, PlanError
from gogen.settings import Options
from gogen.system_libraries import packages_for

LIBC_LIBRARIES = frozenset({"c", "m", "pthread", "dl", "rt", "resolv", "util"})
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx")


@dataclass(frozen=True)
class CgoChoice:
    enabled: bool
    mode: str
    builder_variant: Variant
    builder_packages: tuple[str, ...]
    runtime_image: str
    runtime_packages: tuple[str, ...] = ()
    libraries: tuple[SystemLibrary, ...] = ()


def _libraries(mains: list[Main]) -> list[CgoLibrary]:
    """The C libraries beyond libc that cgo links, the first place each is named."""
    found: dict[str, CgoLibrary] = {}
    for main in mains:
        for library in main.cgo.libraries:
            if library.kind == "pkg-config" or library.name not in LIBC_LIBRARIES:
                found.setdefault(library.name, library)
    return [found[name] for name in sorted(found)]


def _cgo_evidence(mains: list[Main]) -> str:
    evidence = [e for m in mains for e in m.cgo.evidence][:3]
    return "; ".join(f"{e.file}:{e.line} {e.text}" for e in evidence)


def _system_libraries(
    libraries: list[CgoLibrary], variant: Variant, options: Options, notes: Notes
) -> tuple[SystemLibrary, ...]:
    """Map each library to its packages; one gogen cannot map is a warning naming its line."""
    mapped = []
    for library in libraries:
        packages = packages_for(library.name, variant, options)
        where = library.evidence
        if packages is None:
            notes.warn(
                "cgo-library",
                f"cgo links {library.name} and gogen does not know the {variant} packages for it: "
                f"add [system_libraries.{library.name}] to gogen.toml (or `packages`)",
                where.file,
                where.line,
            )
            continue
        mapped.append(SystemLibrary(library.name, packages.builder, packages.runtime, where))
        notes.decide(
            "system library",
            f"{library.name}: {packages.builder or '-'} / {packages.runtime or '-'}",
            f"{where.file}:{where.line} {where.text}; builder / runtime {variant} packages",
        )
    return tuple(mapped)


def _library_packages(
    libraries: tuple[SystemLibrary, ...], pkg_config: bool, pkg_config_package: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    builder = [lib.builder_package for lib in libraries if lib.builder_package]
    if pkg_config:
        builder.append(pkg_config_package)
    runtime = [lib.runtime_package for lib in libraries if lib.runtime_package]
    return tuple(dict.fromkeys(builder)), tuple(dict.fromkeys(runtime))


def plan_cgo(project: Project, mains: list[Main], options: Options, notes: Notes) -> CgoChoice:
    needs = [m for m in mains if m.cgo.required]
    release = options.debian_release
    profile = options.profile
    if not needs:
        notes.decide(
            "cgo", "CGO_ENABLED=0", 'no file of the built packages\' closure imports "C" or a module that needs cgo'
        )
        variant: Variant = "alpine" if profile == "alpine" else "debian"
        runtime = {
            "distroless": distroless_image("static", release),
            "scratch": "scratch",
            "alpine": alpine_image(),
            "debian": debian_image(release),
        }[profile]
        return CgoChoice(False, "off", variant, (), runtime)
    libraries = _libraries(needs)
    names = ", ".join(lib.name for lib in libraries)
    pkg_config = any(lib.kind == "pkg-config" for lib in libraries)
    evidence = _cgo_evidence(needs)
    if profile in ("scratch", "distroless") and libraries:
        where = libraries[0].evidence
        what = (
            "profile scratch needs a fully static binary, but cgo links"
            if profile == "scratch"
            else "profile distroless cannot provide the system libraries cgo links:"
        )
        raise PlanError(
            f"{what} {names} ({where.file}:{where.line} {where.text})",
            hint="choose --profile debian or alpine: gogen installs the library's packages there",
        )
    if profile == "scratch":
        notes.decide(
            "cgo",
            "CGO_ENABLED=1, static musl",
            f"cgo is required ({evidence}); it links only libc, so a static musl build runs on scratch",
        )
        return CgoChoice(True, "musl-static", "alpine", ("build-base",), "scratch")
    if profile == "distroless":
        cxx = any(path.endswith(CXX_SUFFIXES) for path in project.extra_build_files)
        image = distroless_image("glibc_cxx" if cxx else "glibc", release)
        notes.decide(
            "cgo",
            "CGO_ENABLED=1, glibc",
            f"cgo is required ({evidence}); distroless {'cc' if cxx else 'base'} ships glibc",
        )
        return CgoChoice(True, "glibc", "debian", (), image)
    if profile == "alpine":
        mapped = _system_libraries(libraries, "alpine", options, notes)
        builder, runtime_packages = _library_packages(mapped, pkg_config, "pkgconf")
        notes.decide(
            "cgo",
            "CGO_ENABLED=1, musl",
            f"cgo is required ({evidence}); built on the alpine golang image with build-base",
        )
        return CgoChoice(True, "musl", "alpine", ("build-base", *builder), alpine_image(), runtime_packages, mapped)
    mapped = _system_libraries(libraries, "debian", options, notes)
    builder, runtime_packages = _library_packages(mapped, pkg_config, "pkg-config")
    notes.decide("cgo", "CGO_ENABLED=1, glibc", f"cgo is required ({evidence})")
    return CgoChoice(True, "glibc", "debian", builder, debian_image(release), runtime_packages, mapped)


def needs(mains: list[Main]) -> tuple[bool, bool]:
    return any(m.needs_ca_certs for m in mains), any(m.needs_tzdata for m in mains)


def runtime_packages(options: Options, cgo: CgoChoice, ca: bool, tz: bool, notes: Notes) -> tuple[str, ...]:
    if options.profile == "alpine":
        needed: tuple[str, ...] = ("ca-certificates", "tzdata", *cgo.runtime_packages)
    elif options.profile == "debian":
        needed = tuple(p for p, wanted in (("ca-certificates", ca), ("tzdata", tz)) if wanted) + cgo.runtime_packages
    else:
        if options.packages:
            notes.warn(
                "packages-ignored",
                f"profile {options.profile} has no package manager: {', '.join(options.packages)} not installed",
            )
        return ()
    return tuple(dict.fromkeys(needed + options.packages))
