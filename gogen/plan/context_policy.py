"""What the build reads, and the .dockerignore that keeps it: the base denylist and the
.gitignore's patterns, minus any pattern that would drop a needed file."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

from gogen import dockerignore
from gogen.denylist import BASE_IGNORE, IGNORED_SECRETS, SECRETS_TITLE
from gogen.dockerignore import Rule
from gogen.errors import ParseError
from gogen.model import IgnoreSection, Main, Project
from gogen.plan.notes import Notes, PlanError


def needed_paths(project: Project, mains: list[Main], module_files: tuple[str, ...]) -> list[str]:
    """Every file the image build reads: module files, the closure's sources, embedded files, vendor/."""
    by_dir = {entry.dir: entry.files for entry in project.package_files}
    needed = list(module_files)
    for main in mains:
        for directory in main.closure:
            needed.extend(
                posixpath.join(directory, name) if directory != "." else name for name in by_dir.get(directory, ())
            )
        for embed in main.embeds:
            needed.extend(embed.files)
    if project.vendor:
        needed.append("vendor/modules.txt")
        for entry in project.package_files:
            if entry.dir.startswith("vendor/"):
                needed.extend(f"{entry.dir}/{name}" for name in entry.files)
    return sorted(set(needed))


@dataclass
class _IgnoreDraft:
    """The .dockerignore being decided: sections of (pattern, where it came from)."""

    sections: list[tuple[str, list[tuple[str, str]]]]
    notes: list[str] = field(default_factory=list)
    reincluded: list[str] = field(default_factory=list)

    def rules(self) -> list[Rule]:
        rules: list[Rule] = []
        for _, patterns in self.sections:
            for pattern, origin in patterns:
                rules.extend(replace(rule, text=origin) for rule in dockerignore.parse(pattern))
        rules.extend(dockerignore.parse("\n".join(f"!{path}" for path in self.reincluded)))
        return rules

    def drop(self, pattern: str) -> None:
        for _, patterns in self.sections:
            patterns[:] = [(p, o) for p, o in patterns if p != pattern]

    def render(self) -> tuple[IgnoreSection, ...]:
        result = [IgnoreSection(title, tuple(p for p, _ in patterns)) for title, patterns in self.sections if patterns]
        if self.notes:
            result.append(
                IgnoreSection("Left out on purpose: the build reads these", tuple(f"# {n}" for n in self.notes))
            )
        if self.reincluded:
            lines = tuple(f"!{path}" for path in self.reincluded)
            result.append(IgnoreSection("Read by the build although they look like secrets", lines))
        return tuple(result)


def _printable(path: str) -> str:
    """A path as it may appear in a comment line: repr() when it holds control characters."""
    return path if path.isprintable() else repr(path)


def _ignore_literal(path: str) -> str:
    """`path` as a .dockerignore pattern that matches exactly it (wildcards escaped)."""
    if not path.isprintable() or path != path.strip():
        raise PlanError(
            f"the build reads {path!r}, which looks like a secret and cannot be written as a .dockerignore line",
            hint="rename the file",
        )
    return re.sub(r"([\\*?\[\]])", r"\\\1", path)


def _gitignore_patterns(project: Project, notes: Notes) -> list[tuple[str, str]]:
    """The .gitignore's lines in Docker's terms, with where each came from; a line Docker
    cannot read (git takes `[abc` literally, Docker refuses it) is left out with a warning."""
    patterns = []
    for line in project.gitignore:
        pattern = dockerignore.from_gitignore(line.text)
        if pattern is None:
            continue
        try:
            dockerignore.parse(pattern, line.file)
        except ParseError as exc:
            notes.warn("gitignore-line-skipped", f"not copied into .dockerignore: {exc.message}", line.file, line.line)
            continue
        patterns.append((pattern, f"{line.file}:{line.line}"))
    return patterns


def dockerignore_sections(project: Project, needed: list[str], notes: Notes) -> tuple[IgnoreSection, ...]:
    """The base denylist and the .gitignore's patterns, minus any pattern that would drop a needed file.

    A dropped pattern leaves a comment saying why. Secret patterns are never dropped: a
    secret-looking file the build reads is re-included by name, with a warning.
    """
    gitignore = _gitignore_patterns(project, notes)
    sections = [(title, [(p, "gogen") for p in patterns]) for title, patterns in BASE_IGNORE]
    if gitignore:
        sections.append(("From .gitignore, in Docker's terms (foo → **/foo)", gitignore))
    sections.append((SECRETS_TITLE, [(p, "secret") for p in IGNORED_SECRETS]))
    draft = _IgnoreDraft(sections)
    for _ in range(len(BASE_IGNORE) + len(gitignore) + len(IGNORED_SECRETS) + 1):
        matcher = dockerignore.Matcher(draft.rules())
        offenders = [(path, matcher.deciding_rule(path)) for path in needed if matcher.excluded(path)]
        if not offenders:
            break
        path, rule = offenders[0]
        assert rule is not None
        if rule.text == "secret":
            secret_paths = [p for p, r in offenders if r is rule]
            draft.reincluded.extend(_ignore_literal(p) for p in secret_paths)
            notes.warn(
                "secret-in-build",
                f"the build reads {secret_paths[0]}, which looks like a secret ({rule}); it is re-included",
            )
            continue
        origin = "gogen's defaults" if rule.text == "gogen" else rule.text
        draft.drop(rule.pattern)
        draft.notes.append(f"{rule} ({origin}) is not excluded: the build reads {_printable(path)}")
        notes.decide(".dockerignore", f"keeps {rule}", f"the build reads {path}")
    return draft.render()
