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
# Files written only when the plan asks for them (gogen.toml: compose, ci, docker_readme).
OPTIONAL_OUTPUTS = {
    "compose.yaml": "compose.yaml.j2",
    ".github/workflows/docker.yml": "github-workflow.yml.j2",
    "README.Docker.md": "README.Docker.md.j2",
}


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


BUILTIN_PREFIX = "gogen"


def environment(overlays: list[Path]) -> jinja2.Environment:
    """The one Jinja2 environment: overlays first, then the built-ins.

    A template in an overlay directory replaces the built-in of the same name; it can also
    extend the built-in one as `gogen/<name>` and override its blocks.
    """
    builtin = jinja2.FileSystemLoader(str(builtin_templates()))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([str(p) for p in overlays]),
                jinja2.PrefixLoader({BUILTIN_PREFIX: builtin}),
                builtin,
            ]
        ),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["exec_form"] = _exec_form
    env.filters["by_directory"] = _by_directory
    env.filters["label_value"] = _label_value
    return env


def _label_value(value: str) -> str:
    """A double-quoted Dockerfile value: backslashes, quotes and `$` escaped (values are data)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def _template_location(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line a rendering error happened at (Jinja2 keeps them in the traceback)."""
    frame = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (filename, frame.tb_lineno)
        frame = frame.tb_next
    return found


def _check_blocks(env: jinja2.Environment, name: str) -> None:
    """An overlay block that its parent template does not have would be silently ignored: refuse it."""
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    tree = env.parse(source, name, filename)
    parent = next(
        (
            node.template.value
            for node in tree.find_all(jinja2.nodes.Extends)
            if isinstance(node.template, jinja2.nodes.Const)
        ),
        None,
    )
    if parent is None:
        return
    known = _blocks_of(env, str(parent))
    for block in tree.find_all(jinja2.nodes.Block):
        if block.name not in known:
            raise TemplateError(
                f"block {block.name!r} does not exist in {parent}",
                file=filename,
                line=block.lineno,
                hint=f"blocks there: {', '.join(sorted(known))}",
            )


def _blocks_of(env: jinja2.Environment, name: str) -> set[str]:
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    tree = env.parse(source, name, filename)
    blocks = {block.name for block in tree.find_all(jinja2.nodes.Block)}
    for node in tree.find_all(jinja2.nodes.Extends):
        if isinstance(node.template, jinja2.nodes.Const):
            blocks |= _blocks_of(env, str(node.template.value))
    return blocks


def _template_error(exc: jinja2.TemplateError, name: str) -> TemplateError:
    """One user-facing error for any Jinja2 failure, naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"template syntax error: {exc.message}", file=exc.filename or name, line=exc.lineno)
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(f"template {exc.name!r} not found (needed by {name})", hint="check the extends line")
    file, line = _template_location(exc)
    return TemplateError(f"template does not render: {exc}", file=file or name, line=line)


def _render_guard(env: jinja2.Environment, name: str) -> None:
    """Check an overlay template before anything renders: its syntax, its parent, its blocks."""
    try:
        _check_blocks(env, name)
    except jinja2.TemplateError as exc:
        raise _template_error(exc, name) from exc


def _render_one(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        raise _template_error(exc, name) from exc


def render(plan: Plan, overlays: list[Path] | None = None) -> dict[str, str]:
    """Render every output file of `plan`; each carries gogen's checksum marker."""
    env = environment(overlays or [])
    for overlay in overlays or []:
        for found in sorted(overlay.rglob("*.j2")):
            _render_guard(env, found.relative_to(overlay).as_posix())
    context = {"plan": plan, "marker": managed.marker_line()}
    templates = {**OUTPUTS, **{output: OPTIONAL_OUTPUTS[output] for output in plan.outputs}}
    files = {}
    for output, template in templates.items():
        text = _render_one(env, template.format(profile=plan.profile), context)
        files[output] = managed.stamp(_tidy(text))
    return files


def template_sources(overlays: list[Path]) -> list[tuple[str, str]]:
    """Every template name with where it comes from: an overlay directory or gogen's built-ins."""
    builtin = builtin_templates()
    names = {p.relative_to(builtin).as_posix() for p in builtin.rglob("*.j2")}
    for overlay in overlays:
        names |= {p.relative_to(overlay).as_posix() for p in overlay.rglob("*.j2")}
    result = []
    for name in sorted(names):
        source = next((str(overlay / name) for overlay in overlays if (overlay / name).is_file()), "built-in")
        result.append((name, source))
    return result


def export_templates(destination: Path) -> list[Path]:
    """Copy the built-in templates into `destination` (which must not hold any of them yet)."""
    builtin = builtin_templates()
    sources = sorted(builtin.rglob("*.j2"))
    clashes = [destination / p.relative_to(builtin) for p in sources if (destination / p.relative_to(builtin)).exists()]
    if clashes:
        raise GogenError(f"{clashes[0]} already exists", hint="export into an empty directory")
    written = []
    for source in sources:
        target = destination / source.relative_to(builtin)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        written.append(target)
    return written


def _tidy(text: str) -> str:
    """No blank line runs longer than one, no leading blank lines, one final newline."""
    lines = text.split("\n")
    result: list[str] = []
    for line in lines:
        if line.strip() == "" and (not result or result[-1] == ""):
            continue
        result.append(line.rstrip())
    return "\n".join(result).rstrip("\n") + "\n"
