"""What every planning step shares: the error it raises, the notebook of decisions and
warnings it fills, and the check that keeps scanned strings out of Dockerfile syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gogen.errors import GogenError
from gogen.model import Decision, Warning

SAFE_PATH = re.compile(r"^[A-Za-z0-9._/+-]+$")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
SYMBOL = re.compile(r"^[A-Za-z0-9._/~+-]+\.[A-Za-z_][A-Za-z0-9_]*$")


class PlanError(GogenError):
    """The repository and the options cannot make a working image (the message says why)."""


@dataclass
class Notes:
    """Decisions and warnings gathered while planning, in the order they were made."""

    decisions: list[Decision] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def decide(self, topic: str, choice: str, reason: str) -> None:
        self.decisions.append(Decision(topic, choice, reason))

    def warn(self, code: str, message: str, file: str = "", line: int = 0) -> None:
        self.warnings.append(Warning(code, message, file, line))


def check_safe(value: str, what: str, pattern: re.Pattern[str] = SAFE_PATH) -> str:
    """`value` unchanged, or a PlanError when it holds characters that could become shell syntax."""
    if not pattern.match(value):
        raise PlanError(
            f"{what} {value!r} holds characters gogen will not put in a Dockerfile",
            hint="use letters, digits, '.', '_', '-', '/' and '+' only",
        )
    return value
