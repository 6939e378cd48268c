"""Readable text views of the model, for people (the JSON views are for tools)."""

from __future__ import annotations

import re

from gogen.context import ContextReport
from gogen.model import Evidence, Main, Plan, Project
from gogen.profiles import PROFILES, STRATEGIES
from gogen.verify import VerifyReport
from gogen.write import FileChange


def _at(evidence: Evidence) -> str:
    return f"{evidence.file}:{evidence.line}" if evidence.line else evidence.file


def _main_lines(main: Main) -> list[str]:
    lines = [f"  {main.dir}  →  {main.binary}  [{main.role}{', built by default' if main.default else ''}]"]
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
    lines.append(f"Go version for the builder: {go}{source}")
    if project.workspace:
        lines.append(f"Workspace {project.workspace.file}: {', '.join(project.workspace.use)}")
    for module in project.modules:
        sum_state = module.go_sum or "no go.sum"
        lines.append(f"Module {module.path} in {module.dir}: {module.requires} requirement(s), {sum_state}")
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
    lines = [f"Plan for {plan.module_path}: profile {plan.profile}, strategy {plan.strategy}"]
    width = max(len(d.topic) for d in plan.decisions) if plan.decisions else 0
    for decision in plan.decisions:
        lines.append(f"  {decision.topic.ljust(width)}  {decision.choice}")
        lines.append(f"  {' ' * width}    because {decision.reason}")
    primary = plan.primary
    lines.append(f"Targets: {', '.join(b.stage for b in plan.binaries)} (`docker build .` builds {primary.stage})")
    return "\n".join(lines) + "\n"


def warnings_summary(plan: Plan) -> str:
    if not plan.warnings:
        return ""
    lines = [f"Warnings: {len(plan.warnings)}"]
    for warning in plan.warnings:
        where = f"{warning.file}:{warning.line}" if warning.line else warning.file
        lines.append(f"  {where + ': ' if where else ''}{warning.message} [{warning.code}]")
    return "\n".join(lines) + "\n"


def changes_summary(changes: tuple[FileChange, ...], written: bool, dry_run: bool) -> str:
    lines = []
    for change in changes:
        lines.append(f"  {change.status:<9} {change.path}  ({change.reason})")
    if dry_run:
        lines.append("Dry run: nothing was written.")
    elif not written:
        lines.append("Nothing was written: a file was refused (see above).")
    return "\n".join(lines) + "\n"


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
        f"Build context with {result.dockerignore}: {len(result.included)} file(s), {result.bytes} bytes sent; "
        f"{result.excluded_count} file(s) excluded, {len(result.pruned_dirs)} directory(ies) not walked"
    ]
    for problem in result.problems:
        lines.append(f"  PROBLEM {problem.kind}: {problem.path} (rule {problem.rule})")
    if not result.problems:
        lines.append("  no problem: every file the build needs is sent, and no secret-looking file is")
    return "\n".join(lines) + "\n"


def verify_summary(result: VerifyReport) -> str:
    megabytes = result.image_bytes / 1_000_000
    binary = f"{result.binary_bytes / 1_000_000:.2f} MB" if result.binary_bytes is not None else "unknown"
    ran = "exited 0" if result.run_exit_code == 0 else "still running after the check (a server): stopped"
    lines = [
        f"Image {result.image}: {megabytes:.2f} MB (binary {binary}), runs as {result.user or 'root'}",
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
