"""The façade: every command of the CLI is one call here. Nothing below imports typer."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from gogen import context as context_mod
from gogen import dockerignore, images, lock, managed, registry, safefs, schemas, write
from gogen import render as rendering
from gogen import verify as verify_mod
from gogen.errors import GogenError
from gogen.migration import Difference
from gogen.migration import compare as compare_dockerfile
from gogen.model import Plan, Project, to_jsonable
from gogen.plan import apply_image_policy
from gogen.plan import plan as make_plan
from gogen.plan.notes import Notes
from gogen.scan.location import Location, locate_module
from gogen.scan.project import scan_project
from gogen.settings import (
    CONFIG_FILE,
    Options,
    Pins,
    SettingsError,
    config_text,
    key_line,
    layered,
    parse_config,
)

NO_PINS = Pins()


@dataclass(frozen=True)
class WriteOptions:
    """How `init` treats files on disk."""

    force: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class Outcome:
    """What `init` found, decided and did (or, with --dry-run, would do).

    `migration`: how the repository's own root Dockerfile, hand-written (no gogen marker),
    differs from the one gogen writes; empty when there is none, gogen wrote it, or they agree.
    `pins`: the pins recorded in gogen.toml by this run: resolved by `gogen pin`, or adopted
    from generated files where a bot (Renovate, Dependabot) moved them.
    """

    project: Project
    plan: Plan
    changes: tuple[write.FileChange, ...]
    written: bool
    migration: tuple[Difference, ...] = ()
    pins: Pins = NO_PINS

    @property
    def refused(self) -> tuple[write.FileChange, ...]:
        return tuple(c for c in self.changes if c.status == "refused")


def scan(path: Path, tags: tuple[str, ...] | None = None) -> Project:
    """Read the Go repository at `path` into facts with evidence; build constraints are
    evaluated with `tags` (None: the tags the project's own build configuration passes).

    `path` may be a folder inside the module, or a repository whose one module is in a
    subfolder: the module's root is scanned, and a `module-root` warning says so.
    """
    return _scan(locate_module(path), tags)


def _scan(located: Location, tags: tuple[str, ...] | None) -> Project:
    project = scan_project(located.root, tags)
    if located.warning is None:
        return project
    return dataclasses.replace(project, warnings=(located.warning, *project.warnings))


def module_root(path: Path) -> Path:
    """The folder gogen works in for `path`: the module's root (see `scan`)."""
    return locate_module(path).root


def options(path: Path, overrides: dict[str, object]) -> Options:
    """The settings, layered: gogen's defaults, the organisation's defaults file (`defaults`
    override or GOGEN_DEFAULTS), the repository's gogen.toml, then `overrides` (the command
    line's). Each layer is checked as it is applied: an error names its file and line, or the flag."""
    overrides = dict(overrides)
    flag_file, env_file = overrides.pop("defaults", None), os.environ.get("GOGEN_DEFAULTS")
    base = Options()
    if flag_file:
        base = _organisation_defaults(Path(str(flag_file)), base, f"--defaults {flag_file}")
    elif env_file:
        base = _organisation_defaults(Path(env_file), base, f"GOGEN_DEFAULTS={env_file}")
    config_text_ = _repository_config(path)
    if config_text_ is not None:
        values = parse_config(config_text_)
        _check_repository_templates(path, values.get("templates"), config_text_)
        base = layered(values, base, CONFIG_FILE, config_text_)
    return layered(overrides, base)


# The settings the plan checks against the scan (a directory that must hold a main package):
# its errors name where the value came from.
CHECKED_AGAINST_SCAN = {"binaries": "--binary", "primary": "--primary", "go_version": "--go-version"}


def value_sources(path: Path, overrides: dict[str, object]) -> dict[str, str]:
    """Where the value of each setting in CHECKED_AGAINST_SCAN came from: its flag,
    `gogen.toml:LINE` or `DEFAULTS-FILE:LINE`."""
    sources: dict[str, str] = {}
    config = _repository_config(path)
    defaults = overrides.get("defaults") or os.environ.get("GOGEN_DEFAULTS")
    defaults_text = _defaults_text(Path(str(defaults))) if defaults else None
    for key, flag in CHECKED_AGAINST_SCAN.items():
        config_line = key_line(config, key) if config is not None else None
        defaults_line = key_line(defaults_text, key) if defaults_text is not None else None
        if overrides.get(key) not in (None, (), []):
            sources[key] = flag
        elif config_line is not None:
            sources[key] = f"{CONFIG_FILE}:{config_line}"
        elif defaults_line is not None:
            sources[key] = f"{defaults}:{defaults_line}"
    return sources


def _defaults_text(file: Path) -> str | None:
    data = safefs.read_inside(Path("/"), str(file.absolute()))
    return None if isinstance(data, safefs.Refused) else data.decode("utf-8", errors="replace")


def _organisation_defaults(file: Path, base: Options, named_by: str) -> Options:
    """The organisation's defaults file: the caller's choice, so its `templates` may point
    anywhere; a relative one is relative to the defaults file. `named_by` is where the name
    came from (`--defaults FILE`, `GOGEN_DEFAULTS=FILE`): an unreadable file is blamed on it."""
    text = _read_caller_file(file, named_by)
    values = parse_config(text, str(file))
    templates = values.get("templates")
    if isinstance(templates, str) and not Path(templates).is_absolute():
        values["templates"] = str((file.parent / templates).absolute())
    return layered(values, base, str(file), text)


def _repository_config(path: Path) -> str | None:
    """The text of the repository's gogen.toml, None when it has none."""
    return _repository_text(path, CONFIG_FILE)


def _repository_text(path: Path, rel: str) -> str | None:
    """A repository file gogen reads (gogen.toml, .dockerignore), None when absent.

    Read like every repository file: only a regular file inside the repository; a refusal
    names the file and why, never its content.
    """
    data = safefs.read_inside(path, rel)
    if isinstance(data, safefs.Refused):
        if data.kind == "missing":
            return None
        raise SettingsError(f"{rel} {data.reason}", file=rel, hint="make it a regular file in the repository")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SettingsError("not UTF-8 text", file=rel, line=line, hint="save it as UTF-8") from exc


def _check_repository_templates(path: Path, templates: object, text: str) -> None:
    """A template folder named by the repository's own gogen.toml must be a folder inside it.

    Templates render in a sandbox, but a repository must still not make gogen read files
    outside it (`templates = "/"`, `"../x"`, a symbolic link that leaves it).
    """
    if templates is None:
        return
    line = key_line(text, "templates")
    name = str(templates)
    if Path(name).is_absolute() or PureWindowsPath(name).is_absolute() or ".." in Path(name).parts:
        raise SettingsError(
            f"templates = {name!r} must be a folder inside the repository",
            hint="use a relative path such as ci/templates; name a folder outside with --templates or GOGEN_TEMPLATES",
            file=CONFIG_FILE,
            line=line,
        )
    folder = path / name
    if not safefs.is_inside(folder, path):
        raise SettingsError(
            f"templates = {name!r} leads out of the repository through a symbolic link",
            hint="point it at a real folder inside the repository",
            file=CONFIG_FILE,
            line=line,
        )
    if not folder.is_dir():
        raise SettingsError(
            f"templates = {name!r} is not a folder in the repository",
            hint="create it (gogen templates export DIR) or remove the line",
            file=CONFIG_FILE,
            line=line,
        )


def template_overlays(path: Path, chosen: Options) -> list[rendering.Overlay]:
    """Template directories searched before the built-ins: `templates` (gogen.toml's, relative
    to the repository and confined to it; `--templates` and a defaults file's arrive absolute),
    else GOGEN_TEMPLATES."""
    directory = chosen.templates or os.environ.get("GOGEN_TEMPLATES")
    if not directory:
        return []
    overlay = path / directory
    if not overlay.is_dir():
        raise GogenError(
            f"template directory {overlay} does not exist", hint="check --templates, templates = or GOGEN_TEMPLATES"
        )
    confined = None if Path(directory).is_absolute() or directory != chosen.templates else path
    return [rendering.Overlay(overlay, confined)]


def plan(path: Path, overrides: dict[str, object]) -> tuple[Project, Plan]:
    located = locate_module(path)
    chosen = options(located.root, overrides)
    project = _scan(located, chosen.tags)
    return project, make_plan(project, chosen, value_sources(located.root, overrides))


def render(plan: Plan, overlays: list[rendering.Overlay] | None = None) -> dict[str, str]:
    """The generated files, in memory."""
    return rendering.render(plan, overlays or ())


def rendered(path: Path, overrides: dict[str, object]) -> tuple[Project, Plan, dict[str, str]]:
    """Scan, plan and render with the repository's settings and template overlays."""
    located = locate_module(path)
    root = located.root
    chosen = options(root, overrides)
    project = _scan(located, chosen.tags)
    the_plan = make_plan(project, chosen, value_sources(root, overrides))
    return project, the_plan, render(the_plan, template_overlays(root, chosen))


def templates_list(path: Path, overrides: dict[str, object]) -> list[tuple[str, str]]:
    path = module_root(path)
    return rendering.template_sources(template_overlays(path, options(path, overrides)))


def templates_export(destination: Path) -> list[Path]:
    return rendering.export_templates(destination)


def context(path: Path, dockerignore_file: Path | None) -> context_mod.ContextReport:
    """What the engine would receive: with the given .dockerignore, the repository's, or gogen's."""
    _, the_plan, files = rendered(path, {})
    return _context_report(module_root(path), the_plan, files, dockerignore_file)


def _context_report(
    path: Path, the_plan: Plan, files: dict[str, str], dockerignore_file: Path | None
) -> context_mod.ContextReport:
    """The build context of `the_plan` with the caller's .dockerignore, the repository's, or the rendered one."""
    repository_file = _repository_text(path, ".dockerignore")
    if dockerignore_file is not None:
        source, text = (
            str(dockerignore_file),
            _read_caller_file(dockerignore_file, f"--dockerignore {dockerignore_file}"),
        )
    elif repository_file is not None:
        source, text = ".dockerignore", repository_file
    else:
        source, text = "the .dockerignore gogen would write", files[".dockerignore"]
    rules = dockerignore.parse(text, source)
    return context_mod.evaluate(path, rules, list(the_plan.needed_files), source)


def _read_caller_file(file: Path, named_by: str) -> str:
    """A file the caller named (a defaults file, a .dockerignore to evaluate): any place, but a
    regular file, read without blocking on a FIFO. A refusal names it as the caller did
    (`--defaults /x.toml: does not exist`), once."""
    data = safefs.read_inside(Path("/"), str(file.absolute()))
    if isinstance(data, safefs.Refused):
        raise GogenError(data.reason, file=named_by)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GogenError("not UTF-8 text", file=str(file), line=line, hint=f"check {named_by}") from exc


def _check_context(path: Path, the_plan: Plan, text: str) -> None:
    """Refuse a .dockerignore that would drop a needed file or send a secret."""
    report = context_mod.evaluate(path, dockerignore.parse(text), list(the_plan.needed_files), ".dockerignore")
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


def _generate(path: Path, overrides: dict[str, object], how: WriteOptions, resolved: Pins = NO_PINS) -> Outcome:
    """Scan, plan, render, compare with disk and (unless a dry run or a refusal) write.

    All or nothing: when any generated file is refused (gogen did not write it, or it was
    edited since), nothing is written. The whole run holds the repository's lock (shared for
    a dry run), so a second `gogen init` waits and then compares with what the first wrote.
    `resolved` are pins `gogen pin` looked up; pins a bot moved in the generated files are
    adopted too. Both are rendered and recorded in gogen.toml.
    """
    asked, path = path, module_root(path)
    with lock.held(path, exclusive=not how.dry_run):
        project, the_plan, files = rendered(asked, _with_pins(overrides, resolved))
        pins = _merged(_moved_pins(path, the_plan, files), resolved)
        if pins != resolved:
            project, the_plan, files = rendered(asked, _with_pins(overrides, pins))
        _check_context(path, the_plan, files[".dockerignore"])
        existing = _repository_config(path)
        files[CONFIG_FILE] = config_text(_portable(path, options(path, overrides)), existing, pins)
        if not how.dry_run:
            write.clean_leftovers(path, files)
        changes = write.compare(path, files, how.force, user_owned=frozenset({CONFIG_FILE}))
        refused = any(c.status == "refused" for c in changes)
        if not how.dry_run and not refused:
            write.apply(path, changes)
    written = not how.dry_run and not refused
    return Outcome(project, the_plan, tuple(changes), written, _migration(project, the_plan), pins)


def _with_pins(overrides: dict[str, object], pins: Pins) -> dict[str, object]:
    """`overrides` with `pins` as the [images.digests] and [actions] values they set."""
    return {**overrides, "digests": pins.digests or None, "actions": pins.actions or None}


def _merged(moved: Pins, resolved: Pins) -> Pins:
    """Pins a bot moved, then those `gogen pin` resolved (which win: they were just looked up)."""
    digests = dict(moved.digests) | dict(resolved.digests)
    actions = {name: (name, commit, version) for name, commit, version in (*moved.actions, *resolved.actions)}
    return Pins(tuple(sorted(digests.items())), tuple(sorted(actions.values())))


def _moved_pins(path: Path, the_plan: Plan, files: dict[str, str]) -> Pins:
    """The pins that Renovate, Dependabot or another bot moved in the generated files on disk
    (their marker says they are no longer those gogen wrote, and nothing else was edited),
    where they differ from the plan's: image digests by gogen's reference, actions by name."""
    images = {image.pulled_from: image for image in the_plan.images}
    actions = {action.name: action for action in the_plan.actions}
    digests: dict[str, str] = {}
    moved_actions: dict[str, tuple[str, str, str]] = {}
    for text in _on_disk(path, files).values():
        for pin in managed.moved_pins(text):
            image = images.get(pin.name) if pin.kind == "image" else None
            if image is not None and pin.value != image.digest:
                digests[image.ref] = pin.value
            action = actions.get(pin.name) if pin.kind == "action" else None
            commit, _, version = pin.value.partition("#")
            if action is not None and commit.strip() != action.commit:
                moved_actions[pin.name] = (pin.name, commit.strip(), version.strip() or action.version)
    return Pins(tuple(sorted(digests.items())), tuple(sorted(moved_actions.values())))


def _on_disk(root: Path, rels: Iterable[str]) -> dict[str, str]:
    """The text of each of `rels` in the repository at `root`, read like every repository file
    (regular files inside it only); a missing or refused one is left out."""
    texts = {}
    for rel in rels:
        data = safefs.read_inside(root, rel)
        if not isinstance(data, safefs.Refused):
            texts[rel] = data.decode("utf-8", errors="replace")
    return texts


def _migration(project: Project, the_plan: Plan) -> tuple[Difference, ...]:
    """The root Dockerfile's differences from gogen's. The scan keeps only hand-written
    Dockerfiles as hints, so one gogen wrote (edited or not) never has any."""
    hint = next((h for h in project.hints.dockerfiles if h.file == "Dockerfile"), None)
    return compare_dockerfile(hint, the_plan) if hint is not None else ()


def _portable(path: Path, chosen: Options) -> Options:
    """A template directory inside the repository is recorded relative to it, to work on any checkout."""
    if chosen.templates and Path(chosen.templates).is_absolute():
        try:
            relative = Path(chosen.templates).relative_to(path.resolve())
        except ValueError:
            # A folder outside is the caller's choice (--templates, a defaults file): recorded
            # in the repository it would be refused on the next run, so it is not recorded.
            return dataclasses.replace(chosen, templates=None)
        return dataclasses.replace(chosen, templates=relative.as_posix())
    return chosen


def init(
    path: Path,
    overrides: dict[str, object],
    how: WriteOptions,
    pin: bool = False,
    client: registry.Client | None = None,
) -> Outcome:
    """Write Dockerfile, .dockerignore and gogen.toml for a repository; with `pin`, every image
    pinned by digest (as `gogen pin` does)."""
    return _generate(path, overrides, how, resolve_pins(path, overrides, client) if pin else NO_PINS)


def _require_config(path: Path, command: str) -> None:
    path = module_root(path)
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


@dataclass(frozen=True)
class CheckOutcome:
    """`stale`: the generated files whose content is not what gogen would write now (empty: all
    current). `moved_pins`: pins a bot moved in them, accepted (`gogen regen` records them)."""

    stale: tuple[write.FileChange, ...]
    moved_pins: Pins


def check(path: Path) -> CheckOutcome:
    """Whether the generated files are what gogen would write now; a pin a bot moved is accepted."""
    _require_config(path, "check")
    outcome = _generate(path, {}, WriteOptions(dry_run=True, force=True))
    stale = tuple(
        change
        for change in outcome.changes
        if change.path != CONFIG_FILE
        and change.status != "unchanged"
        and not managed.same_but_pins_record(change.old or "", change.new)
    )
    return CheckOutcome(stale, outcome.pins)


def resolve_pins(path: Path, overrides: dict[str, object], client: registry.Client | None = None) -> Pins:
    """The digest of every image the generated Dockerfile names, read from its registry (through
    the organisation's [images] mirror), by the reference gogen chose."""
    client = client or registry.Client()
    _, the_plan = plan(path, overrides)
    return Pins(tuple((image.ref, client.digest(image.pulled_from)) for image in the_plan.images))


def pin(path: Path, overrides: dict[str, object], how: WriteOptions, client: registry.Client | None = None) -> Outcome:
    """Pin every image of the generated files by digest: resolve, record in gogen.toml, regenerate."""
    _require_config(path, "pin")
    return _generate(path, overrides, how, resolve_pins(path, overrides, client))


def verify(path: Path, target: str | None, options: verify_mod.VerifyOptions) -> verify_mod.VerifyReport:
    """Build the repository's generated Dockerfile with the local engine, run it, rebuild after an edit."""
    path = module_root(path)
    if not (path / "Dockerfile").is_file():
        raise GogenError(f"no Dockerfile in {path}", hint="run `gogen init` first")
    project, the_plan, files = rendered(path, {})
    stages = {binary.stage: binary for binary in the_plan.binaries}
    if target is not None and target not in stages:
        raise GogenError(f"no target {target!r}", hint=f"targets: {', '.join(stages)}")
    binary = stages[target] if target else the_plan.primary
    main = next(m for m in project.mains if m.dir == binary.dir and m.program_file is None)
    report = _context_report(path, the_plan, files, None)
    chosen = verify_mod.VerifyOptions(
        docker=options.docker,
        target=target,
        build_args=options.build_args,
        run_seconds=options.run_seconds,
        run_args=options.run_args,
        tag=options.tag,
        progress=options.progress,
    )
    return verify_mod.verify(path, report.included, main.files[0], f"{the_plan.bin_dir}/{binary.name}", chosen)


@dataclass(frozen=True)
class ImagesUpdate:
    """What `gogen images update` read and wrote: the cache file, the Go minors with their
    latest patch, the frontend's minor, and the repositories the tags came from."""

    file: Path
    latest_patch: tuple[tuple[str, int], ...]
    frontend_minor: str
    sources: tuple[str, ...]


def images_update(
    path: Path, today: datetime.date | None = None, client: registry.Client | None = None
) -> ImagesUpdate:
    """Refresh gogen's image table from the registries (through the [images] mirrors that the
    repository's settings name) into the user-level cache."""
    client = client or registry.Client()
    chosen = options(path, {})
    golang, frontend = (
        apply_image_policy(images.image_prefix(kind), chosen, Notes()).pulled_from for kind in ("golang", "frontend")
    )
    update = images.refreshed(client.tags(golang), client.tags(frontend), today or datetime.date.today())
    target = images.cache_dir() / images.CACHE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    write.atomic_write(target, images.update_text(update))
    images.forget_table()
    patches = tuple(update["golang"]["latest_patch"].items())
    return ImagesUpdate(target, patches, update["frontend"]["minor"], (golang, frontend))


def image_table() -> tuple[str, str | None]:
    """Where gogen's image table comes from (with its date), and a note when it is stale."""
    return images.table_source(), images.staleness(datetime.date.today())


def to_json(value: object) -> str:
    """Deterministic JSON text for any model value."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n"


def json_document(value: object) -> str:
    """What a --json option prints (scan, plan, context, verify): `to_json` of the dataclass with
    `schema_version` first, the version of the schema `gogen schema NAME` prints."""
    return to_json({"schema_version": schemas.SCHEMA_VERSION, **to_jsonable(value)})


def schema(name: str) -> str:
    """The JSON Schema of `gogen NAME --json`, as shipped with gogen."""
    if name not in schemas.DOCUMENTS:
        choices = ", ".join(schemas.DOCUMENTS)
        raise GogenError(f"unknown schema {name!r}", file="schema", hint=f"choose one of {choices}")
    return schemas.shipped(name)


def workspace_path(path: Path) -> str:
    """The module root of `path` relative to the current directory, `/`-separated (`.` for it):
    how a GitHub annotation names a file, from the workflow's directory, the checkout's root."""
    relative = os.path.relpath(module_root(path).resolve(), Path.cwd().resolve())
    return Path(relative).as_posix()


def generated_files(path: Path) -> dict[str, str]:
    """The text on disk of every file gogen generates for the repository at `path` (gogen.toml
    aside): for `check`, to say where a pin a bot moved sits. A missing or refused file is left out."""
    return _on_disk(module_root(path), rendered(path, {})[2])
