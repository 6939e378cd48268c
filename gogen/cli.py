"""The command line: options and arguments only; every command calls the façade in api.py.

This is the one module that imports typer, and the one place that turns an error (a
GogenError, or typer's own usage errors) into one line on stderr and an exit code. Results
go to stdout; warnings, refusals, progress and errors to stderr.
"""

from __future__ import annotations

import functools
import inspect
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from typer._click import Context, HelpFormatter
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperCommand

from gogen import __version__, api, report, write
from gogen import verify as verify_mod
from gogen.errors import GogenError
from gogen.settings import SETTINGS, Setting, SettingsError

EXIT_CODES = """\
\b
Exit codes:
  0  done (for check: the files are up to date)
  1  refused: a file gogen did not write or that was edited (see --force);
     stale (check); the image did not build or run (verify)
  2  bad input: an option, gogen.toml, the defaults file or the repository
"""


class GogenCommand(TyperCommand):
    """Help as go and gh print it: the arguments in the usage line (`[DIR]`, `PROVIDER`) and
    described in the command's text, the options listed with their metavars. (typer would add
    an Arguments section naming Python types, `DIR <path>`.)"""

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        records = [param.get_help_record(ctx) for param in self.get_params(ctx) if param.param_type_name == "option"]
        options = [record for record in records if record is not None]
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar or "[OPTIONS]"]
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _param_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces


app = typer.Typer(
    name="gogen",
    help="Optimized multi-stage Dockerfiles for Go repositories.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
templates_app = typer.Typer(help="List or export the templates.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(templates_app, name="templates")
images_app = typer.Typer(
    help="gogen's table of Go releases and image tags: show it, or refresh it from the registries.",
    short_help="Show or refresh gogen's table of Go releases.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(images_app, name="images")

# ---------------------------------------------------------------------------------------------
# Output: how much is printed, and whether in colour


QUIET, NORMAL, VERBOSE = 0, 1, 2


@dataclass
class Output:
    """The output options of this run: set by the global options, then by the command's own."""

    level: int = NORMAL
    no_color: bool = False

    def set(self, quiet: bool, verbose: bool, no_color: bool) -> None:
        if quiet and verbose:
            raise GogenError("--quiet and --verbose together", hint="choose one")
        if quiet or verbose:
            self.level = QUIET if quiet else VERBOSE
        self.no_color = self.no_color or no_color

    @property
    def quiet(self) -> bool:
        return self.level == QUIET

    @property
    def verbose(self) -> bool:
        return self.level == VERBOSE

    def paint(self, stream: TextIO) -> report.Paint:
        return report.ansi if use_colour(stream, self.no_color) else report.plain


OUTPUT = Output()


def use_colour(stream: TextIO, no_color: bool = False) -> bool:
    """Colour only on a terminal; never with --no-color or NO_COLOR (any value, even empty:
    no-color.org); FORCE_COLOR (not empty, not 0) forces it, as for other tools."""
    if no_color or "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _out(text: str) -> None:
    """Print to stdout with control characters escaped: scanned names can hold anything."""
    sys.stdout.write(report.escape_controls(text))


def _err(text: str) -> None:
    sys.stderr.write(report.escape_controls(text))


def _json(value: object) -> None:
    """A --json document (scan, plan, context, verify), with its schema_version (gogen schema NAME)."""
    sys.stdout.write(report.escape_controls_json(api.json_document(value)))


def _extended(
    command: Callable[..., None],
    added: list[inspect.Parameter],
    take: Callable[[dict[str, Any]], dict[str, Any]],
    hidden: tuple[str, ...] = (),
) -> Callable[..., None]:
    """`command` offering the options `added` (after its arguments, before its own options);
    `take` removes their values from a call's arguments and returns what the command receives
    instead (its `hidden` parameters)."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name not in hidden]

    @functools.wraps(command)
    def run(**given: Any) -> None:
        command(**take(given), **given)

    arguments = [p for p in own if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    options = [p for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY]
    run.__signature__ = signature.replace(parameters=[*arguments, *added, *options])  # type: ignore[attr-defined]
    return run


def _bool_option(name: str, flags: tuple[str, ...], help_text: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[bool, typer.Option(*flags, help=help_text)],
    )


_QUIET_HELP = "Print only errors and refusals (and the report a read-only command exists to print)."
_VERBOSE_HELP = "Print every decision with its reason, and why each file changes."
_NO_COLOR_HELP = "No colour, even on a terminal (also: NO_COLOR set to anything)."


def with_output(command: Callable[..., None]) -> Callable[..., None]:
    """Accept -q, -v and --no-color after the command too (`gogen init -q`), as before it."""
    added = [
        _bool_option("quiet", ("--quiet", "-q"), _QUIET_HELP),
        _bool_option("verbose", ("--verbose", "-v"), _VERBOSE_HELP),
        _bool_option("no_color", ("--no-color",), _NO_COLOR_HELP),
    ]

    def take(given: dict[str, Any]) -> dict[str, Any]:
        OUTPUT.set(given.pop("quiet"), given.pop("verbose"), given.pop("no_color"))
        return {}

    return _extended(command, added, take)


def _show_version(value: bool) -> None:
    if value:
        _out(f"gogen {__version__}\n")
        raise typer.Exit()


@app.callback()
def global_options(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_show_version, is_eager=True, help="Print gogen's version and exit."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_QUIET_HELP)] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=_VERBOSE_HELP)] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help=_NO_COLOR_HELP)] = False,
) -> None:
    """Optimized multi-stage Dockerfiles for Go repositories."""
    OUTPUT.level, OUTPUT.no_color = NORMAL, False
    OUTPUT.set(quiet, verbose, no_color)


# ---------------------------------------------------------------------------------------------
# Options shared by several commands, spelled and explained the same way on each

# No argument help: typer would print its Python type after the name (`DIR <path>`); each
# command's help says what its arguments are.
PathArg = Annotated[Path, typer.Argument(metavar="DIR", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Say what would be written; write nothing.")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace files gogen did not write or that were edited (keeps a .bak).")
]
DiffOpt = Annotated[
    bool | None,
    typer.Option(
        "--diff/--no-diff",
        show_default=False,
        help="Print a unified diff of every change (default: off for init and ci, on for regen unless -q).",
    ),
]
PinOpt = Annotated[
    bool, typer.Option("--pin", help="Pin every image by digest, read from its registry (as gogen pin does).")
]
DefaultsOpt = Annotated[
    Path | None,
    typer.Option(
        "--defaults", metavar="FILE", help="Organisation defaults (TOML) under gogen.toml; or GOGEN_DEFAULTS."
    ),
]

# The type typer parses a flag into, by the setting's gogen.toml type (and item type); None: not
# given. Numbers arrive as text and are read by `_flag_value`, so that `--port abc` is refused
# in gogen's words, naming the flag.
_FLAG_TYPES: dict[tuple[type, type | None], object] = {
    (str, None): str | None,
    (bool, None): bool | None,
    (list, str): list[str] | None,
    (list, int): list[str] | None,
}


def _setting_option(row: Setting) -> inspect.Parameter:
    """The typer option of a setting with a flag: `--port PORT` (repeatable), `--syntax/--no-syntax`..."""
    flag = str(row.spec.flag)
    declared = f"{flag}/--no-{flag.removeprefix('--')}" if row.kind is bool else flag
    kind = _FLAG_TYPES[row.kind, row.item]
    option = typer.Option(declared, metavar=row.spec.metavar, help=row.flag_help(), show_default=False)
    return inspect.Parameter(row.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, option])


def _number(row: Setting, text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise SettingsError(f"{text!r} is not a {str(row.spec.metavar).lower()} number", file=row.spec.flag)
    return int(text)


def _flag_value(row: Setting, value: object) -> object:
    """A flag's value as an override: None (and an empty repeatable) means not given."""
    if value is None or value == []:
        return None
    if row.item is int and isinstance(value, list):
        value = [_number(row, text) for text in value]
    return row.spec.from_flag(value) if row.spec.from_flag else value


def with_settings(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command one option per setting with a flag (those in `names`, or all of them and
    --defaults); the command receives what was given as `overrides`, a dict for the api."""
    rows = [row for row in SETTINGS if row.spec.flag and (not names or row.name in names)]
    added = [_setting_option(row) for row in rows]
    if not names:
        added.append(
            inspect.Parameter("defaults", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DefaultsOpt)
        )

    def take(given: dict[str, Any]) -> dict[str, Any]:
        overrides = {row.name: _flag_value(row, given.pop(row.name)) for row in rows}
        if not names:
            defaults = given.pop("defaults")
            overrides["defaults"] = str(defaults) if defaults else None
        return {"overrides": overrides}

    return lambda command: _extended(command, added, take, hidden=("overrides",))


# ---------------------------------------------------------------------------------------------
# Commands


@app.command(cls=GogenCommand, short_help="Read the repository: modules, mains, cgo, embeds, ports.")
@with_output
def scan(path: PathArg = Path(), as_json: JsonOpt = False) -> None:
    """Read the repository: modules, main packages, cgo, embeds, ports, with evidence.

    DIR is the Go repository (default: the current directory).
    """
    project = api.scan(path)
    if as_json:
        _json(project)
    else:
        _out(report.project_summary(project))


@app.command("plan", cls=GogenCommand, short_help="Decide the Dockerfile: every decision with its reason.")
@with_output
def plan_command(path: PathArg = Path("."), as_json: JsonOpt = False) -> None:
    """Decide the Dockerfile (from gogen.toml and the scan): every decision with its reason.

    DIR is the Go repository (default: the current directory).
    """
    _, plan = api.plan(path, {})
    if as_json:
        _json(plan)
        return
    _out(report.plan_summary(plan))
    if not OUTPUT.quiet:
        _err(report.warning_lines(plan))


@app.command(cls=GogenCommand, short_help="What gogen found, and every decision, with evidence.")
@with_output
def explain(path: PathArg = Path(".")) -> None:
    """Print what gogen found, with evidence, and every decision it makes, with its reason.

    DIR is the Go repository (default: the current directory).
    """
    project, plan = api.plan(path, {})
    _out(report.project_summary(project) + "\n" + report.plan_summary(plan))


@app.command(cls=GogenCommand, short_help="The build context the engine would receive; its problems.")
@with_output
def context(
    path: PathArg = Path("."),
    as_json: JsonOpt = False,
    dockerignore: Annotated[
        Path | None,
        typer.Option("--dockerignore", metavar="FILE", help="Evaluate this file instead of DIR/.dockerignore."),
    ] = None,
) -> None:
    """What the Docker engine would receive as build context (files, sizes), and its problems.

    Exit 1 when a file the build needs is excluded or a secret-looking file is sent.

    DIR is the Go repository (default: the current directory).
    """
    result = api.context(path, dockerignore)
    if as_json:
        _json(result)
    else:
        _out(report.context_summary(result))
    if result.problems:
        raise typer.Exit(1)


@app.command("verify", cls=GogenCommand, short_help="Build the generated Dockerfile, run the image, and measure.")
@with_output
def verify_command(
    path: PathArg = Path("."),
    target: Annotated[
        str | None, typer.Option("--target", metavar="STAGE", help="The stage to build (default: the last).")
    ] = None,
    docker: Annotated[str, typer.Option("--docker", metavar="PATH", help="The docker client to run.")] = "docker",
    build_arg: Annotated[
        list[str] | None,
        typer.Option("--build-arg", metavar="KEY=VALUE", help="A build argument for docker build. Repeatable."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the generated Dockerfile with the local engine (DOCKER_HOST), run it, and measure.

    The builds' progress (BuildKit's plain log) streams to stderr as it comes; the summary
    (or, with --json, only the summary) goes to stdout at the end.

    DIR is the Go repository (default: the current directory).
    """
    pairs = tuple(tuple(item.split("=", 1)) for item in build_arg or [] if "=" in item)
    options = verify_mod.VerifyOptions(docker=docker, build_args=pairs, progress=_progress())  # type: ignore[arg-type]
    result = api.verify(path, target, options)
    if as_json:
        _json(result)
    else:
        _out(report.verify_summary(result))


def _progress() -> Callable[[str], None] | None:
    """Where verify's build log goes as it comes: stderr (dimmed on a terminal), not with -q."""
    if OUTPUT.quiet:
        return None
    paint = OUTPUT.paint(sys.stderr)

    def show(line: str) -> None:
        sys.stderr.write(paint(report.escape_controls(line), "dim") + "\n")
        sys.stderr.flush()

    return show


@app.command(cls=GogenCommand)
@with_output
def profiles() -> None:
    """List the runtime profiles and build strategies."""
    _out(report.profiles_summary())


@app.command(cls=GogenCommand, short_help="Write Dockerfile, .dockerignore and gogen.toml.")
@with_output
@with_settings()
def init(
    path: PathArg = Path("."),
    *,
    overrides: dict[str, object],
    dry_run: DryRunOpt = False,
    diff: DiffOpt = None,
    force: ForceOpt = False,
    pin: PinOpt = False,
) -> None:
    """Write Dockerfile, .dockerignore and gogen.toml for the repository.

    DIR is the Go repository (default: the current directory).
    """
    outcome = api.init(path, overrides, api.WriteOptions(force=force, dry_run=dry_run), pin=pin)
    _report_outcome(outcome, dry_run, diff if diff is not None else False, _command_line("init", path))


@app.command("pin", cls=GogenCommand, short_help="Pin every image by digest, from its registry.")
@with_output
def pin_command(
    path: PathArg = Path("."),
    dry_run: DryRunOpt = False,
    diff: DiffOpt = None,
    force: ForceOpt = False,
) -> None:
    """Pin every image the Dockerfile names by digest (name:tag@sha256:...), read from its registry
    (through the [images] mirror); record the pins in gogen.toml and regenerate the files.

    Run it again to move the pins to the tags' current images. Renovate and Dependabot can keep
    them current too: `gogen check` and `gogen regen` accept a digest a bot moved.

    DIR is the Go repository (default: the current directory).
    """
    outcome = api.pin(path, {}, api.WriteOptions(force=force, dry_run=dry_run))
    _report_outcome(outcome, dry_run, diff if diff is not None else not OUTPUT.quiet, _command_line("pin", path))


@app.command(cls=GogenCommand, short_help="Regenerate the files, following gogen.toml.")
@with_output
@with_settings()
def regen(
    path: PathArg = Path("."),
    *,
    overrides: dict[str, object],
    dry_run: DryRunOpt = False,
    diff: DiffOpt = None,
    force: ForceOpt = False,
) -> None:
    """Regenerate the files after the repository changed, following gogen.toml (options update it).

    DIR is the Go repository (default: the current directory).
    """
    outcome = api.regen(path, overrides, api.WriteOptions(force=force, dry_run=dry_run))
    _report_outcome(outcome, dry_run, diff if diff is not None else not OUTPUT.quiet, _command_line("regen", path))


@app.command("ci", cls=GogenCommand, short_help="Write a CI workflow that keeps Go's caches between runs.")
@with_output
def ci_command(
    provider: Annotated[str, typer.Argument(metavar="PROVIDER", show_default=False)],
    path: PathArg = Path("."),
    dry_run: DryRunOpt = False,
    diff: DiffOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a CI workflow that builds the images and keeps Go's caches between runs.

    PROVIDER is the CI service: github. DIR is the Go repository (default: the current directory).
    """
    outcome = api.ci(path, provider, api.WriteOptions(force=force, dry_run=dry_run))
    _report_outcome(outcome, dry_run, diff if diff is not None else False, _command_line(f"ci {provider}", path))


def _command_line(command: str, path: Path) -> str:
    """How to run `command` again on the same repository, for advice (`gogen init ../repo`)."""
    return f"gogen {command}" + ("" if path == Path(".") else f" {shlex.quote(str(path))}")


def _report_outcome(outcome: api.Outcome, dry_run: bool, diff: bool, command: str) -> None:
    """The decisions (a table; with -v, with reasons), warnings, one status line per file, the
    diffs; refusals on stderr. Nothing written (a dry run, a refusal) reads in the conditional.
    A hand-written Dockerfile refused or replaced is followed by how it differs from gogen's."""
    if not OUTPUT.quiet:
        plan = outcome.plan
        _out(report.plan_summary(plan) if OUTPUT.verbose else report.decisions_table(plan))
        _err(report.warning_lines(plan))
        _stale_table_note()
        _out("\n")
    if not OUTPUT.quiet:
        _out("".join(report.pin_lines(outcome.pins, "would record the pin of" if dry_run else "recorded the pin of")))
    _status_lines(outcome, dry_run, command)
    if diff:
        paint = OUTPUT.paint(sys.stdout)
        for change in outcome.changes:
            if change.status != "unchanged":
                sys.stdout.write(report.coloured_diff(change.diff(), paint))
    if dry_run and not OUTPUT.quiet:
        _out("dry run: nothing written\n")
    if outcome.refused:
        if not dry_run:
            _err("gogen: nothing written: a file was refused (see above)\n")
        raise typer.Exit(1)


def _stale_table_note() -> None:
    """Say so on stderr when gogen's image table is more than six months old."""
    note = api.image_table()[1]
    if note:
        _err(f"gogen: note: {note}\n")


def _status_lines(outcome: api.Outcome, dry_run: bool, command: str) -> None:
    """One line per file: refusals on stderr (always), the others on stdout (not with -q); each
    followed by its notes (a hand-written Dockerfile's differences from gogen's)."""
    refused = [change for change in outcome.changes if change.status == "refused"]
    others = [change for change in outcome.changes if change.status != "refused"]
    notes = {
        change.path: report.migration_notes(change, outcome.migration, command=command, written=outcome.written)
        for change in outcome.changes
        if change.path == "Dockerfile"
    }

    def lines(changes: list[write.FileChange], stream: TextIO) -> str:
        paint = OUTPUT.paint(stream)
        return report.change_lines(
            changes, dry_run=dry_run, written=outcome.written, verbose=OUTPUT.verbose, paint=paint, notes=notes
        )

    sys.stderr.write(lines(refused, sys.stderr))
    if not OUTPUT.quiet:
        sys.stdout.write(lines(others, sys.stdout))


@app.command(cls=GogenCommand, short_help="Print README.Docker.md: how to build, run and regenerate.")
@with_output
def readme(path: PathArg = Path(".")) -> None:
    """Print README.Docker.md: how to build, run, cross-build, pass secrets and regenerate.

    DIR is the Go repository (default: the current directory).
    """
    _out(api.readme(path))


@app.command(cls=GogenCommand, short_help="Exit 1, printing the diff, when generated files are stale.")
@with_output
def check(
    path: PathArg = Path("."),
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="text, or github: GitHub Actions annotations, and a job summary in $GITHUB_STEP_SUMMARY.",
        ),
    ] = "text",
) -> None:
    """Exit 1, printing the diff, when the generated files are stale (for CI and pre-commit).

    DIR is the Go repository (default: the current directory).
    """
    if output_format not in ("text", "github"):
        raise GogenError(f"unknown format {output_format!r}", file="--format", hint="choose one of text, github")
    result = api.check(path)
    if output_format == "github":
        _check_github(path, result)
        return
    stale = result.stale
    if not OUTPUT.quiet:
        _err(report.moved_pin_lines(result.moved_pins))
        _stale_table_note()
    if not stale:
        if not OUTPUT.quiet:
            _out("gogen: generated files are up to date\n")
        return
    if not OUTPUT.quiet:
        paint = OUTPUT.paint(sys.stdout)
        sys.stdout.write("".join(report.coloured_diff(change.diff(), paint) for change in stale))
    names = ", ".join(change.path for change in stale)
    _err(f"gogen: {names} out of date: run `gogen regen` (or `gogen regen --force` for edited files)\n")
    raise typer.Exit(1)


def _check_github(path: Path, result: api.CheckOutcome) -> None:
    """`check --format github`: annotations on stdout, then the diff in a collapsed log group,
    and the job summary appended to the file the runner names in GITHUB_STEP_SUMMARY."""
    root, command = api.workspace_path(path), _command_line("regen", path)
    files = api.generated_files(path) if result.moved_pins != api.NO_PINS else {}
    _out(report.github_annotations(result.stale, result.moved_pins, files, root, command))
    if not OUTPUT.quiet:
        _stale_table_note()
        _out(report.github_diff_group(result.stale) if result.stale else "gogen: generated files are up to date\n")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        _append(summary, report.github_step_summary(result.stale, result.moved_pins, root, command))
    if result.stale:
        raise typer.Exit(1)


def _append(file: str, text: str) -> None:
    """Append `text` to the job summary file the runner named: it is the caller's, never truncated."""
    try:
        with open(file, "a", encoding="utf-8") as summary:
            summary.write(text)
    except OSError as exc:
        raise GogenError(f"cannot append to it: {exc.strerror}", file=f"GITHUB_STEP_SUMMARY={file}") from exc


@templates_app.command("list", cls=GogenCommand)
@with_output
@with_settings("templates")
def templates_list(path: PathArg = Path("."), *, overrides: dict[str, object]) -> None:
    """Every template, and where it comes from (an overlay directory or built-in).

    DIR is the Go repository (default: the current directory).
    """
    for name, source in api.templates_list(path, overrides):
        _out(f"{name:<28} {source}\n")


@templates_app.command("export", cls=GogenCommand)
@with_output
def templates_export(
    directory: Annotated[Path, typer.Argument(metavar="DIR", show_default=False)],
) -> None:
    """Copy the built-in templates into DIR (which must not hold them yet), as a starting point for an overlay."""
    for written in api.templates_export(directory):
        if not OUTPUT.quiet:
            _out(f"exported {written}\n")


@images_app.command("show", cls=GogenCommand)
@with_output
def images_show() -> None:
    """Where gogen's image table comes from and how old it is, and what it makes gogen choose."""
    source, note = api.image_table()
    _out(report.images_summary(source, note))


@images_app.command("update", cls=GogenCommand)
@with_output
def images_update(path: PathArg = Path(".")) -> None:
    """Read the golang and docker/dockerfile tags from their registries into gogen's image table
    (a user-level cache, laid over the table gogen ships; delete it to go back).

    DIR is a repository whose [images] mirrors (gogen.toml or the defaults file) to read them
    through (default: the current directory).
    """
    _out(report.images_update_summary(api.images_update(path)))


@app.command("schema", cls=GogenCommand, short_help="Print the JSON Schema of a --json output.")
@with_output
def schema_command(name: Annotated[str, typer.Argument(metavar="NAME", show_default=False)]) -> None:
    """Print the JSON Schema (draft 2020-12) of what `gogen NAME --json` prints.

    NAME is scan, plan, context or verify. Each document carries its schema_version.
    """
    _out(api.schema(name))


@app.command(cls=GogenCommand)
def version() -> None:
    """Print gogen's version (as gogen --version does)."""
    _out(f"gogen {__version__}\n")


# ---------------------------------------------------------------------------------------------
# Errors and exit codes: the one place


def _usage_message(error: UsageError) -> str:
    """typer's usage errors in gogen's words: `--port: ...`, `no such option: --bogus`."""
    if isinstance(error, MissingParameter) and error.param is not None:
        text = f"missing {error.param.param_type_name} {_param_name(error.param)}"
    elif isinstance(error, BadParameter) and error.param is not None:
        text = f"{_param_name(error.param)}: {error.message}"
    elif isinstance(error, NoSuchOption):
        text = f"no such option: {error.option_name}"
        if error.possibilities:
            text += f" (did you mean {' or '.join(sorted(error.possibilities))}?)"
    else:
        text = error.format_message()
        text = text[:1].lower() + text[1:].rstrip(".")
    command = error.ctx.command_path if error.ctx else "gogen"
    return f"{text} (see `{command} --help`)"


def _param_name(param: Any) -> str:
    """`--port` for an option, `PROVIDER` for an argument."""
    if param.param_type_name == "option":
        return str(param.opts[0])
    return str(param.metavar or param.name.upper())


def run(args: Sequence[str]) -> int:
    """Run gogen with `args`; the exit code: 0 done, 1 refused or stale, 2 bad input."""
    try:
        result = app(args=list(args), prog_name="gogen", standalone_mode=False)
    except GogenError as exc:
        _err(f"gogen: error: {exc}\n")
        return exc.exit_code
    except NoArgsIsHelpError as exc:
        _out(exc.ctx.get_help() + "\n")
        return 2
    except UsageError as exc:
        _err(f"gogen: error: {_usage_message(exc)}\n")
        return 2
    except ClickException as exc:
        _err(f"gogen: error: {exc.format_message()}\n")
        return exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        _err("gogen: interrupted\n")
        return 130
    return result if isinstance(result, int) else 0


def main() -> None:
    """Entry point (the console script and `python -m gogen`)."""
    sys.exit(run(sys.argv[1:]))
