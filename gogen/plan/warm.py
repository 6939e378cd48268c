"""The warm-up step: which packages compile before the sources reach the build.

The standard library and the module's dependencies change only with go.mod/go.sum, yet `go
build` compiles them with the program. Compiling them first, in a step that sees nothing but
the module files, keys that work on go.mod/go.sum (and the list itself, which is in the
Dockerfile).

The list is what the primary binary imports, the default target's own needs, so that a plain
`docker build` never compiles a package it does not ship:
- layers: the compiled packages live in the layer (there is no cache mount), so a source edit
  recompiles only the module's own packages (another target also its own dependencies).
- buildkit: the cache mount already keeps compiled packages between builds; what the step
  adds is that binaries compiled in parallel stages (bake, compose, CI) share that work instead
  of each compiling the same packages at once. A single binary needs no warm-up.

The list comes from the scan's imports, so adding an import of a new package makes the
Dockerfile stale (`gogen check` says so) but never wrong: a package missing from the list
compiles in the compile step as before.
"""

from __future__ import annotations

import re

from gogen.model import Main, Project
from gogen.plan.notes import Notes

# The characters Go allows in an import path (golang.org/x/mod/module.CheckImportPath); a path
# with anything else cannot build, and must not reach a shell; a leading "-" would be a flag.
_IMPORT_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~+-]*(/[A-Za-z0-9._~+-]+)*\Z")


def warm_packages(project: Project, mains: list[Main], strategy: str, notes: Notes) -> tuple[str, ...]:
    """The packages the warm-up step compiles, sorted; empty when there is no warm-up step.

    `mains` are the binaries built, the primary last (as select_mains orders them)."""
    skip = _no_warm_up(project, mains, strategy)
    if skip:
        notes.decide("warm-up", "none", skip)
        return ()
    primary = mains[-1]
    inside = _repository_modules(project)
    packages = tuple(sorted(p for p in primary.imports if _valid(p) and not _under_any(p, inside)))
    if not packages:
        notes.decide("warm-up", "none", f"{primary.binary} imports no package from outside the repository")
        return ()
    notes.decide("warm-up", f"{len(packages)} package(s) compile before the sources are copied", _reason(strategy))
    return packages


def _no_warm_up(project: Project, mains: list[Main], strategy: str) -> str:
    """Why there is no warm-up step, or "" when there is one."""
    if project.vendor:
        return "vendor/ is part of the sources: the dependencies compile with them"
    if not mains:
        return "no binary is built"
    if strategy == "buildkit" and len(mains) == 1:
        return "one binary: the build cache mount keeps compiled packages between builds"
    return ""


def _reason(strategy: str) -> str:
    if strategy == "layers":
        return (
            "what the primary binary imports (standard library, dependencies) compiles in a layer keyed on the "
            "module files, so a source edit recompiles only the module's own packages"
        )
    return (
        "what the primary binary imports compiles once in the shared build stage, so binaries compiled in "
        "parallel (bake, compose) do not each compile it"
    )


def _repository_modules(project: Project) -> tuple[str, ...]:
    """Module paths whose sources are in the repository: not in the module cache at warm-up."""
    paths = [module.path for module in project.modules]
    paths += [local.module for module in project.modules for local in module.local_replaces]
    return tuple(paths)


def _under_any(package: str, modules: tuple[str, ...]) -> bool:
    return any(package == module or package.startswith(module + "/") for module in modules)


def _valid(package: str) -> bool:
    return bool(_IMPORT_PATH.match(package)) and not any(part in ("", ".", "..") for part in package.split("/"))
