"""Benchmark gogen's Dockerfiles against docker init's shape, a naive Dockerfile, and itself.

Needs the test lab (`bash scripts/lab/up.sh`), with buildx for the `bake` variant. For each
fixture and each variant it measures in one run, after pruning the engine's build cache:

  cold build, rebuild after a source edit (the primary's main file), rebuild after a go.mod
  change, module downloads (requests to the lab's module proxy) during each, final image size,
  binary size, and the build-context bytes.

Variants (`--variants`):
- `naive`: one stage, FROM golang, COPY . ., RUN go build.
- `docker-init`: the shape `docker init` writes for Go: a module cache mount for the download
  and the build (no build cache mount), alpine with ca-certificates and tzdata, a user.
- `<profile>-<strategy>`: gogen's output (e.g. `distroless-buildkit`, `distroless-layers`).
- `<profile>-<strategy>@before`: gogen's output at the git revision `--before` (default: none),
  rendered by that revision's own code from a temporary worktree: before/after in one run.
- `bake`: gogen's distroless-buildkit output with docker-bake.hcl, every target built by one
  `docker buildx bake` (the others build the default target only).

It prints a table and the ratios the project aims for. Run: `python scripts/bench_images.py
[--before REV]`. It prunes the lab engine's build cache: do not run it while the end-to-end
tests run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gogen import api  # noqa: E402
from tests.e2e.lab import Lab, load_lab  # noqa: E402

FIXTURES = ("deps", "multi-cmd", "embed-static")
DEFAULT_VARIANTS = ("naive", "docker-init", "distroless-buildkit", "distroless-layers", "bake")
NAIVE = """FROM golang:{go}
ARG GOPROXY
ARG GOSUMDB
WORKDIR /src
COPY . .
RUN go build -o /app/{binary} {package}
CMD ["/app/{binary}"]
"""
# docker init's Go template, as it writes it (ARG GO_VERSION, the module cache mount on both
# steps, alpine:latest with apk's cache mount). The lab's alpine stand-in has no
# update-ca-certificates (its CA bundle is already in place), so that one command is left out.
DOCKER_INIT = """ARG GO_VERSION={go}
FROM --platform=$BUILDPLATFORM golang:${{GO_VERSION}} AS build
WORKDIR /src
ARG GOPROXY
ARG GOSUMDB
RUN --mount=type=cache,target=/go/pkg/mod/ \\
    {binds}go mod download -x
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod/ \\
    --mount=type=bind,target=. \\
    CGO_ENABLED=0 GOARCH=$TARGETARCH go build -o /bin/server {package}

FROM alpine:3.22 AS final
RUN --mount=type=cache,target=/var/cache/apk \\
    apk --update add ca-certificates tzdata
ARG UID=10001
RUN adduser --disabled-password --gecos "" --home "/nonexistent" \\
    --shell "/sbin/nologin" --no-create-home --uid "${{UID}}" appuser
USER appuser
COPY --from=build /bin/server /bin/
ENTRYPOINT [ "/bin/server" ]
"""


@dataclass(frozen=True)
class Row:
    fixture: str
    variant: str
    cold: float
    source_rebuild: float
    gomod_rebuild: float
    downloads: tuple[int, int, int]
    image_bytes: int
    binary_bytes: int
    context_bytes: int


@dataclass(frozen=True)
class Prepared:
    repo: Path
    image: str  # the image measured (the default target's)
    binary: str  # the binary's path in it
    context_bytes: int
    primary_dir: str


def _timed(lab: Lab, build: Callable[[], None]) -> tuple[float, int]:
    before = len(lab.proxy_requests())
    started = time.monotonic()
    build()
    return time.monotonic() - started, len(lab.proxy_requests()) - before


def _binary_bytes(lab: Lab, image: str, path: str) -> int:
    created = lab.docker_run("create", image).stdout.strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lab.docker_run("cp", f"{created}:{path}", tmp)
            return (Path(tmp) / Path(path).name).stat().st_size
    finally:
        lab.docker_run("rm", "-f", created, check=False)


def _context_bytes(repo: Path) -> int:
    return sum(p.stat().st_size for p in repo.rglob("*") if p.is_file())


def _init_before(repo: Path, settings: list[str], before: Path) -> None:
    """`gogen init` as the revision checked out at `before` does it (its own code and templates)."""
    env = {**os.environ, "PYTHONPATH": str(before)}
    subprocess.run(
        [sys.executable, "-m", "gogen", "init", "--no-syntax", *settings, str(repo)],
        cwd=before,
        env=env,
        check=True,
        capture_output=True,
    )


def _prepare(fixture: str, variant: str, workdir: Path, before: Path | None) -> Prepared:
    """A copy of the fixture with the variant's Dockerfile."""
    repo = workdir / f"{fixture}-{variant.replace('@', '-')}"
    shutil.copytree(ROOT / "fixtures" / fixture / "repo", repo)
    _, the_plan = api.plan(repo, {})
    primary = the_plan.primary
    tag = f"gogen-bench/{fixture}:{variant.replace('@', '-')}"
    if variant == "naive":
        (repo / "Dockerfile").write_text(
            NAIVE.format(go=the_plan.go_version, binary=primary.name, package=primary.package)
        )
        return Prepared(repo, tag, f"/app/{primary.name}", _context_bytes(repo), primary.dir)
    if variant == "docker-init":
        binds = "".join(
            f"--mount=type=bind,source={f},target={f} \\\n    " for f in ("go.sum", "go.mod") if (repo / f).is_file()
        )
        (repo / "Dockerfile").write_text(
            DOCKER_INIT.format(go=the_plan.go_version, binds=binds, package=primary.package)
        )
        return Prepared(repo, tag, "/bin/server", _context_bytes(repo), primary.dir)
    if variant == "bake":
        api.init(repo, {"syntax": False, "bake": True}, api.WriteOptions())
        return Prepared(
            repo,
            f"{primary.stage}:latest",
            f"/usr/local/bin/{primary.name}",
            api.context(repo, None).bytes,
            primary.dir,
        )
    name, _, revision = variant.partition("@")
    profile, strategy = name.split("-")
    if revision:
        if before is None:
            raise SystemExit(f"bench_images: variant {variant} needs --before REV")
        _init_before(repo, ["--profile", profile, "--strategy", strategy], before)
    else:
        api.init(repo, {"profile": profile, "strategy": strategy, "syntax": False}, api.WriteOptions())
    return Prepared(repo, tag, f"/usr/local/bin/{primary.name}", api.context(repo, None).bytes, primary.dir)


def _edit_source(repo: Path, primary_dir: str) -> None:
    main = sorted((repo / primary_dir).glob("*.go"))[0]
    main.write_text(main.read_text() + f"\n// edit {uuid.uuid4()}\n")


def _edit_gomod(repo: Path) -> None:
    gomod = repo / "go.mod"
    gomod.write_text(gomod.read_text() + f"\n// edit {uuid.uuid4()}\n")


def _bake(lab: Lab, repo: Path) -> None:
    """Every target with one `docker buildx bake`; an override file adds the lab's host network and proxy."""
    override = repo.parent / f"{repo.name}.lab.hcl"
    override.write_text(
        f'target "_gogen" {{\n  network = "host"\n  args = {{ GOPROXY = "{lab.goproxy}", GOSUMDB = "off" }}\n}}\n'
    )
    command = [lab.docker, "buildx", "bake", "--progress=quiet", "--allow=network.host"]
    subprocess.run(
        [*command, "-f", "docker-bake.hcl", "-f", str(override)],
        cwd=repo,
        env=lab.env,
        check=True,
        capture_output=True,
        timeout=1800,
    )


def measure(lab: Lab, fixture: str, variant: str, workdir: Path, before: Path | None) -> Row:
    prepared = _prepare(fixture, variant, workdir, before)
    repo = prepared.repo

    def build() -> None:
        if variant == "bake":
            _bake(lab, repo)
        else:
            lab.build(repo, prepared.image)

    lab.docker_run("builder", "prune", "-af")
    cold, cold_downloads = _timed(lab, build)
    _edit_source(repo, prepared.primary_dir)
    source, source_downloads = _timed(lab, build)
    _edit_gomod(repo)
    gomod, gomod_downloads = _timed(lab, build)
    size = int(lab.docker_run("image", "inspect", "-f", "{{.Size}}", prepared.image).stdout.strip())
    return Row(
        fixture,
        variant,
        cold,
        source,
        gomod,
        (cold_downloads, source_downloads, gomod_downloads),
        size,
        _binary_bytes(lab, prepared.image, prepared.binary),
        prepared.context_bytes,
    )


def _mb(value: int) -> str:
    return f"{value / 1_000_000:.2f}"


def print_table(rows: list[Row]) -> None:
    header = (
        "| fixture | variant | cold s | src edit s | go.mod edit s | downloads cold/src/mod | image MB | binary MB "
        "| image - binary MB | context B |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for row in rows:
        print(
            f"| {row.fixture} | {row.variant} | {row.cold:.1f} | {row.source_rebuild:.1f} | {row.gomod_rebuild:.1f} "
            f"| {'/'.join(map(str, row.downloads))} | {_mb(row.image_bytes)} | {_mb(row.binary_bytes)} "
            f"| {_mb(row.image_bytes - row.binary_bytes)} | {row.context_bytes} |"
        )


def _row(rows: list[Row], fixture: str, variant: str) -> Row | None:
    return next((r for r in rows if r.fixture == fixture and r.variant == variant), None)


def _goal(label: str, value: float, limit: float, at_most: bool = True) -> None:
    met = value <= limit if at_most else value >= limit
    print(f"  {label}: {value:.2f} (goal {'<=' if at_most else '>='} {limit}): {'met' if met else 'MISSED'}")


def print_goals(rows: list[Row]) -> None:
    print()
    for row in rows:
        if row.variant in ("distroless-buildkit", "scratch-buildkit"):
            overhead = (row.image_bytes - row.binary_bytes) / 1_000_000
            print(f"{row.fixture} {row.variant}: image = binary + {overhead:.2f} MB")
            _goal("image overhead MB", overhead, 3)
    for fixture in dict.fromkeys(row.fixture for row in rows):
        init = _row(rows, fixture, "docker-init")
        naive = _row(rows, fixture, "naive")
        buildkit = _row(rows, fixture, "distroless-buildkit")
        layers = _row(rows, fixture, "distroless-layers")
        print(f"{fixture}:")
        if init and buildkit:
            _goal("gogen buildkit cold / docker init cold", buildkit.cold / init.cold, 1.1)
            _goal(
                "gogen buildkit source-edit rebuild / docker init's", buildkit.source_rebuild / init.source_rebuild, 0.1
            )
        if naive and buildkit:
            _goal(
                "naive source-edit rebuild / gogen buildkit's", naive.source_rebuild / buildkit.source_rebuild, 3, False
            )
        if layers:
            _goal("gogen layers source-edit rebuild / its cold build", layers.source_rebuild / layers.cold, 0.35)
        for variant in ("distroless-buildkit", "distroless-layers"):
            now, then = _row(rows, fixture, variant), _row(rows, fixture, f"{variant}@before")
            if now and then:
                print(
                    f"  {variant} now / before: cold {now.cold / then.cold:.2f}, "
                    f"source edit {now.source_rebuild / then.source_rebuild:.2f}, "
                    f"go.mod edit {now.gomod_rebuild / then.gomod_rebuild:.2f}"
                )
        if buildkit:
            print(f"  gogen buildkit module downloads on a source-edit rebuild: {buildkit.downloads[1]} (goal 0)")


def _worktree(revision: str, where: Path) -> Path:
    """A detached worktree of `revision`, for the @before variants."""
    tree = where / "before"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), revision], check=True, capture_output=True
    )
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", nargs="*", default=list(FIXTURES))
    parser.add_argument("--variants", nargs="*", default=None, help="e.g. docker-init distroless-layers@before bake")
    parser.add_argument("--before", default=None, help="git revision for the @before variants (e.g. a tag or commit)")
    args = parser.parse_args()
    variants = args.variants or list(DEFAULT_VARIANTS) + (
        ["distroless-buildkit@before", "distroless-layers@before"] if args.before else []
    )
    lab = load_lab()
    if isinstance(lab, str):
        print(f"bench_images: {lab}", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="gogen-bench-") as tmp:
        before = _worktree(args.before, Path(tmp)) if args.before else None
        try:
            for fixture in args.fixtures:
                for variant in variants:
                    print(f"measuring {fixture} {variant} ...", file=sys.stderr, flush=True)
                    rows.append(measure(lab, fixture, variant, Path(tmp), before))
        finally:
            if before is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=False)
    print_table(rows)
    print_goals(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
