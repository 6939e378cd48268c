"""Benchmark gogen's Dockerfiles against the classic layers strategy and a naive Dockerfile.

Needs the test lab (`bash scripts/lab/up.sh`). For each fixture and each variant (gogen's
output on every profile with the buildkit strategy, gogen's distroless output with the
layers strategy, and a naive single-stage Dockerfile: FROM golang, COPY . ., RUN go build),
it measures in one run, after pruning the engine's build cache:

  cold build, rebuild after a source edit, rebuild after a go.mod change, module downloads
  (requests to the lab's module proxy) during each, final image size, binary size, and the
  build-context bytes.

It prints a table and the ratios the project aims for. Run: `python scripts/bench_images.py`.
It prunes the lab engine's build cache: do not run it while the end-to-end tests run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gogen import api  # noqa: E402
from tests.e2e.lab import Lab, load_lab  # noqa: E402

FIXTURES = ("deps", "root-main", "embed-static")
PROFILES = ("distroless", "scratch", "alpine", "debian")
NAIVE = """FROM golang:{go}
ARG GOPROXY
ARG GOSUMDB
WORKDIR /src
COPY . .
RUN go build -o /app/{binary} {package}
CMD ["/app/{binary}"]
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


def _timed_build(lab: Lab, context: Path, tag: str) -> tuple[float, int]:
    before = len(lab.proxy_requests())
    started = time.monotonic()
    lab.build(context, tag)
    return time.monotonic() - started, len(lab.proxy_requests()) - before


def _binary_bytes(lab: Lab, image: str, path: str) -> int:
    created = lab.docker_run("create", image).stdout.strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lab.docker_run("cp", f"{created}:{path}", tmp)
            return (Path(tmp) / Path(path).name).stat().st_size
    finally:
        lab.docker_run("rm", "-f", created, check=False)


def _prepare(fixture: str, variant: str, workdir: Path) -> tuple[Path, str, int]:
    """A copy of the fixture with the variant's Dockerfile; (dir, binary path, context bytes)."""
    repo = workdir / f"{fixture}-{variant}"
    shutil.copytree(ROOT / "fixtures" / fixture / "repo", repo)
    if variant == "naive":
        _, the_plan = api.plan(repo, {})
        primary = the_plan.primary
        (repo / "Dockerfile").write_text(
            NAIVE.format(go=the_plan.go_version, binary=primary.name, package=primary.package)
        )
        context_bytes = sum(p.stat().st_size for p in repo.rglob("*") if p.is_file())
        return repo, f"/app/{primary.name}", context_bytes
    profile, strategy = variant.split("-")
    api.init(repo, {"profile": profile, "strategy": strategy, "syntax": False}, api.WriteOptions())
    _, the_plan = api.plan(repo, {})
    return repo, f"/usr/local/bin/{the_plan.primary.name}", api.context(repo, None).bytes


def _edit_source(repo: Path) -> None:
    main = sorted(repo.glob("*.go"))[0]
    main.write_text(main.read_text() + f"\n// edit {uuid.uuid4()}\n")


def _edit_gomod(repo: Path) -> None:
    gomod = repo / "go.mod"
    gomod.write_text(gomod.read_text() + f"\n// edit {uuid.uuid4()}\n")


def measure(lab: Lab, fixture: str, variant: str, workdir: Path) -> Row:
    repo, binary, context_bytes = _prepare(fixture, variant, workdir)
    tag = f"gogen-bench/{fixture}:{variant}"
    lab.docker_run("builder", "prune", "-af")
    cold, cold_downloads = _timed_build(lab, repo, tag)
    _edit_source(repo)
    source, source_downloads = _timed_build(lab, repo, tag)
    _edit_gomod(repo)
    gomod, gomod_downloads = _timed_build(lab, repo, tag)
    size = int(lab.docker_run("image", "inspect", "-f", "{{.Size}}", tag).stdout.strip())
    return Row(
        fixture,
        variant,
        cold,
        source,
        gomod,
        (cold_downloads, source_downloads, gomod_downloads),
        size,
        _binary_bytes(lab, tag, binary),
        context_bytes,
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


def print_goals(rows: list[Row]) -> None:
    print()
    for row in rows:
        if row.variant in ("distroless-buildkit", "scratch-buildkit"):
            overhead = (row.image_bytes - row.binary_bytes) / 1_000_000
            verdict = "met" if overhead <= 3 else "MISSED"
            print(f"{row.fixture} {row.variant}: image = binary + {overhead:.2f} MB (goal <= 3 MB): {verdict}")
    for fixture in {row.fixture for row in rows}:
        naive = next((r for r in rows if r.fixture == fixture and r.variant == "naive"), None)
        gogen = next((r for r in rows if r.fixture == fixture and r.variant == "distroless-buildkit"), None)
        if naive and gogen:
            ratio = naive.source_rebuild / gogen.source_rebuild
            print(
                f"{fixture}: source-edit rebuild naive {naive.source_rebuild:.1f}s / gogen {gogen.source_rebuild:.1f}s "
                f"= {ratio:.1f}x (goal >= 3x); gogen downloads on that rebuild: {gogen.downloads[1]}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", nargs="*", default=list(FIXTURES))
    parser.add_argument("--variants", nargs="*", default=None, help="e.g. distroless-buildkit naive")
    args = parser.parse_args()
    variants = args.variants or [f"{p}-buildkit" for p in PROFILES] + ["distroless-layers", "naive"]
    lab = load_lab()
    if isinstance(lab, str):
        print(f"bench_images: {lab}", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="gogen-bench-") as tmp:
        for fixture in args.fixtures:
            for variant in variants:
                print(f"measuring {fixture} {variant} ...", file=sys.stderr, flush=True)
                rows.append(measure(lab, fixture, variant, Path(tmp)))
    print_table(rows)
    print_goals(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
