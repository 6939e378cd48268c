"""copier-go-service's task: gogen writes the new service's Dockerfile, .dockerignore and gogen.toml.

Copier runs it in the new repository with its own interpreter (`_copier_python`), after
rendering: it calls gogen's Python API with the profile and port the questions chose; the
organisation's layer is in the gogen.toml the template rendered ([labels], the overlay folder).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gogen import api
from gogen.errors import GogenError


def overrides(argv: list[str]) -> dict[str, object]:
    """The settings the questions chose, as gogen's command line would give them."""
    parser = argparse.ArgumentParser(description="Write the service's Dockerfile with gogen.")
    parser.add_argument("--profile", required=True)
    parser.add_argument("--port", type=int, default=0, help="0: the service serves no port")
    chosen = parser.parse_args(argv)
    ports = [chosen.port] if chosen.port else None
    return {"profile": chosen.profile, "ports": ports}


def main(argv: list[str]) -> int:
    """Write the files; print one status line each. Exit 2 on gogen's error, 1 on a refusal."""
    try:
        outcome = api.init(Path.cwd(), overrides(argv), api.WriteOptions())
    except GogenError as error:
        print(f"gogen: error: {error}", file=sys.stderr)
        return error.exit_code
    for change in outcome.changes:
        print(f"gogen: {change.status:<9} {change.path}")
    return 1 if outcome.refused else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
