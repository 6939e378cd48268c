"""Modules: the Go version, the go.mod/go.sum files, the download step, private modules,
the cache directories and the mounts of the buildkit strategy."""

from __future__ import annotations

import posixpath

from gogen.images import known_minors, minor_tag_release, newest_minor, supported_minors
from gogen.model import Project
from gogen.plan.notes import Notes, PlanError, check_safe
from gogen.scan.gomod import GO_VERSION_RE, version_key
from gogen.settings import Options
from gogen.settings.checks import GO_MOD


def go_version(project: Project, options: Options, notes: Notes, source: str = "--go-version") -> str:
    """The Go release the builder provides (`golang:<it>`).

    go.mod's `go` line is a minimum, and since Go 1.21 it also fixes the module's GODEBUG
    defaults, so a newer toolchain keeps the module's behaviour: by default the builder is the
    newest supported release. A `toolchain` line is the team's explicit choice and is kept;
    `go_version` (gogen.toml, --go-version) pins one, or says "go.mod" for go.mod's own.
    `source` names where go_version was set, for errors.
    """
    minimum, evidence = project.go_version, project.go_version_evidence
    where = f" ({evidence.file}:{evidence.line} `{evidence.text}`)" if evidence else ""
    chosen = options.go_version
    if chosen == GO_MOD:
        version = minimum or f"1.{newest_minor()}"
        notes.decide("go version", version, f'go_version = "go.mod": the newest go/toolchain line{where}')
    elif chosen is not None:
        _check_satisfies(chosen, minimum, where, source)
        version = chosen
        notes.decide("go version", version, f"chosen with go_version ({source}); go.mod asks for at least {minimum}")
    elif evidence is not None and evidence.text.startswith("toolchain") and minimum is not None:
        version = minimum
        notes.decide("go version", version, f"the toolchain line is the team's choice{where}")
    else:
        version = _newest_satisfying(minimum, where, notes)
    if chosen is not None:
        _warn_unsupported(version, "go_version", source, 0, notes)
    elif evidence is not None:
        _warn_unsupported(version, f"`{evidence.text}`", evidence.file, evidence.line, notes)
    return version


def _newest_satisfying(minimum: str | None, where: str, notes: Notes) -> str:
    """The newest supported minor, as its minor tag, when it satisfies `minimum`."""
    newest = newest_minor()
    release = minor_tag_release(newest)
    if minimum is not None and version_key(release) < version_key(minimum):
        notes.decide("go version", minimum, f"go.mod asks for a release newer than gogen's image table{where}")
        return minimum
    reason = f"the newest supported Go release (golang:1.{newest} is Go {release}); " + (
        f"go.mod's go line{where} is a minimum, and the module keeps the GODEBUG defaults it names"
        if minimum is not None
        else "go.mod has no go line"
    )
    notes.decide("go version", f"1.{newest}", reason)
    return f"1.{newest}"


def _check_satisfies(chosen: str, minimum: str | None, where: str, source: str) -> None:
    """A chosen release older than go.mod's minimum cannot build it: the golang images set GOTOOLCHAIN=local."""
    if minimum is None:
        return
    provided = chosen
    match = GO_VERSION_RE.match(chosen)
    if match is not None and match.group(3) is None and int(match.group(2)) in known_minors():
        provided = minor_tag_release(int(match.group(2)))
    if version_key(provided) < version_key(minimum):
        raise PlanError(
            f"go_version {chosen} is older than the Go release the module needs, {minimum}{where}: the golang "
            "images set GOTOOLCHAIN=local, so the build would fail",
            file=source,
            hint=f"choose {minimum} or newer, or remove go_version (gogen then builds with Go 1.{newest_minor()})",
        )


def _warn_unsupported(version: str, origin: str, file: str, line: int, notes: Notes) -> None:
    """A release without security fixes any more is a warning, never silent; `origin` is what set it."""
    match = GO_VERSION_RE.match(version)
    if match is None:
        return
    minor = int(match.group(2))
    supported = supported_minors()
    if minor >= supported[0] or minor > newest_minor():
        return
    names = " and ".join(f"1.{m}" for m in supported)
    notes.warn(
        "go-unsupported",
        f"the builder is Go {version} ({origin}), a release without security fixes (supported: {names}); "
        f"every binary ships its standard library's known vulnerabilities: raise it, or let gogen build with "
        f"Go 1.{supported[-1]}",
        file,
        line,
    )


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
