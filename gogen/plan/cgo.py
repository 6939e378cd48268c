"""Whether the binaries need cgo, and what the profile makes of it: the builder, the runtime
image and the packages of the system libraries cgo links."""

from __future__ import annotations

from dataclasses import dataclass

from gogen.images import Variant
from gogen.model import CgoHint, CgoLibrary, Main, Project, SystemLibrary
from gogen.plan.notes import Notes, PlanError
from gogen.profiles import Profile, Refusal
from gogen.settings import Options
from gogen.system_libraries import packages_for

LIBC_LIBRARIES = frozenset({"c", "m", "pthread", "dl", "rt", "resolv", "util"})
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx")


@dataclass(frozen=True)
class CgoChoice:
    """cgo on or off, the builder variant and packages, the runtime image and its packages."""

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


def _refuse(refusal: Refusal | None, what: str) -> PlanError:
    assert refusal is not None, "a profile that refuses says why"
    return PlanError(f"{refusal.message} {what}", hint=refusal.hint)


def _configured_cgo(project: Project, primary: Main) -> CgoHint | None:
    """CGO_ENABLED as the project's own configuration builds the primary (its first build that
    says: goreleaser/ko env, a Makefile or Dockerfile `CGO_ENABLED=`), else goreleaser's first."""
    release = project.hints.cgo_enabled
    for build in project.hints.builds:
        if build.dir == primary.dir and not build.skip and build.cgo_enabled is not None:
            if release is not None and release.enabled == build.cgo_enabled and build.source == "goreleaser":
                return release  # the same setting: its `env:` line is the better evidence
            return CgoHint(build.cgo_enabled, build.evidence)
    return release


def _needs_cgo(project: Project, mains: list[Main], notes: Notes) -> tuple[list[Main], str]:
    """The mains that need cgo and the evidence, weighing the scan against the release
    configuration's `CGO_ENABLED` (goreleaser `env:`).

    The source is the stronger evidence when it requires cgo (a CGO_ENABLED=0 release build of
    it would fail or run a stub: a warning). When no file requires cgo, a release built with
    CGO_ENABLED=1 is followed: the project relies on cgo variants (the net and os/user
    resolvers, files behind the cgo build tag), so every main builds with cgo.
    """
    needs = [m for m in mains if m.cgo.required]
    hint = _configured_cgo(project, mains[-1])
    where = f"{hint.evidence.file}:{hint.evidence.line} {hint.evidence.text}" if hint else ""
    if needs:
        if hint is not None and not hint.enabled:
            notes.warn(
                "cgo-release-off",
                f"the release configuration builds with CGO_ENABLED=0 ({where}), but the source needs cgo "
                f"({_cgo_evidence(needs)}): the image builds with CGO_ENABLED=1",
                hint.evidence.file,
                hint.evidence.line,
            )
        return needs, _cgo_evidence(needs)
    if hint is not None and hint.enabled:
        return list(mains), f"{where}: the release configuration builds with cgo"
    reason = 'no file of the built packages\' closure imports "C" or a module that needs cgo'
    notes.decide("cgo", "CGO_ENABLED=0", f"{reason}; {where} agrees" if hint is not None else reason)
    return [], ""


def plan_cgo(profile: Profile, project: Project, mains: list[Main], options: Options, notes: Notes) -> CgoChoice:
    """cgo off (a static binary on the profile's static image), or what `profile` does with cgo."""
    release = options.debian_release
    needs, evidence = _needs_cgo(project, mains, notes)
    if not needs:
        return CgoChoice(False, "off", profile.builder_variant, (), profile.image(profile.static_image, release))
    policy = profile.cgo
    libraries = _libraries(needs)
    if libraries and policy.libraries == "refuse":
        where = libraries[0].evidence
        names = ", ".join(lib.name for lib in libraries)
        raise _refuse(policy.library_refusal, f"{names} ({where.file}:{where.line} {where.text})")
    cxx = any(path.endswith(CXX_SUFFIXES) for path in project.extra_build_files)
    if cxx and policy.cxx_image is None:
        first = next(path for path in project.extra_build_files if path.endswith(CXX_SUFFIXES))
        raise _refuse(policy.cxx_refusal, f"({first})")
    mapped: tuple[SystemLibrary, ...] = ()
    builder: tuple[str, ...] = policy.builder_packages
    runtime: tuple[str, ...] = ()
    if policy.libraries == "install":
        mapped = _system_libraries(libraries, policy.builder_variant, options, notes)
        pkg_config = any(lib.kind == "pkg-config" for lib in libraries)
        library_builder, runtime = _library_packages(mapped, pkg_config, policy.pkg_config_package)
        builder = (*builder, *library_builder)
    reason = policy.cxx_reason if cxx else policy.reason
    notes.decide("cgo", policy.choice, reason.format(evidence=evidence))
    image = profile.image(policy.cxx_image if cxx and policy.cxx_image else policy.image, release)
    return CgoChoice(True, policy.mode, policy.builder_variant, builder, image, runtime, mapped)


def needs(mains: list[Main]) -> tuple[bool, bool]:
    """Whether the program needs CA certificates, and zoneinfo."""
    return any(m.needs_ca_certs for m in mains), any(m.needs_tzdata for m in mains)


def runtime_packages(
    profile: Profile, options: Options, cgo: CgoChoice, ca: bool, tz: bool, notes: Notes
) -> tuple[str, ...]:
    """The packages the runtime stage installs: CA bundle and zoneinfo as the profile provides
    them, the cgo libraries' runtime packages, gogen.toml's `packages`; none without a package manager."""
    if not profile.package_manager:
        if options.packages:
            notes.warn(
                "packages-ignored",
                f"profile {profile.name} has no package manager: {', '.join(options.packages)} not installed",
            )
        return ()
    needed = profile.base_packages(ca, tz, cgo.enabled) + cgo.runtime_packages
    return tuple(dict.fromkeys(needed + options.packages))
