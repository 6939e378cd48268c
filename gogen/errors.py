"""The error types gogen raises.

Every error is inert: it carries a user-facing message and, where one is known, the file and
line it is about, and prints nothing itself. The CLI is the one place that turns an error into
text on stderr and an exit code.
"""

from __future__ import annotations


class GogenError(Exception):
    """Root of every error gogen reports to a user (exit code 2)."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint

    def location(self) -> str:
        """`file:line`, `file`, or an empty string."""
        if self.file is None:
            return ""
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}"

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class ParseError(GogenError):
    """A file gogen reads (go.mod, go.work, a Go file, a config file) is malformed."""


class RepositoryError(GogenError):
    """The repository is not something gogen can work on (no go.mod, unreadable root...)."""
