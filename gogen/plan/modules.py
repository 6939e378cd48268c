"""Modules: the Go version, the go.mod/go.sum files, the download step, private modules,
the cache directories and the mounts of the buildkit strategy."""

from __future__ import annotations

import posixpath

from gogen.images import known_go_versions
from gogen.model import Project
from gogen.plan.notes import Notes, PlanError, check_safe
from gogen.scan.gomod import version_key
from gogen.settings import Options


def go_version(project: Project, notes: Notes) -> str:
    if project.go_version is None:
        newest = max(known_go_versions(), key=version_key)
        notes.decide("go version", newest, "go.mod has no go line; the newest Go gogen knows")
        return newest
    evidence = project.go_version_evidence
    where = f"{evidence.file}:{evidence.line} {evidence.text}" if evidence else ""
    notes.decide("go version", project.go_version, f"the newest of the go and toolchain lines ({where})")
    return project.go_version


def module_files(project: Project) -> tuple[str, ...]:
    """go.mod/go.sum files `go mod download` reads: members, local replacements, go.work."""
    files: list[str] = []
    if project.workspace is not None:
        files.append(project.workspace.file)
        if project.workspace.sum_file:
            files.append(project.workspace.sum_file)
    for module in project.modules:
        files.append(posixpath.join(module.dir, "go.mod") if module.dir != "." else "go.mod")
        if module.go_sum:
            files.append(module.go_sum)
        for local in module.local_replaces:
            if not local.inside_repo:
                raise PlanError(
                    f"{local.module} is replaced by {local.dir}, outside the repository: "
                    "no build context rooted here can include it",
                    file=local.evidence.file,
                    line=local.evidence.line,
                    hint="move the replaced module into the repository, or build from a common parent directory",
                )
            if local.go_mod:
                files.append(local.go_mod)
    for path in files:
        check_safe(path, "module file")
    return tuple(dict.fromkeys(files))


def download(project: Project, notes: Notes) -> bool:
    if project.vendor:
        notes.decide("modules", "vendor/ (-mod=vendor)", "vendor/modules.txt is present: nothing to download")
        return False
    external = sum(m.external_requires for m in project.modules)
    if external == 0:
        notes.decide("modules", "no download step", "no module requires anything that is not in the repository")
        return False
    notes.decide(
        "modules",
        "go mod download in its own step",
        f"{external} requirement(s); the step is keyed on go.mod/go.sum only, so a source edit never re-downloads",
    )
    return True


def private_modules(options: Options, download: bool, notes: Notes) -> tuple[str, ...]:
    """GOPRIVATE patterns, fetched with the `netrc` build secret (see _mounts)."""
    if not options.private:
        return ()
    patterns = ",".join(options.private)
    if not download:
        notes.decide("private modules", "nothing to fetch", f"{patterns}: the build downloads no module")
        return ()
    if options.strategy != "buildkit":
        raise PlanError(
            f"private modules ({patterns}) need the netrc build secret, and build secrets need BuildKit",
            hint="use --strategy buildkit, or vendor the modules (go mod vendor)",
        )
    notes.decide(
        "private modules",
        f"GOPRIVATE={patterns}",
        "not looked up in the public proxy or checksum database; credentials come from the `netrc` "
        "build secret, mounted (never copied) on the steps that can download, so they are in no layer",
    )
    return options.private


GO_CACHE_DIRS = (("go-mod", "/go/pkg/mod"), ("go-build", "/root/.cache/go-build"))


def cache_dirs(options: Options, vendor: bool) -> tuple[tuple[str, str], ...]:
    """The directories the buildkit strategy keeps in cache mounts (a CI can carry them over)."""
    if options.strategy != "buildkit":
        return ()
    return tuple(entry for entry in GO_CACHE_DIRS if not (vendor and entry[0] == "go-mod"))
