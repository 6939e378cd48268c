"""Which modules make up the repository: the root module or a go.work workspace, local
replacements, go.sum, vendor/, and the Go version the builder must provide."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from gogen.errors import ParseError, RepositoryError
from gogen.model import Evidence, LocalReplace, Module, Warning, Workspace
from gogen.safefs import Refused, classify, is_regular_inside, read_inside
from gogen.scan.gomod import (
    GoMod,
    GoWork,
    Replace,
    Use,
    decode_text,
    parse_go_mod,
    parse_go_sum,
    parse_go_work,
    parse_modules_txt,
    toolchain_version,
    version_key,
)
from gogen.scan.reading import (
    clean_rel,
    dir_inside,
    is_absolute_anywhere,
    local_dir,
    read_optional,
    read_required,
    refusal_warning,
)


@dataclass(frozen=True)
class ModuleFile:
    """A parsed go.mod and where it sits (dir relative to the scan root)."""

    dir: str
    gomod: GoMod
    member: bool


@dataclass(frozen=True)
class ModuleSet:
    modules: tuple[ModuleFile, ...]
    replaces: tuple[ModuleFile, ...]
    workspace: GoWork | None
    facts: tuple[Module, ...]
    workspace_fact: Workspace | None
    go_version: str | None
    go_version_evidence: Evidence | None
    vendor: bool
    vendor_packages: dict[str, str]
    warnings: tuple[Warning, ...]


def _read_text(root: Path, rel: str, warnings: list[Warning] | None = None) -> str:
    """A file the scan cannot do without (go.mod, go.work): refused with a RepositoryError."""
    return _decode(read_required(root, rel), rel, warnings)


def _decode(data: bytes, rel: str, warnings: list[Warning] | None) -> str:
    if warnings is not None and data.startswith(b"\xef\xbb\xbf"):
        warnings.append(
            Warning("byte-order-mark", "starts with a byte-order mark, which the go command rejects: remove it", rel, 1)
        )
    return decode_text(data, rel)


def _norm_dir(base: str, target: str) -> str:
    """`target` (a go.mod-relative directory) as a path relative to the scan root, normalised.

    A path absolute on any system is returned as written (with `/`): it is never a folder of the
    repository, and `_inside` says so.
    """
    found = local_dir(base, target)
    if found is not None:
        return found
    if is_absolute_anywhere(target):
        return target.replace("\\", "/")
    return posixpath.normpath(posixpath.join(base, target.replace("\\", "/")))


def _inside(root: Path, base: str, target: str) -> bool:
    """Whether the directory `target` (relative to `base`) is inside the repository, links resolved."""
    rel_dir = local_dir(base, target)
    return rel_dir is not None and dir_inside(root, rel_dir)


def _load_go_mod(root: Path, rel_dir: str, member: bool, warnings: list[Warning]) -> ModuleFile:
    rel = "go.mod" if rel_dir == "." else f"{rel_dir}/go.mod"
    gomod = parse_go_mod(_read_text(root, rel, warnings), rel)
    if gomod.module is None:
        raise ParseError(
            "go.mod has no module directive", file=rel, line=1, hint="add `module example.com/name` as its first line"
        )
    return ModuleFile(rel_dir, gomod, member)


_NO_MODULE_HINT = "gogen reads a Go module: run it at the module root, or `go mod init example.com/name` first"


def load_modules(root: Path) -> ModuleSet:
    """Find and parse go.work / go.mod at `root`, their members and local replacements."""
    warnings: list[Warning] = []
    workspace: GoWork | None = None
    members: list[ModuleFile] = []
    work = classify(root, "go.work")
    if work is None:
        workspace = parse_go_work(_read_text(root, "go.work", warnings), "go.work")
        members = _workspace_members(root, workspace, warnings)
    elif work.kind != "missing":
        raise RepositoryError(
            f"go.work {work.reason}", file="go.work", hint="replace it with a regular file, or remove it"
        )
    else:
        gomod = classify(root, "go.mod")
        if gomod is not None and gomod.kind == "missing":
            raise RepositoryError(f"no go.mod or go.work in {root}", hint=_NO_MODULE_HINT)
        if gomod is not None:
            raise RepositoryError(f"go.mod {gomod.reason}", file="go.mod", hint=_NO_MODULE_HINT)
        members.append(_load_go_mod(root, ".", True, warnings))
    replaces = _local_replacements(root, members, workspace, warnings)
    go_version, evidence = builder_go_version(members + replaces, workspace)
    vendor, vendor_packages = _vendor(root, members, workspace, warnings)
    facts = tuple(_module_fact(root, module, members, workspace, warnings) for module in members)
    workspace_fact = (
        Workspace(
            "go.work",
            "go.work.sum" if _optional_present(root, "go.work.sum", warnings) else None,
            tuple(m.dir for m in members),
            workspace.go,
            workspace.toolchain,
        )
        if workspace
        else None
    )
    return ModuleSet(
        modules=tuple(members),
        replaces=tuple(replaces),
        workspace=workspace,
        facts=facts,
        workspace_fact=workspace_fact,
        go_version=go_version,
        go_version_evidence=evidence,
        vendor=vendor,
        vendor_packages=vendor_packages,
        warnings=tuple(warnings),
    )


def _optional_present(root: Path, rel: str, warnings: list[Warning]) -> bool:
    """A regular file inside the repository; anything else there is a warning and counts as absent."""
    refused = classify(root, rel)
    if refused is None:
        return True
    if refused.kind != "missing":
        warnings.append(refusal_warning(refused))
    return False


def _workspace_members(root: Path, workspace: GoWork, warnings: list[Warning]) -> list[ModuleFile]:
    """go.work's `use` directories, each checked as the go command would, plus: inside the repository.

    Every problem that makes the go command reject the workspace is an error on its go.work line.
    """
    if not workspace.uses:
        raise ParseError(
            "go.work has no use directive: the workspace holds no module to build",
            file="go.work",
            line=workspace.go_line or 1,
            hint="add `use ./dir` for each module of the workspace",
        )
    members: list[ModuleFile] = []
    by_dir: dict[str, Use] = {}
    by_module: dict[str, Use] = {}
    for use in workspace.uses:
        rel_dir = local_dir(".", use.dir)
        if rel_dir is None:
            raise ParseError(
                f"workspace member {use.dir} is outside the repository: a build context rooted here cannot "
                "include it, and the go command fails without it",
                file="go.work",
                line=use.lineno,
                hint="move the module into the repository, or run gogen from a common parent directory",
            )
        if not dir_inside(root, rel_dir):
            raise ParseError(
                f"workspace member {use.dir} is a symbolic link that leads out of the repository",
                file="go.work",
                line=use.lineno,
                hint="use the module's real directory inside the repository",
            )
        real = os.path.realpath(root / rel_dir)
        first = by_dir.get(real)
        if first is not None:
            raise ParseError(
                f"workspace member {use.dir} is the same directory as {first.dir} (line {first.lineno}): "
                "the go command rejects a module listed twice",
                file="go.work",
                line=use.lineno,
                hint="keep one use line per module",
            )
        by_dir[real] = use
        if not os.path.isdir(real):
            raise ParseError(
                f"workspace member {use.dir} "
                + ("is not a directory" if os.path.exists(real) else "does not exist")
                + ": the go command fails",
                file="go.work",
                line=use.lineno,
                hint="remove the use line or create the module",
            )
        go_mod = "go.mod" if rel_dir == "." else f"{rel_dir}/go.mod"
        refused = classify(root, go_mod)
        if refused is not None:
            reason = "has no go.mod" if refused.kind == "missing" else f"has a go.mod that {refused.reason}"
            raise ParseError(
                f"workspace member {use.dir} {reason}: the go command fails",
                file="go.work",
                line=use.lineno,
                hint="run `go mod init` in it, or remove the use line",
            )
        member = _load_go_mod(root, rel_dir, True, warnings)
        module = member.gomod.module or ""
        twin = by_module.get(module)
        if twin is not None:
            raise ParseError(
                f"module {module} is in the workspace twice: {twin.dir} (line {twin.lineno}) and {use.dir}; "
                "the go command rejects it",
                file="go.work",
                line=use.lineno,
                hint="keep one use line per module path",
            )
        by_module[module] = use
        members.append(member)
    return members


def _replace_entries(members: list[ModuleFile], workspace: GoWork | None) -> list[tuple[str, str, Replace]]:
    """(file, base dir, replace) for every local replace in go.work and the members' go.mod."""
    entries = [("go.work", ".", r) for r in workspace.replaces] if workspace else []
    for member in members:
        entries.extend((member.gomod.file, member.dir, r) for r in member.gomod.replaces)
    return [entry for entry in entries if entry[2].is_local]


def _local_replacements(
    root: Path, members: list[ModuleFile], workspace: GoWork | None, warnings: list[Warning]
) -> list[ModuleFile]:
    member_dirs = {m.dir for m in members}
    found: dict[str, ModuleFile] = {}
    for file, base, replace in _replace_entries(members, workspace):
        rel_dir = local_dir(base, replace.new_path)
        if rel_dir is None or not dir_inside(root, rel_dir):
            how = "outside the repository" if rel_dir is None else "a symbolic link that leads out of the repository"
            warnings.append(
                Warning(
                    "replace-outside-repo",
                    f"{replace.old_path} is replaced by {replace.new_path}, {how}: "
                    f"a build context rooted here cannot include it",
                    file,
                    replace.lineno,
                )
            )
            continue
        if rel_dir in member_dirs or rel_dir in found:
            continue
        go_mod = "go.mod" if rel_dir == "." else f"{rel_dir}/go.mod"
        refused = classify(root, go_mod)
        if refused is not None:
            reason = "has no go.mod" if refused.kind == "missing" else f"has a go.mod that {refused.reason}"
            warnings.append(
                Warning(
                    "replace-target-missing",
                    f"replacement directory {replace.new_path} {reason}; the go command will fail",
                    file,
                    replace.lineno,
                )
            )
            continue
        found[rel_dir] = _load_go_mod(root, rel_dir, False, warnings)
    return [found[key] for key in sorted(found)]


class _VersionLines(Protocol):
    """What go.mod and go.work have in common: a go line and a toolchain line."""

    @property
    def file(self) -> str: ...
    @property
    def go(self) -> str | None: ...
    @property
    def go_line(self) -> int: ...
    @property
    def go_text(self) -> str: ...
    @property
    def toolchain(self) -> str | None: ...
    @property
    def toolchain_line(self) -> int: ...
    @property
    def toolchain_text(self) -> str: ...


def builder_go_version(modules: list[ModuleFile], workspace: GoWork | None) -> tuple[str | None, Evidence | None]:
    """The highest of every `go` line and every newer `toolchain` line, with its evidence.

    go.work comes first so that it is the evidence when it ties with a member's go.mod.
    """
    candidates: list[tuple[str, Evidence]] = []
    sources: list[_VersionLines] = [workspace] if workspace is not None else []
    sources.extend(m.gomod for m in modules)
    for source in sources:
        if source.go is not None:
            candidates.append((source.go, Evidence(source.file, source.go_line, source.go_text)))
        tc_version = toolchain_version(source.toolchain)
        if tc_version is not None:
            candidates.append((tc_version, Evidence(source.file, source.toolchain_line, source.toolchain_text)))
    if not candidates:
        return None, None
    best = max(candidates, key=lambda c: version_key(c[0]))
    return best


def _module_fact(
    root: Path, module: ModuleFile, members: list[ModuleFile], workspace: GoWork | None, warnings: list[Warning]
) -> Module:
    gomod = module.gomod
    sum_rel = "go.sum" if module.dir == "." else f"{module.dir}/go.sum"
    sum_data = read_optional(root, sum_rel, warnings, what="treated as absent")
    go_sum: str | None = sum_rel if sum_data is not None else None
    external = [r for r in gomod.requires if not _is_locally_replaced(r.path, members, workspace)]
    if sum_data is not None:
        parsed = parse_go_sum(_decode(sum_data, sum_rel, None))
        for lineno in parsed.bad_lines[:3]:
            warnings.append(Warning("go-sum-malformed", "malformed go.sum line; run `go mod tidy`", sum_rel, lineno))
    elif external:
        warnings.append(
            Warning(
                "no-go-sum",
                f"{gomod.module} requires {len(external)} module(s) but has no go.sum: "
                f"the build will fail to verify them; run `go mod tidy` and commit go.sum",
                gomod.file,
                external[0].lineno,
            )
        )
    if gomod.go is None:
        warnings.append(
            Warning("no-go-directive", "no go directive: the go command assumes go 1.16; add `go 1.N`", gomod.file, 1)
        )
    local = []
    for file, base, replace in _replace_entries([module], None):
        rel_dir = _norm_dir(base, replace.new_path)
        inside = _inside(root, base, replace.new_path)
        mod_rel = "go.mod" if rel_dir == "." else f"{rel_dir}/go.mod"
        go_mod = mod_rel if inside and is_regular_inside(root, mod_rel) else None
        local.append(
            LocalReplace(replace.old_path, rel_dir, go_mod, inside, Evidence(file, replace.lineno, replace.text))
        )
    return Module(
        dir=module.dir,
        path=gomod.module or "",
        go=gomod.go,
        toolchain=gomod.toolchain,
        requires=len(gomod.requires),
        external_requires=len(external),
        go_sum=go_sum,
        local_replaces=tuple(local),
        evidence=Evidence(gomod.file, gomod.module_line, gomod.module_text),
    )


def _is_locally_replaced(path: str, members: list[ModuleFile], workspace: GoWork | None) -> bool:
    if any(m.gomod.module == path for m in members):
        return True
    return any(r.old_path == path for _, _, r in _replace_entries(members, workspace))


def _vendor(
    root: Path, members: list[ModuleFile], workspace: GoWork | None, warnings: list[Warning]
) -> tuple[bool, dict[str, str]]:
    """vendor/ at the module root: used when vendor/modules.txt exists; checked against go.mod."""
    if workspace is not None or not members or not (root / "vendor").is_dir():
        return False, {}
    if not dir_inside(root, "vendor"):
        warnings.append(
            Warning(
                "symlink-outside",
                "vendor is a symbolic link that leads out of the repository; not read, and not used",
                "vendor",
                0,
            )
        )
        return False, {}
    gomod = members[0].gomod
    data = read_inside(root, "vendor/modules.txt")
    if isinstance(data, Refused):
        if data.kind != "missing":
            warnings.append(refusal_warning(data, "vendor/ is not used"))
        else:
            warnings.append(
                Warning(
                    "vendor-incomplete",
                    "vendor/ has no modules.txt: the go command will reject it; run `go mod vendor` or delete vendor/",
                    "vendor",
                    0,
                )
            )
        return False, {}
    vendored = parse_modules_txt(_decode(data, "vendor/modules.txt", None))
    by_path = {v.path: v for v in vendored}
    for require in gomod.requires:
        entry = by_path.get(require.path)
        if entry is None or entry.version != require.version:
            have = f"{entry.version}" if entry else "nothing"
            warnings.append(
                Warning(
                    "vendor-inconsistent",
                    f"go.mod requires {require.path} {require.version} but vendor/modules.txt has {have}: "
                    f"`-mod=vendor` builds will fail; run `go mod vendor`",
                    gomod.file,
                    require.lineno,
                )
            )
    required = {r.path for r in gomod.requires}
    for entry in vendored:
        if entry.explicit and entry.path not in required:
            warnings.append(
                Warning(
                    "vendor-inconsistent",
                    f"vendor/modules.txt lists {entry.path} as explicit but go.mod does not require it; "
                    f"run `go mod vendor`",
                    "vendor/modules.txt",
                    entry.lineno,
                )
            )
    packages = {
        pkg: f"vendor/{pkg}"
        for v in vendored
        for pkg in v.packages
        if clean_rel(pkg) and os.path.isdir(root / "vendor" / pkg) and dir_inside(root, f"vendor/{pkg}")
    }
    return True, packages
