"""The command line: options and arguments only; every command calls the façade in api.py.

This is the one module that imports typer, and the one place that turns a GogenError into a
message on stderr and an exit code.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from gogen import __version__, api, report
from gogen import verify as verify_mod
from gogen.errors import GogenError
from gogen.settings import SETTINGS, Setting

app = typer.Typer(
    name="gogen",
    help="Optimized multi-stage Dockerfiles for Go repositories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PathArg = Annotated[Path, typer.Argument(help="The Go repository (default: the current directory).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.command()
def scan(path: PathArg = Path(), as_json: JsonOpt = False) -> None:
    """Read the repository: modules, main packages, cgo, embeds, ports, with evidence."""
    project = api.scan(path)
    if as_json:
        _json(project)
    else:
        _out(report.project_summary(project))


DefaultsOpt = Annotated[
    Path | None,
    typer.Option(
        "--defaults", metavar="FILE", help="Organisation defaults (TOML) under gogen.toml; or GOGEN_DEFAULTS."
    ),
]
templates_app = typer.Typer(help="List or export the templates.", no_args_is_help=True)
app.add_typer(templates_app, name="templates")


def _out(text: str) -> None:
    """Print to stdout with control characters escaped: scanned names can hold anything."""
    sys.stdout.write(report.escape_controls(text))


def _err(text: str) -> None:
    sys.stderr.write(report.escape_controls(text))


def _json(value: object) -> None:
    sys.stdout.write(report.escape_controls_json(api.to_json(value)))


# The type typer parses a flag into, by the setting's gogen.toml type (and item type); None: not given.
_FLAG_TYPES: dict[tuple[type, type | None], object] = {
    (str, None): str | None,
    (bool, None): bool | None,
    (list, str): list[str] | None,
    (list, int): list[int] | None,
}


def _setting_option(row: Setting) -> inspect.Parameter:
    """The typer option of a setting with a flag: `--port PORT` (repeatable), `--syntax/--no-syntax`..."""
    flag = str(row.spec.flag)
    declared = f"{flag}/--no-{flag.removeprefix('--')}" if row.kind is bool else flag
    kind = _FLAG_TYPES[row.kind, row.item]
    option = typer.Option(declared, metavar=row.spec.metavar, help=row.flag_help())
    return inspect.Parameter(row.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, option])


def _flag_value(row: Setting, value: object) -> object:
    """A flag's value as an override: None (and an empty repeatable) means not given."""
    if value is None or value == []:
        return None
    return row.spec.from_flag(value) if row.spec.from_flag else value


def with_settings(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command one option per setting with a flag (those in `names`, or all of them and
    --defaults); the command receives what was given as `overrides`, a dict for the api."""
    rows = [row for row in SETTINGS if row.spec.flag and (not names or row.name in names)]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "overrides"]
        added = [_setting_option(row) for row in rows]
        if not names:
            added.append(
                inspect.Parameter("defaults", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DefaultsOpt)
            )

        @functools.wraps(command)
        def run(**given: Any) -> None:
            overrides = {row.name: _flag_value(row, given.pop(row.name)) for row in rows}
            if not names:
                defaults = given.pop("defaults")
                overrides["defaults"] = str(defaults) if defaults else None
            command(overrides=overrides, **given)

        arguments = [p for p in own if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        options = [p for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY]
        run.__signature__ = signature.replace(parameters=[*arguments, *added, *options])  # type: ignore[attr-defined]
        return run

    return decorate


@app.command("plan")
def plan_command(path: PathArg = Path("."), as_json: JsonOpt = False) -> None:
    """Decide the Dockerfile (from gogen.toml and the scan): every decision with its reason."""
    _, plan = api.plan(path, {})
    if as_json:
        _json(plan)
    else:
        _out(report.plan_summary(plan) + report.warnings_summary(plan))


@app.command()
def explain(path: PathArg = Path(".")) -> None:
    """Print what gogen found, with evidence, and every decision it makes, with its reason."""
    project, plan = api.plan(path, {})
    _out(report.project_summary(project) + "\n" + report.plan_summary(plan))


@app.command()
def context(
    path: PathArg = Path("."),
    as_json: JsonOpt = False,
    dockerignore: Annotated[
        Path | None, typer.Option("--dockerignore", help="Evaluate this file instead of PATH/.dockerignore.")
    ] = None,
) -> None:
    """What the Docker engine would receive as build context (files, bytes), and its problems."""
    result = api.context(path, dockerignore)
    if as_json:
        _json(result)
    else:
        _out(report.context_summary(result))
    if result.problems:
        raise typer.Exit(1)


@app.command("verify")
def verify_command(
    path: PathArg = Path("."),
    target: Annotated[str | None, typer.Option("--target", help="The stage to build (default: the last).")] = None,
    docker: Annotated[str, typer.Option("--docker", help="The docker client to run.")] = "docker",
    build_arg: Annotated[list[str] | None, typer.Option("--build-arg", help="KEY=VALUE for docker build.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the generated Dockerfile with the local engine (DOCKER_HOST), run it, and measure."""
    pairs = tuple(tuple(item.split("=", 1)) for item in build_arg or [] if "=" in item)
    options = verify_mod.VerifyOptions(docker=docker, build_args=pairs)  # type: ignore[arg-type]
    result = api.verify(path, target, options)
    if as_json:
        _json(result)
    else:
        _out(report.verify_summary(result))


@app.command()
def profiles() -> None:
    """List the runtime profiles and build strategies."""
    _out(report.profiles_summary())


@app.command()
@with_settings()
def init(
    path: PathArg = Path("."),
    *,
    overrides: dict[str, object],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of every change.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace files gogen did not write (keeps .bak).")] = False,
) -> None:
    """Write Dockerfile, .dockerignore and gogen.toml for the repository."""
    outcome = api.init(path, overrides, api.WriteOptions(force=force, dry_run=dry_run))
    _report_outcome(outcome, dry_run, diff)


def _report_outcome(outcome: api.Outcome, dry_run: bool, diff: bool) -> None:
    _out(report.plan_summary(outcome.plan) + report.warnings_summary(outcome.plan))
    _out(report.changes_summary(outcome.changes, outcome.written, dry_run))
    if diff:
        _out("".join(change.diff() for change in outcome.changes if change.status != "unchanged"))
    if outcome.refused:
        raise typer.Exit(1)


@app.command()
@with_settings()
def regen(
    path: PathArg = Path("."),
    *,
    overrides: dict[str, object],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    no_diff: Annotated[bool, typer.Option("--no-diff", help="Do not print the diff of each change.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace hand-edited files (keeps .bak).")] = False,
) -> None:
    """Regenerate the files after the repository changed, following gogen.toml (options update it)."""
    outcome = api.regen(path, overrides, api.WriteOptions(force=force, dry_run=dry_run))
    _report_outcome(outcome, dry_run, not no_diff)


@app.command("ci")
def ci_command(
    provider: Annotated[str, typer.Argument(help="The CI service: github.")],
    path: PathArg = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace files gogen did not write (keeps .bak).")] = False,
) -> None:
    """Write a CI workflow that builds the images and keeps Go's caches between runs."""
    outcome = api.ci(path, provider, api.WriteOptions(force=force, dry_run=dry_run))
    _report_outcome(outcome, dry_run, False)


@app.command()
def readme(path: PathArg = Path(".")) -> None:
    """Print README.Docker.md: how to build, run, cross-build, pass secrets and regenerate."""
    _out(api.readme(path))


@app.command()
def check(path: PathArg = Path(".")) -> None:
    """Exit 1, printing the diff, when the generated files are stale (for CI and pre-commit)."""
    stale = api.check(path)
    if not stale:
        _out("gogen: generated files are up to date\n")
        return
    _out("".join(change.diff() for change in stale))
    names = ", ".join(change.path for change in stale)
    _err(f"gogen: {names} out of date: run `gogen regen` (or `gogen regen --force` for edited files)\n")
    raise typer.Exit(1)


@templates_app.command("list")
@with_settings("templates")
def templates_list(path: PathArg = Path("."), *, overrides: dict[str, object]) -> None:
    """Every template, and where it comes from (an overlay directory or built-in)."""
    for name, source in api.templates_list(path, overrides):
        _out(f"{name:<28} {source}\n")


@templates_app.command("export")
def templates_export(
    directory: Annotated[Path, typer.Argument(help="Where to copy the built-in templates (must not hold them yet).")],
) -> None:
    """Copy the built-in templates into DIRECTORY, as a starting point for an overlay."""
    for written in api.templates_export(directory):
        _out(f"exported {written}\n")


@app.command()
def version() -> None:
    """Print gogen's version."""
    _out(f"gogen {__version__}\n")


def main() -> None:
    """Entry point: run the app, mapping GogenError to one line on stderr and exit code 2."""
    try:
        app()
    except GogenError as exc:
        _err(f"gogen: error: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err("gogen: interrupted\n")
        sys.exit(130)
