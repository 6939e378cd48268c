"""Compare generated text with a golden file, or rewrite it when --update-golden is given."""

from __future__ import annotations

import difflib
from pathlib import Path


def check_golden(path: Path, actual: str, update: bool) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.is_file(), f"{path} is missing: run pytest --update-golden and review the new file"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), str(path), "actual"))
        raise AssertionError(f"{path} differs from the output (pytest --update-golden rewrites it):\n{diff}")
