"""Plan → {path: text}. The one Jinja2 environment; rendering never touches the repository."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
import jinja2.runtime
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from gogen import managed, safefs
from gogen.errors import GogenError
from gogen.model import Plan

OUTPUTS = {"Dockerfile": "profiles/{profile}.j2", ".dockerignore": "dockerignore.j2"}
# Files written only when the plan asks for them (gogen.toml: compose, bake, ci, docker_readme).
OPTIONAL_OUTPUTS = {
    "compose.yaml": "compose.yaml.j2",
    "docker-bake.hcl": "docker-bake.hcl.j2",
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
# The largest string or list a template may build with `*` or `**` (a repository's own
# template must not exhaust the memory of the CI job that runs `gogen check`).
MAX_PRODUCT = 1_000_000


@dataclass(frozen=True)
class Overlay:
    """A template directory searched before the built-ins.

    `confined_to` is the repository root when the repository's own gogen.toml named the
    directory: then every template in it must be a regular file inside the repository. A
    directory the caller chose (--templates, GOGEN_TEMPLATES, an organisation defaults file)
    has `confined_to=None`: its templates may live anywhere, but are still only regular files.
    """

    directory: Path
    confined_to: Path | None = None

    def names(self) -> list[str]:
        """Every `*.j2` below the directory, as template names; symbolic links to folders are not walked."""
        found = []
        for current, dirs, files in os.walk(self.directory):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".j2"):
                    found.append(Path(current, name).relative_to(self.directory).as_posix())
        return found

    def read(self, name: str) -> tuple[str, str] | None:
        """(source, file name) of template `name`, None when this overlay does not have it."""
        path = self.directory / name
        if self.confined_to is not None:
            data = safefs.read_inside(self.confined_to, os.path.relpath(path, self.confined_to))
        else:
            data = safefs.read_inside(Path("/"), str(path.absolute()))
        if isinstance(data, safefs.Refused):
            if data.kind == "missing":
                return None
            raise TemplateError(f"template {name} {data.reason}", file=str(path))
        try:
            return data.decode("utf-8"), str(path)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise TemplateError("template is not UTF-8 text", file=str(path), line=line) from exc


class _OverlayLoader(jinja2.BaseLoader):
    """Templates from the overlays, in order, read only through `Overlay.read`."""

    def __init__(self, overlays: Sequence[Overlay]) -> None:
        self.overlays = list(overlays)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if ".." in template.split("/") or template.startswith("/"):
            raise jinja2.TemplateNotFound(template)
        for overlay in self.overlays:
            found = overlay.read(template)
            if found is not None:
                source, filename = found
                return source, filename, lambda: False
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        return sorted({name for overlay in self.overlays for name in overlay.names()})


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no Python internals, no mutation of the plan), with `*` and `**` bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _magnitude(left) * max(_magnitude(right), 1) > 64:
            raise SecurityError("the power is too large for a template")
        if operator == "*" and _product_size(left, right) > MAX_PRODUCT:
            raise SecurityError(f"the repetition is too long for a template (over {MAX_PRODUCT})")
        return super().call_binop(context, operator, left, right)


def _magnitude(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _product_size(left: Any, right: Any) -> int:
    """The length `left * right` would have when one side is a sequence, else 0."""
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
            return len(sequence) * count
    return 0


def environment(overlays: Sequence[Overlay]) -> jinja2.Environment:
    """The one Jinja2 environment, sandboxed: overlays first, then the built-ins.

    A template in an overlay directory replaces the built-in of the same name; it can also
    extend the built-in one as `gogen/<name>` and override its blocks.
    """
    builtin = jinja2.FileSystemLoader(str(builtin_templates()))
    env = _Sandbox(
        loader=jinja2.ChoiceLoader(
            [
                _OverlayLoader(overlays),
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


def _parent_of(tree: jinja2.nodes.Template) -> str | None:
    return next(
        (
            str(node.template.value)
            for node in tree.find_all(jinja2.nodes.Extends)
            if isinstance(node.template, jinja2.nodes.Const)
        ),
        None,
    )


def _parsed(env: jinja2.Environment, name: str) -> tuple[jinja2.nodes.Template, str | None]:
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return env.parse(source, name, filename), filename


def _check_blocks(env: jinja2.Environment, name: str) -> None:
    """An overlay block that its parent template does not have would be silently ignored: refuse it."""
    tree, filename = _parsed(env, name)
    parent = _parent_of(tree)
    if parent is None:
        return
    known = _blocks_of(env, parent, chain=(name,))
    for block in tree.find_all(jinja2.nodes.Block):
        if block.name not in known:
            raise TemplateError(
                f"block {block.name!r} does not exist in {parent}",
                file=filename,
                line=block.lineno,
                hint=f"blocks there: {', '.join(sorted(known))}",
            )


def _blocks_of(env: jinja2.Environment, name: str, chain: tuple[str, ...]) -> set[str]:
    """The blocks of `name` and of every template it extends; a template that extends itself
    (directly or through others) is refused instead of recursing for ever."""
    if name in chain:
        raise TemplateError(f"template {chain[0]} extends itself: {' → '.join((*chain, name))}")
    tree, _ = _parsed(env, name)
    blocks = {block.name for block in tree.find_all(jinja2.nodes.Block)}
    parent = _parent_of(tree)
    if parent is not None:
        blocks |= _blocks_of(env, parent, (*chain, name))
    return blocks


def _template_error(exc: jinja2.TemplateError, name: str) -> TemplateError:
    """One user-facing error for any Jinja2 failure, naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"template syntax error: {exc.message}", file=exc.filename or name, line=exc.lineno)
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(f"template {exc.name!r} not found (needed by {name})", hint="check the extends line")
    file, line = _template_location(exc)
    if isinstance(exc, SecurityError):
        return TemplateError(f"template refused by the sandbox: {exc}", file=file or name, line=line)
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
    except RecursionError as exc:
        file, line = _template_location(exc)
        raise TemplateError("template includes or extends itself without end", file=file or name, line=line) from exc


def _stamped(text: str, template: str, output: str) -> str:
    if not managed.has_placeholder(text):
        raise TemplateError(
            f"the rendered {output} has no `{{{{ marker }}}}` line",
            file=template,
            hint="keep `{{ marker }}` in the template: it is how regen and check know the file is gogen's",
        )
    return managed.stamp(text)


def render(plan: Plan, overlays: Sequence[Overlay] = ()) -> dict[str, str]:
    """Render every output file of `plan`; each carries gogen's checksum marker."""
    env = environment(overlays)
    for overlay in overlays:
        for name in overlay.names():
            _render_guard(env, name)
    context = {"plan": plan, "marker": managed.marker_line()}
    templates = {**OUTPUTS, **{output: OPTIONAL_OUTPUTS[output] for output in plan.outputs}}
    files = {}
    for output, template in templates.items():
        name = template.format(profile=plan.profile)
        text = _tidy(_render_one(env, name, context))
        files[output] = _stamped(text, _overlay_in_chain(env, overlays, name), output)
    return files


def _overlay_in_chain(env: jinja2.Environment, overlays: Sequence[Overlay], name: str) -> str:
    """The first overlay file among `name` and the templates it extends (profiles extend
    Dockerfile.j2, which an overlay may replace), else "built-in"."""
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current not in seen:
        seen.add(current)
        source = _source_of(overlays, current)
        if source != "built-in":
            return source
        current = _parent_of(_parsed(env, current)[0])
    return "built-in"


def _source_of(overlays: Sequence[Overlay], name: str) -> str:
    """Where template `name` comes from: the first overlay holding it, or gogen's built-ins."""
    return next(
        (str(overlay.directory / name) for overlay in overlays if name in overlay.names()),
        "built-in",
    )


def template_sources(overlays: Sequence[Overlay]) -> list[tuple[str, str]]:
    """Every template name with where it comes from: an overlay directory or gogen's built-ins."""
    builtin = builtin_templates()
    names = {p.relative_to(builtin).as_posix() for p in builtin.rglob("*.j2")}
    for overlay in overlays:
        names |= set(overlay.names())
    return [(name, _source_of(overlays, name)) for name in sorted(names)]


def export_templates(destination: Path) -> list[Path]:
    """Copy the built-in templates into `destination`, which must not hold any of them yet.

    Every target is checked before the first is written, so a clash (a file where a folder
    should be, an existing template) leaves nothing half-exported.
    """
    builtin = builtin_templates()
    names = sorted(p.relative_to(builtin) for p in builtin.rglob("*.j2"))
    _check_export(destination, names)
    written = []
    for name in names:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write((builtin / name).read_bytes())
        written.append(target)
    return written


def _check_export(destination: Path, names: list[Path]) -> None:
    if destination.exists() and not destination.is_dir():
        raise GogenError(f"{destination} exists and is not a directory", hint="export into a new or empty directory")
    for name in names:
        target = destination / name
        for parent in reversed(target.relative_to(destination).parents[:-1]):
            folder = destination / parent
            if folder.exists() and not folder.is_dir():
                raise GogenError(f"{folder} exists and is not a directory", hint="export into a new or empty directory")
        if target.exists() or target.is_symlink():
            raise GogenError(f"{target} already exists", hint="export into a new or empty directory")


def _tidy(text: str) -> str:
    """No blank line runs longer than one, no leading blank lines, one final newline."""
    lines = text.split("\n")
    result: list[str] = []
    for line in lines:
        if line.strip() == "" and (not result or result[-1] == ""):
            continue
        result.append(line.rstrip())
    return "\n".join(result).rstrip("\n") + "\n"
