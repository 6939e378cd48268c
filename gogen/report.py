"""Readable text views of the model, for people (the JSON views are for tools)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from gogen import managed
from gogen.context import ContextReport
from gogen.images import frontend_image, minor_tag_release, newest_minor, supported_minors
from gogen.migration import Aspect, Difference
from gogen.model import Evidence, Main, Plan, Project
from gogen.profiles import PROFILES, STRATEGIES
from gogen.settings import Pins
from gogen.verify import VerifyReport
from gogen.write import FileChange

if TYPE_CHECKING:
    from gogen.api import ImagesUpdate


def _at(evidence: Evidence) -> str:
    return f"{evidence.file}:{evidence.line}" if evidence.line else evidence.file


def _main_lines(main: Main) -> list[str]:
    lines = [f"  {main.dir}  →  {main.binary}  [{main.role}{', built by default' if main.default else ''}]"]
    if main.role_reason:
        proof = next((e for e in main.role_evidence if e.line), None)
        lines.append(f"      {main.role}: {main.role_reason}" + (f" ({_at(proof)}: {proof.text})" if proof else ""))
    if main.tags:
        lines.append(f"      the project builds it with -tags {','.join(main.tags)}")
    if main.binary_evidence:
        lines.append(f"      name from {_at(main.binary_evidence)}: {main.binary_evidence.text}")
    if "linux" not in main.goos:
        lines.append(f"      builds only for: {', '.join(main.goos)}")
    if main.cgo.required or main.cgo.optional:
        state = "required" if main.cgo.required else "optional (pure-Go fallback exists)"
        lines.append(f"      cgo {state}:")
        lines.extend(f"        {_at(e)}: {e.text}" for e in main.cgo.evidence)
        lines.extend(
            f"        system library {lib.name} ({lib.kind}) at {_at(lib.evidence)}" for lib in main.cgo.libraries
        )
    else:
        lines.append("      cgo: not needed")
    for embed in main.embeds:
        state = "" if embed.exists else "  (MISSING)"
        lines.append(f"      embeds {embed.pattern} at {embed.file}:{embed.line}{state}")
    for port in main.ports:
        host = port.host or "*"
        lines.append(f"      listens on {host}:{port.port} ({port.source}) at {port.file}:{port.line}")
    if main.needs_ca_certs:
        lines.append(f"      needs CA certificates: {_at(main.ca_certs_evidence[0])}: {main.ca_certs_evidence[0].text}")
    if main.needs_tzdata:
        lines.append(f"      needs zoneinfo: {_at(main.tzdata_evidence[0])}: {main.tzdata_evidence[0].text}")
    if main.version_var:
        vv = main.version_var
        lines.append(f"      version variable {vv.symbol} at {vv.file}:{vv.line}")
    return lines


def project_summary(project: Project) -> str:
    lines: list[str] = []
    go = project.go_version or "unknown"
    source = (
        f" ({_at(project.go_version_evidence)}: {project.go_version_evidence.text})"
        if project.go_version_evidence
        else ""
    )
    lines.append(f"Go version go.mod asks for: {go}{source}")
    if project.workspace:
        lines.append(f"Workspace {project.workspace.file}: {', '.join(project.workspace.use)}")
    for module in project.modules:
        sum_state = module.go_sum or "no go.sum"
        lines.append(f"Module {module.path} in {module.dir}: {count(module.requires, 'requirement')}, {sum_state}")
        lines.extend(f"  replace {r.module} => {r.dir} ({_at(r.evidence)})" for r in module.local_replaces)
    if project.vendor:
        lines.append("Vendored dependencies: vendor/ (builds use -mod=vendor)")
    for platform in project.hints.platforms:
        lines.append(f"Platform hint {platform.platform} ({_at(platform.evidence)})")
    lines.append(f"Main packages: {len(project.mains)}")
    for main in project.mains:
        lines.extend(_main_lines(main))
    if project.warnings:
        lines.append(f"Warnings: {len(project.warnings)}")
        for warning in project.warnings:
            where = f"{warning.file}:{warning.line}" if warning.line else warning.file
            lines.append(f"  {where}: {warning.message} [{warning.code}]")
    return "\n".join(lines) + "\n"


def plan_summary(plan: Plan) -> str:
    """Every decision with its reason: the long form (`explain`, `plan`, `init -v`)."""
    lines = [f"Plan for {plan.module_path}: profile {plan.profile}, strategy {plan.strategy}"]
    width = max(len(d.topic) for d in plan.decisions) if plan.decisions else 0
    for decision in plan.decisions:
        lines.append(f"  {decision.topic.ljust(width)}  {decision.choice}")
        lines.append(f"  {' ' * width}    because {decision.reason}")
    lines.append(f"Targets: {_targets(plan)}")
    return "\n".join(lines) + "\n"


def decisions_table(plan: Plan) -> str:
    """The decisions as a short aligned table, topic and choice (the default `init` output)."""
    rows = [(d.topic, d.choice) for d in plan.decisions] + [("targets", _targets(plan))]
    width = max(len(topic) for topic, _ in rows)
    return "".join(f"{topic.ljust(width)}  {choice}\n" for topic, choice in rows)


def _targets(plan: Plan) -> str:
    return f"{', '.join(b.stage for b in plan.binaries)} (`docker build .` builds {plan.primary.stage})"


def warning_lines(plan: Plan) -> str:
    """One `gogen: warning:` line per warning of the plan, for stderr."""
    lines = []
    for warning in plan.warnings:
        where = f"{warning.file}:{warning.line}" if warning.line else warning.file
        lines.append(f"gogen: warning: {where + ': ' if where else ''}{warning.message} [{warning.code}]\n")
    return "".join(lines)


def pin_lines(pins: Pins, verb: str) -> list[str]:
    """One line per pin: `<verb> golang:1.27 at sha256:...`, `<verb> actions/checkout at <sha> # v4.4.0`."""
    lines = [f"{verb} {ref} at {digest}\n" for ref, digest in pins.digests]
    lines += [f"{verb} {name} at {commit} # {version}\n" for name, commit, version in pins.actions]
    return lines


def images_summary(source: str, note: str | None) -> str:
    """`gogen images show`: the table's origin and date, and what it makes gogen choose."""
    newest = newest_minor()
    supported = ", ".join(f"1.{minor}" for minor in supported_minors())
    lines = [
        f"image table: {source}\n",
        f"builder: golang:1.{newest} (Go {minor_tag_release(newest)}), the newest supported release\n",
        f"supported Go releases: {supported}\n",
        f"syntax line: {frontend_image(None)}\n",
    ]
    if note:
        lines.append(f"note: {note}\n")
    return "".join(lines)


def images_update_summary(update: ImagesUpdate) -> str:
    """What `gogen images update` read and wrote."""
    minors = ", ".join(f"{minor}.{patch}" for minor, patch in update.latest_patch[-4:])
    return (
        f"read the tags of {' and '.join(update.sources)}\n"
        f"Go releases: {len(update.latest_patch)} minors, the newest {minors}\n"
        f"Dockerfile frontend: docker/dockerfile:{update.frontend_minor}\n"
        f"wrote {update.file}\n"
    )


def moved_pin_lines(pins: Pins) -> str:
    """What `check` says of pins a bot moved: accepted, and how to record them."""
    lines = pin_lines(pins, "gogen: a bot moved the pin of")
    return "".join(line.rstrip("\n") + " (accepted; `gogen regen` records it in gogen.toml)\n" for line in lines)


Paint = Callable[[str, str], str]
"""`paint(text, style)`: the text in a style (green, red, yellow, cyan, dim), or unchanged."""

_SGR = {"green": "32", "red": "31", "yellow": "33", "cyan": "36", "dim": "2", "bold": "1"}


def plain(text: str, style: str) -> str:
    return text


def ansi(text: str, style: str) -> str:
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m"


# How each status reads, done and not done (a dry run, or a run where a file was refused).
_VERBS: dict[str, tuple[str, str, str]] = {
    "created": ("created", "would create", "green"),
    "updated": ("updated", "would update", "green"),
    "forced": ("replaced", "would replace", "yellow"),
    "refused": ("refused", "would refuse", "red"),
    "unchanged": ("unchanged", "unchanged", "dim"),
}


def change_lines(
    changes: Iterable[FileChange],
    *,
    dry_run: bool,
    written: bool,
    verbose: bool,
    paint: Paint = plain,
    notes: Mapping[str, str] | None = None,
) -> str:
    """One status line per file (`created   Dockerfile`, `would update .dockerignore`). What was
    not done reads in the conditional: everything in a dry run, and every file but the refused
    one when a refusal stopped the writing (all or nothing). The reason is shown with -v, and
    always for a refusal or a replacement (it says what to do, or where the backup is). Names
    are escaped here, before painting. `notes` are lines printed under a file's status line
    (already escaped: `migration_notes`)."""
    changes = list(changes)
    verbs = [_VERBS[c.status][0 if written or (c.status == "refused" and not dry_run) else 1] for c in changes]
    width = max([len("unchanged"), *(len(verb) for verb in verbs)])
    lines = []
    for change, verb in zip(changes, verbs, strict=True):
        why = verbose or change.status in ("refused", "forced")
        reason = f"  ({escape_controls(change.reason)})" if why else ""
        status = paint(verb, _VERBS[change.status][2]) + " " * (width - len(verb))
        lines.append(f"{status} {escape_controls(change.path)}{reason}\n")
        lines.append((notes or {}).get(change.path, ""))
    return "".join(lines)


# How each side of a Difference reads: (with a value, when there is none).
_PHRASES: dict[Aspect, tuple[str, str]] = {
    "binary": ("runs {}", "runs no program (no ENTRYPOINT or CMD)"),
    "ports": ("exposes {}", "exposes no port"),
    "arguments": ("passes {}", "passes no arguments"),
    "base image": ("{}", "none (no FROM)"),
    "user": ("runs as {}", "sets no USER (the base image's user, often root)"),
}


def difference_line(difference: Difference) -> str:
    """`binary: runs etcd (Dockerfile:14), gogen's runs etcd-server` (escaped)."""
    with_value, without = _PHRASES[difference.what]
    theirs = with_value.format(difference.theirs) if difference.theirs else without
    ours = with_value.format(difference.ours) if difference.ours else without
    where = f" ({_at(difference.evidence)})" if difference.evidence else ""
    return escape_controls(f"{difference.what}: {theirs}{where}, gogen's {ours}")


def migration_notes(change: FileChange, differences: Iterable[Difference], *, command: str, written: bool) -> str:
    """Under a refused or replaced hand-written Dockerfile: how it differs from gogen's, and,
    for a refusal, how to review and accept the replacement (`command` is how the user ran
    gogen: `gogen init`, `gogen regen DIR`). Empty when nothing differs."""
    listed = [f"  {difference_line(d)}\n" for d in differences]
    if not listed or change.status not in ("refused", "forced"):
        return ""
    name = escape_controls(change.path)
    backup = escape_controls(change.backup or f"{change.path}.bak")
    if change.status == "forced" and written:
        header = f"Your {name} (kept as {backup}) differed from what gogen wrote:\n"
    else:
        header = f"Your {name} differs from what gogen would write:\n"
    advice = ""
    if change.status == "refused":
        shown = escape_controls(command)
        advice = (
            f"`{shown} --force` replaces it and keeps yours as {backup}; "
            f"`{shown} --dry-run --diff` shows the whole change first.\n"
        )
    return header + "".join(listed) + advice


def coloured_diff(diff: str, paint: Paint = plain) -> str:
    """A unified diff, escaped, with added lines green, removed red and hunk headers cyan."""
    lines = []
    for line in escape_controls(diff).splitlines(keepends=True):
        body, end = line.rstrip("\n"), line[len(line.rstrip("\n")) :]
        if line.startswith(("+++", "---")):
            lines.append(paint(body, "bold") + end)
        elif line.startswith("+"):
            lines.append(paint(body, "green") + end)
        elif line.startswith("-"):
            lines.append(paint(body, "red") + end)
        elif line.startswith("@@"):
            lines.append(paint(body, "cyan") + end)
        else:
            lines.append(line)
    return "".join(lines)


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`, `0 directories`."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def size(number: int) -> str:
    """Bytes as people read them, in powers of 1000 as Docker prints them: `512 B`, `19.1 MB`."""
    if number < 1000:
        return f"{number} B"
    value = float(number)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 999.95 or unit == "TB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def profiles_summary() -> str:
    lines = ["Runtime profiles (--profile):"]
    for profile in PROFILES:
        lines.append(f"  {profile.name:<11} {profile.summary}")
        lines.append(f"  {'':<11} image: {profile.final_image}")
        lines.append(f"  {'':<11} cgo: {profile.cgo_summary}")
    lines.append("Build strategies (--strategy):")
    for strategy in STRATEGIES:
        lines.append(f"  {strategy.name:<11} {strategy.summary}")
    return "\n".join(lines) + "\n"


def context_summary(result: ContextReport) -> str:
    lines = [
        f"Build context with {result.dockerignore}: {count(len(result.included), 'file')}, {size(result.bytes)} sent; "
        f"{count(result.excluded_count, 'file')} excluded, "
        f"{count(len(result.pruned_dirs), 'directory', 'directories')} not walked"
    ]
    for problem in result.problems:
        lines.append(f"  PROBLEM {problem.kind}: {problem.path} (rule {problem.rule})")
    if not result.problems:
        lines.append("  no problem: every file the build needs is sent, and no secret-looking file is")
    return "\n".join(lines) + "\n"


def verify_summary(result: VerifyReport) -> str:
    binary = size(result.binary_bytes) if result.binary_bytes is not None else "unknown"
    ran = "exited 0" if result.run_exit_code == 0 else "still running after the check (a server): stopped"
    lines = [
        f"Image {result.image}: {size(result.image_bytes)} (binary {binary}), runs as {result.user or 'root'}",
        f"  build {result.build_seconds:.1f}s; rebuild after editing {result.edited_file}: "
        f"{result.rebuild_seconds:.1f}s",
        f"  steps re-run by the rebuild: {len(result.rerun_steps)}",
    ]
    lines.extend(f"    {step}" for step in result.rerun_steps)
    lines.append(f"  run: {ran}")
    lines.extend(f"    | {line}" for line in result.run_output.strip().splitlines()[-5:])
    return "\n".join(lines) + "\n"


# Characters a terminal acts on instead of showing: C0 and C1 controls, DEL, and the
# bidirectional overrides and isolates that reorder what is shown ("Trojan source").
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "]")


def escape_controls(text: str) -> str:
    """`text` with every character a terminal would act on shown as an escape (`\\x1b`, `\\u202e`).

    Newlines and tabs are kept: they are the layout of gogen's own output. Scanned names (a
    folder called `\\x1b]0;pwned\\x07`) can hold anything, so everything printed passes here.
    """
    return _UNSAFE.sub(_escape_one, text)


def escape_controls_json(text: str) -> str:
    """The same for JSON text: `\\u001b` escapes, which JSON parsers read back as the character."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# ---------------------------------------------------------------------------------------------
# GitHub Actions: the workflow commands (annotations) `gogen check --format github` prints, and
# the job summary the CLI appends. https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions

_MARKER_PREFIX = managed.MARKER.partition("{digest}")[0]


def github_message(text: str) -> str:
    """A workflow command's message escaped as GitHub's toolkit does (escapeData), then every
    other control character as everywhere else: nothing in it can end the command's line."""
    return escape_controls(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def github_property(text: str) -> str:
    """A workflow command's property value (`file=`, `title=`), escaped as the toolkit does
    (escapeProperty: as a message, and `:` and `,`, which separate properties)."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape_controls(escaped.replace(":", "%3A").replace(",", "%2C"))


def github_command(command: str, properties: Sequence[tuple[str, str]], message: str) -> str:
    """One workflow command line: `::error file=Dockerfile,line=3::message`."""
    listed = ",".join(f"{key}={github_property(value)}" for key, value in properties)
    return f"::{command}{' ' + listed if listed else ''}::{github_message(message)}\n"


def first_changed_line(old: str | None, new: str) -> int:
    """The line of `new` where it first differs from `old` (1 for a new file), for an annotation.

    The marker lines are passed over: their checksum changes with any change, and the line to
    point at is the one that changed it. When the only change is lines added or removed at the
    end, the first line after the common part (the last line of `new` when it is the shorter)."""
    if old is None:
        return 1
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    pairs = list(enumerate(zip(old_lines, new_lines, strict=False), start=1))
    differing = [number for number, (before, after) in pairs if before != after]
    content = [n for n in differing if not (_MARKER_PREFIX in old_lines[n - 1] and _MARKER_PREFIX in new_lines[n - 1])]
    if content:
        return content[0]
    if len(old_lines) != len(new_lines):
        return max(1, min(len(old_lines) + 1, len(new_lines)))
    return differing[0] if differing else 1


def stale_reason(change: FileChange, command: str) -> str:
    """What to say of a stale file after its name, and what to run (`command`: `gogen regen`,
    with the directory if one was given): `--force` for one gogen would refuse to rewrite."""
    if change.status == "created":
        return f"is out of date: it is missing; run `{command}` to write it"
    if change.status != "forced":
        return f"is out of date: run `{command}` and commit the result"
    if change.link is not None:
        why = "is a symbolic link"
    elif managed.state(change.old or "") == "edited":
        why = "was edited by hand since gogen wrote it"
    else:
        why = "was not written by gogen"
    backup = f" (it keeps yours as {change.backup})" if change.backup else ""
    return f"is out of date and {why}: run `{command} --force` to replace it{backup}"


def _joined(root: str, rel: str) -> str:
    """`rel` (relative to the module root) as the workflow names it, from its working directory."""
    return rel if root in ("", ".") else f"{root.rstrip('/')}/{rel}"


def _pin_place(files: Mapping[str, str], needle: str) -> tuple[str, int] | None:
    """The first file and line of `files` (generated files' text) that holds `needle`."""
    for rel, text in files.items():
        for number, line in enumerate(text.splitlines(), start=1):
            if needle in line:
                return rel, number
    return None


def _moved_pin_notes(pins: Pins) -> list[tuple[str, str]]:
    """Each pin a bot moved as (what to look for in the files, what to say of it)."""
    accepted = "accepted; `gogen regen` records it in gogen.toml"
    moved = [(digest, f"a bot moved the pin of {ref} to {digest}: {accepted}") for ref, digest in pins.digests]
    moved += [
        (f"{name}@{commit}", f"a bot moved the pin of {name} to {commit} # {version}: {accepted}")
        for name, commit, version in pins.actions
    ]
    return moved


def github_annotations(
    stale: Iterable[FileChange], moved: Pins, files: Mapping[str, str], root: str, command: str
) -> str:
    """`check --format github`: an error on the first changed line of each stale file, and a
    notice on each pin a bot moved (found in `files`, the generated files' text on disk). `root`
    is the module root as the workflow names it, `command` what to run (`gogen regen DIR`)."""
    title = ("title", "gogen check")
    lines = []
    for change in stale:
        path = _joined(root, change.path)
        where = [("file", path), ("line", str(first_changed_line(change.old, change.new)))]
        lines.append(github_command("error", [*where, title], f"{path} {stale_reason(change, command)}"))
    for needle, message in _moved_pin_notes(moved):
        place = _pin_place(files, needle)
        where = [("file", _joined(root, place[0])), ("line", str(place[1]))] if place else []
        lines.append(github_command("notice", [*where, title], message))
    return "".join(lines)


def github_diff_group(stale: Iterable[FileChange]) -> str:
    """The diffs of the stale files in a collapsed log group, with workflow commands stopped
    while they print: a line of a diff (`  ::error::...` in a file someone edited) is then shown,
    never run. The resume token is derived from the diff, so the output is deterministic and the
    diff cannot hold its own token."""
    diff = escape_controls("".join(_ended(change.diff()) for change in stale))
    token = "gogen-" + hashlib.sha256(diff.encode("utf-8")).hexdigest()[:32]
    return f"::group::gogen check: the diff\n::stop-commands::{token}\n{diff}::{token}::\n::endgroup::\n"


def github_step_summary(stale: Sequence[FileChange], moved: Pins, root: str, command: str) -> str:
    """The job summary (Markdown) of `check --format github`: a heading, a line per stale file
    and per moved pin, and the diff in a fenced block that no backtick run in it can close."""
    state = f"{count(len(stale), 'generated file')} out of date" if stale else "the generated files are up to date"
    items = [f"- {_code(_joined(root, c.path))} {escape_controls(stale_reason(c, command))}\n" for c in stale]
    items += [f"- {escape_controls(message)}\n" for _, message in _moved_pin_notes(moved)]
    blocks = [f"## gogen check: {state}\n", "".join(items)]
    if stale:
        diff = escape_controls("".join(_ended(change.diff()) for change in stale))
        fence = "`" * max(3, _longest_backtick_run(diff) + 1)
        blocks.append(f"{fence}diff\n{diff}{fence}\n")
    return "\n".join(block for block in blocks if block) + "\n"


def _ended(text: str) -> str:
    """`text` ending with a newline (a diff of a file without a final newline does not)."""
    return text if text.endswith("\n") or not text else text + "\n"


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall("`+", text)), default=0)


def _code(text: str) -> str:
    """`text` as a Markdown code span, delimited by more backticks than any run inside it."""
    ticks = "`" * (_longest_backtick_run(text) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{ticks}{escape_controls(padded)}{ticks}"
