"""`go install <import path>@<version>` in the README: the commands the project tells users to run."""

from __future__ import annotations

import os
from pathlib import Path

from gogen.model import BuildTarget
from gogen.scan.hints.common import Report, Resolver, command_targets, evidence, go_commands, unique_targets

EXTRA_FILES = ("docs/install.md",)
MAX_READMES = 16


def readme_files(root: Path) -> list[str]:
    """The root's README* files (any case), then docs/install.md."""
    try:
        with os.scandir(root) as entries:
            names = sorted(
                entry.name
                for entry in entries
                if entry.name.lower().startswith("readme") and not entry.is_dir(follow_symlinks=False)
            )
    except OSError:
        names = []
    return names[:MAX_READMES] + list(EXTRA_FILES)


def read_readmes(root: Path, resolver: Resolver, report: Report) -> list[BuildTarget]:
    targets: list[BuildTarget] = []
    for rel in readme_files(root):
        text = report.read(root, rel)
        if text is None:
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            if "go install" not in line:
                continue
            for command in go_commands(line):
                if command.verb == "install":
                    proof = evidence(rel, number, line)
                    targets.extend(command_targets(command, resolver, ".", "readme", proof, require_version=True))
    return unique_targets(targets)
