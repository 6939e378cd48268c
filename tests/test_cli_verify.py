"""`gogen verify` streams the build's output as docker prints it, then prints the summary.

No Docker here: `--docker` points at a small executable written by the test that answers the
handful of docker commands verify runs. The first build prints one step and then waits until
the test has seen that step on gogen's stderr: what is under test is gogen's streaming.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.repo_builder import copy_fixture, gogen

FAKE_DOCKER = """\
#!{python}
import pathlib, sys, time

state = pathlib.Path({state!r})
args = sys.argv[1:]
if args[0] == "build":
    first = not (state / "built").exists()
    (state / "built").touch()
    print("#1 [build 1/2] RUN go build ./...", flush=True)
    if first:
        deadline = time.monotonic() + 20
        while not (state / "seen").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    print("#2 [runtime 2/2] COPY --from=build /out/hello /usr/local/bin/hello", flush=True)
    if (state / "fail").exists():
        print("#3 ERROR: exit code 1", flush=True)
        sys.exit(1)
elif args[:2] == ["image", "inspect"]:
    print("12500000 65532:65532")
elif args[0] in ("run", "create"):
    print("c0ffee")
elif args[0] == "inspect":
    print("false 0")
elif args[0] == "logs":
    print("hi")
elif args[0] == "cp":
    sys.exit(1)
"""


def _setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    repo = copy_fixture("root-main", tmp_path)
    assert gogen("init", repo).returncode == 0
    state = tmp_path / "state"
    state.mkdir()
    docker = tmp_path / "docker"
    docker.write_text(FAKE_DOCKER.format(python=sys.executable, state=str(state)))
    docker.chmod(0o755)
    return repo, state, docker


def test_verify_streams_the_build_then_prints_the_summary(tmp_path: Path) -> None:
    repo, state, docker = _setup(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-m", "gogen", "verify", "--docker", str(docker), str(repo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first == "#1 [build 1/2] RUN go build ./...\n"
    assert process.poll() is None and not (state / "seen").exists(), "shown while the build still runs"
    (state / "seen").touch()
    stdout, rest = process.communicate(timeout=60)
    assert process.returncode == 0, rest
    assert "#2 [runtime 2/2] COPY --from=build" in rest
    assert stdout.startswith("Image gogen-verify:latest: 12.5 MB (binary unknown), runs as 65532:65532\n")
    assert "#1" not in stdout, "progress is not the result"


def test_verify_json_prints_only_the_summary(tmp_path: Path) -> None:
    repo, state, docker = _setup(tmp_path)
    (state / "seen").touch()
    result = gogen("verify", "--json", "--docker", docker, repo)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["image_bytes"] == 12_500_000
    quiet = gogen("-q", "verify", "--json", "--docker", docker, repo)
    assert quiet.stderr == "" and json.loads(quiet.stdout)["user"] == "65532:65532"


def test_a_failed_build_exits_1_after_its_log(tmp_path: Path) -> None:
    repo, state, docker = _setup(tmp_path)
    (state / "seen").touch()
    (state / "fail").touch()
    result = gogen("verify", "--docker", docker, repo)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "#3 ERROR: exit code 1\ngogen: error: docker build failed (exit 1): see its output above\n"
    )


def test_no_docker_client_is_bad_input(tmp_path: Path) -> None:
    repo, _, _ = _setup(tmp_path)
    result = gogen("verify", "--docker", tmp_path / "nope", repo)
    assert result.returncode == 2
    assert result.stderr == f"gogen: error: no docker client at {tmp_path / 'nope'} (pass --docker PATH)\n"
