"""`gogen check --format github` and the composite action (action.yml, scripts/action/run.sh).

- The annotations: an error on the first changed line of each stale file (what to run: `gogen
  regen`, or `--force` for an edited file), a notice where a bot moved a pin, every property and
  message escaped as GitHub's toolkit escapes them; the diff in a log group with workflow
  commands stopped; the job summary appended to $GITHUB_STEP_SUMMARY.
- action.yml: composite, actions pinned by commit, inputs reaching the script only through env.
- scripts/action/run.sh, run for real with bash in a git repository, with this checkout's gogen
  on PATH, in both modes; its install line, run with a `python` that records its arguments.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gogen import __version__, report
from gogen.settings import Pins
from gogen.write import FileChange
from tests.conftest import ROOT
from tests.repo_builder import copy_fixture, gogen

ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "scripts" / "action" / "run.sh"
D1, D2 = ("sha256:" + c * 64 for c in "ab")
INSTALL = 'python -m pip install --disable-pip-version-check --no-input "gogen==${version}"'


def env(**extra: str) -> dict[str, str]:
    """The environment without colour conventions or a job summary of whoever runs the tests."""
    dropped = ("NO_COLOR", "FORCE_COLOR", "GITHUB_STEP_SUMMARY")
    return {**{k: v for k, v in os.environ.items() if k not in dropped}, **extra}


def initialised(tmp_path: Path, config: str = "") -> Path:
    """fixtures/deps with the files gogen generates (and `config` in gogen.toml first)."""
    repo = copy_fixture("deps", tmp_path)
    if config:
        (repo / "gogen.toml").write_text(config)
    done = gogen("init", repo)
    assert done.returncode == 0, done.stderr
    return repo


def make_stale(repo: Path) -> None:
    """Change a setting, as someone editing gogen.toml by hand would: the Dockerfile is stale."""
    config = repo / "gogen.toml"
    text = config.read_text()
    assert 'profile = "distroless"' in text
    config.write_text(text.replace('profile = "distroless"', 'profile = "alpine"'))


def commands(stdout: str) -> list[str]:
    """The workflow command lines of an output (`::error ...`), the log group's aside."""
    return [line for line in stdout.splitlines() if line.startswith(("::error", "::notice", "::warning"))]


# --- escaping -------------------------------------------------------------------------------------


def test_messages_and_properties_are_escaped_as_the_toolkit_escapes_them() -> None:
    assert report.github_message("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert report.github_property("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext%3A a%2Cb"
    assert report.github_property("%3A") == "%253A", "the percent sign first, so nothing is read back twice"
    line = report.github_command("error", [("file", "a,b:c"), ("line", "7")], "x\ny")
    assert line == "::error file=a%2Cb%3Ac,line=7::x%0Ay\n"
    assert report.github_command("notice", [], "m") == "::notice::m\n"


def test_control_characters_are_escaped_as_everywhere_else() -> None:
    hostile = "cmd/evil\x1b]0;pwned\x07\u202e"
    assert report.github_message(hostile) == "cmd/evil\\x1b]0;pwned\\x07\\u202e"
    assert report.github_property(hostile) == "cmd/evil\\x1b]0;pwned\\x07\\u202e"
    assert "\n" not in report.github_command("error", [("file", "a\nb")], "c\rd").rstrip("\n")


def test_a_repository_path_with_special_characters_is_escaped_end_to_end(tmp_path: Path) -> None:
    name = "a,b:c%d\n::warning::e\x1b"
    repo = copy_fixture("deps", tmp_path).rename(tmp_path / name)
    assert gogen("init", repo).returncode == 0
    make_stale(repo)
    result = gogen("check", "--format", "github", name, cwd=tmp_path, env=env())
    assert result.returncode == 1, result.stderr
    (error,) = commands(result.stdout)
    quoted = shlex.quote(name).replace("%", "%25").replace("\n", "%0A").replace("\x1b", "\\x1b")
    assert error == (
        "::error file=a%2Cb%3Ac%25d%0A%3A%3Awarning%3A%3Ae\\x1b/Dockerfile,line=3,title=gogen check::"
        f"a,b:c%25d%0A::warning::e\\x1b/Dockerfile is out of date: run `gogen regen {quoted}` and commit the result"
    )
    assert not any(line.startswith("::warning") for line in result.stdout.splitlines()), "no command of its own"


# --- the first changed line -------------------------------------------------------------------------


def test_the_first_changed_line_passes_over_the_marker() -> None:
    old = "# syntax=x\n# gogen:managed sha256:aaaa (x)\nFROM a\nUSER 1\n"
    new = "# syntax=x\n# gogen:managed sha256:bbbb (x)\nFROM a\nUSER 2\n"
    assert report.first_changed_line(old, new) == 4
    assert report.first_changed_line(None, new) == 1, "a missing file"
    assert report.first_changed_line(old, old.replace("aaaa", "cccc")) == 2, "only the marker: the marker"
    assert report.first_changed_line(old, old + "EXPOSE 80\n") == 5, "a line added at the end"
    assert report.first_changed_line(old + "EXPOSE 80\n", old) == 4, "a line removed at the end: the last line"
    assert report.first_changed_line("a\n", "") == 1
    assert report.first_changed_line("a\nb", "a\nb\n") == 2, "a final newline is a change"


# --- what check prints ------------------------------------------------------------------------------


def test_a_stale_file_is_an_error_on_its_first_changed_line(tmp_path: Path) -> None:
    repo = initialised(tmp_path)
    old = (repo / "Dockerfile").read_text().splitlines()
    make_stale(repo)
    result = gogen("check", "--format", "github", "deps", cwd=tmp_path, env=env())
    assert (result.returncode, result.stderr) == (1, ""), result.stderr
    (error,) = commands(result.stdout)
    match = re.fullmatch(r"::error file=deps/Dockerfile,line=(\d+),title=gogen check::(.*)", error)
    assert match, error
    assert match[2] == "deps/Dockerfile is out of date: run `gogen regen deps` and commit the result"
    assert gogen("regen", repo).returncode == 0
    new = (repo / "Dockerfile").read_text().splitlines()
    line = int(match[1])
    assert old[line - 1] != new[line - 1] and "profile alpine" in new[line - 1]
    assert all(a == b or "gogen:managed" in a for a, b in zip(old[: line - 1], new[: line - 1], strict=True))


def test_the_diff_is_in_a_log_group_with_workflow_commands_stopped(tmp_path: Path) -> None:
    repo = initialised(tmp_path)
    make_stale(repo)
    result = gogen("check", "--format", "github", repo, env=env())
    lines = result.stdout.splitlines()
    start = lines.index("::group::gogen check: the diff")
    stop = re.fullmatch(r"::stop-commands::(gogen-[0-9a-f]{32})", lines[start + 1])
    assert stop, lines[start + 1]
    resume = lines.index(f"::{stop[1]}::")
    assert lines[resume + 1] == "::endgroup::" and lines[start + 2] == "--- a/Dockerfile"
    assert "+FROM alpine:3.22 AS runtime" in lines[start + 2 : resume]
    assert gogen("check", "--format", "github", repo, env=env()).stdout == result.stdout, "deterministic"
    quiet = gogen("check", "-q", "--format", "github", repo, env=env())
    assert quiet.returncode == 1 and quiet.stdout == "\n".join(commands(result.stdout)) + "\n", "-q: annotations only"


def test_a_diff_line_that_looks_like_a_command_is_inside_the_stopped_region() -> None:
    change = FileChange("Dockerfile", "updated", "FROM a\n", "FROM a\n  ::error::pwned\n", "x")
    group = report.github_diff_group([change]).splitlines()
    token = group[1].removeprefix("::stop-commands::")
    assert group.index("+  ::error::pwned") < group.index(f"::{token}::")
    other = report.github_diff_group([FileChange("Dockerfile", "updated", "FROM a\n", "FROM b\n", "x")])
    assert token not in other, "the token follows the diff"


def test_an_up_to_date_repository_has_no_annotation(tmp_path: Path) -> None:
    repo = initialised(tmp_path)
    summary = tmp_path / "summary.md"
    result = gogen("check", "--format", "github", repo, env=env(GITHUB_STEP_SUMMARY=str(summary)))
    assert (result.returncode, result.stdout, result.stderr) == (0, "gogen: generated files are up to date\n", "")
    assert summary.read_text() == "## gogen check: the generated files are up to date\n\n"


def test_a_file_edited_by_hand_names_force(tmp_path: Path) -> None:
    repo = initialised(tmp_path)
    dockerfile = repo / "Dockerfile"
    lines = dockerfile.read_text().splitlines(keepends=True)
    removed = next(number for number, line in enumerate(lines, start=1) if line.startswith("WORKDIR"))
    dockerfile.write_text("".join(lines[: removed - 1] + lines[removed:]))
    result = gogen("check", "--format", "github", ".", cwd=repo, env=env())
    assert result.returncode == 1
    assert commands(result.stdout) == [
        f"::error file=Dockerfile,line={removed},title=gogen check::Dockerfile is out of date and was edited by "
        "hand since gogen wrote it: run `gogen regen --force` to replace it (it keeps yours as Dockerfile.bak)"
    ]


def test_a_missing_file_is_an_error_on_line_1(tmp_path: Path) -> None:
    repo = initialised(tmp_path)
    (repo / ".dockerignore").unlink()
    result = gogen("check", "--format", "github", ".", cwd=repo, env=env())
    assert result.returncode == 1
    assert commands(result.stdout) == [
        "::error file=.dockerignore,line=1,title=gogen check::.dockerignore is out of date: it is missing; "
        "run `gogen regen` to write it"
    ]


def test_the_reasons_of_files_gogen_would_not_rewrite() -> None:
    unmanaged = FileChange("Dockerfile", "forced", "FROM a\n", "FROM b\n", "x", backup="Dockerfile.bak.1")
    assert report.stale_reason(unmanaged, "gogen regen") == (
        "is out of date and was not written by gogen: run `gogen regen --force` to replace it "
        "(it keeps yours as Dockerfile.bak.1)"
    )
    linked = FileChange("Dockerfile", "forced", None, "FROM b\n", "x", link="../elsewhere")
    assert report.stale_reason(linked, "gogen regen x") == (
        "is out of date and is a symbolic link: run `gogen regen x --force` to replace it"
    )


def test_a_pin_a_bot_moved_is_a_notice_where_it_sits(tmp_path: Path) -> None:
    repo = initialised(tmp_path, f'ci = "github"\n[images.digests]\n"golang:1.27" = "{D1}"\n')
    dockerfile = repo / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace(D1, D2))
    workflow = repo / ".github" / "workflows" / "docker.yml"
    text = workflow.read_text()
    old = re.search(r"uses: (actions/checkout@[0-9a-f]{40} # v[0-9.]+)", text)
    assert old, text
    workflow.write_text(text.replace(old[1], f"actions/checkout@{'1' * 40} # v4.9.1"))
    result = gogen("check", "--format", "github", ".", cwd=repo, env=env())
    assert result.returncode == 0, result.stdout + result.stderr
    digest_line = 1 + next(n for n, line in enumerate(dockerfile.read_text().splitlines()) if D2 in line)
    action_line = 1 + next(n for n, line in enumerate(workflow.read_text().splitlines()) if "1" * 40 in line)
    accepted = "accepted; `gogen regen` records it in gogen.toml"
    assert commands(result.stdout) == [
        f"::notice file=Dockerfile,line={digest_line},title=gogen check::"
        f"a bot moved the pin of golang:1.27 to {D2}: {accepted}",
        f"::notice file=.github/workflows/docker.yml,line={action_line},title=gogen check::"
        f"a bot moved the pin of actions/checkout to {'1' * 40} # v4.9.1: {accepted}",
    ]


def test_an_unknown_format_is_bad_input(tmp_path: Path) -> None:
    result = gogen("check", "--format", "gitlab", tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "gogen: error: --format: unknown format 'gitlab' (choose one of text, github)\n"


def test_the_text_format_is_unchanged(tmp_path: Path) -> None:
    repo = initialised(tmp_path)
    make_stale(repo)
    text, default = gogen("check", "--format", "text", repo, env=env()), gogen("check", repo, env=env())
    assert (text.returncode, text.stdout, text.stderr) == (default.returncode, default.stdout, default.stderr)
    assert default.stdout.startswith("--- a/Dockerfile") and "::" not in default.stdout


# --- the job summary --------------------------------------------------------------------------------


def test_the_job_summary_is_appended_with_the_diff_fenced(tmp_path: Path) -> None:
    repo = initialised(tmp_path)
    make_stale(repo)
    summary = tmp_path / "summary.md"
    summary.write_text("# an earlier step's summary\n")
    result = gogen("check", "--format", "github", "deps", cwd=tmp_path, env=env(GITHUB_STEP_SUMMARY=str(summary)))
    assert result.returncode == 1
    text = summary.read_text()
    assert text.startswith("# an earlier step's summary\n## gogen check: 1 generated file out of date\n\n")
    assert "- `deps/Dockerfile` is out of date: run `gogen regen deps` and commit the result\n" in text
    diff = text.split("```diff\n", 1)[1].split("\n```\n", 1)[0] + "\n"
    assert diff.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n") and "+FROM alpine:3.22 AS runtime\n" in diff
    gogen("check", "--format", "github", "deps", cwd=tmp_path, env=env(GITHUB_STEP_SUMMARY=str(summary)))
    assert summary.read_text() == text + text.removeprefix("# an earlier step's summary\n"), "appended again"


def test_the_fence_is_longer_than_any_backtick_run_in_the_diff() -> None:
    change = FileChange("README.Docker.md", "updated", "a\n", "````sh\nb\n````\n", "x")
    text = report.github_step_summary([change], Pins(), ".", "gogen regen")
    assert "\n`````diff\n--- a/README.Docker.md\n" in text and text.endswith("\n`````\n\n")
    named = report.github_step_summary([change], Pins(), "we`ird", "gogen regen")
    assert "- ``we`ird/README.Docker.md`` is out of date" in named


def test_moved_pins_are_listed_in_the_job_summary() -> None:
    text = report.github_step_summary([], Pins(digests=(("golang:1.27", D2),)), ".", "gogen regen")
    assert text == (
        "## gogen check: the generated files are up to date\n\n"
        f"- a bot moved the pin of golang:1.27 to {D2}: accepted; `gogen regen` records it in gogen.toml\n\n"
    )


def test_a_job_summary_that_cannot_be_appended_to_is_bad_input(tmp_path: Path) -> None:
    repo = initialised(tmp_path)
    result = gogen("check", "--format", "github", repo, env=env(GITHUB_STEP_SUMMARY=str(tmp_path)))
    assert result.returncode == 2
    assert result.stderr == f"gogen: error: GITHUB_STEP_SUMMARY={tmp_path}: cannot append to it: Is a directory\n"


# --- action.yml ---------------------------------------------------------------------------------------


def _action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text())
    assert isinstance(data, dict)
    return data


def test_the_action_is_composite_with_its_inputs_and_defaults() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {name: spec.get("default") for name, spec in inputs.items()} == {
        "version": __version__,
        "path": ".",
        "mode": "check",
        "python-version": "3.12",
    }
    assert all(spec["description"] and spec["required"] is False for spec in inputs.values())


def test_every_action_it_uses_is_pinned_by_commit_with_its_release() -> None:
    steps = _action()["runs"]["steps"]
    used = [step["uses"] for step in steps if "uses" in step]
    assert used and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses) for uses in used), used
    lines = [line.strip() for line in ACTION.read_text().splitlines() if line.strip().startswith("- uses:")]
    assert len(lines) == len(used)
    assert all(re.fullmatch(r"- uses: \S+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line) for line in lines), lines
    assert used[0].startswith("actions/setup-python@")
    assert "cache" not in steps[0]["with"], "no package cache: setup-python's needs a lock file"


def test_inputs_reach_the_script_only_through_its_environment() -> None:
    steps = _action()["runs"]["steps"]
    scripts = [step for step in steps if "run" in step]
    assert scripts and all("${{ inputs." not in step["run"] for step in scripts)
    (script,) = scripts
    assert script["shell"] == "bash"
    assert script["run"] == 'bash "${{ github.action_path }}/scripts/action/run.sh"'
    assert script["env"] == {
        "GOGEN_VERSION": "${{ inputs.version }}",
        "GOGEN_PATH": "${{ inputs.path }}",
        "GOGEN_MODE": "${{ inputs.mode }}",
    }
    documented = SCRIPT.read_text()
    assert all(f"#   {name}" in documented for name in (*script["env"], "GOGEN_ACTION_SKIP_INSTALL=1"))


# --- scripts/action/run.sh, run for real --------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=gogen tests", "-c", "user.email=tests@example.invalid", "-c", "commit.gpgsign=false"]
    isolated = env(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", *identity, "-C", str(repo), *args], check=True, capture_output=True, env=isolated)


def _committed(workspace: Path) -> None:
    _git(workspace, "add", "-A")
    _git(workspace, "commit", "-q", "--allow-empty", "-m", "state")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A git checkout (the workflow's working directory) with the Go repository in deps/, its
    files generated and committed."""
    root = tmp_path / "workspace"
    root.mkdir()
    initialised(root)
    _git(root, "init", "-q")
    _committed(root)
    return root


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """A directory for PATH with `gogen`: this checkout's, run by the Python running the tests."""
    directory = tmp_path / "bin"
    directory.mkdir()
    wrapper = directory / "gogen"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m gogen "$@"\n')
    wrapper.chmod(0o755)
    return directory


def run_action(workspace: Path, tools: Path, mode: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """run.sh with the environment action.yml gives it, gogen not installed but on PATH."""
    variables = {
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "GOGEN_VERSION": __version__,
        "GOGEN_PATH": "deps",
        "GOGEN_MODE": mode,
        "GOGEN_ACTION_SKIP_INSTALL": "1",
        "GITHUB_STEP_SUMMARY": str(workspace.parent / "summary.md"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=workspace,
        env=env(**{**variables, **extra}),
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_script_checks_and_annotates(workspace: Path, tools: Path) -> None:
    current = run_action(workspace, tools, "check")
    assert (current.returncode, current.stdout) == (0, "gogen: generated files are up to date\n"), current.stderr
    make_stale(workspace / "deps")
    stale = run_action(workspace, tools, "check")
    assert stale.returncode == 1, stale.stderr
    assert commands(stale.stdout) == [
        "::error file=deps/Dockerfile,line=3,title=gogen check::deps/Dockerfile is out of date: "
        "run `gogen regen deps` and commit the result"
    ]
    summary = (workspace.parent / "summary.md").read_text()
    assert "## gogen check: the generated files are up to date" in summary and "```diff\n--- a/Dockerfile" in summary


def test_the_script_regenerates_and_fails_on_a_change(workspace: Path, tools: Path) -> None:
    assert run_action(workspace, tools, "regen").returncode == 0
    make_stale(workspace / "deps")
    _committed(workspace)
    result = run_action(workspace, tools, "regen")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    assert re.fullmatch(r"gogen-action-[0-9a-f]{32}", token), lines[0]
    resume = lines.index(f"::{token}::")
    assert "+FROM alpine:3.22 AS runtime" in lines[:resume], "git's diff, printed with commands stopped"
    assert lines[resume + 1 :] == [
        "::error title=gogen regen::gogen regen changed the generated files: run gogen regen and commit the result"
    ]
    assert "profile alpine" in (workspace / "deps" / "Dockerfile").read_text(), "regen wrote the files"
    _committed(workspace)
    again = run_action(workspace, tools, "regen")
    assert again.returncode == 0, again.stdout
    assert again.stdout.endswith("gogen regen: the generated files are up to date\n")


def test_the_script_counts_a_file_regen_creates_as_a_change(workspace: Path, tools: Path) -> None:
    (workspace / "deps" / ".dockerignore").unlink()
    _committed(workspace)
    result = run_action(workspace, tools, "regen")
    assert result.returncode == 1
    assert "new files:\ndeps/.dockerignore\n" in result.stdout


def test_the_script_passes_on_a_refusal(workspace: Path, tools: Path) -> None:
    dockerfile = workspace / "deps" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("WORKDIR /src\n", ""))
    _committed(workspace)
    result = run_action(workspace, tools, "regen")
    assert result.returncode == 1
    assert "refused   Dockerfile  (edited since gogen wrote it" in result.stderr
    assert "::error title=gogen regen::" not in result.stdout, "regen's own exit code, not a change"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GOGEN_MODE", "lint", "gogen action: the mode input must be check or regen\n"),
        ("GOGEN_VERSION", ">=0.1", "gogen action: the version input must be a gogen release such as 0.1.0\n"),
        (
            "GOGEN_VERSION",
            "0.1.0; touch pwned",
            "gogen action: the version input must be a gogen release such as 0.1.0\n",
        ),
        ("GOGEN_VERSION", "", "gogen action: the version input must be a gogen release such as 0.1.0\n"),
    ],
)
def test_the_script_refuses_bad_inputs(workspace: Path, tools: Path, variable: str, value: str, message: str) -> None:
    result = run_action(workspace, tools, "check", **{variable: value})
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
    assert not (workspace / "pwned").exists()


def test_the_install_line_installs_exactly_the_pinned_release(workspace: Path, tools: Path) -> None:
    script = SCRIPT.read_text()
    assert [line.strip() for line in script.splitlines() if "pip install" in line] == [INSTALL]
    recorded = workspace.parent / "python-args"
    python = tools / "python"
    python.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {shlex.quote(str(recorded))}\n")
    python.chmod(0o755)
    result = run_action(workspace, tools, "check", GOGEN_ACTION_SKIP_INSTALL="")
    assert result.returncode == 0, result.stderr
    expected = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", f"gogen=={__version__}"]
    assert recorded.read_text().splitlines() == expected
