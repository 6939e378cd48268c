"""The GitHub Actions the workflow uses, each pinned by commit.

gogen/data/github_actions.toml holds the pin gogen ships for each (a release tag and the commit
it points to, read from the action's repository); gogen.toml's [actions] holds the repository's
own, which Renovate or Dependabot moved in the workflow and `gogen regen` recorded.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from gogen.model import ActionPin
from gogen.plan.notes import Notes
from gogen.settings import Options


@cache
def table() -> dict[str, Any]:
    """gogen/data/github_actions.toml's `[actions]`: each action's version, commit and inputs."""
    text = resources.files("gogen").joinpath("data/github_actions.toml").read_text(encoding="utf-8")
    actions: dict[str, Any] = tomllib.loads(text)["actions"]
    return actions


def action_pins(options: Options, notes: Notes) -> tuple[ActionPin, ...]:
    """Every action of the table, at gogen.toml's pin where it has one, else at gogen's."""
    own = {name: (commit, version) for name, commit, version in options.actions}
    pins = []
    for name, spec in table().items():
        commit, version = own.get(name, (spec["commit"], spec["version"]))
        if name in own:
            notes.decide("action pin", f"{name}@{commit} # {version}", "[actions] in gogen.toml")
        pins.append(ActionPin(name, commit, version))
    return tuple(pins)
