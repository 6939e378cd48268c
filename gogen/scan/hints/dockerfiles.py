"""The project's own hand-written Dockerfiles: what they build, run and expose.

A small line parser, not BuildKit's: instructions are case-insensitive, `\\` (or the `# escape=`
directive's character) continues a line, comment lines are dropped, heredoc bodies belong to
their RUN. A Dockerfile carrying gogen's marker is gogen's own output, not evidence.

RUN lines are expanded with the stage's variables, following Docker's scoping: a stage sees its
own `ARG NAME=default` and `ENV` values, the ENV of the earlier stage it is built FROM, and a
global ARG (before the first FROM) only where it redeclares it with `ARG NAME`. ENV wins over
an ARG of the same name. Build arguments given on the command line are unknown: defaults count.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from gogen.managed import state
from gogen.model import BuildTarget, DockerfileHint, Evidence, Port
from gogen.scan.hints.common import (
    Report,
    Resolver,
    command_targets,
    evidence,
    go_commands,
    plain_name,
    split_words,
)
from gogen.scan.hints.variables import MAX_FILE_EXPANSION, MAX_VARIABLES, Variables
from gogen.scan.reading import dir_inside, walkable_folder

MAX_DEPTH = 3  # folders below the root: build/, docker/, deploy/, cmd/x/, services/a/docker/
MAX_DOCKERFILES = 64
MAX_FOLDERS = 4096  # folders listed while looking for Dockerfiles
MAX_INSTRUCTIONS = 10_000
ROOT_RELATIVE_FOLDERS = frozenset({"build", "docker", "deploy"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "tini", "tini-static", "dumb-init", "exec", "env"})
_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(?P<char>[\\`])\s*$", re.I)
_INSTRUCTION = re.compile(r"^\s*(?P<keyword>[A-Za-z]+)(?:\s+(?P<args>.*))?$", re.S)
_HEREDOC = re.compile(r"<<-?\s*[\"']?(?P<word>[A-Za-z_][A-Za-z0-9_]*)[\"']?")
_PORT = re.compile(r"^(?P<port>[0-9]{1,5})(?:/(?:tcp|udp|sctp))?$", re.I)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SHELL_OPERATORS = frozenset({";", "&&", "||", "|", "&"})
MAX_USER = 256  # characters of a USER value kept
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_dockerfile_name(name: str) -> bool:
    """`Dockerfile`, `Dockerfile.prod`, `api.Dockerfile` (not BuildKit's `Dockerfile.dockerignore`)."""
    lower = name.lower()
    if lower.endswith(".dockerignore"):
        return False
    return name == "Dockerfile" or name.startswith("Dockerfile.") or lower.endswith(".dockerfile")


def find_dockerfiles(root: Path, report: Report) -> list[str]:
    """Dockerfiles up to MAX_DEPTH folders down, nearest first, skipping what the go command skips."""
    found: list[tuple[int, str]] = []
    queue: list[tuple[str, int]] = [(".", 0)]
    listed = 0
    while queue and listed < MAX_FOLDERS:
        folder, depth = queue.pop(0)
        listed += 1
        try:
            with os.scandir(root / folder) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            rel = entry.name if folder == "." else f"{folder}/{entry.name}"
            is_dir = entry.is_dir(follow_symlinks=False)
            # A real folder (a link is never followed) under a real folder stays inside the
            # repository; the files found are still read through the safe reader.
            if is_dir and depth < MAX_DEPTH and walkable_folder(entry.name):
                queue.append((rel, depth + 1))
            elif not is_dir and is_dockerfile_name(entry.name):
                found.append((depth, rel))
    found.sort()
    if len(found) > MAX_DOCKERFILES:
        first = found[MAX_DOCKERFILES][1]
        report.problems.append(
            (f"more than {MAX_DOCKERFILES} Dockerfiles; only the first {MAX_DOCKERFILES} are read", first, 0)
        )
    return [rel for _, rel in found[:MAX_DOCKERFILES]]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int
    text: str
    body: tuple[tuple[int, str], ...] = ()


def parse_dockerfile(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, each with its first line (never raises)."""
    lines = text.split("\n")
    escape = "\\"
    for line in lines[:8]:
        directive = _DIRECTIVE.match(line.strip())
        if directive:
            escape = directive.group("char")
            break
        if not line.startswith("#"):
            break
    result: list[Instruction] = []
    index = 0
    while index < len(lines) and len(result) < MAX_INSTRUCTIONS:
        start = index
        parts: list[str] = []
        while index < len(lines):
            line = lines[index]
            index += 1
            stripped = line.strip()
            if stripped.startswith("#") or (parts and not stripped):
                continue
            if stripped.endswith(escape):
                parts.append(stripped[: -len(escape)].strip())
                continue
            parts.append(stripped)
            break
        joined = " ".join(part for part in parts if part)
        match = _INSTRUCTION.match(joined)
        if match is None:
            continue
        body, index = _heredoc_body(joined, lines, index)
        first = next(
            (n for n in range(start, index) if lines[n].strip() and not lines[n].strip().startswith("#")), start
        )
        result.append(Instruction(match.group("keyword").upper(), match.group("args") or "", first + 1, joined, body))
    return result


def _heredoc_body(joined: str, lines: list[str], index: int) -> tuple[tuple[tuple[int, str], ...], int]:
    heredoc = _HEREDOC.search(joined)
    if heredoc is None:
        return (), index
    word = heredoc.group("word")
    body: list[tuple[int, str]] = []
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.strip() == word:
            break
        body.append((index, line))
    return tuple(body), index


@dataclass
class _Stage:
    image: str
    name: str | None
    evidence: Evidence
    entrypoint: tuple[tuple[str, ...], Evidence] | None = None
    entrypoint_exec: bool = False  # in the exec form (a JSON array), which receives CMD as arguments
    cmd: tuple[tuple[str, ...], Evidence] | None = None
    user: tuple[str, Evidence] | None = None
    ports: list[Port] = field(default_factory=list)
    parent: int | None = None  # the earlier stage this one is FROM


def read_dockerfiles(root: Path, resolver: Resolver, report: Report) -> tuple[list[BuildTarget], list[DockerfileHint]]:
    targets: list[BuildTarget] = []
    hints: list[DockerfileHint] = []
    for rel in find_dockerfiles(root, report):
        text = report.read(root, rel)
        if text is None or state(text) != "unmanaged":
            continue
        base = _package_base(root, rel)
        instructions = parse_dockerfile(text)
        targets.extend(dockerfile_targets(instructions, rel, base, resolver, root, report))
        hints.append(dockerfile_hint(instructions, rel))
    return targets, hints


def _package_base(root: Path, rel: str) -> str:
    """Where a Dockerfile's relative packages start: its own folder when that folder holds Go code
    (`jobs/Dockerfile` building `.`), else the root (the usual `docker build -f build/Dockerfile .`)."""
    folder = posixpath.dirname(rel) or "."
    if folder == "." or folder.split("/")[0] in ROOT_RELATIVE_FOLDERS:
        return "."
    try:
        with os.scandir(root / folder) as entries:
            holds_go = any(e.name.endswith(".go") and e.is_file(follow_symlinks=False) for e in entries)
    except OSError:
        return "."
    return folder if holds_go else "."


def dockerfile_targets(
    instructions: list[Instruction],
    file: str,
    base: str,
    resolver: Resolver,
    root: Path | None = None,
    report: Report | None = None,
) -> list[BuildTarget]:
    """`go build`/`go install` in RUN lines, expanded with the stage's ARG and ENV values; the
    stage's CGO_ENABLED applies to the go commands that do not set their own."""
    targets: list[BuildTarget] = []
    scope = _Scope()
    for instruction in instructions:
        if instruction.keyword in ("FROM", "ARG", "ENV"):
            scope.read(instruction)
        elif instruction.keyword == "RUN":
            cgo = scope.cgo()
            lines = [(instruction.line, instruction.args, instruction.text)]
            lines.extend((number, line, line) for number, line in instruction.body)
            for number, line, shown in lines:
                proof = evidence(file, number, shown)
                for written in go_commands(scope.expand(line)):
                    unset = written.cgo_enabled is None and cgo is not None
                    command = replace(written, cgo_enabled=cgo) if unset else written
                    for target in command_targets(command, resolver, base, "dockerfile", proof):
                        targets.append(_prefer_existing(target, root, base, resolver))
    if scope.overflow is not None and report is not None:
        message = f"{file}: more than {MAX_VARIABLES} variables in a stage; the others are not expanded"
        report.problems.append((message, file, scope.overflow))
    return targets


class _Scope:
    """The variables a Dockerfile's instructions see, stage by stage (see the module doc)."""

    def __init__(self) -> None:
        self.budget = [MAX_FILE_EXPANSION]
        self.global_args = Variables(budget=self.budget)
        self.args = self.global_args
        self.env = Variables(budget=self.budget)
        self.stage_env: dict[str, Variables] = {}
        self.in_stage = False
        self.overflow: int | None = None

    def read(self, instruction: Instruction) -> None:
        if instruction.keyword == "FROM":
            self._enter(instruction.args)
        elif instruction.keyword == "ARG":
            self._arg(instruction.args)
        else:
            self._env(instruction.args)
        if (self.args.overflow or self.env.overflow) and self.overflow is None:
            self.overflow = instruction.line

    def _enter(self, args: str) -> None:
        words = [w for w in split_words(args) if not w.startswith("--")]
        parent = self.stage_env.get(words[0].lower()) if words else None
        self.env = parent.copy() if parent is not None else Variables(budget=self.budget)
        self.args = Variables(budget=self.budget)
        self.in_stage = True
        if len(words) >= 3 and words[1].lower() == "as" and len(self.stage_env) < MAX_VARIABLES:
            self.stage_env[words[2].lower()] = self.env

    def _arg(self, args: str) -> None:
        for word in split_words(args):
            name, eq, value = word.partition("=")
            if not _VARIABLE_NAME.match(name):
                continue
            if eq:
                self.args.set(name, self.expand(value))
            elif self.in_stage and name in self.global_args.values:
                self.args.set(name, self.global_args.values[name])
            elif self.in_stage:
                self.args.forget(name)

    def _env(self, args: str) -> None:
        words = split_words(args)
        if words and "=" not in words[0]:
            pairs = [(words[0], " ".join(words[1:]))]  # the legacy `ENV NAME value` form
        else:
            pairs = [(name, value) for name, _, value in (word.partition("=") for word in words)]
        values = [(name, self.expand(value)) for name, value in pairs if _VARIABLE_NAME.match(name)]
        for name, value in values:
            self.env.set(name, value)

    def expand(self, text: str) -> str:
        """`text` with the stage's variables replaced (nothing is visible before the first FROM
        but the global ARGs)."""
        return self.args.expand(text, "shell", self.env.values if self.in_stage else None)

    def cgo(self) -> bool | None:
        value = self.env.values.get("CGO_ENABLED", self.args.values.get("CGO_ENABLED", "")).strip()
        return True if value == "1" else False if value == "0" else None


def _prefer_existing(target: BuildTarget, root: Path | None, base: str, resolver: Resolver) -> BuildTarget:
    """In a folder's Dockerfile, `./cmd/x` may still be from the root (`docker build -f x/Dockerfile .`)."""
    if root is None or base == "." or not target.dir.startswith(base + "/") or (root / target.dir).is_dir():
        return target
    from_root = resolver.relative(".", target.dir[len(base) + 1 :])
    if from_root is not None and (root / from_root).is_dir() and dir_inside(root, from_root):
        return replace(target, dir=from_root)
    return target


def dockerfile_hint(instructions: list[Instruction], file: str) -> DockerfileHint:
    """The final stage's program, ports and base image, following `FROM <earlier stage>`."""
    stages: list[_Stage] = []
    named: dict[str, int] = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            stage = _stage(instruction, file)
            stage.parent = named.get(stage.image.lower())
            if stage.name is not None:
                named[stage.name] = len(stages)
            stages.append(stage)
        elif stages:
            _record(stages[-1], instruction, file)
    if not stages:
        return DockerfileHint(file, (), None, None, (), None, None)
    chain = _chain(stages)
    run, cmd = _run(chain)
    ports: dict[int, Port] = {}
    for stage in reversed(chain):
        for port in stage.ports:
            ports.setdefault(port.port, port)
    base = chain[-1]
    user = next((s.user for s in chain if s.user), None)
    return DockerfileHint(
        file=file,
        entrypoint=run[0] if run else (),
        entrypoint_evidence=run[1] if run else None,
        binary=program(run[0]) if run else None,
        ports=tuple(ports.values()),
        base_image=base.image or None,
        base_image_evidence=base.evidence,
        cmd=cmd[0] if cmd else (),
        cmd_evidence=cmd[1] if cmd else None,
        user=user[0] if user else None,
        user_evidence=user[1] if user else None,
    )


_Words = tuple[tuple[str, ...], Evidence]


def _run(chain: list[_Stage]) -> tuple[_Words | None, _Words | None]:
    """What the image runs: the nearest ENTRYPOINT and the CMD it receives, else the nearest CMD.

    As the builder does it: an ENTRYPOINT drops the CMD of the stages it is built FROM (only a
    CMD of its own stage or a later one stays), and a shell-form ENTRYPOINT ignores CMD.
    """
    for index, stage in enumerate(chain):
        if stage.entrypoint:
            if not stage.entrypoint_exec:
                return stage.entrypoint, None
            return stage.entrypoint, next((s.cmd for s in chain[: index + 1] if s.cmd), None)
    return next((s.cmd for s in chain if s.cmd), None), None


def _stage(instruction: Instruction, file: str) -> _Stage:
    words = [w for w in split_words(instruction.args) if not w.startswith("--")]
    image = words[0] if words else ""
    name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
    return _Stage(image, name, evidence(file, instruction.line, instruction.text))


def _record(stage: _Stage, instruction: Instruction, file: str) -> None:
    proof = evidence(file, instruction.line, instruction.text)
    if instruction.keyword == "ENTRYPOINT":
        stage.entrypoint = (command_words(instruction.args), proof)
        stage.entrypoint_exec = _exec_words(instruction.args) is not None
    elif instruction.keyword == "CMD":
        stage.cmd = (command_words(instruction.args), proof)
    elif instruction.keyword == "USER":
        words = instruction.args.split()
        stage.user = (words[0][:MAX_USER], proof) if words else None
    elif instruction.keyword == "EXPOSE":
        for word in instruction.args.split():
            match = _PORT.match(word)
            if match and 0 < int(match.group("port")) <= 65535:
                stage.ports.append(Port(int(match.group("port")), "", "expose", file, instruction.line, proof.text))


def _chain(stages: list[_Stage]) -> list[_Stage]:
    """The final stage, then the earlier stages it is built FROM, nearest first."""
    chain = [stages[-1]]
    while chain[-1].parent is not None:
        chain.append(stages[chain[-1].parent])
    return chain


def command_words(args: str) -> tuple[str, ...]:
    """ENTRYPOINT/CMD words: the exec form's JSON array, else the shell form's words."""
    exec_form = _exec_words(args)
    return exec_form if exec_form is not None else tuple(split_words(args.strip()))


def _exec_words(args: str) -> tuple[str, ...] | None:
    """The words of an exec-form (JSON array) ENTRYPOINT or CMD, None for the shell form."""
    text = args.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
    return None


def program(words: tuple[str, ...]) -> str | None:
    """The program a command runs: past shells, init wrappers, their options and `-c` strings."""
    return program_and_arguments(words)[0]


def program_and_arguments(words: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The program a command runs (as `program`) and the words it is given after it, up to a
    shell operator (`etcd --data-dir /x && echo done`: `--data-dir /x`)."""
    queue = list(words)
    expansions = 0
    while queue:
        word = queue.pop(0)
        if word.startswith("-") or _ASSIGNMENT.match(word) or word.rsplit("/", 1)[-1] in SHELLS:
            continue
        if len(word.split()) > 1 and expansions < 4:
            expansions += 1
            queue = split_words(word) + queue
            continue
        end = next((n for n, later in enumerate(queue) if later in _SHELL_OPERATORS), len(queue))
        return plain_name(word), tuple(queue[:end])
    return None, ()
