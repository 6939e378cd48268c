"""Build scripts: Makefiles, justfiles, Taskfiles, magefiles and shell scripts.

They are line-scanned, never run: each (continuation-joined) line's `go build`/`go install`
commands become BuildTargets. Packages are relative to the repository root, where these files
sit and where `make`, `just`, `task` and `mage` run.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from gogen.model import BuildSource, BuildTarget
from gogen.scan.hints.common import Report, Resolver, command_targets, evidence, go_commands, logical_lines
from gogen.scan.reading import dir_inside

# In the order their targets are reported: a name ending in `/*.ext` is every such file of a folder.
SCRIPTS: tuple[tuple[str, BuildSource], ...] = (
    ("Makefile", "makefile"),
    ("makefile", "makefile"),
    ("GNUmakefile", "makefile"),
    ("justfile", "justfile"),
    ("Justfile", "justfile"),
    ("Taskfile.yml", "taskfile"),
    ("Taskfile.yaml", "taskfile"),
    ("magefile.go", "magefile"),
    ("magefiles/*.go", "magefile"),
    ("build.sh", "script"),
    ("scripts/*.sh", "script"),
    ("hack/*.sh", "script"),
)
MAX_FOLDER_FILES = 64  # scripts read per folder, in name order
_GO_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|`([^`]*)`')
_GO_CMD_CALL = re.compile(r"\bmg\.GoCmd\(\)")
# `cd ./server` (alone, or before `&&`/`;`): the folder later `go build .` lines run in,
# until the subshell or function closes (a line starting with `)` or `}`).
_CD = re.compile(r"^[(\s]*cd\s+([A-Za-z0-9._/-]+)\s*(?:&&|;|$)")


def script_files(root: Path) -> list[tuple[str, BuildSource]]:
    """The build scripts gogen reads, in the order their targets are reported."""
    files: list[tuple[str, BuildSource]] = []
    for pattern, source in SCRIPTS:
        folder, star, suffix = pattern.partition("/*")
        if not star:
            files.append((pattern, source))
        elif (root / folder).is_dir() and dir_inside(root, folder):
            files.extend((f"{folder}/{name}", source) for name in _folder_files(root / folder, suffix))
    return files


def _folder_files(folder: Path, suffix: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.name.endswith(suffix) and not e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    return sorted(names)[:MAX_FOLDER_FILES]


def read_scripts(root: Path, resolver: Resolver, report: Report) -> list[BuildTarget]:
    targets: list[BuildTarget] = []
    for rel, source in script_files(root):
        if _is_directory(root / rel):
            continue
        text = report.read(root, rel)
        if text is not None:
            targets.extend(script_targets(text, rel, source, resolver))
    return targets


def _is_directory(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def script_targets(text: str, file: str, source: BuildSource, resolver: Resolver) -> list[BuildTarget]:
    """The targets of one script's text (a magefile's Go string literals are read as words)."""
    targets: list[BuildTarget] = []
    base: str | None = "."
    for number, line in logical_lines(text):
        if line.startswith(("#", "//")):
            continue
        base = _working_dir(line, base, resolver)
        command_line = _mage_line(line) if source == "magefile" else line
        if base is None or ("build" not in command_line and "install" not in command_line):
            continue
        proof = evidence(file, number, line)
        for command in go_commands(command_line):
            targets.extend(command_targets(command, resolver, base, source, proof))
    return targets


def _working_dir(line: str, base: str | None, resolver: Resolver) -> str | None:
    """The folder a script's commands run in after `line` (shell scripts only change it with cd);
    None after a `cd` out of the repository: what runs there builds nothing of it."""
    if line.startswith((")", "}")):
        return "."
    match = _CD.match(line)
    if match is None:
        return base
    return resolver.relative(base or ".", match.group(1))


def _mage_line(line: str) -> str:
    """`sh.Run(mg.GoCmd(), "build", "-o", "bin/x", "./cmd/x")` as the words `go build -o bin/x ./cmd/x`."""
    line = _GO_CMD_CALL.sub('"go"', line)
    words = [match.group(1) if match.group(1) is not None else match.group(2) for match in _GO_STRING.finditer(line)]
    return " ".join(word for word in words if word and " " not in word)
