"""The command line: options and arguments only; every command calls the façade in api.py.

This is the one module that imports typer, and the one place that turns a GogenError into a
message on stderr and an exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gogen import __version__, api, report
from gogen import verify as verify_mod
from gogen.errors import GogenError

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


ProfileOpt = Annotated[str | None, typer.Option("--profile", help="distroless (default), scratch, alpine, debian.")]
StrategyOpt = Annotated[str | None, typer.Option("--strategy", help="buildkit (default) or layers.")]
BinaryOpt = Annotated[list[str] | None, typer.Option("--binary", help="Main package directory to build (repeatable).")]
PrimaryOpt = Annotated[str | None, typer.Option("--primary", help="Directory of the binary in the last stage.")]
PortOpt = Annotated[list[int] | None, typer.Option("--port", help="Port the primary binary listens on (repeatable).")]
SyntaxOpt = Annotated[bool | None, typer.Option("--syntax/--no-syntax", help="Emit `# syntax=docker/dockerfile:1`.")]
TemplatesOpt = Annotated[
    Path | None, typer.Option("--templates", help="Template directory searched before the built-ins.")
]
DefaultsOpt = Annotated[
    Path | None, typer.Option("--defaults", help="Organisation defaults (TOML) under gogen.toml; or GOGEN_DEFAULTS.")
]
PlatformOpt = Annotated[
    list[str] | None, typer.Option("--platform", help="Target platform, e.g. linux/arm/v7 (repeatable).")
]
PrivateOpt = Annotated[
    list[str] | None, typer.Option("--private", help="Private module pattern (GOPRIVATE), e.g. github.com/acme/*.")
]
ComposeOpt = Annotated[bool | None, typer.Option("--compose/--no-compose", help="Also write compose.yaml.")]
ReadmeOpt = Annotated[
    bool | None, typer.Option("--docker-readme/--no-docker-readme", help="Also write README.Docker.md.")
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


def _template_dir(templates: Path | None) -> str | None:
    """--templates as recorded in gogen.toml: absolute, so that it means the same from any directory."""
    return str(templates.resolve()) if templates else None


def _overrides(
    profile: str | None,
    strategy: str | None,
    binary: list[str] | None,
    primary: str | None,
    port: list[int] | None,
    syntax: bool | None,
    templates: Path | None = None,
    defaults: Path | None = None,
) -> dict[str, object]:
    """Only the options given on the command line; the rest come from gogen.toml or defaults."""
    return {
        "profile": profile,
        "strategy": strategy,
        "binaries": binary or None,
        "primary": primary,
        "ports": port or None,
        "syntax": syntax,
        "templates": _template_dir(templates),
        "defaults": str(defaults) if defaults else None,
    }


def _extras(
    platform: list[str] | None, private: list[str] | None, compose: bool | None, docker_readme: bool | None
) -> dict[str, object]:
    """The command-line options of platforms, private modules and the optional files."""
    return {
        "platforms": platform or None,
        "private": private or None,
        "compose": compose,
        "docker_readme": docker_readme,
    }


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
def init(
    path: PathArg = Path("."),
    profile: ProfileOpt = None,
    strategy: StrategyOpt = None,
    binary: BinaryOpt = None,
    primary: PrimaryOpt = None,
    port: PortOpt = None,
    syntax: SyntaxOpt = None,
    templates: TemplatesOpt = None,
    defaults: DefaultsOpt = None,
    platform: PlatformOpt = None,
    private: PrivateOpt = None,
    compose: ComposeOpt = None,
    docker_readme: ReadmeOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of every change.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace files gogen did not write (keeps .bak).")] = False,
) -> None:
    """Write Dockerfile, .dockerignore and gogen.toml for the repository."""
    overrides = _overrides(profile, strategy, binary, primary, port, syntax, templates, defaults)
    overrides |= _extras(platform, private, compose, docker_readme)
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
def regen(
    path: PathArg = Path("."),
    profile: ProfileOpt = None,
    strategy: StrategyOpt = None,
    binary: BinaryOpt = None,
    primary: PrimaryOpt = None,
    port: PortOpt = None,
    syntax: SyntaxOpt = None,
    templates: TemplatesOpt = None,
    defaults: DefaultsOpt = None,
    platform: PlatformOpt = None,
    private: PrivateOpt = None,
    compose: ComposeOpt = None,
    docker_readme: ReadmeOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    no_diff: Annotated[bool, typer.Option("--no-diff", help="Do not print the diff of each change.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace hand-edited files (keeps .bak).")] = False,
) -> None:
    """Regenerate the files after the repository changed, following gogen.toml (options update it)."""
    overrides = _overrides(profile, strategy, binary, primary, port, syntax, templates, defaults)
    overrides |= _extras(platform, private, compose, docker_readme)
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
def templates_list(path: PathArg = Path("."), templates: TemplatesOpt = None) -> None:
    """Every template, and where it comes from (an overlay directory or built-in)."""
    overrides: dict[str, object] = {"templates": _template_dir(templates)}
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
