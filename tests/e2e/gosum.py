"""go.sum lines for a module version held as a directory, computed as the go command does
(golang.org/x/mod/sumdb/dirhash Hash1): the SHA-256, in base64, of the sorted list of
`<sha256 hex>  <name>` lines of its files, named `module@version/path` in the zip and
`go.mod` for the go.mod hash."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path


def hash1(files: dict[str, bytes]) -> str:
    summary = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def go_sum_lines(module_dir: Path, module: str, version: str) -> str:
    prefix = f"{module}@{version}/"
    files = {
        prefix + path.relative_to(module_dir).as_posix(): path.read_bytes()
        for path in sorted(module_dir.rglob("*"))
        if path.is_file()
    }
    go_mod = (module_dir / "go.mod").read_bytes()
    return f"{module} {version} {hash1(files)}\n{module} {version}/go.mod {hash1({'go.mod': go_mod})}\n"
