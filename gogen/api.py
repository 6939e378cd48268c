"""The façade: every command of the CLI is one call here. Nothing below imports typer."""

from __future__ import annotations

import json
from pathlib import Path

from gogen.model import Project, to_jsonable
from gogen.scan.project import scan_project


def scan(path: Path) -> Project:
    """Read the Go repository at `path` into facts with evidence."""
    return scan_project(path)


def to_json(value: object) -> str:
    """Deterministic JSON text for any model value (sorted by construction, 2-space indent)."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n"
