"""Small repositories and the gogen command line, for tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES


def write_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def copy_fixture(case: str, tmp_path: Path) -> Path:
    """A copy of fixtures/<case>/repo (symlinks kept as links) in tmp_path/<case>."""
    target = tmp_path / case
    shutil.copytree(FIXTURES / case / "repo", target, symlinks=True)
    return target


def gogen(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    """Run the gogen command line (`python -m gogen`) as a user would, capturing its output."""
    return subprocess.run(
        [python, "-m", "gogen", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


MAIN = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n'
