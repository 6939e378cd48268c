"""compose.yaml and the GitHub Actions workflow, rendered for real plans and read back as YAML.

compose.yaml: one service per binary, built from a stage the Dockerfile has, with the ports,
environment and health check the plan decided. The workflow: every action pinned by commit SHA
with its release tag in a trailing comment, as gogen/data/github_actions.toml says (which records
the inputs each action.yml declares at that commit), no input an action does not have, no
required input missing, no push for pull requests, the commit passed to every image build, the Go
cache directories carried over exactly, QEMU only where cgo needs it.
"""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from gogen import api, managed
from gogen.model import Plan
from gogen.plan import plan as make_plan
from gogen.render import render
from gogen.settings import Options
from tests.conftest import FIXTURES

COMPOSE = "compose.yaml"
WORKFLOW = ".github/workflows/docker.yml"
CASES = ("multi-cmd", "deps", "cgo-sqlite")
ACTIONS: dict[str, Any] = tomllib.loads(
    (resources.files("gogen") / "data" / "github_actions.toml").read_text(encoding="utf-8")
)["actions"]


def _rendered(case: str, **options: Any) -> tuple[Plan, dict[str, str]]:
    the_plan = make_plan(api.scan(FIXTURES / case / "repo"), Options(**{"compose": True, "ci": "github", **options}))
    return the_plan, render(the_plan)


def _stages(dockerfile: str) -> list[str]:
    """The stage names of a Dockerfile (`FROM image AS name`)."""
    return re.findall(r"^FROM\s+\S+(?:\s+\S+)?\s+AS\s+(\S+)\s*$", dockerfile, flags=re.MULTILINE | re.IGNORECASE)


def _load(text: str) -> dict[str, Any]:
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    jobs = list(workflow["jobs"].values())
    assert len(jobs) == 1
    steps = jobs[0]["steps"]
    assert isinstance(steps, list)
    return steps


def _uses(steps: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [step for step in steps if str(step.get("uses", "")).split("@")[0] == action]


def _expression(value: str) -> str:
    match = re.fullmatch(r"\$\{\{\s*(.*?)\s*\}\}", value.strip())
    assert match, f"not a GitHub expression: {value!r}"
    return match.group(1)


def _evaluate(expression: str, event_name: str, ref: str, default_branch: str = "main") -> bool:
    """A GitHub Actions expression of the workflow's push condition, evaluated for one event.

    Enough of the expression language for this condition: ==, !=, &&, ||, !, format(),
    startsWith(), single-quoted strings and the `github` context.
    """
    python = expression.replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"!(?!=)", " not ", python)
    github = SimpleNamespace(
        event_name=event_name,
        ref=ref,
        event=SimpleNamespace(repository=SimpleNamespace(default_branch=default_branch)),
    )
    names = {
        "github": github,
        "format": lambda template, *args: template.format(*args),
        "startsWith": lambda text, prefix: str(text).lower().startswith(str(prefix).lower()),
        "true": True,
        "false": False,
    }
    return bool(eval(python, {"__builtins__": {}}, names))


# compose.yaml


@pytest.mark.parametrize("case", CASES)
def test_compose_has_one_service_per_binary_built_from_its_stage(case: str) -> None:
    the_plan, files = _rendered(case)
    compose = _load(files[COMPOSE])
    stages = _stages(files["Dockerfile"])
    services = compose["services"]
    assert list(services) == [binary.name for binary in the_plan.binaries]
    for binary in the_plan.binaries:
        service = services[binary.name]
        assert service["build"]["context"] == "."
        assert service["build"]["target"] == binary.stage
        assert binary.stage in stages, f"{binary.stage} is no stage of the Dockerfile: {stages}"
        assert service["image"] == binary.name
        assert service["pull_policy"] == "build", "the local tag must not be pulled from a registry"
        assert "user" not in service, "the image already runs as the non-root user"
        assert service.get("ports", []) == [f"{port}:{port}" for port in binary.ports]
        assert service.get("environment", {}) == dict(binary.environment)
        assert "healthcheck" not in service
    assert "secrets" not in compose


def test_compose_publishes_the_detected_ports_of_each_binary() -> None:
    _, files = _rendered("multi-cmd")
    services = _load(files[COMPOSE])["services"]
    assert services["shop-api"]["ports"] == ["8080:8080"]
    assert "ports" not in services["worker"] and "ports" not in services["shop"]
    assert _stages(files["Dockerfile"]) == [
        "build",
        "build-shop-api",
        "build-worker",
        "build-shop",
        "runtime",
        "shop-api",
        "worker",
        "shop",
    ]


def test_compose_sets_the_environment_default_the_program_reads() -> None:
    _, files = _rendered("deps")
    service = _load(files[COMPOSE])["services"]["quotes"]
    assert service["environment"] == {"PORT": "8080"}
    assert service["ports"] == ["8080:8080"]


def test_compose_healthcheck_runs_the_configured_command_in_exec_form() -> None:
    the_plan, files = _rendered("deps", healthcheck=("healthcheck",))
    assert the_plan.primary.healthcheck == ("/usr/local/bin/quotes", "healthcheck")
    service = _load(files[COMPOSE])["services"]["quotes"]
    assert service["healthcheck"]["test"] == ["CMD", "/usr/local/bin/quotes", "healthcheck"]


def test_compose_builds_with_the_netrc_secret_for_private_modules() -> None:
    _, files = _rendered("deps", private=("example.com/private/*",))
    compose = _load(files[COMPOSE])
    assert compose["secrets"] == {"netrc": {"file": "~/.netrc"}}
    for service in compose["services"].values():
        assert service["build"]["secrets"] == ["netrc"]


@pytest.mark.parametrize("output", [COMPOSE, WORKFLOW])
def test_generated_yaml_carries_the_marker_and_says_how_to_regenerate(output: str) -> None:
    _, files = _rendered("multi-cmd")
    text = files[output]
    assert text.startswith("# gogen:managed sha256:")
    assert managed.state(text) == "pristine"
    assert "`gogen regen`" in text.split("\n\n")[0], "the header comment says how to regenerate"


# the GitHub Actions workflow


def _workflow(case: str, **options: Any) -> tuple[Plan, dict[str, str], dict[str, Any]]:
    the_plan, files = _rendered(case, **options)
    return the_plan, files, _load(files[WORKFLOW])


VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("multi-cmd", {}),
    ("deps", {}),
    ("deps", {"strategy": "layers"}),
    ("deps", {"private": ("example.com/private/*",)}),
    ("cgo-sqlite", {}),
    ("cgo-sqlite", {"platforms": ("linux/amd64",)}),
    ("multi-cmd", {"profile": "alpine"}),
]
VARIANT_IDS = [f"{case}-{'-'.join(f'{k}={v}' for k, v in options.items()) or 'default'}" for case, options in VARIANTS]


SHA = re.compile(r"[0-9a-f]{40}")
RELEASE = re.compile(r"v\d+\.\d+\.\d+")
# `uses: owner/repo@<commit> # <release tag>`: the form Renovate and Dependabot keep updated (SHA and comment together).
USES_LINE = re.compile(r"^\s+(?:- )?uses: (?P<action>[\w.-]+/[\w.-]+)@(?P<commit>\S+) # (?P<version>\S+)$")


def test_the_table_pins_each_action_to_a_release_commit() -> None:
    for action, spec in ACTIONS.items():
        assert set(spec) == {"version", "commit", "inputs"}, f"{action}: {sorted(spec)}"
        assert SHA.fullmatch(spec["commit"]), f"{action}: commit {spec['commit']!r} is not 40 lowercase hex"
        assert RELEASE.fullmatch(spec["version"]), f"{action}: version {spec['version']!r} is not vMAJOR.MINOR.PATCH"
        assert spec["inputs"], f"{action}: no inputs recorded"


@pytest.mark.parametrize(("case", "options"), VARIANTS, ids=VARIANT_IDS)
def test_every_uses_line_pins_the_commit_with_the_release_as_a_comment(case: str, options: dict[str, Any]) -> None:
    _, files, workflow = _workflow(case, **options)
    lines = [line for line in files[WORKFLOW].split("\n") if re.match(r"^\s+(?:- )?uses:", line)]
    assert len(lines) == len([step for step in _steps(workflow) if "uses" in step])
    for line in lines:
        match = USES_LINE.match(line)
        assert match, f"not `uses: owner/repo@<commit> # <version>`: {line.strip()!r}"
        action, commit, version = match["action"], match["commit"], match["version"]
        assert action in ACTIONS, f"{action} is not in gogen/data/github_actions.toml"
        assert SHA.fullmatch(commit), f"{action}@{commit}: not a full lowercase commit SHA"
        assert RELEASE.fullmatch(version), f"{action}: {version!r} is not a vMAJOR.MINOR.PATCH tag"
        assert (commit, version) == (ACTIONS[action]["commit"], ACTIONS[action]["version"])


@pytest.mark.parametrize(("case", "options"), VARIANTS, ids=VARIANT_IDS)
def test_every_action_is_pinned_and_given_only_inputs_it_declares(case: str, options: dict[str, Any]) -> None:
    _, _, workflow = _workflow(case, **options)
    for step in _steps(workflow):
        if "uses" not in step:
            continue
        action, _, ref = step["uses"].partition("@")
        assert action in ACTIONS, f"{action} is not in gogen/data/github_actions.toml"
        assert ref == ACTIONS[action]["commit"], f"{action}@{ref}: the table pins {ACTIONS[action]['commit']}"
        inputs = ACTIONS[action]["inputs"]
        given = set(step.get("with", {}))
        assert given <= set(inputs), f"{action}@{ref} has no input {sorted(given - set(inputs))}"
        required = {name for name, spec in inputs.items() if spec["required"] and not spec["default"]}
        assert required <= given, f"{action}@{ref} needs {sorted(required - given)}"


def test_the_table_lists_exactly_the_actions_the_workflows_use() -> None:
    used = set()
    for case, options in VARIANTS:
        _, _, workflow = _workflow(case, **options)
        used |= {step["uses"].partition("@")[0] for step in _steps(workflow) if "uses" in step}
    assert used == set(ACTIONS)


def test_every_step_has_a_name_and_a_comment_saying_its_purpose() -> None:
    _, files, workflow = _workflow("cgo-sqlite")
    assert all(step.get("name") for step in _steps(workflow))
    lines = files[WORKFLOW].split("\n")
    starts = [number for number, line in enumerate(lines) if re.match(r"^\s+- name: ", line)]
    assert len(starts) == len(_steps(workflow))
    for number in starts:
        above = next(line for line in reversed(lines[:number]) if line.strip())
        assert above.strip().startswith("# "), f"no comment above {lines[number].strip()!r}"


def test_step_outputs_refer_to_steps_that_exist() -> None:
    _, files, workflow = _workflow("multi-cmd")
    ids = {step["id"] for step in _steps(workflow) if "id" in step}
    referenced = set(re.findall(r"steps\.([A-Za-z_][\w-]*)\.outputs", files[WORKFLOW]))
    assert referenced and referenced <= ids


def test_triggers_and_permissions() -> None:
    _, _, workflow = _workflow("multi-cmd")
    keys: dict[Any, Any] = workflow
    triggers = keys.get("on", keys.get(True))  # YAML 1.1 reads the key `on` as true
    assert isinstance(triggers, dict)
    assert triggers["push"]["tags"] == ["v*"]
    assert triggers["push"]["branches"] == ["main", "master"]
    assert "pull_request" in triggers
    assert workflow["permissions"] == {"contents": "read", "packages": "write"}


EVENTS = [
    ("push", "refs/heads/main", True),
    ("push", "refs/tags/v1.2.3", True),
    ("push", "refs/heads/feature", False),
    ("pull_request", "refs/pull/7/merge", False),
    ("pull_request", "refs/heads/main", False),
    ("push", "refs/tags/release-1", False),
]


@pytest.mark.parametrize(("event_name", "ref", "pushes"), EVENTS)
def test_images_are_pushed_from_the_default_branch_and_tags_never_for_pull_requests(
    event_name: str, ref: str, pushes: bool
) -> None:
    the_plan, _, workflow = _workflow("multi-cmd")
    steps = _steps(workflow)
    builds = _uses(steps, "docker/build-push-action")
    assert len(builds) == len(the_plan.binaries)
    (login,) = _uses(steps, "docker/login-action")
    assert login["with"]["registry"] == "ghcr.io"
    conditions = {_expression(login["if"])} | {_expression(step["with"]["push"]) for step in builds}
    assert len(conditions) == 1, "the login and every push follow one condition"
    assert _evaluate(conditions.pop(), event_name, ref) is pushes


def test_a_default_branch_named_otherwise_pushes_too() -> None:
    _, _, workflow = _workflow("deps")
    (build,) = _uses(_steps(workflow), "docker/build-push-action")
    condition = _expression(build["with"]["push"])
    assert _evaluate(condition, "push", "refs/heads/trunk", default_branch="trunk")
    assert not _evaluate(condition, "push", "refs/heads/main", default_branch="trunk")


@pytest.mark.parametrize("case", CASES)
def test_each_binary_is_built_from_its_stage_for_the_planned_platforms(case: str) -> None:
    the_plan, files, workflow = _workflow(case)
    stages = _stages(files["Dockerfile"])
    builds = _uses(_steps(workflow), "docker/build-push-action")
    assert [step["with"]["target"] for step in builds] == [binary.stage for binary in the_plan.binaries]
    for step in builds:
        given = step["with"]
        assert given["target"] in stages
        assert given["context"] == "."
        assert given["platforms"] == ",".join(the_plan.platforms)
        assert given["cache-from"].split(",")[0] == "type=gha"
        assert given["cache-to"].split(",")[:2] == ["type=gha", "mode=max"]
        assert given["sbom"] is True
        assert given["provenance"] == "mode=max"
        assert "secrets" not in given


@pytest.mark.parametrize(("case", "options"), VARIANTS, ids=VARIANT_IDS)
def test_every_build_passes_the_version_and_the_commit(case: str, options: dict[str, Any]) -> None:
    the_plan, _, workflow = _workflow(case, **options)
    builds = _uses(_steps(workflow), "docker/build-push-action")
    assert len(builds) == len(the_plan.binaries)
    for step in builds:
        args = step["with"]["build-args"].splitlines()
        assert args[0].startswith("VERSION=${{ steps.meta-")
        assert args[1:] == ["REVISION=${{ github.sha }}"], "the commit follows VERSION, for the revision label"


def test_private_modules_pass_the_netrc_secret_to_every_build() -> None:
    _, _, workflow = _workflow("deps", private=("example.com/private/*",))
    for step in _uses(_steps(workflow), "docker/build-push-action"):
        assert step["with"]["secrets"].strip() == "netrc=${{ secrets.NETRC }}"


@pytest.mark.parametrize(("case", "options"), [("multi-cmd", {}), ("deps", {}), ("cgo-sqlite", {})])
def test_the_go_cache_mounts_are_carried_between_runs(case: str, options: dict[str, Any]) -> None:
    the_plan, files, workflow = _workflow(case, **options)
    assert the_plan.cache_dirs, "the buildkit strategy keeps the Go caches in cache mounts"
    steps = _steps(workflow)
    (cache,) = _uses(steps, "actions/cache")
    (dance,) = _uses(steps, "reproducible-containers/buildkit-cache-dance")
    (buildx,) = _uses(steps, "docker/setup-buildx-action")
    order = [step.get("uses", "").split("@")[0] for step in steps]
    assert order.index("actions/cache") < order.index("reproducible-containers/buildkit-cache-dance")
    assert order.index("reproducible-containers/buildkit-cache-dance") < order.index("docker/build-push-action")
    assert "hashFiles('**/go.sum')" in cache["with"]["key"]
    cache_map = json.loads(dance["with"]["cache-map"])
    assert sorted(cache_map.values()) == sorted(target for _, target in the_plan.cache_dirs)
    for target in cache_map.values():
        assert f"--mount=type=cache,target={target}" in files["Dockerfile"]
    for source in cache_map:
        assert source.startswith(cache["with"]["path"] + "/"), "what is injected is what the cache step keeps"
    assert _expression(dance["with"]["builder"]) == f"steps.{buildx['id']}.outputs.name"
    assert _expression(dance["with"]["skip-extraction"]) == f"steps.{cache['id']}.outputs.cache-hit"


def test_the_layers_strategy_has_no_cache_mounts_to_carry() -> None:
    the_plan, _, workflow = _workflow("deps", strategy="layers")
    assert the_plan.cache_dirs == ()
    steps = _steps(workflow)
    assert _uses(steps, "actions/cache") == []
    assert _uses(steps, "reproducible-containers/buildkit-cache-dance") == []
    assert len(_uses(steps, "docker/build-push-action")) == 1


@pytest.mark.parametrize(
    ("case", "options", "wanted"),
    [
        ("cgo-sqlite", {}, True),
        ("cgo-sqlite", {"platforms": ("linux/amd64",)}, False),
        ("multi-cmd", {}, False),
        ("deps", {"platforms": ("linux/amd64", "linux/arm64", "linux/arm/v7")}, False),
    ],
)
def test_qemu_only_when_cgo_builds_for_several_platforms(case: str, options: dict[str, Any], wanted: bool) -> None:
    the_plan, _, workflow = _workflow(case, **options)
    assert the_plan.cgo is (case == "cgo-sqlite")
    steps = _steps(workflow)
    qemu = _uses(steps, "docker/setup-qemu-action")
    assert bool(qemu) is wanted
    if qemu:
        order = [step.get("uses", "").split("@")[0] for step in steps]
        assert order.index("docker/setup-qemu-action") < order.index("docker/setup-buildx-action")
