"""The test lab as the end-to-end tests see it: a private Docker engine and a module proxy.

`bash scripts/lab/up.sh` brings it up and writes `$GOGEN_LAB_DIR/env`; these helpers read
that file. Outside CI a missing lab skips the end-to-end tests with the reason; in CI
(`CI=true`) it fails them.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

LAB_DIR = Path(os.environ.get("GOGEN_LAB_DIR", "/var/lib/gogen-lab"))


@dataclass(frozen=True)
class Lab:
    env: dict[str, str]
    docker: str
    goproxy: str
    proxy_log: Path
    goproxy_tls: str = ""
    private_netrc: Path | None = None
    compose: str = ""

    def _run(
        self, argv: list[str], timeout: float, check: bool, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a lab client with the lab's environment; with `check`, a failure shows the output's tail."""
        result = subprocess.run(
            argv, cwd=cwd, capture_output=True, text=True, env=self.env, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
            name = Path(argv[0]).name
            raise AssertionError(f"{name} {' '.join(argv[1:4])} failed ({result.returncode}):\n{tail}")
        return result

    def docker_run(self, *args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._run([self.docker, *args], timeout, check)

    def build(
        self, context: Path, tag: str, *extra: str, goproxy: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.docker_run(
            "build",
            "--progress=plain",
            "--network=host",
            "--build-arg",
            f"GOPROXY={goproxy or self.goproxy}",
            "--build-arg",
            "GOSUMDB=off",
            "-t",
            tag,
            *extra,
            str(context),
        )

    def private_build_args(self, client: str) -> tuple[str, ...]:
        """What a build of a repository with private modules needs here: the HTTPS proxy (the go
        command sends netrc credentials over HTTPS only), GONOPROXY=none (the private modules come
        from that proxy, not from their VCS) and the netrc secret."""
        if not self.goproxy_tls or self.private_netrc is None:
            pytest.fail("the lab has no HTTPS proxy: run `bash scripts/lab/up.sh` again")
        return (
            "--build-arg",
            "GONOPROXY=none",
            "--secret",
            f"id=netrc,src={self.private_netrc}",
        )

    def compose_run(
        self, project: Path, *args: str, timeout: float = 900, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Docker Compose (the real v2 binary up.sh fetched) in `project`, against the lab's engine."""
        if not self.compose:
            pytest.fail("the lab has no docker-compose: run `bash scripts/lab/up.sh` again")
        return self._run([self.compose, *args], timeout, check, cwd=project)

    def proxy_requests(self) -> list[str]:
        if not self.proxy_log.is_file():
            return []
        return [line for line in self.proxy_log.read_text().splitlines() if line.strip()]

    def image_files(self, image: str) -> list[str]:
        """Every path in the image's filesystem (via a created, never started, container)."""
        container = self.docker_run("create", image).stdout.strip()
        try:
            exported = subprocess.run(
                f"{self.docker} export {container} | tar -t",
                shell=True,
                capture_output=True,
                text=True,
                env=self.env,
                check=True,
            )
        finally:
            self.docker_run("rm", "-f", container, check=False)
        return exported.stdout.splitlines()

    def run_command(self, image: str, *args: str) -> subprocess.CompletedProcess[str]:
        return self.docker_run("run", "--rm", "--network=host", image, *args, timeout=120, check=False)

    def http_get(self, image: str, port: int, path: str, *args: str) -> str:
        container = self.docker_run("run", "-d", "--network=host", image, *args).stdout.strip()
        try:
            deadline = time.monotonic() + 20
            last: Exception | None = None
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                        return str(response.read().decode())
                except OSError as error:
                    last = error
                    time.sleep(0.3)
            logs = self.docker_run("logs", container, check=False)
            raise AssertionError(f"no answer on 127.0.0.1:{port}{path}: {last}\n{logs.stdout}{logs.stderr}")
        finally:
            self.docker_run("rm", "-f", container, check=False)


def _read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip().removeprefix("export ").strip()
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key] = value.strip("'\"")
    return values


def load_lab() -> Lab | str:
    """The running lab, or the reason there is none (and how to start it)."""
    env_file = LAB_DIR / "env"
    if not env_file.is_file():
        return f"no test lab ({env_file} missing): run `bash scripts/lab/up.sh`"
    values = _read_env_file(env_file)
    env = {**os.environ, **values}
    netrc = values.get("GOGEN_PRIVATE_NETRC")
    lab = Lab(
        env,
        values.get("GOGEN_DOCKER", "/usr/bin/docker"),
        values["GOGEN_GOPROXY"],
        Path(values["GOGEN_PROXY_LOG"]),
        values.get("GOGEN_GOPROXY_TLS", ""),
        Path(netrc) if netrc else None,
        values.get("GOGEN_COMPOSE", ""),
    )
    probe = subprocess.run([lab.docker, "version"], capture_output=True, text=True, env=env, check=False)
    if probe.returncode != 0:
        return f"the test lab's docker engine does not answer: {probe.stderr.strip()[:200]}"
    return lab


def find_lab() -> Lab:
    """The running lab; without one, a skip that says how to start it (a failure in CI)."""
    lab = load_lab()
    if isinstance(lab, Lab):
        return lab
    if os.environ.get("CI") == "true":
        pytest.fail(lab)
    pytest.skip(lab)
