"""Which main packages become images, under which names, stages, ports and health checks."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from gogen.model import BinaryPlan, Main, Port, Project
from gogen.plan.notes import SAFE_NAME, SYMBOL, Notes, PlanError, check_safe
from gogen.scan.project import default_binary_name
from gogen.scan.roles import RELEASE_SOURCES
from gogen.settings import Options, normalise_dir

# Stage names are also bake target and image names: [a-z0-9_-] suits all three.
_STAGE_BAD = re.compile(r"[^a-z0-9_-]")
# Where every final stage installs the binaries (COPY, ENTRYPOINT, HEALTHCHECK, gogen verify).
BIN_DIR = "/usr/local/bin"


def _describe(mains: tuple[Main, ...]) -> str:
    return (
        ", ".join(f"{m.dir} ({m.role}{'' if 'linux' in m.goos else ', ' + '/'.join(m.goos) + ' only'})" for m in mains)
        or "none"
    )


def _no_default_hint(project: Project) -> str:
    """Advice that can be followed: only a main that builds for Linux can be picked."""
    linux = tuple(m for m in project.mains if "linux" in m.goos and m.program_file is None)
    if not linux:
        return f"main packages found: {_describe(project.mains)}; none of them builds for Linux"
    return f"main packages found: {_describe(project.mains)}; pick one with --binary {linux[0].dir}"


def select_mains(
    project: Project, options: Options, notes: Notes, sources: Mapping[str, str] | None = None
) -> list[Main]:
    """The mains to build, primary last; `sources` names where `binaries`/`primary` came from."""
    sources = sources or {}
    binaries_from = sources.get("binaries", "--binary")
    # Any main package can be chosen, a dev tool or a generator too; a `//go:build ignore`
    # program shares its folder with the package and is not one.
    by_dir = {m.dir: m for m in project.mains if m.program_file is None}
    if options.binaries:
        chosen = []
        for directory in dict.fromkeys(normalise_dir(d) for d in options.binaries):
            main = by_dir.get(directory)
            if main is None:
                raise PlanError(
                    f"{binaries_from}: binary {directory}: no main package there",
                    hint=f"main packages found: {_describe(project.mains)}",
                )
            if "linux" not in main.goos:
                raise PlanError(
                    f"{binaries_from}: binary {directory}: it builds only for {', '.join(main.goos)}, not Linux"
                )
            chosen.append(main)
        notes.decide("binaries", ", ".join(m.dir for m in chosen), f"chosen with {binaries_from}")
    else:
        chosen = [m for m in project.mains if m.default]
        if not chosen and not project.mains:
            raise PlanError(
                "no main package to build into a Linux image: the repository has none",
                hint="gogen builds main packages (package main with func main); a library has nothing to run",
            )
        if not chosen:
            raise PlanError("no main package to build into a Linux image", hint=_no_default_hint(project))
        left_out = [m for m in project.mains if not m.default]
        notes.decide(
            "binaries",
            ", ".join(m.dir for m in chosen),
            "the applications the project ships ("
            + "; ".join(f"{m.dir}: {m.role_reason or m.role}" for m in chosen)
            + ")"
            + (f"; left out: {_describe(tuple(left_out))}" if left_out else ""),
        )
    primary = _primary(project, chosen, options, notes, sources.get("primary", "--primary"))
    return [m for m in chosen if m is not primary] + [primary]


def _primary(project: Project, chosen: list[Main], options: Options, notes: Notes, primary_from: str) -> Main:
    """What `docker build .` produces: the project's own answer first (see `_evidenced_primary`)."""
    if options.primary is not None:
        wanted = normalise_dir(options.primary)
        for main in chosen:
            if main.dir == wanted:
                notes.decide("primary", main.dir, f"chosen with {primary_from}")
                return main
        raise PlanError(
            f"{primary_from}: primary {wanted} is not among the binaries built: {', '.join(m.dir for m in chosen)}"
        )
    if len(chosen) == 1:
        notes.decide("primary", chosen[0].dir, "the only binary")
        return chosen[0]
    found = _evidenced_primary(project, chosen)
    if found is not None:
        main, reason = found
        notes.decide("primary", main.dir, f"{reason}; change it with --primary DIR")
        return main
    ranked = sorted(chosen, key=lambda m: (-_evidence_count(project, m), m.dir))
    notes.decide(
        "primary",
        ranked[0].dir,
        "nothing the project says names its main image: picked the application with the most build "
        f"evidence (then directory order) among {', '.join(m.dir for m in chosen)}; change it with --primary DIR",
    )
    notes.warn(
        "primary-guessed",
        f"several applications ({', '.join(m.dir for m in chosen)}) and no release configuration or Dockerfile "
        f"names the main one: the default image is {ranked[0].binary}; set it with --primary DIR",
    )
    return ranked[0]


def _evidenced_primary(project: Project, chosen: list[Main]) -> tuple[Main, str] | None:
    """The release configuration's first build, else the Dockerfile's ENTRYPOINT, else the
    module root's main, else `cmd/<module name>`."""
    by_dir = {m.dir: m for m in chosen}
    for build in project.hints.builds:
        if build.source in RELEASE_SOURCES and not build.skip and build.dir in by_dir:
            where = f"{build.evidence.file}:{build.evidence.line}"
            return by_dir[build.dir], f"the first build of the release configuration ({where})"
    by_binary = {m.binary: m for m in chosen}
    for dockerfile in project.hints.dockerfiles:
        if dockerfile.binary in by_binary and dockerfile.entrypoint_evidence is not None:
            where = f"{dockerfile.entrypoint_evidence.file}:{dockerfile.entrypoint_evidence.line}"
            return by_binary[dockerfile.binary], f"the project's Dockerfile runs it ({where})"
    if "." in by_dir:
        return by_dir["."], "the main package at the module root"
    module_name = default_binary_name(project.modules[0].path) if project.modules else ""
    if f"cmd/{module_name}" in by_dir:
        return by_dir[f"cmd/{module_name}"], f"named after the module ({module_name})"
    return None


def _evidence_count(project: Project, main: Main) -> int:
    return sum(1 for build in project.hints.builds if build.dir == main.dir and not build.skip)


def _stage_name(binary: str, taken: set[str]) -> str:
    stage = _STAGE_BAD.sub("-", binary.lower())
    if not stage[:1].isalpha():
        stage = f"app-{stage}"
    while stage in taken:
        stage = f"{stage}-image"
    taken.add(stage)
    return stage


def _exposed(project: Project, main: Main) -> tuple[Port, ...]:
    """EXPOSE lines of the project's own Dockerfile that runs `main` (its ENTRYPOINT or CMD names
    the binary) or builds only `main`: the ports the project says its image serves."""
    for dockerfile in project.hints.dockerfiles:
        built = {b.dir for b in project.hints.builds if b.source == "dockerfile" and b.evidence.file == dockerfile.file}
        if dockerfile.ports and (dockerfile.binary == main.binary or built == {main.dir}):
            return dockerfile.ports
    return ()


def _ports(project: Project, main: Main, primary: bool, options: Options, notes: Notes) -> tuple[int, ...]:
    """gogen.toml's ports for the primary, else the project's own EXPOSE, else what the code listens on."""
    if primary and options.ports:
        ports = tuple(sorted(set(options.ports)))
        notes.decide("ports", ", ".join(map(str, ports)), f"{main.binary}: chosen with --port / gogen.toml")
        return ports
    exposed = _exposed(project, main)
    if exposed:
        ports = tuple(sorted({p.port for p in exposed}))
        where = "; ".join(dict.fromkeys(f"{p.file}:{p.line}" for p in exposed))
        notes.decide(
            "ports", ", ".join(map(str, ports)), f"{main.binary}: the project's Dockerfile exposes them ({where})"
        )
        return ports
    ports = tuple(sorted({p.port for p in main.ports}))
    if ports:
        evidence = "; ".join(f"{p.file}:{p.line}" for p in main.ports)
        notes.decide("ports", ", ".join(map(str, ports)), f"{main.binary} listens there ({evidence})")
    return ports


def binary_plans(project: Project, mains: list[Main], options: Options, notes: Notes) -> tuple[BinaryPlan, ...]:
    names: dict[str, str] = {}
    # `scratch` and `context` mean something else in FROM/COPY --from: never a stage name.
    taken = {"build", "runtime", "scratch", "context"}
    plans = []
    for index, main in enumerate(mains):
        check_safe(main.dir, "directory")
        check_safe(main.binary, "binary name", SAFE_NAME)
        if main.binary in names:
            raise PlanError(
                " and ".join(sorted((names[main.binary], main.dir)))
                + f" would both build a binary called {main.binary}",
                hint="choose one with --binary, or rename one in .goreleaser.yaml",
            )
        names[main.binary] = main.dir
        primary = index == len(mains) - 1
        ports = _ports(project, main, primary, options, notes)
        package = "." if main.dir == "." else f"./{main.dir}"
        plans.append(
            BinaryPlan(
                main.binary,
                main.dir,
                package,
                "build",
                _stage_name(main.binary, taken),
                ports,
                primary,
                healthcheck=_healthcheck(main, primary, options, notes),
                environment=_environment(main, ports),
            )
        )
    return _compile_stages(plans, taken)


def _compile_stages(plans: list[BinaryPlan], taken: set[str]) -> tuple[BinaryPlan, ...]:
    """Several binaries compile each in a stage of its own (`build-<stage>`, FROM build): a
    target compiles only its binary and what it imports, and building every target runs the
    compiles in parallel on the shared module and build caches. One binary compiles in `build`."""
    if len(plans) == 1:
        return tuple(plans)
    return tuple(dataclasses.replace(p, build_stage=_stage_name(f"build-{p.stage}", taken)) for p in plans)


def _healthcheck(main: Main, primary: bool, options: Options, notes: Notes) -> tuple[str, ...]:
    """The HEALTHCHECK command: the binary checking itself (distroless and scratch have no curl)."""
    path = f"{BIN_DIR}/{main.binary}"
    if primary and options.healthcheck is not None:
        if not options.healthcheck:
            notes.decide("health check", "none", f"{main.binary}: gogen.toml sets healthcheck = []")
            return ()
        command = options.healthcheck if options.healthcheck[0].startswith("/") else (path, *options.healthcheck)
        notes.decide("health check", " ".join(command), f"{main.binary}: chosen in gogen.toml")
        return tuple(command)
    if main.healthcheck is None:
        return ()
    evidence = main.healthcheck.evidence
    command = (path, *main.healthcheck.args)
    notes.decide(
        "health check",
        " ".join(command),
        f"{main.binary} checks itself ({evidence.file}:{evidence.line} {evidence.text})",
    )
    return command


def _environment(main: Main, ports: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
    """Environment defaults the program reads (PORT), for compose files."""
    env_ports = [p for p in main.ports if p.source == "env" and p.port in ports]
    return (("PORT", str(env_ports[0].port)),) if env_ports else ()


def version_symbols(mains: list[Main], notes: Notes) -> tuple[str, ...]:
    symbols = []
    for main in mains:
        if main.version_var is not None:
            symbols.append(check_safe(main.version_var.symbol, "version variable", SYMBOL))
    unique = tuple(dict.fromkeys(symbols))
    if unique:
        where = "; ".join(f"{m.version_var.file}:{m.version_var.line}" for m in mains if m.version_var)
        notes.decide("version", ", ".join(unique), f"set from the VERSION build argument with -X ({where})")
    return unique
