"""Where the Go module is, from the folder gogen was pointed at.

As the go command does, a folder inside a module belongs to the nearest go.work or go.mod
above it (gogen stops at the repository's top, the folder holding `.git`). A repository whose
only module sits in a subfolder (`backend/go.mod`) is found by a short walk down. Either way
gogen says where it went: the generated files are written at that module's root.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from gogen.errors import RepositoryError
from gogen.model import Warning
from gogen.scan.reading import walkable_folder
from gogen.scan.roles import EXAMPLE_DIRS, TEST_DIRS, TOOL_DIRS

MODULE_FILES = ("go.work", "go.mod")
MAX_DEPTH = 3  # a module root deeper than services/api/backend is not guessed
MAX_DIRS = 5_000  # folders looked at on the way down


@dataclass(frozen=True)
class Location:
    root: Path
    warning: Warning | None = None


def _has_module_file(folder: Path) -> str | None:
    for name in MODULE_FILES:
        try:
            mode = os.lstat(folder / name).st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISFIFO(mode):
            return name  # the scanner refuses a link or FIFO with a clear error of its own
    return None


def locate_module(path: Path) -> Location:
    """The module root for `path`: itself, a parent (up to the repository's top), or its one
    module in a subfolder. Several modules below and none here or above is an error naming them."""
    if not path.is_dir() or _has_module_file(path):
        return Location(path)
    parent = _module_above(path)
    if parent is not None:
        root, name = parent
        relative = path.resolve().relative_to(root.resolve())
        return Location(
            root,
            Warning(
                "module-root",
                f"{path} is inside the module at {root} ({name}): scanning it and writing the files there, "
                f"as the go command would (this folder is {relative}/ in it)",
                name,
                0,
            ),
        )
    found = _modules_below(path)
    applications = [(rel, name) for rel, name in found if not _non_application(rel)]
    if len(found) > 1 and len(applications) == 1:
        found = applications  # `backend/` beside `e2e/` or `examples/`: the other modules are not the product
    if len(found) == 1:
        rel, name = found[0]
        return Location(
            path / rel,
            Warning(
                "module-root",
                f"no go.mod in {path}: using the module in {rel}/ ({rel}/{name}); the files are written there",
                f"{rel}/{name}",
                0,
            ),
        )
    if found:
        listed = ", ".join(f"{rel}/" for rel, _ in found)
        raise RepositoryError(
            f"no go.mod or go.work in {path}, and several modules below it: {listed}",
            hint=f"run gogen on one of them, e.g. gogen init {path / found[0][0]}",
        )
    return Location(path)


def _non_application(rel: str) -> bool:
    """A module in a folder where projects keep tests, examples or tools (`e2e/`, `examples/`)."""
    return any(part in TEST_DIRS or part in EXAMPLE_DIRS or part in TOOL_DIRS for part in rel.split("/"))


def _module_above(path: Path) -> tuple[Path, str] | None:
    folder = path.resolve()
    while not (folder / ".git").exists() and folder.parent != folder:
        folder = folder.parent
        name = _has_module_file(folder)
        if name is not None:
            return folder, name
    return None


def _modules_below(path: Path) -> list[tuple[str, str]]:
    """The topmost folders below `path` holding a go.mod or go.work (not following links)."""
    found: list[tuple[str, str]] = []
    level = [""]
    seen = 0
    for _ in range(MAX_DEPTH):
        next_level: list[str] = []
        for rel in level:
            for child in _subfolders(path / rel if rel else path):
                seen += 1
                if seen > MAX_DIRS:
                    return found
                child_rel = f"{rel}/{child}" if rel else child
                name = _has_module_file(path / child_rel)
                if name is not None:
                    found.append((child_rel, name))
                else:
                    next_level.append(child_rel)
        level = next_level
    return sorted(found)


def _subfolders(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.is_dir(follow_symlinks=False) and walkable_folder(e.name)]
    except OSError:
        return []
    return sorted(names)
