"""Score gogen's binary decisions against what real projects ship (issue 16).

A report, not a test: it prints figures and exits 0 whatever they are.

What one run measures, per repository:

* the truth: `fixtures/_shapes/<shape>/expect.toml` for every shape fixture, and, with
  `--mirrors DIR`, every repository of `scripts/data/real_repos.toml` whose bare git directory is
  found under `DIR/<owner>+<name>/` (the `fetch` tool's layout); its HEAD is extracted with
  `git archive` into a temporary folder. Nothing of it is run: gogen only reads files;
* gogen's choice: `gogen.api.plan(path, {})` at the repository root (`plan.binaries` are the binaries
  a default build produces, `plan.primary` the image's entrypoint);
* the figures (numerator/denominator, summed over repositories for the totals):
  - application recall: truth applications built by default / truth applications
    (an application is `role = "app"` without `default = false`);
  - non-application precision: truth non-applications left out / truth non-applications;
  - primary: gogen's primary directory is the truth's (not scored when the truth has none);
  - names: truth applications whose gogen binary name is the project's name / truth applications;
  - ports: the primary's ports equal the truth's (scored with the primary);
  - tags: the truth's build tags are all in the build, and the build adds only tags gogen adds
    on its own (timetzdata, netgo, osusergo);
  - cgo: the build's CGO_ENABLED is the truth's.

A repository where gogen raises a GogenError scores zero on every figure, with the message;
except one that ships no application (truth: no app, no primary), where gogen's refusal is
right and the scan's roles are scored for precision.

Run it from the repository root (gogen installed, e.g. `pip install -e .`):

    python scripts/bench_binaries.py
    python scripts/bench_binaries.py --mirrors /work/.mirror --json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal, cast

from gogen import api
from gogen.errors import GogenError
from gogen.model import Plan, Project

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "fixtures" / "_shapes"
REAL_REPOS = ROOT / "scripts" / "data" / "real_repos.toml"
GOGEN_OWN_TAGS = frozenset({"timetzdata", "netgo", "osusergo"})
GIT_TIMEOUT = 300
METRICS = ("recall", "precision", "primary", "names", "ports", "tags", "cgo")


@dataclass(frozen=True)
class TruthMain:
    dir: str
    role: str
    name: str | None
    default: bool

    @property
    def is_app(self) -> bool:
        return self.role == "app" and self.default


@dataclass(frozen=True)
class Truth:
    """One repository's labels (the schema of scripts/data/real_repos.toml)."""

    source: str
    commit: str
    module_dir: str
    primary: str
    ports: tuple[int, ...]
    tags: tuple[str, ...]
    cgo: bool
    mains: tuple[TruthMain, ...]

    @property
    def apps(self) -> tuple[TruthMain, ...]:
        return tuple(m for m in self.mains if m.is_app)

    @property
    def non_apps(self) -> tuple[TruthMain, ...]:
        return tuple(m for m in self.mains if not m.is_app)


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, right: bool) -> None:
        self.total += 1
        self.right += int(right)

    def text(self) -> str:
        return f"{self.right}/{self.total}" if self.total else "n/a"


@dataclass(frozen=True)
class MainRow:
    dir: str
    truth_role: str
    truth_name: str
    gogen_role: str
    gogen_binary: str
    built: bool
    ok: bool


@dataclass
class Report:
    label: str
    source: str
    commit: str
    error: str = ""
    gogen_primary: str = ""
    gogen_binaries: list[str] = field(default_factory=list)
    rows: list[MainRow] = field(default_factory=list)
    scores: dict[str, Score] = field(default_factory=lambda: {m: Score() for m in METRICS})


def truth_from_table(source: str, table: Mapping[str, object]) -> Truth:
    """A Truth from one [repo."owner/name"] table or one expect.toml."""
    mains_table = cast(Mapping[str, Mapping[str, object]], table.get("mains", {}))
    mains = tuple(
        TruthMain(
            dir=directory,
            role=str(entry["role"]),
            name=str(entry["name"]) if "name" in entry else None,
            default=bool(entry.get("default", True)),
        )
        for directory, entry in sorted(mains_table.items())
    )
    return Truth(
        source=source,
        commit=str(table.get("commit", "")),
        module_dir=str(table.get("module_dir", ".")),
        primary=str(table.get("primary", "")),
        ports=tuple(sorted(cast(list[int], table.get("ports", [])))),
        tags=tuple(sorted(cast(list[str], table.get("tags", [])))),
        cgo=bool(table.get("cgo", False)),
        mains=mains,
    )


def shape_truths(shapes: Path) -> list[tuple[str, Path, Truth]]:
    """(label, repository folder, truth) for every fixtures/_shapes/<shape>/expect.toml."""
    found = []
    for expect in sorted(shapes.glob("*/expect.toml")):
        table = tomllib.loads(expect.read_text(encoding="utf-8"))
        source = str(table.get("source", expect.parent.name))
        found.append((f"shape:{expect.parent.name}", expect.parent / "repo", truth_from_table(source, table)))
    return found


def real_truths(file: Path) -> list[Truth]:
    tables = cast(Mapping[str, Mapping[str, object]], tomllib.loads(file.read_text(encoding="utf-8"))["repo"])
    return [truth_from_table(source, table) for source, table in sorted(tables.items())]


def find_git_dir(mirrors: Path, source: str) -> Path | None:
    """The bare git directory of `owner/name` under `mirrors/<owner>+<name>/`, if fetched."""
    folder = mirrors / source.replace("/", "+")
    if not folder.is_dir():
        return None
    for candidate in sorted([folder, *folder.iterdir()]):
        if candidate.is_dir() and (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def head_commit(git_dir: Path) -> str:
    result = subprocess.run(
        ["git", "--git-dir", str(git_dir), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
        timeout=GIT_TIMEOUT,
    )
    return result.stdout.strip()


@contextmanager
def checked_out(git_dir: Path) -> Iterator[Path]:
    """HEAD's tree of a bare repository in a temporary folder, removed afterwards.

    `git archive HEAD`, extracted with tarfile's data filter (no links out, no device files). A
    fetched snapshot lacks its largest blobs, which makes `git archive` fail: then every blob that
    is present is written one by one and the missing ones are left out."""
    with tempfile.TemporaryDirectory(prefix="bench-binaries-") as tmp:
        tree = Path(tmp) / "repo"
        tree.mkdir()
        archive = Path(tmp) / "head.tar"
        made = subprocess.run(
            ["git", "--git-dir", str(git_dir), "archive", "--format=tar", "-o", str(archive), "HEAD"],
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT,
        )
        if made.returncode == 0:
            with tarfile.open(archive) as tar:
                tar.extractall(tree, filter="data")
            archive.unlink()
        else:
            print(f"({git_dir}: git archive failed, writing the blobs present one by one)", file=sys.stderr)
            write_present_blobs(git_dir, tree)
        yield tree


def write_present_blobs(git_dir: Path, tree: Path) -> None:
    """Regular files of HEAD (symbolic links and submodules left out) that the object store has."""
    listing = subprocess.run(
        ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", "HEAD"],
        capture_output=True,
        check=True,
        timeout=GIT_TIMEOUT,
    ).stdout
    files: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = name.decode("utf-8", "replace")
        if kind == "blob" and mode in {"100644", "100755"} and ".." not in Path(path).parts:
            files.append((sha, path))
    batch = subprocess.run(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in files).encode(),
        capture_output=True,
        check=False,
        timeout=GIT_TIMEOUT,
    ).stdout
    offset = 0
    for _, path in files:
        end = batch.index(b"\n", offset)
        header = batch[offset:end].split()
        offset = end + 1
        if len(header) != 3:
            continue
        size = int(header[2])
        target = tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[offset : offset + size])
        offset += size + 1


def build_tags(plan: Plan) -> set[str]:
    tags: set[str] = set()
    for flag in plan.build_flags:
        if flag.startswith("-tags="):
            tags.update(t for t in flag.removeprefix("-tags=").split(",") if t)
    return tags


def tags_right(truth: Truth, plan: Plan) -> bool:
    got = build_tags(plan)
    wanted = set(truth.tags)
    return wanted <= got and got - wanted <= GOGEN_OWN_TAGS


def score(label: str, path: Path, truth: Truth, commit: str) -> Report:
    report = Report(label=label, source=truth.source, commit=commit)
    try:
        project, plan = api.plan(path, {})
    except GogenError as exc:
        report.error = str(exc)
        if not truth.apps and not truth.primary and score_refusal(report, truth, path):
            return report
        score_failure(report, truth)
        return report
    score_plan(report, truth_from(truth, path), project, plan)
    return report


def truth_from(truth: Truth, path: Path) -> Truth:
    """The truth with directories relative to the module gogen works in: a repository whose
    module is in a subfolder (`backend/`) is scanned there, and gogen's dirs are relative to it."""
    root = api.module_root(path).resolve()
    if root == path.resolve():
        return truth
    prefix = root.relative_to(path.resolve()).as_posix() + "/"

    def inside(directory: str) -> str:
        return directory.removeprefix(prefix) if directory.startswith(prefix) else directory

    mains = tuple(replace(m, dir=inside(m.dir)) for m in truth.mains)
    return replace(truth, primary=inside(truth.primary), mains=mains)


def score_refusal(report: Report, truth: Truth, path: Path) -> bool:
    """A repository that ships no application (only examples): refusing to build is right when
    the scan keeps every main out of the default build. False when even the scan fails."""
    try:
        project = api.scan(path)
    except GogenError:
        return False
    scanned = {m.dir: m for m in project.mains}
    for main in truth.mains:
        kept_out = main.dir not in scanned or not scanned[main.dir].default
        report.scores["precision"].add(kept_out)
        role = scanned[main.dir].role if main.dir in scanned else "(not scanned)"
        report.rows.append(MainRow(main.dir, main.role, main.name or "", role, "", False, kept_out))
    return True


def score_failure(report: Report, truth: Truth) -> None:
    """Every figure counts as wrong, with the same denominators as a success would have."""
    s = report.scores
    for _ in truth.apps:
        s["recall"].add(False)
        s["names"].add(False)
    for _ in truth.non_apps:
        s["precision"].add(False)
    if truth.primary:
        s["primary"].add(False)
        s["ports"].add(False)
    s["tags"].add(False)
    s["cgo"].add(False)
    report.rows = [MainRow(m.dir, m.role, m.name or "", "-", "-", False, False) for m in truth.mains]


def score_plan(report: Report, truth: Truth, project: Project, plan: Plan) -> None:
    built = {b.dir: b for b in plan.binaries}
    scanned = {m.dir: m for m in project.mains}
    report.gogen_primary = plan.primary.dir if plan.binaries else ""
    report.gogen_binaries = sorted(f"{b.dir}={b.name}" for b in plan.binaries)
    s = report.scores
    for main in truth.mains:
        binary = (
            built[main.dir].name if main.dir in built else (scanned[main.dir].binary if main.dir in scanned else "")
        )
        ok = (main.dir in built) == main.is_app
        if main.is_app:
            s["recall"].add(main.dir in built)
            name_ok = main.name is None or main.name == binary
            s["names"].add(name_ok)
            ok = ok and name_ok
        else:
            s["precision"].add(main.dir not in built)
        role = scanned[main.dir].role if main.dir in scanned else "(not scanned)"
        report.rows.append(MainRow(main.dir, main.role, main.name or "", role, binary, main.dir in built, ok))
    labelled = {m.dir for m in truth.mains}
    for extra in sorted(set(built) - labelled):
        report.rows.append(
            MainRow(
                extra,
                "(unlabelled)",
                "",
                scanned[extra].role if extra in scanned else "",
                built[extra].name,
                True,
                False,
            )
        )
    if truth.primary:
        primary_ok = bool(plan.binaries) and plan.primary.dir == truth.primary
        s["primary"].add(primary_ok)
        s["ports"].add(primary_ok and tuple(sorted(plan.primary.ports)) == truth.ports)
    s["tags"].add(tags_right(truth, plan))
    s["cgo"].add(plan.cgo == truth.cgo)


def totals(reports: list[Report]) -> dict[str, Score]:
    summed = {m: Score() for m in METRICS}
    for report in reports:
        for metric, value in report.scores.items():
            summed[metric].right += value.right
            summed[metric].total += value.total
    return summed


def print_report(report: Report) -> None:
    print(f"\n== {report.label}  ({report.source} @ {report.commit[:12] or '-'})")
    if report.error:
        print(f"   GogenError: {report.error}")
    else:
        print(f"   gogen primary: {report.gogen_primary or '-'}; built: {', '.join(report.gogen_binaries) or '-'}")
    cells = [
        (row.dir, _labelled(row.truth_role, row.truth_name), _labelled(row.gogen_role, row.gogen_binary), row)
        for row in report.rows
    ]
    widths = [max([len(str(c[i])) for c in cells] + [len(h)]) for i, h in enumerate(("dir", "truth", "gogen"))]
    print(f"   {'dir':<{widths[0]}}  {'truth':<{widths[1]}}  {'gogen':<{widths[2]}}  built  ok")
    for directory, truth, gogen, row in cells:
        built = "yes" if row.built else "no"
        verdict = "ok" if row.ok else "WRONG"
        print(f"   {directory:<{widths[0]}}  {truth:<{widths[1]}}  {gogen:<{widths[2]}}  {built:<5}  {verdict}")
    print("   " + "  ".join(f"{m}={v.text()}" for m, v in report.scores.items()))


def _labelled(role: str, name: str) -> str:
    return f"{role}:{name}" if name else role


def print_totals(reports: list[Report]) -> None:
    summed = totals(reports)
    print(f"\n== totals over {len(reports)} repositories ({sum(1 for r in reports if r.error)} GogenError)")
    names = {
        "recall": "application recall",
        "precision": "non-application precision",
        "primary": "primary correct",
        "names": "project-name agreement",
        "ports": "primary ports right",
        "tags": "tags right",
        "cgo": "cgo right",
    }
    for metric, value in summed.items():
        share = f"{100 * value.right / value.total:5.1f}%" if value.total else "  n/a"
        print(f"   {names[metric]:<28} {value.text():>9}  {share}")


def as_json(reports: list[Report]) -> str:
    def scores(values: Mapping[str, Score]) -> dict[str, dict[str, int]]:
        return {m: {"right": v.right, "total": v.total} for m, v in values.items()}

    return json.dumps(
        {
            "repositories": [
                {
                    "label": r.label,
                    "source": r.source,
                    "commit": r.commit,
                    "error": r.error,
                    "gogen_primary": r.gogen_primary,
                    "gogen_binaries": r.gogen_binaries,
                    "mains": [asdict(row) for row in r.rows],
                    "scores": scores(r.scores),
                }
                for r in reports
            ],
            "totals": scores(totals(reports)),
        },
        indent=2,
    )


def collect(mirrors: Path | None, real_repos: Path, shapes: Path) -> list[Report]:
    reports = [score(label, path, truth, truth.commit) for label, path, truth in shape_truths(shapes)]
    if mirrors is None:
        return reports
    for truth in real_truths(real_repos):
        git_dir = find_git_dir(mirrors, truth.source)
        if git_dir is None:
            print(f"(no mirror of {truth.source} under {mirrors})", file=sys.stderr)
            continue
        commit = head_commit(git_dir)
        if commit != truth.commit:
            print(f"({truth.source}: HEAD {commit[:12]} is not the labelled {truth.commit[:12]})", file=sys.stderr)
        try:
            with checked_out(git_dir) as tree:
                reports.append(score(f"real:{truth.source}", tree, truth, commit))
        except (OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
            print(f"({truth.source}: could not check it out: {exc})", file=sys.stderr)
    return reports


def main(argv: list[str] | None = None) -> Literal[0]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mirrors", type=Path, help="folder of fetched bare repositories (<owner>+<name>/...)")
    parser.add_argument("--real-repos", type=Path, default=REAL_REPOS, help="truth labels of real repositories")
    parser.add_argument("--shapes", type=Path, default=SHAPES, help="folder of shape fixtures")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    reports = collect(args.mirrors, args.real_repos, args.shapes)
    if args.json:
        print(as_json(reports))
    else:
        for report in reports:
            print_report(report)
        print_totals(reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
