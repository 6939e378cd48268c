"""Write small repositories into a temporary directory for tests."""

from __future__ import annotations

from pathlib import Path


def write_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


MAIN = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n'
