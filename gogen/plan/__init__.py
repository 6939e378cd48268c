"""Project + Options → Plan. Every decision is made here, with its reason; templates only print.

The plan is pure: it reads nothing from disk and validates every scanned string that will
reach the Dockerfile, so that no directory or module name can become shell syntax. Each
concern has its module: binaries, cgo, modules, image_policy, context_policy; this one runs
them in order (the order of `gogen explain`) and assembles the Plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gogen import __version__
from gogen.images import frontend_image, golang_image
from gogen.model import BinaryPlan, Main, Plan, Project
from gogen.plan import actions, context_policy, image_policy, modules, warm
from gogen.plan import binaries as binaries_mod
from gogen.plan import cgo as cgo_mod
from gogen.plan.binaries import BIN_DIR, select_mains
from gogen.plan.cgo import CgoChoice
from gogen.plan.context_policy import needed_paths
from gogen.plan.image_policy import apply_image_policy
from gogen.plan.notes import Notes, PlanError
from gogen.profiles import PROFILE_NAMES, Profile, profile_named
from gogen.settings import Options

__all__ = [
    "PlanError",
    "apply_image_policy",
    "needed_paths",
    "plan",
    "select_mains",
]


def plan(project: Project, options: Options, sources: Mapping[str, str] | None = None) -> Plan:
    """Decide everything about the Dockerfile and .dockerignore for `project`.

    `sources` says where a setting's value came from (`binaries` → `gogen.toml:4`), for errors
    about values only the scan can check; by default each is blamed on its flag."""
    options = options.validated()
    notes = Notes()
    notes.warnings.extend(project.warnings)
    mains = select_mains(project, options, notes, sources)
    binaries = binaries_mod.binary_plans(project, mains, options, notes)
    go_version = modules.go_version(project, options, notes, (sources or {}).get("go_version", "--go-version"))
    profile = profile_named(options.profile)
    cgo = cgo_mod.plan_cgo(profile, project, mains, options, notes)
    builder = _builder_image(go_version, cgo, notes)
    _profile_decisions(profile, cgo, notes)
    platforms = image_policy.platforms(project, options, not cgo.enabled, notes)
    return _assemble(project, options, profile, mains, binaries, go_version, cgo, builder, platforms, notes)


def _builder_image(go_version: str, cgo: CgoChoice, notes: Notes) -> str:
    builder = golang_image(go_version, cgo.builder_variant)
    if not builder.known:
        notes.warn("image-unknown", builder.note)
    notes.decide(
        "builder image",
        builder.ref,
        f"golang {go_version}{' (alpine, musl)' if cgo.builder_variant == 'alpine' else ''}: the official images "
        "set GOTOOLCHAIN=local, so the builder must be at least go.mod's version",
    )
    return builder.ref


def _profile_decisions(profile: Profile, cgo: CgoChoice, notes: Notes) -> None:
    notes.decide(
        "profile",
        profile.name,
        "chosen with --profile / gogen.toml" if profile.name != PROFILE_NAMES[0] else "the default",
    )
    notes.decide(
        "runtime image",
        cgo.runtime_image,
        f"profile {profile.name}, {'cgo ' + cgo.mode if cgo.enabled else 'static binary'}",
    )


@dataclass(frozen=True)
class _Build:
    """The go build invocation: flags, linker flags (the template adds `-X symbol=VERSION`)
    and the version symbols set with -X."""

    flags: tuple[str, ...]
    ldflags: str
    symbols: tuple[str, ...]


def _project_tags(mains: list[Main], options: Options, notes: Notes) -> list[str]:
    """The tags every binary builds with: gogen.toml's, else those the project builds its primary with."""
    if options.tags is not None:
        if options.tags:
            notes.decide("build tags", ",".join(options.tags), "chosen with --tag / gogen.toml")
        return list(options.tags)
    primary = mains[-1]
    for main in mains[:-1]:
        if main.tags != primary.tags:
            notes.warn(
                "build-tags-differ",
                f"{main.dir} is built with -tags {','.join(main.tags) or '(none)'} by the project, but every "
                f"binary builds with one set of tags: the primary's ({','.join(primary.tags) or 'none'}); "
                "set tags = [...]",
            )
    if primary.tags:
        where = next((f" ({e.file}:{e.line})" for e in primary.role_evidence if e.line), "")
        notes.decide("build tags", ",".join(primary.tags), f"the project builds {primary.binary} with them{where}")
    return list(primary.tags)


def _build(
    project: Project, profile: Profile, mains: list[Main], cgo: CgoChoice, tz: bool, options: Options, notes: Notes
) -> _Build:
    tags = _project_tags(mains, options, notes)
    if profile.zoneinfo_for(cgo.enabled) == "embedded" and tz:
        tags.append("timetzdata")
        notes.decide(
            "zoneinfo",
            "-tags timetzdata",
            f"time.LoadLocation is used and {cgo.runtime_image} has no /usr/share/zoneinfo",
        )
    if cgo.mode == "musl-static":
        tags += ["netgo", "osusergo"]
    flags = (
        ["-trimpath", "-buildvcs=false"]
        + (["-mod=vendor"] if project.vendor else [])
        + ([f"-tags={','.join(dict.fromkeys(tags))}"] if tags else [])
    )
    symbols = binaries_mod.version_symbols(mains, notes)
    ldflags = ["-s", "-w"]
    if cgo.mode == "musl-static":
        ldflags += ["-linkmode", "external", "-extldflags", "'-static'"]
    return _Build(tuple(flags), " ".join(ldflags), symbols)


def _outputs(options: Options) -> tuple[str, ...]:
    wanted = (
        ("compose.yaml", options.compose),
        ("docker-bake.hcl", options.bake),
        (".github/workflows/docker.yml", options.ci == "github"),
        ("README.Docker.md", options.docker_readme),
    )
    return tuple(name for name, chosen in wanted if chosen)


def _assemble(
    project: Project,
    options: Options,
    profile: Profile,
    mains: list[Main],
    binaries: tuple[BinaryPlan, ...],
    go_version: str,
    cgo: CgoChoice,
    builder: str,
    platforms: tuple[str, ...],
    notes: Notes,
) -> Plan:
    """The remaining decisions, then the Plan.

    Long by construction: one keyword per Plan field, each computed in the order `gogen explain`
    shows the decisions (modules, build flags, images after policy, labels, .dockerignore).
    """
    cross = not cgo.enabled
    notes.decide(
        "strategy",
        options.strategy,
        "cache mounts keep modules and compiler output between builds"
        if options.strategy == "buildkit"
        else "COPY go.mod/go.sum, download, COPY . .: works without BuildKit",
    )
    download = modules.download(project, notes)
    private = modules.private_modules(options, download, notes)
    module_files = modules.module_files(project)
    cache_dirs = modules.cache_dirs(options, project.vendor)
    ca, tz = cgo_mod.needs(mains)
    build = _build(project, profile, mains, cgo, tz, options, notes)
    copy_ca = profile.ca_certificates == "from-builder" and ca
    if copy_ca:
        notes.decide(
            "CA certificates",
            "copied from the builder",
            f"the program makes TLS connections and {cgo.runtime_image} has no CA bundle",
        )
    uid = profile.user.uid
    notes.decide("user", f"{uid}:{uid}", "numeric non-root user in every final stage")
    needed = tuple(needed_paths(project, mains, module_files))
    frontend = frontend_image(options.dockerfile_syntax)
    if options.syntax:
        notes.decide("syntax", frontend, "the Dockerfile frontend, pinned to a minor release")
    images = image_policy.images(options.syntax, frontend, builder, cgo.runtime_image, options, notes)
    by_ref = {image.ref: image.reference for image in images}
    package_caches = options.strategy == "buildkit"
    if package_caches and (cgo.builder_packages or profile.package_manager):
        notes.decide("package caches", "cache mounts", "apk/apt keep their indexes and downloads between builds")
    return Plan(
        gogen_version=__version__,
        module_path=project.modules[0].path if project.modules else "",
        go_version=go_version,
        profile=profile.name,
        strategy=options.strategy,
        syntax=options.syntax,
        syntax_image=by_ref.get(frontend, ""),
        builder_image=by_ref[builder],
        builder_variant=cgo.builder_variant,
        runtime_image=by_ref.get(cgo.runtime_image, cgo.runtime_image),
        cgo=cgo.enabled,
        cgo_mode=cgo.mode,  # type: ignore[arg-type]
        cross_compile=cross,
        platforms=platforms,
        emulation=not cross and len(platforms) > 1,
        download=download,
        module_files=module_files,
        vendor=project.vendor,
        build_flags=build.flags,
        ldflags=build.ldflags,
        version_symbols=build.symbols,
        warm_packages=warm.warm_packages(project, mains, options.strategy, notes),
        binaries=binaries,
        builder_package_manager="apk" if cgo.builder_variant == "alpine" else "apt",
        builder_packages=cgo.builder_packages
        + (("git",) if private and cgo.builder_variant == "alpine" and "git" not in cgo.builder_packages else ()),
        runtime_package_manager=profile.package_manager,
        runtime_packages=cgo_mod.runtime_packages(profile, options, cgo, ca, tz, notes),
        package_caches=package_caches,
        labels=image_policy.labels(project, options, notes),
        images=images,
        actions=actions.action_pins(options, notes) if options.ci == "github" else (),
        system_libraries=cgo.libraries,
        private=private,
        netrc_secret=bool(private),
        cache_dirs=cache_dirs,
        outputs=_outputs(options),
        user=f"{uid}:{uid}",
        uid=uid,
        user_name=profile.user.name,
        shell=profile.shell,
        ca_certs=copy_ca,
        passwd=profile.user.setup == "passwd",
        bin_dir=BIN_DIR,
        needed_files=needed,
        dockerignore=context_policy.dockerignore_sections(project, list(needed), notes),
        decisions=tuple(notes.decisions),
        warnings=tuple(notes.warnings),
    )
