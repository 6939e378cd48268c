"""The command line's manners: output levels, dry run, colour, stdout vs stderr, errors, help.

Each test runs `python -m gogen` as a user would and checks stdout and stderr separately.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from gogen import __version__, report
from gogen.write import FileChange
from tests.conftest import ROOT
from tests.repo_builder import copy_fixture, gogen

ESCAPE = "\x1b["
BOXES = re.compile("[╭╮╰╯│─]")


def env(**extra: str) -> dict[str, str]:
    """The environment without the colour conventions of whoever runs the tests, plus `extra`."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    return {**base, **extra}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of fixtures/multi-cmd where nothing has been generated yet (dry runs only)."""
    return copy_fixture("multi-cmd", tmp_path_factory.mktemp("shop"))


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_flag(flag: str) -> None:
    result = gogen(flag)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"gogen {__version__}\n", "")


@pytest.mark.parametrize("args", [("-h",), ("init", "-h"), ("templates", "export", "-h"), ("ci", "-h")])
def test_short_help_everywhere(args: tuple[str, ...]) -> None:
    short, long = gogen(*args), gogen(*args[:-1], "--help")
    assert short.returncode == 0, short.stderr
    assert short.stdout == long.stdout and short.stdout.startswith("Usage: gogen")


def test_default_init_is_a_table_and_one_line_per_file(shop: Path) -> None:
    result = gogen("init", "--dry-run", shop, env=env())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "primary        cmd/shop" in lines
    assert "targets        shop-api, worker, shop (`docker build .` builds shop)" in lines
    assert "because" not in result.stdout, "reasons only with -v"
    assert lines[-4:] == [
        "would create Dockerfile",
        "would create .dockerignore",
        "would create gogen.toml",
        "dry run: nothing written",
    ]
    assert len(lines) < 22
    assert result.stderr == ""


def test_verbose_gives_the_reasons_and_quiet_gives_nothing(shop: Path) -> None:
    verbose = gogen("-v", "init", "--dry-run", shop, env=env())
    assert (
        "because the first build of the release configuration (.goreleaser.yaml:7); change it with --primary DIR"
        in verbose.stdout
    )
    assert "would create Dockerfile  (new file)" in verbose.stdout
    assert gogen("init", "--verbose", "--dry-run", shop, env=env()).stdout == verbose.stdout, "per command too"
    for args in (("-q", "init", "--dry-run"), ("init", "--quiet", "--dry-run")):
        quiet = gogen(*args, shop, env=env())
        assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_quiet_and_verbose_together_is_bad_input(shop: Path) -> None:
    result = gogen("init", "-q", "-v", "--dry-run", shop)
    assert result.returncode == 2
    assert result.stderr == "gogen: error: --quiet and --verbose together (choose one)\n"


def test_refusals_go_to_stderr_even_with_stdout_discarded(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "Dockerfile").write_text("FROM golang\n")
    dry = gogen("init", "--dry-run", repo, env=env())
    assert dry.returncode == 1
    assert dry.stderr.startswith("would refuse Dockerfile  (gogen did not write it; rerun with --force")
    assert "Dockerfile" not in dry.stdout.split("\n\n")[-1].replace(".dockerignore", "")
    assert dry.stdout.endswith("would create .dockerignore\nwould create gogen.toml\ndry run: nothing written\n")
    real = gogen("-q", "init", repo, env=env())
    assert real.returncode == 1 and real.stdout == ""
    lines = real.stderr.splitlines()
    assert lines[:2] == [
        "refused   Dockerfile  (gogen did not write it; rerun with --force to replace it (a backup is kept))",
        "Your Dockerfile differs from what gogen would write:",  # a refusal's reasons are shown with -q too
    ]
    assert lines[-1] == "gogen: nothing written: a file was refused (see above)"
    assert not (repo / "gogen.toml").exists()


def test_warnings_go_to_stderr(tmp_path: Path) -> None:
    repo = copy_fixture("hostile-names", tmp_path)
    result = gogen("init", "--dry-run", repo, env=env())
    assert result.returncode == 0, result.stderr
    assert "gogen: warning:" in result.stderr and "[unsafe-name]" in result.stderr
    assert "warning" not in result.stdout.lower()


def test_no_escape_codes_when_piped_and_colour_when_forced(tmp_path: Path) -> None:
    repo = copy_fixture("root-main", tmp_path)
    (repo / "Dockerfile").write_text("FROM golang\n")
    piped = gogen("init", "--dry-run", "--diff", repo, env=env())
    assert ESCAPE not in piped.stdout + piped.stderr
    forced = gogen("init", "--dry-run", "--diff", repo, env=env(FORCE_COLOR="1"))
    assert f"{ESCAPE}32mwould create{ESCAPE}0m .dockerignore" in forced.stdout
    assert f"{ESCAPE}31mwould refuse{ESCAPE}0m Dockerfile" in forced.stderr
    assert f"{ESCAPE}31m-FROM golang{ESCAPE}0m\n" in forced.stdout
    for off in (
        gogen("init", "--dry-run", "--diff", repo, env=env(FORCE_COLOR="1", NO_COLOR="")),
        gogen("--no-color", "init", "--dry-run", "--diff", repo, env=env(FORCE_COLOR="1")),
        gogen("init", "--no-color", "--dry-run", "--diff", repo, env=env(FORCE_COLOR="1")),
    ):
        assert (off.stdout, off.stderr) == (piped.stdout, piped.stderr)


def test_a_hostile_name_cannot_smuggle_escapes_through_the_colouring() -> None:
    change = FileChange("a\x1b[2Jb", "created", None, "x\n", "new file")
    line = report.change_lines([change], dry_run=False, written=True, verbose=False, paint=report.ansi)
    assert line == f"{ESCAPE}32mcreated{ESCAPE}0m   a\\x1b[2Jb\n"


def test_regen_and_init_spell_diff_the_same_way() -> None:
    helps = [gogen(command, "--help", env=env(COLUMNS="200")).stdout for command in ("init", "regen")]
    entries = [" ".join(text.split("--diff / --no-diff")[1].split("--force")[0].split()) for text in helps]
    assert entries[0] == entries[1]
    assert "(default: off for init and ci, on for regen unless -q)" in entries[0]


@pytest.mark.parametrize("command", ["", "init", "regen", "verify", "context", "ci", "templates export", "scan"])
def test_help_reads_like_a_go_tool_at_80_columns(command: str) -> None:
    result = gogen(*command.split(), "--help", env=env(COLUMNS="80"))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for python_type in ("<bool>", "<list", "<path>", "<str>", "<int>"):
        assert python_type not in text, (command, python_type)
    assert not BOXES.search(text), "plain help, no panels"
    assert "…" not in text and "..." not in text.replace("[ARGS]...", ""), "nothing cut"
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_syntax_help_is_whole() -> None:
    text = " ".join(gogen("init", "--help", env=env(COLUMNS="80")).stdout.split())
    assert "Start the Dockerfile with a syntax=docker/dockerfile:1.N line (needs registry access)." in text


def test_exit_codes_and_completion_are_in_the_top_help() -> None:
    text = gogen("--help", env=env(COLUMNS="100")).stdout
    assert "Exit codes:" in text
    for code in ("  0  done", "  1  refused", "  2  bad input"):
        assert code in text
    assert "--install-completion" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("init", "--port", "abc"), "gogen: error: --port: 'abc' is not a port number\n"),
        (("init", "--bogux"), "gogen: error: no such option: --bogux (see `gogen init --help`)\n"),
        (("--bogux",), "gogen: error: no such option: --bogux (see `gogen --help`)\n"),
        (("ci",), "gogen: error: missing argument PROVIDER (see `gogen ci --help`)\n"),
        (("frobnicate",), "gogen: error: no such command 'frobnicate' (see `gogen --help`)\n"),
        (("init", "--binray", "x"), "gogen: error: no such option: --binray (did you mean --binary"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(shop: Path, args: tuple[str, ...], message: str) -> None:
    result = gogen(*args, *(["--dry-run", str(shop)] if args[0] == "init" else []))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_ci_names_its_argument_not_gogen_toml(shop: Path) -> None:
    result = gogen("ci", "gitlab", "--dry-run", shop)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "gogen: error: ci: unknown CI provider 'gitlab' (choose one of github)\n"


def test_a_missing_defaults_file_is_named_once_as_it_was_given(shop: Path) -> None:
    flag = gogen("init", "--dry-run", "--defaults", "/missing.toml", shop, env=env())
    assert (flag.returncode, flag.stdout) == (2, "")
    assert flag.stderr == "gogen: error: --defaults /missing.toml: does not exist\n"
    variable = gogen("init", "--dry-run", shop, env=env(GOGEN_DEFAULTS="/missing.toml"))
    assert variable.stderr == "gogen: error: GOGEN_DEFAULTS=/missing.toml: does not exist\n"


def test_a_bad_value_in_the_defaults_file_names_its_line(shop: Path, tmp_path: Path) -> None:
    defaults = tmp_path / "org.toml"
    defaults.write_text('strategy = "layers"\nprofile = "ubuntu"\n')
    result = gogen("init", "--dry-run", shop, env=env(GOGEN_DEFAULTS=str(defaults)))
    assert result.returncode == 2
    assert result.stderr.startswith(f"gogen: error: {defaults}:2: unknown profile 'ubuntu'")


def test_context_prints_sizes_for_people_and_bytes_for_tools(shop: Path) -> None:
    text = gogen("context", shop).stdout
    assert re.search(r": \d+ files, \d+\.\d kB sent; \d+ files excluded, 0 directories not walked", text), text
    assert "(s)" not in text and "(ies)" not in text
    data = gogen("context", "--json", shop).stdout
    assert re.search(r'"bytes": \d+', data)


def test_scan_counts_without_plurals_in_brackets(shop: Path) -> None:
    assert "0 requirements, no go.sum" in gogen("scan", shop).stdout


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (19_062_982, "19.1 MB"),
        (999_960, "1.0 MB"),
        (2 * 10**12, "2.0 TB"),
    ],
)
def test_sizes(number: int, text: str) -> None:
    assert report.size(number) == text


def test_counts() -> None:
    assert [report.count(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert report.count(1, "directory", "directories") == "1 directory"
    assert report.count(3, "directory", "directories") == "3 directories"


def test_the_readme_usage_section_matches_the_help() -> None:
    """Every command and global option of `gogen --help` is in README's "Using gogen", with
    the same argument names as each command's usage line."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Using gogen") : readme.index("## Keeping the files in step")]
    top = gogen("--help", env=env(COLUMNS="100")).stdout
    commands = re.findall(r"^  (\w+) {2,}", top.split("Commands:")[1], re.M)
    assert len(commands) > 10
    for command in commands:
        assert f"gogen {command}" in section, command
        usage = gogen(*command.split(), "--help").stdout.splitlines()[0]
        for argument in set(re.findall(r"\b[A-Z]{2,}\b", usage)) - {"OPTIONS", "COMMAND", "ARGS"}:
            assert argument in section, (command, argument)
    for option in ("-q", "--quiet", "-v", "--verbose", "--no-color", "-h", "--help", "--version", "-V"):
        assert option in top and re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section), option
    assert "--install-completion" in top and "gogen --install-completion" in section
    for line in top.split("Exit codes:")[1].strip().splitlines():
        code = line.strip()[:1]
        if code.isdigit():
            assert f"| {code} |" in section
