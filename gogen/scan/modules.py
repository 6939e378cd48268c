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
from gogen.scan.gomod import (
    GoMod,
    GoWork,
    Replace,
    decode_text,
    parse_go_mod,
    parse_go_sum,
    parse_go_work,
    parse_modules_txt,
    toolchain_version,
    version_key,
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
    try:
        data = (root / rel).read_bytes()
    except OSError as exc:
        raise RepositoryError(f"cannot read {rel}: {exc.strerror}", file=rel) from exc
    if warnings is not None and data.startswith(b"\xef\xbb\xbf"):
        warnings.append(
            Warning("byte-order-mark", "starts with a byte-order mark, which the go command rejects: remove it", rel, 1)
        )
    return decode_text(data, rel)


def _norm_dir(base: str, target: str) -> str:
    """`target` (a go.mod-relative directory) as a path relative to the scan root, normalised."""
    joined = posixpath.normpath(posixpath.join(base, target.replace("\\", "/")))
    return joined


def _load_go_mod(root: Path, rel_dir: str, member: bool, warnings: list[Warning]) -> ModuleFile:
    rel = "go.mod" if rel_dir == "." else f"{rel_dir}/go.mod"
    gomod = parse_go_mod(_read_text(root, rel, warnings), rel)
    if gomod.module is None:
        raise ParseError(
            "go.mod has no module directive", file=rel, line=1, hint="add `module example.com/name` as its first line"
        )
    return ModuleFile(rel_dir, gomod, member)


def load_modules(root: Path) -> ModuleSet:
    """Find and parse go.work / go.mod at `root`, their members and local replacements."""
    warnings: list[Warning] = []
    workspace: GoWork | None = None
    members: list[ModuleFile] = []
    if (root / "go.work").is_file():
        workspace = parse_go_work(_read_text(root, "go.work", warnings), "go.work")
        for use in workspace.uses:
            rel_dir = _norm_dir(".", use.dir)
            if rel_dir.startswith("..") or posixpath.isabs(rel_dir):
                warnings.append(
                    Warning(
                        "workspace-member-outside",
                        f"workspace member {use.dir} is outside the repository and cannot be in the build context",
                        "go.work",
                        use.lineno,
                    )
                )
                continue
            if not (root / rel_dir / "go.mod").is_file():
                warnings.append(
                    Warning(
                        "workspace-member-missing",
                        f"workspace member {use.dir} has no go.mod; the go command will fail",
                        "go.work",
                        use.lineno,
                    )
                )
                continue
            members.append(_load_go_mod(root, rel_dir, True, warnings))
    elif (root / "go.mod").is_file():
        members.append(_load_go_mod(root, ".", True, warnings))
    else:
        raise RepositoryError(
            f"no go.mod or go.work in {root}",
            hint="gogen reads a Go module: run it at the module root, or `go mod init example.com/name` first",
        )
    replaces = _local_replacements(root, members, workspace, warnings)
    go_version, evidence = builder_go_version(members + replaces, workspace)
    vendor, vendor_packages = _vendor(root, members, workspace, warnings)
    facts = tuple(_module_fact(root, module, members, workspace, warnings) for module in members)
    workspace_fact = (
        Workspace(
            "go.work",
            "go.work.sum" if (root / "go.work.sum").is_file() else None,
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
        rel_dir = _norm_dir(base, replace.new_path)
        if rel_dir.startswith("..") or posixpath.isabs(rel_dir):
            warnings.append(
                Warning(
                    "replace-outside-repo",
                    f"{replace.old_path} is replaced by {replace.new_path}, outside the repository: "
                    f"a build context rooted here cannot include it",
                    file,
                    replace.lineno,
                )
            )
            continue
        if rel_dir in member_dirs or rel_dir in found:
            continue
        if not (root / rel_dir / "go.mod").is_file():
            warnings.append(
                Warning(
                    "replace-target-missing",
                    f"replacement directory {replace.new_path} has no go.mod; the go command will fail",
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
    go_sum: str | None = sum_rel if (root / sum_rel).is_file() else None
    external = [r for r in gomod.requires if not _is_locally_replaced(r.path, members, workspace)]
    if go_sum is not None:
        parsed = parse_go_sum(_read_text(root, sum_rel))
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
        inside = not (rel_dir.startswith("..") or posixpath.isabs(rel_dir))
        go_mod = f"{rel_dir}/go.mod" if inside and (root / rel_dir / "go.mod").is_file() else None
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
    gomod = members[0].gomod
    modules_txt = root / "vendor" / "modules.txt"
    if not modules_txt.is_file():
        warnings.append(
            Warning(
                "vendor-incomplete",
                "vendor/ has no modules.txt: the go command will reject it; run `go mod vendor` or delete vendor/",
                "vendor",
                0,
            )
        )
        return False, {}
    vendored = parse_modules_txt(_read_text(root, "vendor/modules.txt"))
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
    packages = {pkg: f"vendor/{pkg}" for v in vendored for pkg in v.packages if os.path.isdir(root / "vendor" / pkg)}
    return True, packages
