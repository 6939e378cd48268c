"""Reading a repository nobody trusts: only regular files, only inside it.

Every file gogen reads for facts (go.mod, go.work, go.sum, .gitignore, .goreleaser.yaml,
build scripts, Go sources, gogen.toml) goes through `read_inside`: a symbolic link that
leaves the repository, a FIFO, a socket, a device or a directory is never opened for its
content. A FIFO is opened non-blocking and checked with fstat before any read, so a `go.mod`
that is a pipe cannot hang a run. Nothing here ever quotes the content of what it refused.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Refusal = Literal["missing", "outside", "not-regular", "unreadable", "too-large"]

_REASONS: dict[Refusal, str] = {
    "missing": "does not exist",
    "outside": "is a symbolic link that leads out of the repository; not read",
    "not-regular": "is not a regular file (a directory, FIFO, socket or device); not read",
    "unreadable": "cannot be read",
    "too-large": "is too large to be a file gogen reads",
}

DEFAULT_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class Refused:
    """Why a file was not read, in words fit for a warning or an error (never its content)."""

    rel: str
    kind: Refusal
    detail: str = ""

    @property
    def reason(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{_REASONS[self.kind]}{extra}"


def is_inside(path: str | Path, root: str | Path) -> bool:
    """Whether `path`, with every symbolic link resolved, is `root` or below it."""
    real = os.path.realpath(path)
    root_real = os.path.realpath(root)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def classify(root: Path, rel: str) -> Refused | None:
    """None when `root/rel` is a regular file inside `root` (links inside are fine)."""
    path = root / rel
    if "\x00" in rel:
        return Refused(rel, "missing", "a NUL byte in the name")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return Refused(rel, "outside" if not is_inside(path, root) else "missing")
        return Refused(rel, "missing")
    except OSError as exc:
        return Refused(rel, "unreadable", exc.strerror or "")
    if not is_inside(path, root):
        return Refused(rel, "outside")
    if not stat.S_ISREG(info.st_mode):
        return Refused(rel, "not-regular")
    return None


def is_regular_inside(root: Path, rel: str) -> bool:
    """`root/rel` exists, is a regular file and stays inside `root`."""
    return classify(root, rel) is None


def read_inside(root: Path, rel: str, limit: int = DEFAULT_LIMIT) -> bytes | Refused:
    """The bytes of `root/rel`, or why they were not read.

    Opened with O_NONBLOCK (a FIFO never blocks the open) and checked again on the open
    descriptor (fstat, and /proc/self/fd's real path), so a file swapped for a pipe or a link
    between the check and the open is still refused.
    """
    refused = classify(root, rel)
    if refused is not None:
        return refused
    return _read_path(root / rel, rel, limit, _FLAGS, root)


def read_entry(path: str | Path, rel: str, limit: int = DEFAULT_LIMIT) -> bytes | Refused:
    """The bytes of a directory entry a walk listed as a regular file, not a link.

    Cheaper than `read_inside` (no path resolution: the walk never left the repository), and
    as safe: O_NOFOLLOW refuses a file swapped for a link since the listing, O_NONBLOCK and
    fstat one swapped for a FIFO or a device.
    """
    return _read_path(path, rel, limit, _FLAGS | os.O_NOFOLLOW, None)


_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


def _read_path(path: str | Path, rel: str, limit: int, flags: int, root: Path | None) -> bytes | Refused:
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return Refused(rel, "missing")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Refused(rel, "not-regular", "a symbolic link")
        return Refused(rel, "unreadable", exc.strerror or "")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Refused(rel, "not-regular")
        if info.st_size > limit:
            return Refused(rel, "too-large", f"{info.st_size} bytes")
        if root is not None and os.path.exists("/proc/self/fd") and not is_inside(f"/proc/self/fd/{fd}", root):
            return Refused(rel, "outside")
        return _read_all(fd, rel, limit)
    except OSError as exc:
        return Refused(rel, "unreadable", exc.strerror or "")
    finally:
        os.close(fd)


def _read_all(fd: int, rel: str, limit: int) -> bytes | Refused:
    """os.read until the end (a short read of a regular file is its end): cheaper than a
    buffered file object for the many small files of a scan."""
    chunks: list[bytes] = []
    total = 0
    size = 65536
    while chunk := os.read(fd, size):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return Refused(rel, "too-large", f"over {limit} bytes")
        if len(chunk) < size:
            break
        size = 1 << 20
    return b"".join(chunks)
