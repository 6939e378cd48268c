"""The façade: every command of the CLI is one call here. Nothing below imports typer."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from gogen import context as context_mod
from gogen import dockerignore, write
from gogen import render as rendering
from gogen import verify as verify_mod
from gogen.errors import GogenError
from gogen.model import Plan, Project, to_jsonable
from gogen.plan import needed_for
from gogen.plan import plan as make_plan
from gogen.scan.project import scan_project
from gogen.settings import CONFIG_FILE, Options, config_text, options_from, parse_config


@dataclass(frozen=True)
class WriteOptions:
    """How `init` treats files on disk."""

    force: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class Outcome:
    """What `init` found, decided and did (or, with --dry-run, would do)."""

    project: Project
    plan: Plan
    changes: tuple[write.FileChange, ...]
    written: bool

    @property
    def refused(self) -> tuple[write.FileChange, ...]:
        return tuple(c for c in self.changes if c.status == "refused")


def scan(path: Path) -> Project:
    """Read the Go repository at `path` into facts with evidence."""
    return scan_project(path)


def options(path: Path, overrides: dict[str, object]) -> Options:
    """The settings, layered: gogen's defaults, the organisation's defaults file (`defaults`
    override or GOGEN_DEFAULTS), the repository's gogen.toml, then `overrides`."""
    overrides = dict(overrides)
    defaults_file = overrides.pop("defaults", None) or os.environ.get("GOGEN_DEFAULTS")
    base = Options()
    if defaults_file:
        defaults_path = Path(str(defaults_file))
        base = options_from(parse_config(_read(defaults_path), str(defaults_path)), base).validated(str(defaults_path))
    config = path / CONFIG_FILE
    if config.is_file():
        base = options_from(parse_config(_read(config)), base)
    return options_from(overrides, base).validated(CONFIG_FILE if config.is_file() else "options")


def template_overlays(path: Path, chosen: Options) -> list[Path]:
    """Template directories searched before the built-ins: gogen.toml's `templates`
    (relative to the repository; `--templates` arrives absolute), else GOGEN_TEMPLATES."""
    directory = chosen.templates or os.environ.get("GOGEN_TEMPLATES")
    if not directory:
        return []
    overlay = path / directory
    if not overlay.is_dir():
        raise GogenError(
            f"template directory {overlay} does not exist", hint="check --templates, templates = or GOGEN_TEMPLATES"
        )
    return [overlay]


def plan(path: Path, overrides: dict[str, object]) -> tuple[Project, Plan]:
    project = scan(path)
    return project, make_plan(project, options(path, overrides))


def render(plan: Plan, overlays: list[Path] | None = None) -> dict[str, str]:
    """The generated files, in memory."""
    return rendering.render(plan, overlays)


def rendered(path: Path, overrides: dict[str, object]) -> tuple[Project, Plan, dict[str, str]]:
    """Scan, plan and render with the repository's settings and template overlays."""
    chosen = options(path, overrides)
    project = scan(path)
    the_plan = make_plan(project, chosen)
    return project, the_plan, render(the_plan, template_overlays(path, chosen))


def templates_list(path: Path, overrides: dict[str, object]) -> list[tuple[str, str]]:
    return rendering.template_sources(template_overlays(path, options(path, overrides)))


def templates_export(destination: Path) -> list[Path]:
    return rendering.export_templates(destination)


def context(path: Path, dockerignore_file: Path | None) -> context_mod.ContextReport:
    """What the engine would receive: with the given .dockerignore, the repository's, or gogen's."""
    project, the_plan, files = rendered(path, {})
    if dockerignore_file is not None:
        source, text = str(dockerignore_file), _read(dockerignore_file)
    elif (path / ".dockerignore").is_file():
        source, text = ".dockerignore", _read(path / ".dockerignore")
    else:
        source, text = "the .dockerignore gogen would write", files[".dockerignore"]
    rules = dockerignore.parse(text, source)
    return context_mod.evaluate(path, rules, needed_for(project, the_plan), source)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GogenError(f"cannot read {path}: {exc}", file=str(path)) from exc


def _check_context(path: Path, project: Project, the_plan: Plan, text: str) -> None:
    """Refuse a .dockerignore that would drop a needed file or send a secret."""
    report = context_mod.evaluate(path, dockerignore.parse(text), needed_for(project, the_plan), ".dockerignore")
    if report.problems:
        first = report.problems[0]
        more = f" (and {len(report.problems) - 1} more: run gogen context)" if len(report.problems) > 1 else ""
        what = "excludes a file the build needs" if first.kind == "needed-excluded" else "sends a secret-looking file"
        raise GogenError(
            f"refusing to write .dockerignore: it {what}: {first.path} ({first.rule}){more}",
            hint="exclude the secret in .gitignore-free terms or move it out of the repository"
            if first.kind == "secret-included"
            else "report this: gogen should have kept it",
        )


def _generate(path: Path, overrides: dict[str, object], how: WriteOptions) -> Outcome:
    """Scan, plan, render, compare with disk and (unless a dry run or a refusal) write.

    All or nothing: when any generated file is refused (gogen did not write it, or it was
    edited since), nothing is written.
    """
    project, the_plan, files = rendered(path, overrides)
    _check_context(path, project, the_plan, files[".dockerignore"])
    config = path / CONFIG_FILE
    existing = _read(config) if config.is_file() else None
    files[CONFIG_FILE] = config_text(_portable(path, options(path, overrides)), existing)
    changes = write.compare(path, files, how.force, user_owned=frozenset({CONFIG_FILE}))
    refused = any(c.status == "refused" for c in changes)
    if not how.dry_run and not refused:
        write.apply(path, changes)
    return Outcome(project, the_plan, tuple(changes), written=not how.dry_run and not refused)


def _portable(path: Path, chosen: Options) -> Options:
    """A template directory inside the repository is recorded relative to it, to work on any checkout."""
    if chosen.templates and Path(chosen.templates).is_absolute():
        try:
            relative = Path(chosen.templates).relative_to(path.resolve())
        except ValueError:
            return chosen
        return dataclasses.replace(chosen, templates=relative.as_posix())
    return chosen


def init(path: Path, overrides: dict[str, object], how: WriteOptions) -> Outcome:
    """Write Dockerfile, .dockerignore and gogen.toml for a repository."""
    return _generate(path, overrides, how)


def _require_config(path: Path, command: str) -> None:
    if not (path / CONFIG_FILE).is_file():
        raise GogenError(
            f"no {CONFIG_FILE} in {path}", hint=f"run `gogen init` first; `gogen {command}` follows its settings"
        )


def regen(path: Path, overrides: dict[str, object], how: WriteOptions) -> Outcome:
    """Regenerate after the repository changed, following gogen.toml (updated with `overrides`)."""
    _require_config(path, "regen")
    return _generate(path, overrides, how)


def ci(path: Path, provider: str, how: WriteOptions) -> Outcome:
    """Add a CI workflow (`ci = "github"` in gogen.toml) and write it with the other files."""
    return _generate(path, {"ci": provider}, how)


def readme(path: Path) -> str:
    """README.Docker.md for the repository, as `docker_readme = true` would write it."""
    return rendered(path, {"docker_readme": True})[2]["README.Docker.md"]


def check(path: Path) -> tuple[write.FileChange, ...]:
    """The generated files whose content is not what gogen would write now (empty: all current)."""
    _require_config(path, "check")
    outcome = _generate(path, {}, WriteOptions(dry_run=True, force=True))
    return tuple(c for c in outcome.changes if c.path != CONFIG_FILE and c.status != "unchanged")


def verify(path: Path, target: str | None, options: verify_mod.VerifyOptions) -> verify_mod.VerifyReport:
    """Build the repository's generated Dockerfile with the local engine, run it, rebuild after an edit."""
    if not (path / "Dockerfile").is_file():
        raise GogenError(f"no Dockerfile in {path}", hint="run `gogen init` first")
    project, the_plan = plan(path, {})
    stages = {binary.stage: binary for binary in the_plan.binaries}
    if target is not None and target not in stages:
        raise GogenError(f"no target {target!r}", hint=f"targets: {', '.join(stages)}")
    binary = stages[target] if target else the_plan.primary
    main = next(m for m in project.mains if m.dir == binary.dir and m.role != "generator")
    report = context(path, None)
    chosen = verify_mod.VerifyOptions(
        docker=options.docker,
        target=target,
        build_args=options.build_args,
        run_seconds=options.run_seconds,
        run_args=options.run_args,
        tag=options.tag,
    )
    return verify_mod.verify(path, report.included, main.files[0], f"/usr/local/bin/{binary.name}", chosen)


def to_json(value: object) -> str:
    """Deterministic JSON text for any model value."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n"
