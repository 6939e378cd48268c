"""Benchmark `gogen scan` on a large generated Go repository, and compare it with `go list`.

What one run measures:

* it generates, deterministically, a Go module (`example.com/big`; by default 20,000 `.go` files in
  2,000 packages, 20 of them `package main` under `cmd/`) into a temporary directory or `--keep DIR`;
* `gogen.api.scan` in-process: the first (cold) run, then the best of 5 warm runs;
* the CLI `gogen scan --json PATH` as a subprocess, best of 3 (interpreter start-up included);
* `go list -e ./...` on the same tree, best of 3, when a Go toolchain is found (`--go PATH`, else `go`
  on PATH, else /usr/lib/go-1.23/bin/go), and the ratio go list / gogen.

It prints a table of the figures and exits 0. The generated code compiles (`go build ./...`), but the
benchmark does not build it: that would take long.

Run it from the repository root (gogen installed, e.g. `pip install -e .`):

    python scripts/bench_scan.py
    python scripts/bench_scan.py --files 2000 --per-package 10 --keep /tmp/big --go /usr/local/go/bin/go
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from gogen import api
from gogen.model import Project

MODULE = "example.com/big"
SEED = 20240601
MAX_MAINS = 20
UTIL_PACKAGES = 50
PACKAGES_PER_SERVICE = 20
EMBED_EVERY = 7
MIN_BYTES = 1024
TARGET_LINES_MAX = 66  # the last block may overshoot by up to ~14 lines: files end up 30-80 lines
WARM_RUNS = 5
CLI_RUNS = 3
GO_LIST_RUNS = 3
FALLBACK_GO = Path("/usr/lib/go-1.23/bin/go")

LICENSE = (
    "// Copyright 2024 The Big Authors. All rights reserved.\n"
    "// Use of this source code is governed by a BSD-style\n"
    "// license that can be found in the LICENSE file.\n"
)
TOPICS = (
    "store", "handler", "client", "config", "cache", "codec", "router", "worker", "queue", "metrics",
    "auth", "retry", "limits", "schema", "index", "events", "session", "render", "policy", "registry",
    "loader", "export", "audit", "health", "backoff", "pool", "parser", "format", "notify", "billing",
)  # fmt: skip
NOUNS = (
    "record", "session", "order", "invoice", "ticket", "account", "profile", "report", "event", "metric",
    "batch", "shard", "token", "quota", "route", "lease", "widget", "bucket", "channel", "tenant",
    "job", "snapshot", "cursor", "replica",
)  # fmt: skip

STD_SNIPPETS: dict[str, Template] = {
    "fmt": Template(
        'func describe$N(id int, name string) string {\n\treturn fmt.Sprintf("$noun %s#%d", name, id)\n}\n'
    ),
    "strings": Template(
        "func normalize$N(in string) string {\n"
        "\tin = strings.TrimSpace(in)\n"
        '\tif strings.HasPrefix(in, "$noun:") {\n'
        '\t\tin = strings.TrimPrefix(in, "$noun:")\n'
        "\t}\n"
        "\treturn strings.ToLower(in)\n"
        "}\n"
    ),
    "strconv": Template(
        "func parse$N(raw string) (int, error) {\n"
        "\tn, err := strconv.Atoi(raw)\n"
        "\tif err != nil {\n"
        "\t\treturn 0, err\n"
        "\t}\n"
        "\treturn n * 2, nil\n"
        "}\n"
    ),
    "errors": Template('var Err$N = errors.New("$noun: not found")\n'),
    "sort": Template(
        "func sorted$N(items []string) []string {\n"
        "\tout := append([]string(nil), items...)\n"
        "\tsort.Strings(out)\n"
        "\treturn out\n"
        "}\n"
    ),
    "time": Template(
        "func deadline$N(base time.Time, seconds int) time.Time {\n"
        "\treturn base.Add(time.Duration(seconds) * time.Second)\n"
        "}\n"
    ),
    "sync": Template(
        "type cache$N struct {\n"
        "\tmu    sync.Mutex\n"
        "\titems map[string]int\n"
        "}\n"
        "\n"
        "func (c *cache$N) put(key string, value int) {\n"
        "\tc.mu.Lock()\n"
        "\tdefer c.mu.Unlock()\n"
        "\tif c.items == nil {\n"
        "\t\tc.items = make(map[string]int)\n"
        "\t}\n"
        "\tc.items[key] = value\n"
        "}\n"
    ),
    "bytes": Template(
        "func join$N(parts [][]byte) []byte {\n"
        "\tvar buf bytes.Buffer\n"
        "\tfor _, p := range parts {\n"
        "\t\tbuf.Write(p)\n"
        "\t\tbuf.WriteByte(',')\n"
        "\t}\n"
        "\treturn buf.Bytes()\n"
        "}\n"
    ),
    "context": Template(
        "func run$N(ctx context.Context, steps int) error {\n"
        "\tfor i := 0; i < steps; i++ {\n"
        "\t\tif err := ctx.Err(); err != nil {\n"
        "\t\t\treturn err\n"
        "\t\t}\n"
        "\t}\n"
        "\treturn nil\n"
        "}\n"
    ),
    "io": Template("func drain$N(r io.Reader) (int64, error) {\n\treturn io.Copy(io.Discard, r)\n}\n"),
    "os": Template(
        "func env$N(key, fallback string) string {\n"
        "\tif v, ok := os.LookupEnv(key); ok {\n"
        "\t\treturn v\n"
        "\t}\n"
        "\treturn fallback\n"
        "}\n"
    ),
    "encoding/json": Template(
        "func encode$N(v any) (string, error) {\n"
        "\tdata, err := json.Marshal(v)\n"
        "\tif err != nil {\n"
        '\t\treturn "", err\n'
        "\t}\n"
        "\treturn string(data), nil\n"
        "}\n"
    ),
    "math": Template("func scale$N(x float64) float64 {\n\treturn math.Round(x*100) / 100\n}\n"),
}
FILLERS: tuple[Template, ...] = (
    Template(
        "type $Type struct {\n"
        '\tID        int               `json:"id"`\n'
        '\tName      string            `json:"name"`\n'
        '\tOwner     string            `json:"owner,omitempty"`\n'
        '\tLabels    map[string]string `json:"labels,omitempty"`\n'
        '\tEnabled   bool              `json:"enabled"`\n'
        '\tRetries   int               `json:"retries,omitempty"`\n'
        '\tUpdatedAt string            `json:"updated_at,omitempty"`\n'
        "}\n"
        "\n"
        "// Valid reports whether the $noun can be used.\n"
        "func (x *$Type) Valid() bool {\n"
        '\treturn x != nil && x.ID > 0 && x.Name != ""\n'
        "}\n"
    ),
    Template(
        "func sum$N(values []int) int {\n"
        "\ttotal := 0\n"
        "\tfor _, v := range values {\n"
        "\t\tif v < 0 {\n"
        "\t\t\tcontinue\n"
        "\t\t}\n"
        "\t\ttotal += v\n"
        "\t}\n"
        "\treturn total\n"
        "}\n"
    ),
    Template(
        "func classify$N(code int) string {\n"
        "\tswitch {\n"
        "\tcase code >= 500:\n"
        '\t\treturn "server"\n'
        "\tcase code >= 400:\n"
        '\t\treturn "client"\n'
        "\tdefault:\n"
        '\t\treturn "ok"\n'
        "\t}\n"
        "}\n"
    ),
    Template(
        "type ${N}Option func(*${N}Settings)\n"
        "\n"
        "type ${N}Settings struct {\n"
        "\tLimit   int\n"
        "\tVerbose bool\n"
        "}\n"
        "\n"
        "func with${N}Limit(n int) ${N}Option {\n"
        "\treturn func(s *${N}Settings) { s.Limit = n }\n"
        "}\n"
    ),
)
DOC_SENTENCES: tuple[Template, ...] = (
    Template("// The $noun helpers below are shared by the handlers of this service and by its batch jobs."),
    Template("// Callers must not keep references to the $noun after the surrounding request has returned."),
    Template("// It is safe for concurrent use once the $noun has been validated by the admission layer."),
    Template("// Keep this in sync with the $noun schema documented in docs/design/$noun.md (section 3)."),
    Template("// Errors are returned unwrapped so that callers can compare them against the $noun sentinels."),
    Template("// Deprecated fields of the $noun are still accepted here for compatibility with v1 clients."),
    Template("// This path is hot in production profiles: avoid allocations and logging per $noun."),
    Template("// The zero value is usable; a nil $noun is treated as empty rather than as an error."),
)
MAIN_PLAIN = Template('var version = "dev"\n\nfunc main() {\n\tfmt.Println("$tool", version)\n}\n')
MAIN_EMBED = Template(
    "//go:embed banner.txt\n"
    "var banner string\n"
    "\n"
    "//go:embed static/*.html\n"
    "var staticFiles embed.FS\n"
    "\n"
    'var version = "dev"\n'
    "\n"
    "func main() {\n"
    '\tfmt.Println("$tool", version, len(banner))\n'
    '\tentries, err := staticFiles.ReadDir("static")\n'
    "\tif err != nil {\n"
    "\t\tpanic(err)\n"
    "\t}\n"
    "\tfmt.Println(len(entries))\n"
    "}\n"
)


@dataclass
class PackageSpec:
    """One generated package; `required` are imports that make every package reachable from a main."""

    index: int
    dir: str
    name: str
    alias: str
    main: bool
    embeds: bool = False
    required: list[int] = field(default_factory=list)


@dataclass
class FileSpec:
    """One generated file: its name, imports, build constraint and target length in lines."""

    index: int
    name: str
    std: list[str]
    local: list[int]
    build_linux: bool
    platform: str | None
    lines: int


@dataclass
class Tree:
    """The generated repository: its packages and file count."""

    root: Path
    packages: list[PackageSpec]
    files: int
    seconds: float

    @property
    def mains(self) -> int:
        return sum(1 for p in self.packages if p.main)


@dataclass
class Figures:
    """What the benchmark measured."""

    cold: float
    warm: float
    cli: float
    mains_found: int
    closure_packages: int
    go_list: float | None = None
    go_packages: int | None = None


# ---------------------------------------------------------------- layout


def layout(n_packages: int) -> list[PackageSpec]:
    """Utility packages under pkg/, services under internal/, then the mains under cmd/ (highest indices)."""
    n_mains = min(MAX_MAINS, max(1, n_packages // 10))
    n_libs = n_packages - n_mains
    n_utils = min(UTIL_PACKAGES, n_libs // 10)
    specs = [_library(i, n_utils) for i in range(n_libs)]
    for k in range(n_mains):
        specs.append(PackageSpec(n_libs + k, f"cmd/tool{k:02d}", "main", "", True, embeds=k % EMBED_EVERY == 0))
    _link(specs)
    return specs


def _library(index: int, n_utils: int) -> PackageSpec:
    if index < n_utils:
        name = f"util{index:03d}"
        return PackageSpec(index, f"pkg/{name}", name, name, False)
    service, pkg = divmod(index - n_utils, PACKAGES_PER_SERVICE)
    name = f"pkg{pkg:03d}"
    return PackageSpec(index, f"internal/svc{service:03d}/{name}", name, f"svc{service:03d}{name}", False)


def _link(specs: list[PackageSpec]) -> None:
    """Chain the packages of each group (lower index first); the mains import the group tops round-robin."""
    tops: dict[str, int] = {}
    for spec in specs:
        if spec.main:
            continue
        group = spec.dir.rsplit("/", 1)[0]
        if group in tops:
            spec.required.append(tops[group])
        tops[group] = spec.index
    mains = [spec for spec in specs if spec.main]
    for n, top in enumerate(tops.values()):
        mains[n % len(mains)].required.append(top)


# ---------------------------------------------------------------- file plans


def plan_files(spec: PackageSpec, per_package: int, n_libs: int, n_utils: int, rng: random.Random) -> list[FileSpec]:
    """Names, constraints and imports of the files of one package."""
    names = _file_names(spec, per_package, rng)
    pair = per_package >= 3 and rng.random() < 0.1
    plans = []
    for index, topic_name in enumerate(names):
        name, platform = topic_name, None
        if pair and index >= per_package - 2:
            platform = "linux" if index == per_package - 2 else "windows"
            name = f"platform_{platform}.go"
        build_linux = index > 0 and platform is None and rng.random() < 0.05
        std = rng.sample(sorted(STD_SNIPPETS), rng.randint(2, 4))
        plans.append(FileSpec(index, name, std, [], build_linux, platform, rng.randint(30, TARGET_LINES_MAX)))
    if spec.main:
        plans[0].std = sorted({*plans[0].std, "fmt"} | ({"embed"} if spec.embeds else set()))
    _assign_imports(spec, plans, min(spec.index, n_libs), n_utils, rng)
    return plans


def _file_names(spec: PackageSpec, per_package: int, rng: random.Random) -> list[str]:
    topics = rng.sample(TOPICS, min(per_package, len(TOPICS)))
    topics += [f"part{n}" for n in range(len(topics), per_package)]
    names = [f"{topic}.go" for topic in topics]
    if spec.main:
        names[0] = "main.go"
    return names


def _assign_imports(spec: PackageSpec, plans: list[FileSpec], limit: int, n_utils: int, rng: random.Random) -> None:
    """Required imports go to files every Linux build sees; then each file gets 1-3 lower-index packages."""
    visible = [plan for plan in plans if plan.platform != "windows"]
    for n, required in enumerate(spec.required):
        visible[n % len(visible)].local.append(required)
    if limit == 0:
        return
    for plan in plans:
        wanted = rng.randint(1, 3)
        while len(plan.local) < wanted:
            pick = _pick_lower(limit, n_utils, rng)
            if pick not in plan.local:
                plan.local.append(pick)
            elif len(plan.local) >= limit:
                break


def _pick_lower(limit: int, n_utils: int, rng: random.Random) -> int:
    """A library package below `limit`: often a utility, often a neighbour, sometimes anything."""
    roll = rng.random()
    if roll < 0.4 and n_utils:
        return rng.randrange(min(limit, n_utils))
    if roll < 0.7:
        return rng.randrange(max(0, limit - PACKAGES_PER_SERVICE), limit)
    return rng.randrange(limit)


# ---------------------------------------------------------------- rendering


def render_file(spec: PackageSpec, plan: FileSpec, specs: list[PackageSpec], rng: random.Random) -> str:
    """The text of one Go file: license, constraint, package clause, imports, then code blocks."""
    head = _header(spec, plan) + _imports(plan, specs)
    nouns = iter(rng.sample(NOUNS, len(NOUNS)))
    blocks = _fixed_blocks(spec, plan, specs, nouns, rng)
    for noun in nouns:
        text = head + "\n".join(blocks)
        if text.count("\n") >= plan.lines and len(text) >= MIN_BYTES:
            return text
        blocks.append(_fill(rng.choice(FILLERS), noun, plan.index, rng))
    return head + "\n".join(blocks)


def _header(spec: PackageSpec, plan: FileSpec) -> str:
    text = LICENSE + "\n"
    if plan.build_linux:
        text += "//go:build linux\n\n"
    if plan.index == 0:
        what = f"Command {spec.dir.rsplit('/', 1)[-1]}" if spec.main else f"Package {spec.name}"
        text += f"// {what} is part of the {MODULE} monorepo ({spec.dir}).\n"
    return text + f"package {spec.name}\n\n"


def _imports(plan: FileSpec, specs: list[PackageSpec]) -> str:
    std = [f'\t"{path}"\n' for path in sorted(plan.std)]
    local = sorted(f'\t{specs[i].alias} "{MODULE}/{specs[i].dir}"\n' for i in plan.local)
    return "import (\n" + "".join(std) + ("\n" if std and local else "") + "".join(local) + ")\n\n"


def _fill(template: Template, noun: str, index: int, rng: random.Random) -> str:
    """A code block for `noun` in file `index`, after a two-line comment."""
    doc = "".join(sentence.substitute(noun=noun) + "\n" for sentence in rng.sample(DOC_SENTENCES, 2))
    return doc + template.substitute(N=f"{noun.capitalize()}{index}", Type=f"{noun.capitalize()}{index}", noun=noun)


def _fixed_blocks(
    spec: PackageSpec, plan: FileSpec, specs: list[PackageSpec], nouns: Iterator[str], rng: random.Random
) -> list[str]:
    """Blocks every file needs: identity or main, one use per import, the platform function."""
    blocks = []
    if plan.index == 0:
        blocks.append(_entry_block(spec))
    blocks += [_fill(STD_SNIPPETS[path], next(nouns), plan.index, rng) for path in plan.std if path != "embed"]
    if plan.local:
        calls = "".join(f"\t\t{alias}.Name(),\n" for alias in sorted(specs[i].alias for i in plan.local))
        name = f"dependencies{next(nouns).capitalize()}{plan.index}"
        blocks.append(f"func {name}() []string {{\n\treturn []string{{\n{calls}\t}}\n}}\n")
    if plan.platform is not None:
        doc = "// platformDefault names the OS this build targets.\n"
        blocks.append(f'{doc}func platformDefault() string {{\n\treturn "{plan.platform}"\n}}\n')
    return blocks


def _entry_block(spec: PackageSpec) -> str:
    tool = spec.dir.rsplit("/", 1)[-1]
    if spec.main:
        return (MAIN_EMBED if spec.embeds else MAIN_PLAIN).substitute(tool=tool)
    return f'// Name reports the package\'s path inside the module.\nfunc Name() string {{\n\treturn "{spec.dir}"\n}}\n'


# ---------------------------------------------------------------- generation


def generate(root: Path, n_files: int, per_package: int) -> Tree:
    """Write the whole module under `root`, deterministically (fixed seed)."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    specs = layout(n_files // per_package)
    n_libs = sum(1 for spec in specs if not spec.main)
    n_utils = min(UTIL_PACKAGES, n_libs // 10)
    (root / "go.mod").write_text(f"module {MODULE}\n\ngo 1.22\n")
    written = 0
    for spec in specs:
        directory = root / spec.dir
        directory.mkdir(parents=True, exist_ok=True)
        for plan in plan_files(spec, per_package, n_libs, n_utils, rng):
            (directory / plan.name).write_text(render_file(spec, plan, specs, rng))
            written += 1
        if spec.embeds:
            _write_embedded(directory)
    return Tree(root, specs, written, time.perf_counter() - started)


def _write_embedded(directory: Path) -> None:
    (directory / "banner.txt").write_text(f"{directory.name} - built with care\n")
    (directory / "static").mkdir(exist_ok=True)
    (directory / "static" / "index.html").write_text(f"<!doctype html>\n<title>{directory.name}</title>\n")


# ---------------------------------------------------------------- timing


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The shortest wall time of `runs` calls of `action`, in seconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def time_gogen(root: Path) -> Figures:
    """api.scan cold and warm, then the CLI as a subprocess."""
    started = time.perf_counter()
    project = api.scan(root)
    cold = time.perf_counter() - started
    warm = best_of(WARM_RUNS, lambda: api.scan(root))
    command = [*gogen_command(), "scan", "--json", str(root)]
    cli = best_of(CLI_RUNS, lambda: _run(command, None, None))
    return Figures(cold, warm, cli, len(project.mains), closure_packages(project))


def closure_packages(project: Project) -> int:
    """Distinct package directories in the import closures of the mains gogen found."""
    return len({directory for main in project.mains for directory in main.closure})


def gogen_command() -> list[str]:
    """The `gogen` script next to this interpreter, else on PATH, else `python -m gogen`."""
    sibling = Path(sys.executable).with_name("gogen")
    if sibling.is_file():
        return [str(sibling)]
    found = shutil.which("gogen")
    return [found] if found else [sys.executable, "-m", "gogen"]


def _run(command: list[str], cwd: Path | None, env: dict[str, str] | None) -> str:
    """Run a command, return its stdout; a failure ends the benchmark with the command's stderr."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"bench_scan: {' '.join(command)} failed ({result.returncode}):\n{result.stderr.strip()}")
    return result.stdout


def find_go(explicit: Path | None) -> Path | None:
    """`--go PATH`, else `go` on PATH, else the Debian Go 1.23 location, else None."""
    if explicit is not None:
        return explicit
    found = shutil.which("go")
    if found:
        return Path(found)
    return FALLBACK_GO if FALLBACK_GO.is_file() else None


def time_go_list(go: Path, root: Path, figures: Figures) -> None:
    """Best of 3 `go list -e ./...` with a private GOCACHE; records the time and the package count."""
    with tempfile.TemporaryDirectory(prefix="bench-gocache-") as cache:
        env = {
            **os.environ,
            "GOFLAGS": "-mod=mod",
            "GOTOOLCHAIN": "local",
            "GOPROXY": "off",
            "GOWORK": "off",
            "GOCACHE": cache,
        }
        command = [str(go), "list", "-e", "./..."]
        outputs: list[str] = []
        figures.go_list = best_of(GO_LIST_RUNS, lambda: outputs.append(_run(command, root, env)))
        figures.go_packages = len(outputs[-1].split())


# ---------------------------------------------------------------- report


def table(tree: Tree, figures: Figures) -> str:
    """The figures as a two-column text table."""
    rows: list[tuple[str, str]] = [
        ("files (.go)", str(tree.files)),
        ("packages (generated)", str(len(tree.packages))),
        ("mains (generated)", str(tree.mains)),
        ("mains (gogen found)", str(figures.mains_found)),
        ("packages in mains' closures (gogen)", str(figures.closure_packages)),
        ("generate tree (s)", f"{tree.seconds:.3f}"),
        ("api.scan cold, first run (s)", f"{figures.cold:.3f}"),
        (f"api.scan warm, best of {WARM_RUNS} (s)", f"{figures.warm:.3f}"),
        (f"gogen scan --json CLI, best of {CLI_RUNS} (s)", f"{figures.cli:.3f}"),
    ]
    if figures.go_list is not None:
        rows += [
            ("packages (go list)", str(figures.go_packages)),
            (f"go list -e ./..., best of {GO_LIST_RUNS} (s)", f"{figures.go_list:.3f}"),
            ("ratio go list / api.scan warm", f"{figures.go_list / figures.warm:.3f}"),
            ("ratio go list / gogen CLI", f"{figures.go_list / figures.cli:.3f}"),
        ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{'figure':<{width}}  value", f"{'-' * width}  {'-' * 9}"]
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=20_000, help="number of .go files (default: 20000)")
    parser.add_argument("--per-package", type=int, default=10, help="files per package (default: 10)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate into DIR (new or empty) and keep it")
    parser.add_argument("--go", type=Path, metavar="PATH", help="the go command to compare with")
    args = parser.parse_args(argv)
    if args.per_package < 1 or args.files < args.per_package:
        parser.error("need --per-package >= 1 and --files >= --per-package")
    if args.keep is not None and args.keep.exists() and (not args.keep.is_dir() or any(args.keep.iterdir())):
        parser.error(f"--keep {args.keep}: must be a new or empty directory")
    if args.go is not None and not args.go.is_file():
        parser.error(f"--go {args.go}: no such file")
    return args


@contextmanager
def target_dir(keep: Path | None) -> Iterator[Path]:
    """`--keep DIR` (created if needed), else a temporary directory removed afterwards."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        yield Path(tmp)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with target_dir(args.keep) as root:
        print(f"generating {args.files} files, {args.per_package} per package, in {root} ...", flush=True)
        tree = generate(root, args.files, args.per_package)
        print("timing gogen (api.scan in-process, then the CLI) ...", flush=True)
        figures = time_gogen(root)
        go = find_go(args.go)
        if go is None:
            print("note: no go toolchain found (--go, PATH, /usr/lib/go-1.23/bin/go): skipping go list")
        else:
            print(f"timing {go} list -e ./... ...", flush=True)
            time_go_list(go, root, figures)
        if figures.mains_found != tree.mains:
            print(f"note: gogen found {figures.mains_found} mains, the tree has {tree.mains}")
        print()
        print(table(tree, figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
