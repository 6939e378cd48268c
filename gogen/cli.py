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
    sys.stdout.write(api.to_json(project) if as_json else report.project_summary(project))


@app.command()
def version() -> None:
    """Print gogen's version."""
    sys.stdout.write(f"gogen {__version__}\n")


def main() -> None:
    """Entry point: run the app, mapping GogenError to one line on stderr and exit code 2."""
    try:
        app()
    except GogenError as exc:
        sys.stderr.write(f"gogen: error: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("gogen: interrupted\n")
        sys.exit(130)
