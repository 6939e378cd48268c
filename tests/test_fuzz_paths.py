"""Fuzzing of path handling: whatever relative path a repository spells, gogen reads a file
only when it is a regular file inside the repository, never blocks on a FIFO, never raises."""

from __future__ import annotations

import functools
import os
import stat
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gogen import safefs

COMPONENTS = ["a", "b", "..", ".", "", "f", "fifo", "out", "in", "loop", "dangling", "a/f"]


@functools.cache
def _tree() -> Path:
    """A repository with every kind of entry a hostile one can hold, and a secret beside it."""
    base = Path(tempfile.mkdtemp(prefix="gogen-fuzz-paths-"))
    root = base / "repo"
    (base / "secret").write_text("outside\n")
    (root / "a" / "b").mkdir(parents=True)
    (root / "f").write_text("inside\n")
    (root / "a" / "f").write_text("inside a\n")
    os.mkfifo(root / "fifo")
    (root / "out").symlink_to(base / "secret")
    (root / "a" / "out").symlink_to(base, target_is_directory=True)
    (root / "in").symlink_to(root / "f")
    (root / "loop").symlink_to(root / "loop")
    (root / "dangling").symlink_to(root / "nowhere")
    return root


def _expected(root: Path, rel: str) -> bytes | None:
    """What read_inside must return, decided independently with realpath and lstat."""
    try:
        info = os.stat(root / rel)  # the kernel's answer: `f/..` is not a directory
    except OSError:
        return None
    real = os.path.realpath(root / rel)
    root_real = os.path.realpath(root)
    if not (real == root_real or real.startswith(root_real + os.sep)) or not stat.S_ISREG(info.st_mode):
        return None
    return Path(real).read_bytes()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=6))
def test_read_inside_reads_exactly_the_regular_files_inside(parts: list[str]) -> None:
    root = _tree()
    rel = "/".join(parts)
    result = safefs.read_inside(root, rel)
    expected = _expected(root, rel)
    if expected is None:
        assert isinstance(result, safefs.Refused), rel
        assert "outside" not in str(result.detail)
    else:
        assert result == expected, rel
        assert b"outside" not in result


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_read_inside_never_raises_on_any_name(name: str) -> None:
    root = _tree()
    result = safefs.read_inside(root, name)
    assert isinstance(result, (bytes, safefs.Refused))
    if isinstance(result, bytes):
        assert result != b"outside\n"
