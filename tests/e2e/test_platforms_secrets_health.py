"""Issue 9 in a real engine: cross-compiled platforms, private modules behind a build secret,
cgo system libraries installed from Debian, and a HEALTHCHECK that runs the binary itself."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from tests.e2e.lab import Lab, find_lab
from tests.e2e.test_images import build_fixture, prepared

# ELF e_machine values (elf.h)
EM_X86_64 = 62
EM_ARM = 40
EM_AARCH64 = 183
HOST_GO = os.environ.get("GO", "/usr/lib/go-1.23/bin/go")


@pytest.fixture(scope="module")
def lab() -> Lab:
    return find_lab()


def elf_machine(path: Path) -> tuple[int, int]:
    """(ELF class: 1 = 32-bit, 2 = 64-bit; e_machine) of a little-endian ELF file."""
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    return header[4], int.from_bytes(header[18:20], "little")


def go_build_settings(binary: Path) -> dict[str, str]:
    """The `build` lines `go version -m` prints for a binary (GOARCH, GOARM, GOAMD64, CGO_ENABLED...)."""
    if not Path(HOST_GO).is_file():
        pytest.fail(f"no Go toolchain at {HOST_GO} to read the binary's build settings (scripts/install-go.sh)")
    out = subprocess.run([HOST_GO, "version", "-m", str(binary)], capture_output=True, text=True, check=True).stdout
    settings = {}
    for line in out.splitlines():
        parts = line.strip().split("\t")
        if len(parts) == 2 and parts[0] == "build" and "=" in parts[1]:
            key, value = parts[1].split("=", 1)
            settings[key] = value
    return settings


@pytest.mark.parametrize(
    ("platform", "elf_class", "machine", "setting"),
    [
        ("linux/arm64", 2, EM_AARCH64, ("GOARCH", "arm64")),
        ("linux/arm/v7", 1, EM_ARM, ("GOARM", "7")),
        ("linux/arm/v6", 1, EM_ARM, ("GOARM", "6")),
        ("linux/amd64/v3", 2, EM_X86_64, ("GOAMD64", "v3")),
    ],
)
def test_a_platform_build_exports_a_binary_for_that_machine(
    lab: Lab, tmp_path: Path, platform: str, elf_class: int, machine: int, setting: tuple[str, str]
) -> None:
    """The scratch image holds only the binary and passwd/group: export it and read its ELF header."""
    repo = prepared("healthcheck", tmp_path, profile="scratch")
    out = tmp_path / "out"
    lab.build(repo, "gogen-e2e/platforms:export", "--platform", platform, "--output", f"type=local,dest={out}")
    binary = out / "usr" / "local" / "bin" / "pinger"
    assert elf_machine(binary) == (elf_class, machine)
    settings = go_build_settings(binary)
    assert settings.get(setting[0]) == setting[1], settings
    assert settings.get("CGO_ENABLED") == "0"
    exported = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    # (the CA bundle: pinger's health check is an HTTP client, so gogen copies it)
    assert exported == {"etc/group", "etc/passwd", "etc/ssl/certs/ca-certificates.crt", "usr/local/bin/pinger"}


def _image_bytes(lab: Lab, image: str, tmp_path: Path) -> bytes:
    """Every byte of every layer and config of `image`, as `docker save` writes it (layers unpacked)."""
    archive = tmp_path / f"{image.replace('/', '_').replace(':', '_')}.tar"
    lab.docker_run("save", "-o", str(archive), image)
    chunks = []
    with tarfile.open(archive) as outer:
        for member in outer.getmembers():
            if not member.isfile():
                continue
            data = outer.extractfile(member)
            assert data is not None
            content = data.read()
            chunks.append(content)
            if member.name.endswith(".tar"):
                with tarfile.open(fileobj=io.BytesIO(content)) as layer:
                    for entry in layer.getmembers():
                        extracted = layer.extractfile(entry) if entry.isfile() else None
                        if extracted is not None:
                            chunks.append(extracted.read())
    return b"\n".join(chunks)


def test_private_modules_come_through_the_netrc_secret_which_no_layer_holds(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("private-modules", tmp_path)
    assert lab.private_netrc is not None
    password = lab.private_netrc.read_text().split("password", 1)[1].split()[0]
    # An empty module cache: the download step must really fetch the private module.
    lab.docker_run("builder", "prune", "-f", "--filter", "type=exec.cachemount")
    client = f"private-{time.time_ns()}"
    goproxy = f"{lab.goproxy_tls}/c/{client}"

    refused = lab.docker_run("build", "--network=host", str(repo), check=False)
    assert refused.returncode != 0
    assert "netrc" in refused.stderr + refused.stdout, "without the secret the build names the missing secret"

    lab.build(repo, "gogen-e2e/private:build", "--target", "build", *lab.private_build_args(goproxy), goproxy=goproxy)
    lab.build(repo, "gogen-e2e/private:latest", *lab.private_build_args(goproxy), goproxy=goproxy)
    mine = [line for line in lab.proxy_requests() if line.endswith(f" {client}")]
    assert any("example.com/private/vault/@v/v1.0.0.zip 200 https:auth-ok" in line for line in mine), mine
    result = lab.run_command("gogen-e2e/private:latest")
    assert result.returncode == 0 and "vault v1.0.0" in result.stdout, result.stdout + result.stderr

    for image in ("gogen-e2e/private:latest", "gogen-e2e/private:build"):
        content = _image_bytes(lab, image, tmp_path)
        assert password.encode() not in content, f"{image} holds the netrc secret"
        assert b"machine 127.0.0.1" not in content, f"{image} holds the netrc file"
        history = lab.docker_run("history", "--no-trunc", image).stdout
        assert password not in history


def test_a_cached_download_step_with_an_empty_module_cache_still_builds(lab: Lab, tmp_path: Path) -> None:
    """What a fresh CI runner sees: the download step comes from the layer cache, the module cache
    mount is empty, so go build fetches the private module itself and needs the secret too."""
    repo = prepared("private-modules", tmp_path)
    client = f"private-refill-{time.time_ns()}"
    goproxy = f"{lab.goproxy_tls}/c/{client}"
    lab.build(repo, "gogen-e2e/private:refill", *lab.private_build_args(goproxy), goproxy=goproxy)
    lab.docker_run("builder", "prune", "-f", "--filter", "type=exec.cachemount")
    before = len(lab.proxy_requests())
    main = repo / "main.go"
    main.write_text(main.read_text() + f"\n// edit {time.time_ns()}\n")
    log = lab.build(repo, "gogen-e2e/private:refill", *lab.private_build_args(goproxy), goproxy=goproxy)
    output = log.stdout + log.stderr
    download = [line for line in output.splitlines() if line.startswith("#") and "go mod download" in line]
    assert download and f"{download[0].split()[0]} CACHED" in output, "the download step comes from the cache"
    rebuild = [line for line in lab.proxy_requests()[before:] if line.endswith(f" {client}")]
    assert any("vault/@v/v1.0.0.zip 200 https:auth-ok" in line for line in rebuild), rebuild
    result = lab.run_command("gogen-e2e/private:refill")
    assert "vault v1.0.0" in result.stdout, result.stdout + result.stderr


def test_a_cgo_system_library_is_installed_in_the_builder_and_the_runtime(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("cgo-syslib", tmp_path)
    assert "libsqlite3-dev" in (repo / "Dockerfile").read_text()
    lab.build(repo, "gogen-e2e/cgo-syslib:debian")
    result = lab.run_command("gogen-e2e/cgo-syslib:debian")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("sqlite 3."), result.stdout
    files = lab.image_files("gogen-e2e/cgo-syslib:debian")
    assert any(path.endswith("libsqlite3.so.0") for path in files)
    assert not any(path.endswith("sqlite3.h") for path in files), "the -dev package stays in the builder"


def test_the_healthcheck_runs_the_binary_and_reports_healthy(lab: Lab, tmp_path: Path) -> None:
    repo = prepared("healthcheck", tmp_path)
    image = "gogen-e2e/healthcheck:latest"
    build_fixture(lab, "healthcheck", repo, image)
    config = json.loads(lab.docker_run("image", "inspect", "-f", "{{json .Config.Healthcheck}}", image).stdout)
    assert config["Test"] == ["CMD", "/usr/local/bin/pinger", "healthcheck"]
    container = lab.docker_run(
        "run", "-d", "--network=host", "--health-interval=1s", "--health-start-period=1s", image
    ).stdout.strip()
    try:
        status = ""
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            status = lab.docker_run("inspect", "-f", "{{.State.Health.Status}}", container).stdout.strip()
            if status == "healthy":
                break
            time.sleep(0.5)
        assert status == "healthy", lab.docker_run("inspect", "-f", "{{json .State.Health}}", container).stdout
    finally:
        lab.docker_run("rm", "-f", container, check=False)


def test_the_healthcheck_fails_when_the_server_is_not_running(lab: Lab, tmp_path: Path) -> None:
    """The check must be able to fail: run it alone, with no server listening."""
    repo = prepared("healthcheck", tmp_path)
    image = "gogen-e2e/healthcheck:alone"
    build_fixture(lab, "healthcheck", repo, image)
    result = lab.run_command(image, "healthcheck")
    assert result.returncode == 1
    assert "unhealthy" in result.stderr
