"""The one place that runs docker: build the generated Dockerfile, run the image, measure.

Builds happen in a copy of the build context (the files the .dockerignore lets through), so
that the source edit made to measure a rebuild never touches the repository itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gogen import safefs
from gogen.errors import GogenError

_STEP = re.compile(r"^#(\d+) \[([^\]]+)\] (.*)$")
_CACHED = re.compile(r"^#(\d+) CACHED$")


class VerifyError(GogenError):
    """The image did not build or did not run; the message holds the tail of the log."""

    exit_code = 1


@dataclass(frozen=True)
class VerifyOptions:
    docker: str = "docker"
    target: str | None = None
    build_args: tuple[tuple[str, str], ...] = ()
    run_seconds: float = 3.0
    run_args: tuple[str, ...] = ()
    tag: str = "gogen-verify"
    progress: Callable[[str], None] | None = None
    """Called with each line of the builds' output as docker prints it; None: collected silently."""


@dataclass(frozen=True)
class Step:
    stage: str
    instruction: str
    cached: bool


@dataclass(frozen=True)
class VerifyReport:
    image: str
    target: str | None
    image_bytes: int
    binary_bytes: int | None
    user: str
    build_seconds: float
    rebuild_seconds: float
    edited_file: str
    rerun_steps: tuple[str, ...]
    run_exit_code: int | None
    run_output: str
    steps: tuple[Step, ...] = field(default=())


def _env() -> dict[str, str]:
    return {**os.environ, "DOCKER_BUILDKIT": "1"}


def _docker(
    options: VerifyOptions, *args: str, check: bool = True, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            [options.docker, *args], capture_output=True, text=True, env=_env(), timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        raise GogenError(f"no docker client at {options.docker}", hint="pass --docker PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise VerifyError(f"docker {args[0]} did not finish in {timeout:.0f}s") from exc
    if check and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-40:])
        raise VerifyError(f"docker {args[0]} failed (exit {result.returncode}):\n{tail}")
    return result


def _streamed_build(options: VerifyOptions, args: Sequence[str], timeout: float = 1800) -> str:
    """Run `docker build`, handing each output line to `options.progress` as it comes; the log.

    BuildKit writes its plain progress to stderr; both streams are merged, read line by line,
    and the process is killed if it outlives `timeout`.
    """
    assert options.progress is not None
    try:
        process = subprocess.Popen(
            [options.docker, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1,
            env=_env(),
        )
    except FileNotFoundError as exc:
        raise GogenError(f"no docker client at {options.docker}", hint="pass --docker PATH") from exc
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(timeout, expire)
    timer.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            options.progress(line.rstrip("\n"))
        returncode = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    if expired.is_set():
        raise VerifyError(f"docker {args[0]} did not finish in {timeout:.0f}s")
    if returncode != 0:
        raise VerifyError(f"docker {args[0]} failed (exit {returncode}): see its output above")
    return "".join(lines)


def parse_steps(log: str) -> tuple[Step, ...]:
    """The build steps of a `--progress=plain` log, each marked cached or run."""
    headers: dict[str, tuple[str, str]] = {}
    cached: set[str] = set()
    for line in log.splitlines():
        if match := _STEP.match(line):
            headers.setdefault(match.group(1), (match.group(2), match.group(3)))
        elif match := _CACHED.match(line):
            cached.add(match.group(1))
    steps = []
    for number, (stage, instruction) in headers.items():
        if instruction.startswith(("RUN ", "COPY ", "ADD ")) or " RUN " in f" {instruction}":
            steps.append(Step(stage, instruction, number in cached))
    return tuple(steps)


def _build(context: Path, image: str, options: VerifyOptions) -> tuple[float, tuple[Step, ...]]:
    args = ["build", "--progress=plain", "--network=host", "-t", image]
    if options.target:
        args += ["--target", options.target]
    for key, value in options.build_args:
        args += ["--build-arg", f"{key}={value}"]
    started = time.monotonic()
    if options.progress is not None:
        log = _streamed_build(options, [*args, str(context)])
    else:
        result = _docker(options, *args, str(context))
        log = result.stderr + result.stdout
    return time.monotonic() - started, parse_steps(log)


def _copy_context(root: Path, included: Sequence[str], destination: Path) -> None:
    for rel in included:
        source = root / rel
        target = destination / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    for name in ("Dockerfile", ".dockerignore"):
        data = safefs.read_inside(root, name)
        if isinstance(data, bytes) and not (destination / name).exists():
            (destination / name).write_bytes(data)


def _binary_bytes(image: str, binary: str, options: VerifyOptions) -> int | None:
    created = _docker(options, "create", image).stdout.strip()
    try:
        with tempfile.TemporaryDirectory(prefix="gogen-verify-") as tmp:
            result = _docker(options, "cp", f"{created}:{binary}", tmp, check=False)
            copied = Path(tmp) / Path(binary).name
            return copied.stat().st_size if result.returncode == 0 and copied.is_file() else None
    finally:
        _docker(options, "rm", "-f", created, check=False)


def _run_briefly(image: str, options: VerifyOptions) -> tuple[int | None, str]:
    """Run the image; a program still running after `run_seconds` (a server) is stopped."""
    container = _docker(options, "run", "-d", "--network=host", image, *options.run_args).stdout.strip()
    try:
        deadline = time.monotonic() + options.run_seconds
        while time.monotonic() < deadline:
            state = _docker(
                options, "inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", container
            ).stdout.split()
            if state and state[0] == "false":
                logs = _docker(options, "logs", container, check=False)
                return int(state[1]), logs.stdout + logs.stderr
            time.sleep(0.2)
        logs = _docker(options, "logs", container, check=False)
        return None, logs.stdout + logs.stderr
    finally:
        _docker(options, "rm", "-f", container, check=False)


def verify(root: Path, included: Sequence[str], edit: str, binary: str, options: VerifyOptions) -> VerifyReport:
    """Build the image from the context files, run it, then rebuild after editing `edit`."""
    image = f"{options.tag}:{options.target or 'latest'}"
    with tempfile.TemporaryDirectory(prefix="gogen-verify-context-") as tmp:
        context = Path(tmp)
        _copy_context(root, included, context)
        build_seconds, _ = _build(context, image, options)
        edited = context / edit
        # A comment no earlier build has seen, so that no cached layer stands in for the rebuild.
        marker = f"\n// edited by gogen verify {uuid.uuid4()}\n"
        edited.write_text(edited.read_text(encoding="utf-8") + marker, encoding="utf-8")
        rebuild_seconds, steps = _build(context, image, options)
    inspect = _docker(options, "image", "inspect", "-f", "{{.Size}} {{.Config.User}}", image).stdout.split()
    run_exit, output = _run_briefly(image, options)
    if run_exit not in (None, 0):
        raise VerifyError(f"the image exited with code {run_exit}:\n" + "\n".join(output.splitlines()[-20:]))
    return VerifyReport(
        image=image,
        target=options.target,
        image_bytes=int(inspect[0]),
        binary_bytes=_binary_bytes(image, binary, options),
        user=inspect[1] if len(inspect) > 1 else "",
        build_seconds=round(build_seconds, 2),
        rebuild_seconds=round(rebuild_seconds, 2),
        edited_file=edit,
        rerun_steps=tuple(f"[{s.stage}] {s.instruction}" for s in steps if not s.cached),
        run_exit_code=run_exit,
        run_output=output[-2000:],
        steps=steps,
    )
