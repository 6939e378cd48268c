"""Compare rendered files with what is on disk, then write them atomically.

Statuses follow copier's: created, unchanged, updated; a file gogen did not write, or one
edited since, is refused unless forced, and a forced overwrite keeps a backup.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gogen import managed
from gogen.errors import GogenError

Status = Literal["created", "unchanged", "updated", "refused", "forced"]


@dataclass(frozen=True)
class FileChange:
    path: str
    status: Status
    old: str | None
    new: str
    reason: str

    @property
    def writes(self) -> bool:
        return self.status in ("created", "updated", "forced")

    def diff(self) -> str:
        old_lines = (self.old or "").splitlines(keepends=True)
        new_lines = self.new.splitlines(keepends=True)
        origin = f"a/{self.path}" if self.old is not None else "/dev/null"
        return "".join(difflib.unified_diff(old_lines, new_lines, origin, f"b/{self.path}"))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise GogenError(f"cannot read {path.name}: {exc}", file=str(path)) from exc


def compare(
    root: Path, files: dict[str, str], force: bool, user_owned: frozenset[str] = frozenset()
) -> list[FileChange]:
    """What writing `files` under `root` would do. Nothing is written."""
    changes = []
    for rel, new in files.items():
        old = _read(root / rel)
        changes.append(_change(rel, old, new, force, rel in user_owned))
    return changes


def _change(rel: str, old: str | None, new: str, force: bool, user_owned: bool) -> FileChange:
    if old is None:
        return FileChange(rel, "created", old, new, "new file")
    if old == new:
        return FileChange(rel, "unchanged", old, new, "already up to date")
    if user_owned:
        return FileChange(rel, "updated", old, new, "settings updated, comments kept")
    state = managed.state(old)
    if state == "pristine":
        return FileChange(rel, "updated", old, new, "unchanged since gogen wrote it")
    why = "gogen did not write it" if state == "unmanaged" else "edited since gogen wrote it"
    if force:
        return FileChange(rel, "forced", old, new, f"{why}; backup in {rel}.bak")
    return FileChange(rel, "refused", old, new, f"{why}; rerun with --force to replace it (a backup is kept)")


def _write_temporary(path: Path, text: str) -> Path:
    """Write `text` to a new temporary file beside `path` (same mode), flushed to disk."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gogen-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory and rename it over `path`.

    An interruption leaves either the old file or the new one, never half of either.
    """
    tmp = _write_temporary(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def apply(root: Path, changes: list[FileChange]) -> None:
    """Write every change that writes; forced overwrites keep `<file>.bak` first.

    Every new content is written to a temporary file before any file is replaced, so a
    failure while writing (a full disk, an interrupt) leaves every existing file as it was.
    """
    pending: list[tuple[Path, Path]] = []
    try:
        for change in changes:
            if not change.writes:
                continue
            target = root / change.path
            target.parent.mkdir(parents=True, exist_ok=True)  # .github/workflows/ in a new repository
            if change.status == "forced" and change.old is not None:
                pending.append(
                    (
                        _write_temporary(target.with_name(target.name + ".bak"), change.old),
                        target.with_name(target.name + ".bak"),
                    )
                )
            pending.append((_write_temporary(target, change.new), target))
        for tmp, target in pending:
            os.replace(tmp, target)
    except OSError as exc:
        raise GogenError(
            f"cannot write {exc.filename or root}: {exc.strerror}", hint="check the directory is writable"
        ) from exc
    finally:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
