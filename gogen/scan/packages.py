"""Walk a module's directories the way the go command does and read each package's files.

The go command skips `vendor/`, `testdata/` and directories whose names start with `.` or
`_`, and stops at a directory holding its own go.mod (a nested module). gogen walks
`testdata/` and `_examples/` too, marked invisible, so that mains there can be reported with a
role that says why they are not built.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from gogen.errors import ParseError
from gogen.model import Warning
from gogen.safefs import Refused, is_inside, read_entry, read_inside
from gogen.scan.constraints import KNOWN_OS, Target, filename_matches
from gogen.scan.gofile import GoFile, parse_file
from gogen.scan.reading import refusal_warning

EXTRA_SOURCE_SUFFIXES = (
    ".s",
    ".S",
    ".c",
    ".h",
    ".cc",
    ".cpp",
    ".cxx",
    ".hh",
    ".hpp",
    ".hxx",
    ".m",
    ".f",
    ".F",
    ".for",
    ".f90",
    ".syso",
    ".swig",
    ".swigcxx",
)
SKIPPED_DIRS = frozenset({"vendor", "node_modules"})
OTHER_OS = ("windows", "darwin", "freebsd")


@dataclass(eq=False)
class Package:
    """A directory of Go files in a module, with its files split by target."""

    dir: str
    import_path: str
    visible: bool
    dependency: bool
    files: dict[str, GoFile] = field(default_factory=dict)
    extra_sources: list[str] = field(default_factory=list)
    pure: list[GoFile] = field(default_factory=list)
    cgo_only: list[GoFile] = field(default_factory=list)

    @property
    def linux_files(self) -> list[GoFile]:
        """Files in a Linux build: those without cgo, plus those only a cgo build includes."""
        return self.pure + self.cgo_only

    def is_main(self) -> bool:
        files = self.pure or self.cgo_only
        return bool(files) and files[0].package == "main" and any(f.has_func_main for f in self.linux_files)

    def builds_for(self, goos: str) -> bool:
        target = Target(goos, "amd64", cgo=True)
        files = [f for f in self.files.values() if _included(f, target)]
        return bool(files) and all(f.package == "main" for f in files) and any(f.has_func_main for f in files)


def _included(gofile: GoFile, target: Target) -> bool:
    if not filename_matches(gofile.name, target):
        return False
    return gofile.constraint is None or gofile.constraint(target.tags())


def is_generator(gofile: GoFile) -> bool:
    """A `//go:build ignore` program run by `go run file.go` (usually from `go generate`)."""
    words = gofile.constraint_text.replace("(", " ").replace(")", " ").replace("!", " ! ").split()
    return gofile.package == "main" and gofile.has_func_main and "ignore" in words and "!" not in words


@dataclass
class WalkResult:
    packages: list[Package]
    warnings: list[Warning]


@dataclass(frozen=True)
class WalkOptions:
    root: Path
    targets: tuple[Target, ...]


def import_path_for(module_path: str, module_dir: str, package_dir: str) -> str:
    if package_dir == module_dir:
        return module_path
    rel = package_dir if module_dir == "." else package_dir[len(module_dir) + 1 :]
    return f"{module_path}/{rel}"


def rel_join(base: str, name: str) -> str:
    return name if base == "." else f"{base}/{name}"


def walk_module(options: WalkOptions, module_dir: str, module_path: str, dependency: bool) -> WalkResult:
    """Walk one module rooted at `module_dir` (relative to the scan root).

    Iterative, and each directory is reached by the path its entry already holds (no path
    re-parsed from the root per directory): a chain thousands of levels deep is walked in time
    linear in its size, and a level past the system's path limit is an unreadable-dir warning.
    """
    packages: list[Package] = []
    warnings: list[Warning] = []
    root_real = os.path.realpath(options.root)
    stack: list[tuple[str, str, bool]] = [(module_dir, os.path.join(options.root, module_dir), True)]
    while stack:
        rel_dir, abs_dir, visible = stack.pop()
        try:
            entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
        except OSError as exc:
            warnings.append(Warning("unreadable-dir", f"cannot read directory: {exc.strerror}", rel_dir, 0))
            continue
        package = Package(rel_dir, import_path_for(module_path, module_dir, rel_dir), visible, dependency)
        subdirs: list[tuple[str, str, bool]] = []
        for entry in entries:
            name = entry.name
            rel = rel_join(rel_dir, name)
            if entry.is_dir(follow_symlinks=False):
                if name.startswith(".") or name in SKIPPED_DIRS:
                    continue
                if os.path.exists(os.path.join(entry.path, "go.mod")):
                    continue
                child_visible = visible and not name.startswith("_") and name != "testdata"
                subdirs.append((rel, entry.path, child_visible))
                continue
            if name.startswith((".", "_")):
                continue
            if entry.is_symlink() and not is_inside(entry.path, root_real):
                warnings.append(Warning("symlink-outside", "symlink leads out of the repository; not followed", rel, 0))
                continue
            if name.endswith(".go"):
                if name.endswith("_test.go"):
                    continue
                gofile = _read_go_file(options.root, entry, rel, warnings)
                if gofile is not None:
                    package.files[name] = gofile
            elif name.endswith(EXTRA_SOURCE_SUFFIXES):
                package.extra_sources.append(rel)
        if package.files:
            _split_by_target(package, options.targets)
            packages.append(package)
        stack.extend(reversed(subdirs))
    return WalkResult(packages, warnings)


GO_FILE_LIMIT = 256 * 1024 * 1024  # bytes: far above any real source file, generated ones included


def _read_go_file(root: Path, entry: os.DirEntry[str], rel: str, warnings: list[Warning]) -> GoFile | None:
    """Read and parse one .go file: a regular file inside the repository, never anything else.

    A directory entry that is not a link is inside the repository (the walk never follows a
    linked directory): it is opened with O_NOFOLLOW and O_NONBLOCK, so that a FIFO, a device or
    a file swapped for a link never blocks or leads out, and checked with fstat. A link goes
    through safefs, which resolves it and refuses one that leaves the repository.
    """
    if entry.is_symlink():
        data: bytes | Refused = read_inside(root, rel, GO_FILE_LIMIT)
    elif not entry.is_file(follow_symlinks=False):  # a FIFO, socket or device is never opened
        data = Refused(rel, "not-regular")
    else:
        data = read_entry(entry.path, rel, GO_FILE_LIMIT)
    if isinstance(data, Refused):
        if data.kind == "missing":  # a dangling link, or a file removed since the directory was listed
            data = Refused(rel, "unreadable", "it leads to nothing" if entry.is_symlink() else "it vanished")
        warnings.append(refusal_warning(data, "file skipped"))
        return None
    try:
        return parse_file(data, rel)
    except ParseError as exc:
        warnings.append(Warning("unparsable-go-file", f"{exc.message}; file skipped", rel, exc.line or 0))
        return None


def _split_by_target(package: Package, targets: tuple[Target, ...]) -> None:
    for gofile in package.files.values():
        if any(_included(gofile, target) for target in targets):
            package.pure.append(gofile)
        elif any(_included(gofile, dataclasses.replace(t, cgo=True)) for t in targets):
            package.cgo_only.append(gofile)


def other_goos(package: Package) -> tuple[str, ...]:
    """The operating systems, besides Linux, a main package builds for."""
    return tuple(goos for goos in OTHER_OS if goos in KNOWN_OS and package.builds_for(goos))
