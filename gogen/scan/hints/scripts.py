"""Build scripts: Makefiles, justfiles, Taskfiles, magefiles and shell scripts.

They are line-scanned, never run: each (continuation-joined) line's `go build`/`go install`
commands become BuildTargets. Packages are relative to the repository root, where these files
sit and where `make`, `just`, `task` and `mage` run. A Makefile's variables are expanded in its
command lines (gogen/scan/hints/makefiles.py); a shell script's `NAME=value` lines are read in
file order and expanded in the lines after them (`${NAME:-default}` too).
"""

from __future__ import annotations

import os
import re
import shlex
import stat
from dataclasses import replace
from pathlib import Path

from gogen.model import BuildSource, BuildTarget
from gogen.scan.hints.common import Report, Resolver, command_targets, evidence, go_commands, logical_lines
from gogen.scan.hints.makefiles import CommandLine, makefile_lines
from gogen.scan.hints.variables import MAX_VALUE, MAX_VARIABLES, Variables
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
_SHELL_ASSIGNMENT = re.compile(r"^(?:(?:export|local|readonly|declare)\s+)?[A-Za-z_][A-Za-z0-9_]*=")
_SHELL_KEYWORDS = frozenset({"export", "local", "readonly", "declare"})


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
            targets.extend(script_targets(text, rel, source, resolver, report))
    return targets


def _is_directory(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def script_targets(
    text: str, file: str, source: BuildSource, resolver: Resolver, report: Report | None = None
) -> list[BuildTarget]:
    """The targets of one script's text (a magefile's Go string literals are read as words)."""
    targets: list[BuildTarget] = []
    base: str | None = "."
    lines, overflow = _command_lines(text, source)
    for line in lines:
        if line.text.startswith(("#", "//")):
            continue
        base = _working_dir(line.text, base, resolver)
        command_line = _mage_line(line.expanded) if source == "magefile" else line.expanded
        if base is None or ("build" not in command_line and "install" not in command_line):
            continue
        proof = evidence(file, line.number, line.text)
        for written in go_commands(command_line):
            unset = written.cgo_enabled is None and line.cgo is not None
            command = replace(written, cgo_enabled=line.cgo) if unset else written
            targets.extend(command_targets(command, resolver, base, source, proof))
    if overflow is not None and report is not None:
        report.problems.append(
            (f"{file}: more than {MAX_VARIABLES} variables; the others are not expanded", file, overflow)
        )
    return targets


def _command_lines(text: str, source: BuildSource) -> tuple[list[CommandLine], int | None]:
    """The lines that may hold go commands, with their variables expanded where gogen reads them."""
    lines = list(logical_lines(text))
    if source == "makefile":
        return makefile_lines(text, lines)
    if source == "script":
        return _shell_lines(lines)
    return [CommandLine(number, line, line, None) for number, line in lines], None


def _shell_lines(lines: list[tuple[int, str]]) -> tuple[list[CommandLine], int | None]:
    """Each line expanded with the assignments before it (`NAME=value` lines are recorded), and
    the line where a variable was first refused (more than MAX_VARIABLES names)."""
    variables = Variables()
    overflow: int | None = None
    result: list[CommandLine] = []
    for number, line in lines:
        if _SHELL_ASSIGNMENT.match(line):
            _shell_assignment(line, variables)
            if variables.overflow and overflow is None:
                overflow = number
        result.append(CommandLine(number, line, variables.expand(line, "shell"), None))
    return result, overflow


def _shell_assignment(line: str, variables: Variables) -> None:
    """`NAME=value`, `export A=1 B="$A"`: each value expanded now, as the shell does. A line with
    a command after its assignments (`CGO_ENABLED=0 go build`) sets them for that command only."""
    if len(line) > 2 * MAX_VALUE:
        return
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return
    if words and words[0] in _SHELL_KEYWORDS:
        words = words[1:]
    pairs = [word.partition("=") for word in words]
    if not all(eq and _SHELL_ASSIGNMENT.match(name + "=") for name, eq, _ in pairs):
        return
    for name, _, value in pairs:
        variables.set(name, variables.expand(value, "shell"))


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
