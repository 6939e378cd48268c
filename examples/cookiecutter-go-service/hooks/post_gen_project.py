"""cookiecutter-go-service's post-generation hook: gogen writes the new service's Dockerfile,
.dockerignore and gogen.toml.

Cookiecutter renders this file with the answers, then runs it in the new repository with its
own interpreter: it calls gogen's Python API with the profile and port chosen; the organisation's
layer is in the gogen.toml the template rendered ([labels], the overlay folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

from gogen import api
from gogen.errors import GogenError

PROFILE = "{{ cookiecutter.profile }}"
SERVES_HTTP = "{{ cookiecutter.http }}" in {"True", "true"}
PORT = "{{ cookiecutter.port }}"


def overrides() -> dict[str, object]:
    """The settings the answers chose, as gogen's command line would give them."""
    ports = [int(PORT)] if SERVES_HTTP else None
    return {"profile": PROFILE, "ports": ports}


def main() -> int:
    """Write the files; print one status line each. Exit 2 on gogen's error, 1 on a refusal."""
    try:
        outcome = api.init(Path.cwd(), overrides(), api.WriteOptions())
    except GogenError as error:
        print(f"gogen: error: {error}", file=sys.stderr)
        return error.exit_code
    for change in outcome.changes:
        print(f"gogen: {change.status:<9} {change.path}")
    return 1 if outcome.refused else 0


if __name__ == "__main__":
    sys.exit(main())
