"""Plan → {path: text}. The one Jinja2 environment; rendering never touches the repository."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from gogen import managed
from gogen.errors import GogenError
from gogen.model import Plan

OUTPUTS = {"Dockerfile": "profiles/{profile}.j2", ".dockerignore": "dockerignore.j2"}


class TemplateError(GogenError):
    """A template does not render: the message names the template file and line."""


def builtin_templates() -> Path:
    """The templates shipped in the wheel (gogen/templates), or the repository's templates/."""
    packaged = Path(str(resources.files("gogen"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def _exec_form(argv: Iterable[str]) -> str:
    return json.dumps(list(argv))


def _by_directory(files: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Group paths by directory, as COPY destinations: [("./", [go.mod, go.sum]), ("lib/", [...])]."""
    groups: dict[str, list[str]] = {}
    for path in files:
        directory = posixpath.dirname(path)
        groups.setdefault(f"{directory}/" if directory else "./", []).append(path)
    return list(groups.items())


def environment(search_path: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["exec_form"] = _exec_form
    env.filters["by_directory"] = _by_directory
    return env


def _render_one(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"template syntax error: {exc.message}", file=exc.filename or name, line=exc.lineno
        ) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template {name} does not render: {exc}", file=name) from exc


def render(plan: Plan, search_path: list[Path] | None = None) -> dict[str, str]:
    """Render every output file of `plan`; each carries gogen's checksum marker."""
    env = environment(search_path or [builtin_templates()])
    context = {"plan": plan, "marker": managed.marker_line()}
    files = {}
    for output, template in OUTPUTS.items():
        text = _render_one(env, template.format(profile=plan.profile), context)
        files[output] = managed.stamp(_tidy(text))
    return files


def _tidy(text: str) -> str:
    """No blank line runs longer than one, no leading blank lines, one final newline."""
    lines = text.split("\n")
    result: list[str] = []
    for line in lines:
        if line.strip() == "" and (not result or result[-1] == ""):
            continue
        result.append(line.rstrip())
    return "\n".join(result).rstrip("\n") + "\n"
