"""The scanner's reads of an untrusted repository, through `gogen.safefs`.

A file the scanner reads for facts must be a regular file inside the repository. A refused
file that is optional (.gitignore, a hint file, go.sum, a Go file) becomes a warning that names
the file and why it was not read, never its content; a refused file the scan cannot do without
(go.mod, go.work) is a `RepositoryError` that says the same.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from gogen.errors import RepositoryError
from gogen.model import Warning
from gogen.safefs import DEFAULT_LIMIT, Refusal, Refused, is_inside, read_inside

WARNING_CODES: dict[Refusal, str] = {
    "missing": "file-missing",
    "outside": "symlink-outside",
    "not-regular": "not-regular-file",
    "unreadable": "unreadable-file",
    "too-large": "file-too-large",
}

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


def refusal_warning(refused: Refused, what: str = "ignored") -> Warning:
    """A warning naming the refused file and the reason (`what` says what gogen does instead)."""
    return Warning(WARNING_CODES[refused.kind], f"{refused.rel} {refused.reason}; {what}", refused.rel, 0)


def read_optional(
    root: Path, rel: str, warnings: list[Warning], limit: int = DEFAULT_LIMIT, what: str = "ignored"
) -> bytes | None:
    """The bytes of an optional file; None when it is absent (silently) or refused (with a warning)."""
    data = read_inside(root, rel, limit)
    if isinstance(data, Refused):
        if data.kind != "missing":
            warnings.append(refusal_warning(data, what))
        return None
    return data


def read_required(root: Path, rel: str, limit: int = DEFAULT_LIMIT, hint: str | None = None) -> bytes:
    """The bytes of a file the scan cannot do without; a RepositoryError naming it and the reason."""
    data = read_inside(root, rel, limit)
    if isinstance(data, Refused):
        raise RepositoryError(f"{rel} {data.reason}", file=rel, hint=hint)
    return data


def is_absolute_anywhere(path: str) -> bool:
    """A path that is absolute on some system: `/x`, `\\x`, `\\\\server\\share`, `C:\\x`, `C:x`.

    go.mod files travel between systems, so the go command (modfile.IsDirectoryPath) reads
    both Unix and Windows syntaxes; none of these is a folder inside the repository.
    """
    return path.startswith(("/", "\\")) or bool(_WINDOWS_DRIVE.match(path))


def local_dir(base: str, target: str) -> str | None:
    """`target` (a directory relative to `base`, itself relative to the root), from the root.

    None when `target` is absolute on any system or climbs above the root: then it is not a
    folder of the repository whatever the links say.
    """
    if is_absolute_anywhere(target):
        return None
    joined = posixpath.normpath(posixpath.join(base, target.replace("\\", "/")))
    if joined == ".." or joined.startswith("../") or posixpath.isabs(joined):
        return None
    return joined


def dir_inside(root: Path, rel_dir: str) -> bool:
    """`root/rel_dir`, with every symbolic link resolved, is inside the repository."""
    return is_inside(os.path.join(root, rel_dir), root)


def clean_rel(path: str) -> bool:
    """A plain relative slash path: no empty, `.` or `..` element, not absolute, no backslash."""
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


# Folders a search for the project's own files (Dockerfiles, a module below) does not enter: what
# the go command skips, plus other tools' trees.
SKIPPED_FOLDERS = frozenset({"vendor", "testdata", "node_modules"})


def walkable_folder(name: str) -> bool:
    return name not in SKIPPED_FOLDERS and not name.startswith((".", "_"))
