"""Compare rendered files with what is on disk, then write them all or none.

Statuses follow copier's: created, unchanged, updated; a file gogen did not write, or one
edited since, is refused unless forced, and a forced overwrite keeps a backup.

The repository is untrusted input: any directory on the way to an output may be a symbolic
link planted to make gogen write somewhere else (`.github -> /etc`). So every path is walked
from the repository root one component at a time on directory descriptors, opened with
O_NOFOLLOW: a parent that is a link (even one pointing inside) or not a directory is refused,
a missing one is created in place and checked again. The last component is never opened for
writing: new content goes to a temporary file created with O_EXCL|O_NOFOLLOW beside it and
is renamed over it, so an output that is a link has the link replaced, not written through.

Writing is a transaction over the whole file set: every temporary (new content, and a copy of
each file about to be replaced) is written and fsynced first, then the renames are committed;
a failing rename rolls back the ones already done, so the old set stays intact.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Literal

from gogen import managed, safefs
from gogen.errors import GogenError

Status = Literal["created", "unchanged", "updated", "refused", "forced"]

TEMPORARY_SUFFIX = ".gogen-tmp"
# `.<name>.<random>.gogen-tmp`: the shape of gogen's temporaries (and of mkstemp's, which older
# versions used), and of nothing a person would name a file.
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8,}" + re.escape(TEMPORARY_SUFFIX))
_MAX_BACKUPS = 1000
_NEW_FILE_MODE = 0o644
_OPEN_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_OPEN_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_OPEN_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class FileChange:
    path: str
    status: Status
    old: str | None
    new: str
    reason: str
    link: str | None = None
    """The output is a symbolic link to this target (as written in the link)."""
    backup: str | None = None
    """Where a forced overwrite keeps the old file (a free name: `<file>.bak`, `<file>.bak.1`, ...);
    for a refused file, where `--force` would keep it."""

    @property
    def writes(self) -> bool:
        return self.status in ("created", "updated", "forced")

    def diff(self) -> str:
        old_lines = (self.old or "").splitlines(keepends=True)
        new_lines = self.new.splitlines(keepends=True)
        origin = f"a/{self.path}" if self.old is not None else "/dev/null"
        return "".join(difflib.unified_diff(old_lines, new_lines, origin, f"b/{self.path}"))


# ---------------------------------------------------------------------------------------------
# Walking the repository without following links


def _components(rel: str) -> tuple[tuple[str, ...], str]:
    """The parent directories and the name of an output path, which must be plainly relative."""
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise GogenError(f"refusing to write {rel!r}: not a plain relative path inside the repository")
    return parts[:-1], parts[-1]


def _name(rel: str) -> str:
    return _components(rel)[1]


def _sibling(rel: str, name: str) -> str:
    """`name` in the directory of `rel`, as a repository-relative path."""
    parents, _ = _components(rel)
    return "/".join((*parents, name))


def _lstat(dir_fd: int, name: str) -> os.stat_result | None:
    """The entry `name` itself (a link is not followed), None when there is none."""
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


class _Tree:
    """The directories of a repository, opened one component at a time from its root.

    A component is opened with O_NOFOLLOW|O_DIRECTORY on the descriptor of its parent, so a
    link or a file swapped in between the check and the open is refused by the kernel too.
    Directories this tree creates are remembered so a failed write can remove them again.
    """

    def __init__(self, root: Path) -> None:
        try:
            self._fds = {"": os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))}
        except OSError as exc:
            raise GogenError(f"cannot open the repository {root}: {exc.strerror}") from exc
        self.created: list[str] = []

    def __enter__(self) -> _Tree:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def directories(self) -> dict[str, int]:
        """The directories opened so far, by repository-relative path ("" is the root)."""
        return dict(self._fds)

    def parent(self, rel: str, *, create: bool) -> int | None:
        """The descriptor of the directory holding output `rel`; None when it does not exist and
        `create` is false. A parent that is a link or not a directory is refused, naming it."""
        parents, _ = _components(rel)
        fd = self._fds[""]
        for depth, name in enumerate(parents, start=1):
            prefix = "/".join(parents[:depth])
            if prefix not in self._fds:
                opened = self._open(fd, name, rel, prefix, create)
                if opened is None:
                    return None
                self._fds[prefix] = opened
            fd = self._fds[prefix]
        return fd

    def _open(self, parent: int, name: str, rel: str, prefix: str, create: bool) -> int | None:
        info = _lstat(parent, name)
        if info is None:
            if not create:
                return None
            try:
                os.mkdir(name, 0o777, dir_fd=parent)
                self.created.append(prefix)
            except FileExistsError:
                pass  # made meanwhile: checked below like any other
            except OSError as exc:
                raise GogenError(f"cannot create {prefix} for {rel}: {exc.strerror}") from exc
            info = _lstat(parent, name)
        _refuse_unless_directory(rel, prefix, info)
        try:
            return os.open(name, _OPEN_DIRECTORY, dir_fd=parent)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise _refusal(rel, prefix, "is a symbolic link or not a directory") from exc
            raise GogenError(f"cannot open {prefix} for {rel}: {exc.strerror}") from exc

    def remove_created(self) -> None:
        """Remove the directories this tree created (deepest first), where they are still empty."""
        for prefix in reversed(self.created):
            parent, _, name = prefix.rpartition("/")
            fd = self._fds.pop(prefix, None)
            if fd is not None:
                os.close(fd)
            with contextlib.suppress(OSError, KeyError):
                os.rmdir(name, dir_fd=self._fds[parent])
        self.created.clear()


def _refusal(rel: str, prefix: str, what: str) -> GogenError:
    return GogenError(
        f"refusing to write {rel}: {prefix} {what}",
        hint="gogen writes only inside the repository: make it a real directory there",
    )


def _refuse_unless_directory(rel: str, prefix: str, info: os.stat_result | None) -> None:
    if info is None:
        raise _refusal(rel, prefix, "disappeared while gogen was writing")
    if stat.S_ISLNK(info.st_mode):
        raise _refusal(rel, prefix, "is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        raise _refusal(rel, prefix, "is not a directory")


def _read_bytes(dir_fd: int, name: str, rel: str) -> bytes:
    """The bytes of the regular file `name`, opened without following a link or blocking on a FIFO."""
    try:
        fd = os.open(name, _OPEN_READ, dir_fd=dir_fd)
    except OSError as exc:
        raise GogenError(f"cannot read {rel}: {exc.strerror}", file=rel) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise GogenError(f"cannot read {rel}: not a regular file", file=rel)
        if info.st_size > safefs.DEFAULT_LIMIT:
            raise GogenError(f"cannot read {rel}: {info.st_size} bytes is too large", file=rel)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise GogenError(f"cannot read {rel}: {exc.strerror}", file=rel) from exc
    finally:
        os.close(fd)


def _decode(data: bytes, rel: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GogenError(f"cannot read {rel}: not UTF-8 text", file=rel) from exc


def _free_backup(dir_fd: int | None, rel: str) -> str:
    """The first of `<file>.bak`, `<file>.bak.1`, `<file>.bak.2`, ... that nothing occupies
    (a dangling link counts as occupied): a backup never overwrites another. The names stay
    under the `*.bak` and `*.bak.*` patterns every generated .dockerignore excludes."""
    name = _name(rel)
    for number in range(_MAX_BACKUPS):
        candidate = f"{name}.bak" + (f".{number}" if number else "")
        if dir_fd is None or _lstat(dir_fd, candidate) is None:
            return _sibling(rel, candidate)
    raise GogenError(f"no free backup name for {rel}: {name}.bak.1 to .{_MAX_BACKUPS - 1} all exist", file=rel)


# ---------------------------------------------------------------------------------------------
# Comparing


def compare(
    root: Path, files: dict[str, str], force: bool, user_owned: frozenset[str] = frozenset()
) -> list[FileChange]:
    """What writing `files` under `root` would do. Nothing is written."""
    with _Tree(root) as tree:
        return [_compare_one(root, tree, rel, new, force, rel in user_owned) for rel, new in files.items()]


def _compare_one(root: Path, tree: _Tree, rel: str, new: str, force: bool, user_owned: bool) -> FileChange:
    directory = tree.parent(rel, create=False)
    name = _name(rel)
    info = None if directory is None else _lstat(directory, name)
    if directory is None or info is None:
        return FileChange(rel, "created", None, new, "new file")
    if stat.S_ISLNK(info.st_mode):
        return _linked(root, rel, new, force, os.readlink(name, dir_fd=directory), _free_backup(directory, rel))
    if not stat.S_ISREG(info.st_mode):
        raise GogenError(
            f"refusing to write {rel}: it is not a regular file (a directory, FIFO, socket or device)",
            hint="move it out of the way",
        )
    old = _decode(_read_bytes(directory, name, rel), rel)
    return _change(rel, old, new, force, user_owned, _free_backup(directory, rel))


def _change(rel: str, old: str, new: str, force: bool, user_owned: bool, backup: str) -> FileChange:
    if old == new:
        return FileChange(rel, "unchanged", old, new, "already up to date")
    if user_owned:
        return FileChange(rel, "updated", old, new, "settings updated, comments kept")
    state = managed.state(old)
    if state == "pristine":
        return FileChange(rel, "updated", old, new, "unchanged since gogen wrote it")
    why = "gogen did not write it" if state == "unmanaged" else "edited since gogen wrote it"
    if force:
        return FileChange(rel, "forced", old, new, f"{why}; backup in {backup}", backup=backup)
    reason = f"{why}; rerun with --force to replace it (a backup is kept)"
    return FileChange(rel, "refused", old, new, reason, backup=backup)


_LINK_WHERE: dict[safefs.Refusal, str] = {
    "outside": "that leads out of the repository (not read)",
    "missing": "to a missing file",
    "not-regular": "to something that is not a regular file (not read)",
    "unreadable": "to a file that cannot be read",
    "too-large": "to a file too large to read",
}


def _linked(root: Path, rel: str, new: str, force: bool, target: str, backup: str) -> FileChange:
    """An output that is a symbolic link is not gogen's file: refused unless forced, and then
    the link itself is replaced by a file and kept as the backup. What it points at is read
    for the diff only when it is a regular file inside the repository."""
    data = safefs.read_inside(root, rel)
    old = None
    if isinstance(data, safefs.Refused):
        why = f"a symbolic link {_LINK_WHERE[data.kind]}"
    else:
        old = data.decode("utf-8", errors="replace")
        why = "a symbolic link"
    if old == new:
        return FileChange(rel, "unchanged", old, new, "already up to date (through a symbolic link)", link=target)
    if force:
        reason = f"{why}; the link is replaced by a file and kept in {backup}"
        return FileChange(rel, "forced", old, new, reason, link=target, backup=backup)
    reason = f"{why}; rerun with --force to replace the link with a file (the link is kept as a backup)"
    return FileChange(rel, "refused", old, new, reason, link=target, backup=backup)


# ---------------------------------------------------------------------------------------------
# Writing


def _temporary_names(name: str) -> Iterator[str]:
    """Candidate names `.<name>.<random>.gogen-tmp` beside `name`, the shape clean_leftovers knows."""
    for _ in range(100):
        yield f".{name}.{secrets.token_hex(6)}{TEMPORARY_SUFFIX}"


def _write_temporary(dir_fd: int, name: str, data: bytes, mode: int) -> str:
    """A new temporary `.<name>.<random>.gogen-tmp` beside `name` holding `data`, on disk.

    O_EXCL|O_NOFOLLOW: a name that exists (a planted link included) is never opened; another
    random name is tried instead.
    """
    for temporary in _temporary_names(name):
        try:
            fd = os.open(temporary, _OPEN_NEW, 0o600, dir_fd=dir_fd)
        except FileExistsError:
            continue
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            _unlink_quietly(dir_fd, temporary)
            raise
        os.close(fd)
        return temporary
    raise FileExistsError(errno.EEXIST, "no free temporary name")


def _link_temporary(dir_fd: int, name: str, target: str) -> str:
    """A new temporary beside `name` that is a symbolic link to `target` (a copy of the link)."""
    for temporary in _temporary_names(name):
        try:
            os.symlink(target, temporary, dir_fd=dir_fd)
        except FileExistsError:
            continue
        return temporary
    raise FileExistsError(errno.EEXIST, "no free temporary name")


def _unlink_quietly(dir_fd: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=dir_fd)


@dataclass
class _Step:
    """One output in a transaction: its prepared temporaries and how far the commit got."""

    change: FileChange
    directory: int
    new: str
    """Temporary with the new content."""
    keep: str | None = None
    """Temporary copy of the file (or link) being replaced: the backup when forced, else kept
    only to roll back."""
    backed_up: bool = False
    replaced: bool = False

    @property
    def name(self) -> str:
        return _name(self.change.path)

    @property
    def backup(self) -> str | None:
        return _name(self.change.backup) if self.change.backup and self.change.status == "forced" else None


@dataclass
class _Transaction:
    """Prepare every output, then commit the renames; on failure undo what was done."""

    tree: _Tree
    steps: list[_Step] = field(default_factory=list)

    def prepare(self, change: FileChange) -> None:
        directory = self.tree.parent(change.path, create=True)
        assert directory is not None
        name = _name(change.path)
        info = _lstat(directory, name)
        _check_unchanged_since_compare(change, directory, info)
        mode = stat.S_IMODE(info.st_mode) if info is not None and stat.S_ISREG(info.st_mode) else _NEW_FILE_MODE
        step = _Step(change, directory, "")
        self.steps.append(step)
        try:
            step.new = _write_temporary(directory, name, change.new.encode("utf-8"), mode)
        except OSError as exc:
            raise GogenError(f"cannot write {change.path}: {exc.strerror}", hint=_HINT) from exc
        if info is None:
            return
        try:
            if change.link is not None:
                step.keep = _link_temporary(directory, name, change.link)
            else:
                step.keep = _write_temporary(directory, name, (change.old or "").encode("utf-8"), mode)
        except OSError as exc:
            raise GogenError(f"cannot keep a copy of {change.path}: {exc.strerror}", hint=_HINT) from exc
        if step.backup is not None and _lstat(directory, step.backup) is not None:
            raise GogenError(f"refusing to overwrite {change.backup}: it appeared while gogen was running")

    def commit(self) -> None:
        for step in self.steps:
            if step.backup is not None and step.keep is not None:
                self._rename(step, step.keep, step.backup, f"cannot back up {step.change.path} to {step.change.backup}")
                step.backed_up = True
            self._rename(step, step.new, step.name, f"cannot write {step.change.path}")
            step.replaced = True
        for directory in {step.directory for step in self.steps}:
            with contextlib.suppress(OSError):  # the renames on disk: best effort, not every fs allows it
                os.fsync(directory)

    @staticmethod
    def _rename(step: _Step, source: str, target: str, failure: str) -> None:
        try:
            os.replace(source, target, src_dir_fd=step.directory, dst_dir_fd=step.directory)
        except OSError as exc:
            raise GogenError(f"{failure}: {exc.strerror}", hint=_HINT) from exc

    def roll_back(self) -> list[str]:
        """Undo the committed renames, newest first; what could not be undone, in words."""
        problems = []
        for step in reversed(self.steps):
            try:
                _undo(step)
            except OSError as exc:
                problems.append(_keep_after_failed_undo(step, exc))
        return problems

    def clean(self) -> None:
        """Remove every temporary still there (a committed one was renamed away)."""
        for step in self.steps:
            for temporary in (step.new, step.keep):
                if temporary:
                    _unlink_quietly(step.directory, temporary)


_HINT = "check the directory is writable and has space; nothing was changed"


def _check_unchanged_since_compare(change: FileChange, directory: int, info: os.stat_result | None) -> None:
    """The file is still what compare saw: nothing there for a new file, the same link, or a
    regular file with the same content. Anything else changed while gogen ran: refuse."""
    if change.status == "created":
        same = info is None
    elif change.link is not None:
        same = info is not None and stat.S_ISLNK(info.st_mode)
        same = same and os.readlink(_name(change.path), dir_fd=directory) == change.link
    else:
        same = info is not None and stat.S_ISREG(info.st_mode)
        same = same and _read_bytes(directory, _name(change.path), change.path) == (change.old or "").encode("utf-8")
    if not same:
        raise GogenError(f"{change.path} changed while gogen was running", hint="run gogen again")


def _undo(step: _Step) -> None:
    """Put one output back as it was before the commit started."""
    directory, name = step.directory, step.name
    if step.replaced and step.backed_up and step.backup is not None:
        os.replace(step.backup, name, src_dir_fd=directory, dst_dir_fd=directory)
    elif step.replaced and step.keep is not None:
        os.replace(step.keep, name, src_dir_fd=directory, dst_dir_fd=directory)
        step.keep = None
    elif step.replaced:
        os.unlink(name, dir_fd=directory)
    elif step.backed_up and step.backup is not None:
        os.unlink(step.backup, dir_fd=directory)
    step.replaced = step.backed_up = False


def _keep_after_failed_undo(step: _Step, exc: OSError) -> str:
    """When the old file cannot be put back, its copy must not be cleaned away with the
    temporaries: it is moved to a free backup name, which the message gives."""
    what = f"could not restore {step.change.path} ({exc.strerror})"
    if step.keep is None or step.backed_up:
        return what + (f"; the old file is in {step.change.backup}" if step.backed_up else "")
    backup = _free_backup(step.directory, step.change.path)
    try:
        os.replace(step.keep, _name(backup), src_dir_fd=step.directory, dst_dir_fd=step.directory)
    except OSError:
        return what
    step.keep = None
    return f"{what}; the old file is in {backup}"


def apply(root: Path, changes: list[FileChange]) -> None:
    """Write every change that writes, all or none; a forced overwrite keeps a backup first.

    Every temporary is written and on disk before any output is replaced, so a full disk or an
    interrupt leaves every existing file as it was; a rename that fails midway is rolled back.
    The error names the output that failed and why, never a temporary's name.
    """
    with _Tree(root) as tree:
        transaction = _Transaction(tree)
        try:
            for change in changes:
                if change.writes:
                    transaction.prepare(change)
            transaction.commit()
        except BaseException as exc:
            problems = transaction.roll_back()
            transaction.clean()
            tree.remove_created()  # last: it closes descriptors the steps still use
            if problems and isinstance(exc, GogenError):
                raise GogenError(f"{exc.message}; {'; '.join(problems)}", hint=exc.hint) from exc
            raise
        transaction.clean()


def atomic_write(path: Path, text: str) -> None:
    """Replace one file with `text` by the same transaction: the old file or the new one,
    never half of either."""
    apply(path.parent, compare(path.parent, {path.name: text}, force=False, user_owned=frozenset({path.name})))


def clean_leftovers(root: Path, outputs: Iterable[str]) -> list[str]:
    """Remove the temporaries an interrupted run (`kill -9` mid-write) left beside the outputs.

    Only entries named like gogen's temporaries (`.<name>.<random>.gogen-tmp`) that are
    regular files or links, only in the directories gogen writes to, reached without following
    links; a link is removed itself, never what it points at. Call it only while holding the
    repository's lock, so a concurrent run's temporaries are not taken for leftovers.
    Returns the removed paths.
    """
    removed = []
    with _Tree(root) as tree:
        for rel in outputs:
            try:
                tree.parent(rel, create=False)
            except GogenError:
                continue  # a refused parent: compare reports it
        for prefix, directory in tree.directories().items():
            for name in os.listdir(directory):
                if not _TEMPORARY.fullmatch(name):
                    continue
                info = _lstat(directory, name)
                if info is not None and (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
                    _unlink_quietly(directory, name)
                    removed.append(f"{prefix}/{name}" if prefix else name)
    return sorted(removed)
