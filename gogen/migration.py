"""How the project's own Dockerfile differs from the one gogen would write.

A hand-written Dockerfile is refused, not overwritten (`--force` replaces it and keeps a
backup): what it runs is evidence, and the differences tell the user what the replacement
changes (the program, its arguments, the ports, the base image, the user) before they agree
to it. Pure: the scan's `DockerfileHint` against the `Plan`; nothing is read here.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Literal

from gogen.model import DockerfileHint, Evidence, Plan
from gogen.scan.hints.common import plain_name
from gogen.scan.hints.dockerfiles import program_and_arguments

Aspect = Literal["binary", "ports", "arguments", "base image", "user"]


@dataclass(frozen=True)
class Difference:
    """One way gogen's Dockerfile differs from the project's.

    `theirs` and `ours` are the values as text, "" for nothing (no program, no argument, no
    port, no USER); `evidence` is the line of the project's Dockerfile that says `theirs`
    (None when theirs is an absence).
    """

    what: Aspect
    theirs: str
    ours: str
    evidence: Evidence | None


def compare(hint: DockerfileHint, plan: Plan) -> tuple[Difference, ...]:
    """The differences between the project's Dockerfile and gogen's, in a fixed order:
    binary, ports, arguments, base image, user. What agrees is left out."""
    found = (_binary(hint, plan), _ports(hint, plan), _arguments(hint), _base_image(hint, plan), _user(hint, plan))
    return tuple(difference for difference in found if difference is not None)


def _binary(hint: DockerfileHint, plan: Plan) -> Difference | None:
    theirs = hint.binary or (hint.entrypoint[0] if hint.entrypoint else "")
    ours = plan.primary.name
    return None if theirs == ours else Difference("binary", theirs, ours, hint.entrypoint_evidence)


def _ports(hint: DockerfileHint, plan: Plan) -> Difference | None:
    theirs = sorted({port.port for port in hint.ports})
    ours = sorted(set(plan.primary.ports))
    if theirs == ours:
        return None
    first = min(hint.ports, key=lambda port: (port.line, port.port), default=None)
    evidence = Evidence(first.file, first.line, first.text) if first else None
    return Difference("ports", ", ".join(map(str, theirs)), ", ".join(map(str, ours)), evidence)


def _arguments(hint: DockerfileHint) -> Difference | None:
    """The words the program is given: after it in ENTRYPOINT (or CMD), then an exec-form
    ENTRYPOINT's CMD when the program is a word of the ENTRYPOINT itself (not inside an
    `sh -c` string, where CMD fills `$0`...). gogen's ENTRYPOINT gives none."""
    name, given = program_and_arguments(hint.entrypoint)
    words = list(given)
    direct = name is not None and any(plain_name(word) == name for word in hint.entrypoint)
    if hint.cmd and direct:
        words.extend(hint.cmd)
    if not words:
        return None
    evidence = hint.entrypoint_evidence if given or hint.cmd_evidence is None else hint.cmd_evidence
    return Difference("arguments", shlex.join(words), "", evidence)


def _base_image(hint: DockerfileHint, plan: Plan) -> Difference | None:
    if hint.base_image is None or same_image(hint.base_image, plan.runtime_image):
        return None
    return Difference("base image", hint.base_image, plan.runtime_image, hint.base_image_evidence)


def _user(hint: DockerfileHint, plan: Plan) -> Difference | None:
    """gogen runs as `plan.user` (uid:gid); the same user by name or uid alone agrees. No USER
    on the same base image is that image's user, which gogen's USER only makes explicit."""
    same = {plan.user, str(plan.uid), plan.user_name, f"{plan.user_name}:{plan.user_name}"}
    if hint.user in same:
        return None
    if hint.user is None and hint.base_image is not None and same_image(hint.base_image, plan.runtime_image):
        return None
    return Difference("user", hint.user or "", plan.user, hint.user_evidence)


def same_image(theirs: str, ours: str) -> bool:
    """The same repository and tag, whatever the digest pin and Docker Hub spelling
    (`alpine` is `docker.io/library/alpine:latest`)."""
    return _image_key(theirs) == _image_key(ours)


def _image_key(reference: str) -> str:
    name = reference.split("@", 1)[0].lower()
    for prefix in ("docker.io/", "index.docker.io/"):
        name = name.removeprefix(prefix)
    name = name.removeprefix("library/")
    if ":" not in name.rsplit("/", 1)[-1] and name != "scratch":
        name += ":latest"
    return name
