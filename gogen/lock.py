"""One gogen run at a time per repository: an advisory lock on the repository directory.

Two `gogen init` started together would otherwise both compare against an empty repository,
both report `created`, and the second would silently replace what the first wrote. A run that
writes takes an exclusive lock for its whole compare-and-write; a dry run (`check`,
`--dry-run`) takes a shared one so it never sees half of another run's file set.

The lock is `flock` on a descriptor of the repository directory itself, so nothing is created
in the repository (no lock file to ignore, commit or clean). A file system that cannot lock a
directory (some network mounts) runs unlocked, as gogen did before.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gogen.errors import GogenError

WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.05
_CANNOT_LOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF}


@contextmanager
def held(root: Path, *, exclusive: bool, wait: float | None = None) -> Iterator[None]:
    """Hold the repository's lock for the `with` block, waiting up to `wait` seconds
    (WAIT_SECONDS by default) for another run to finish, then failing clearly."""
    limit = WAIT_SECONDS if wait is None else wait
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        yield  # not a directory to work in: the scan says so in its own words
        return
    try:
        _acquire(fd, root, exclusive, limit)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, root: Path, exclusive: bool, limit: float) -> None:
    operation = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + limit
    while True:
        try:
            fcntl.flock(fd, operation)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise GogenError(
                    f"another gogen run is working in {root}; gave up after waiting {limit:g} s",
                    hint="wait for it to finish and run again (a stuck gogen process holds the lock until it exits)",
                ) from None
            time.sleep(_POLL_SECONDS)
        except OSError as exc:
            if exc.errno in _CANNOT_LOCK:
                return
            raise GogenError(f"cannot lock the repository {root}: {exc.strerror}") from exc
