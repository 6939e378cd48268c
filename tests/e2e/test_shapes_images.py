"""The images `gogen init` makes for the real repository shapes (fixtures/_shapes, issue 16).

Issue 16 is done when `gogen init` on a copy of each public repository produces the images the
project itself ships. For every shape whose truth (expect.toml) names a primary and whose plan
succeeds, a copy gets gogen's files (with force: some shapes carry their own Dockerfile), the
default target is built once by the test lab, and the real image is checked against the truth:
its ENTRYPOINT is the primary's binary, that binary runs, its EXPOSE lines are the truth's ports,
and the other applications of the truth have targets that build. Where gogen disagrees with the
truth, the case is a strict xfail saying what differs (KNOWN), so neither a fix nor a
regression goes unnoticed.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from gogen import api
from gogen.errors import GogenError
from gogen.model import BinaryPlan, Plan
from tests.conftest import FIXTURES
from tests.e2e.lab import Lab, find_lab

SHAPES = FIXTURES / "_shapes"
BIN_DIR = "/usr/local/bin"
EXTRA_TARGETS = 2  # per shape, to keep the module's time low


def truth_of(shape: str) -> dict[str, Any]:
    return tomllib.loads((SHAPES / shape / "expect.toml").read_text(encoding="utf-8"))


def module_prefix(shape: str) -> str:
    """`backend/` when gogen works in the shape's only module, in a subfolder; else ``."""
    repo = (SHAPES / shape / "repo").resolve()
    root = api.module_root(repo).resolve()
    return "" if root == repo else root.relative_to(repo).as_posix() + "/"


def mains_of(shape: str) -> dict[str, dict[str, Any]]:
    """The truth's mains, their directories relative to the module gogen works in."""
    prefix = module_prefix(shape)
    mains = cast(dict[str, dict[str, Any]], truth_of(shape)["mains"])
    return {d.removeprefix(prefix): m for d, m in mains.items()}


def truth_apps(shape: str) -> dict[str, dict[str, Any]]:
    """The applications of the default image (`default = false` ones are images of their own)."""
    return {d: m for d, m in mains_of(shape).items() if m["role"] == "app" and m.get("default", True)}


def _plan_failure(shape: str) -> str | None:
    try:
        api.plan(SHAPES / shape / "repo", {"syntax": False})
    except GogenError as error:
        return str(error).replace(f"{FIXTURES.parent}/", "")
    return None


WITH_PRIMARY = [p.parent.name for p in sorted(SHAPES.glob("*/expect.toml")) if truth_of(p.parent.name)["primary"]]
PLAN_FAILURES = {shape: failure for shape in WITH_PRIMARY if (failure := _plan_failure(shape)) is not None}
PLANNED = [shape for shape in WITH_PRIMARY if shape not in PLAN_FAILURES]


def _xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"gogen: {reason}")


PROMETHEUS_BUILD = (
    "-tags builtinassets (the project's) embeds web/ui/static, which the npm build (make assets) "
    "creates: go build fails with `pattern static: no matching files found`"
)
NSQ_PRIMARY = "the primary is apps/nsq_stat (the last of the apps), not apps/nsqd (the first of Makefile APPS)"

# (check, shape) -> what gogen does differently from the truth. Checks: entrypoint, runs, ports, target:<dir>.
KNOWN: dict[tuple[str, str], str] = {
    ("entrypoint", "nsq"): NSQ_PRIMARY,
    ("runs", "nsq"): NSQ_PRIMARY,
    ("ports", "nsq"): f"{NSQ_PRIMARY}; the plan exposes no port, nsqd listens on 4150 and 4151",
    ("ports", "caddy"): "the plan exposes no port; caddy serves 80 and 443, its admin API 2019",
    ("entrypoint", "remark42"): "the binary is called app: the name remark42 is in the repository root's Dockerfile,"
    " above the module in backend/",
    ("ports", "remark42"): "no port: the EXPOSE is in the repository root's Dockerfile, above the module in backend/",
    ("target:cmd/krane", "go-containerregistry"): "no target for cmd/krane (its own module, replace => ../../)",
    # cmd/promtool's target builds: each binary compiles in its own stage, without cmd/prometheus.
    **{(check, "prometheus"): PROMETHEUS_BUILD for check in ("entrypoint", "runs", "ports")},
}

# What each primary does when run: (arguments, text its output must contain). Flag-based mains
# answer --help with `Usage of <their path>`; the others print a line and exit 0.
RUNS: dict[str, tuple[tuple[str, ...], str]] = {
    "caddy": ((), "caddy: serving the configured sites"),
    "cli": ((), "gh: GitHub on the command line"),
    "cobra-cli": ((), "cobra-cli: a generator for Cobra based applications"),
    "etcd": (("--help",), "Usage of /usr/local/bin/etcd"),
    "fzf": ((), "fzf "),
    "go-containerregistry": ((), "crane: a tool for managing container images"),
    "goreleaser": ((), "goreleaser: release engineering, simplified"),
    "hey": (("--help",), "Usage of /usr/local/bin/hey"),
    "hugo": ((), "hugo: a fast and flexible static site generator"),
    "ko": ((), "ko: build and deploy Go applications"),
    "mc": ((), "mc: MinIO client"),
    "nsq": ((), "nsqd: TCP 0.0.0.0:4150 HTTP 0.0.0.0:4151"),
    "prometheus": (("--help",), "Usage of /usr/local/bin/prometheus"),
    "runc": ((), "runc: OCI runtime, nsenter ready: true"),
    "whoami": (("--help",), "Usage of /usr/local/bin/whoami"),
    "remark42": ((), "remark42: comment engine"),
}
# Servers without flags: (the environment variable that sets the port, the text `GET /` answers).
SERVERS: dict[str, tuple[str, str]] = {"cloud-run-hello": ("PORT", "Hello from Cloud Run")}


def shape_params(check: str | None = None) -> list[Any]:
    """One parameter a shape with a primary: a known disagreement for `check` is a strict xfail,
    a shape whose plan fails a visible skip that says why."""
    params = []
    for shape in WITH_PRIMARY:
        if shape in PLAN_FAILURES:
            marks = [pytest.mark.skip(reason=f"gogen's plan fails: {PLAN_FAILURES[shape]}")]
        else:
            reason = KNOWN.get((check or "", shape))
            marks = [_xfail(reason)] if reason else []
        params.append(pytest.param(shape, marks=marks, id=shape))
    return params


@dataclass
class Prepared:
    repo: Path
    plan: Plan


@dataclass
class Images:
    """Each shape copied and given gogen's files once, each image built once (a failure is kept
    and reported by every test that needs the image); every tag is removed at the end."""

    root: Path
    lab: Lab | None = None
    prepared: dict[str, Prepared] = field(default_factory=dict)
    built: dict[str, str | AssertionError] = field(default_factory=dict)

    def prepare(self, shape: str) -> Prepared:
        if shape not in self.prepared:
            repo = self.root / shape
            shutil.copytree(SHAPES / shape / "repo", repo)
            outcome = api.init(repo, {"syntax": False}, api.WriteOptions(force=True))
            assert outcome.written, [(c.path, c.status) for c in outcome.changes]
            self.prepared[shape] = Prepared(api.module_root(repo), outcome.plan)
        return self.prepared[shape]

    def image(self, lab: Lab, shape: str, stage: str | None = None) -> str:
        """The tag of the shape's image (its default target, or `stage`), built on first use."""
        self.lab = lab
        tag = f"gogen-e2e-shapes/{shape}:{stage or 'default'}"
        if tag not in self.built:
            target = ("--target", stage) if stage else ()
            try:
                lab.build(self.prepare(shape).repo, tag, *target)
                self.built[tag] = tag
            except AssertionError as failure:
                self.built[tag] = failure
        result = self.built[tag]
        if isinstance(result, AssertionError):
            pytest.fail(f"the build of {tag} failed:\n{_gist(str(result))}")
        return result

    def remove_all(self) -> None:
        tags = [tag for tag, result in self.built.items() if isinstance(result, str)]
        if self.lab is not None and tags:
            self.lab.docker_run("image", "rm", "-f", *tags, check=False)


def _gist(log: str) -> str:
    """What the failing step printed (`#9 0.102 web/ui/x.go:10:12: ...`), else the log's tail."""
    printed = [line for line in log.splitlines() if re.match(r"#\d+ \d+\.\d+ ", line)]
    return "\n".join(printed) if printed else log


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Images]:
    made = Images(tmp_path_factory.mktemp("shapes"))
    yield made
    made.remove_all()


@pytest.fixture(scope="module")
def lab() -> Lab:
    return find_lab()


def truth_primary(shape: str, plan: Plan) -> tuple[str, str]:
    """The truth's primary and its binary name (gogen's name for that main when the truth gives none)."""
    primary = cast(str, truth_of(shape)["primary"]).removeprefix(module_prefix(shape))
    name = mains_of(shape)[primary].get("name")
    if name is None:
        name = next(b.name for b in plan.binaries if b.dir == primary)
    return primary, cast(str, name)


def inspect(lab: Lab, image: str, what: str) -> Any:
    return json.loads(lab.docker_run("image", "inspect", "-f", f"{{{{json .Config.{what}}}}}", image).stdout)


@pytest.mark.parametrize("shape", shape_params("entrypoint"))
def test_the_entrypoint_is_the_truth_primary(lab: Lab, images: Images, shape: str) -> None:
    _, name = truth_primary(shape, images.prepare(shape).plan)
    assert inspect(lab, images.image(lab, shape), "Entrypoint") == [f"{BIN_DIR}/{name}"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _http_answer(lab: Lab, image: str, variable: str) -> str:
    """What `GET /` answers from the image run with its port variable set to a free port."""
    port = _free_port()
    container = lab.docker_run("run", "-d", "--network=host", "-e", f"{variable}={port}", image).stdout.strip()
    try:
        deadline, last = time.monotonic() + 20, ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    return str(response.read().decode())
            except OSError as error:
                last = str(error)
                time.sleep(0.3)
        logs = lab.docker_run("logs", container, check=False)
        raise AssertionError(f"no answer on 127.0.0.1:{port}: {last}\n{logs.stdout}{logs.stderr}")
    finally:
        lab.docker_run("rm", "-f", container, check=False)


@pytest.mark.parametrize("shape", shape_params("runs"))
def test_the_primary_runs(lab: Lab, images: Images, shape: str) -> None:
    image = images.image(lab, shape)
    if shape in SERVERS:
        variable, answer = SERVERS[shape]
        assert answer in _http_answer(lab, image, variable)
        return
    assert shape in RUNS, f"tell RUNS or SERVERS what the primary of {shape} does when run"
    args, expected = RUNS[shape]
    result = lab.run_command(image, *args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert expected in output


def _ports(exposed: dict[str, object] | None) -> list[int]:
    return sorted(int(key.split("/")[0]) for key in exposed or {})


@pytest.mark.parametrize("shape", shape_params("ports"))
def test_the_image_exposes_the_truth_ports(lab: Lab, images: Images, shape: str) -> None:
    wanted = sorted(cast(list[int], truth_of(shape)["ports"]))
    assert _ports(inspect(lab, images.image(lab, shape), "ExposedPorts")) == wanted


def _target_params() -> list[Any]:
    """(shape, dir) for the first EXTRA_TARGETS non-primary applications of each planned shape's truth."""
    params = []
    for shape in PLANNED:
        primary = str(truth_of(shape)["primary"]).removeprefix(module_prefix(shape))
        for app in [d for d in truth_apps(shape) if d != primary][:EXTRA_TARGETS]:
            reason = KNOWN.get((f"target:{app}", shape))
            params.append(pytest.param(shape, app, marks=[_xfail(reason)] if reason else [], id=f"{shape}:{app}"))
    return params


def _stage_of(plan: Plan, app: str) -> BinaryPlan:
    stages = [b for b in plan.binaries if b.dir == app]
    assert stages, f"no target builds {app}: the plan builds {sorted(b.dir for b in plan.binaries)}"
    return stages[0]


@pytest.mark.parametrize(("shape", "app"), _target_params())
def test_every_other_truth_app_has_a_target_that_builds(lab: Lab, images: Images, shape: str, app: str) -> None:
    binary = _stage_of(images.prepare(shape).plan, app)
    image = images.image(lab, shape, binary.stage)
    name = mains_of(shape)[app].get("name", binary.name)
    assert inspect(lab, image, "Entrypoint") == [f"{BIN_DIR}/{name}"]


@pytest.mark.parametrize("shape", shape_params())
def test_no_truth_non_app_is_compiled_into_a_stage(images: Images, shape: str) -> None:
    non_apps = {d for d, m in mains_of(shape).items() if m["role"] != "app"}
    compiled = {b.dir for b in images.prepare(shape).plan.binaries}
    assert sorted(compiled & non_apps) == []
