"""Go build constraints: `//go:build` expressions, legacy `// +build` lines, file-name suffixes.

Semantics follow go/build: a file is part of a build for a target when its name's
`_GOOS`/`_GOARCH` suffix matches and its constraint expression is true for the target's tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from gogen.errors import ParseError

KNOWN_OS = frozenset(
    [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "js",
        "linux",
        "nacl",
        "netbsd",
        "openbsd",
        "plan9",
        "solaris",
        "wasip1",
        "windows",
        "zos",
    ]
)
KNOWN_ARCH = frozenset(
    [
        "386",
        "amd64",
        "amd64p32",
        "arm",
        "armbe",
        "arm64",
        "arm64be",
        "loong64",
        "mips",
        "mipsle",
        "mips64",
        "mips64le",
        "mips64p32",
        "mips64p32le",
        "ppc",
        "ppc64",
        "ppc64le",
        "riscv",
        "riscv64",
        "s390",
        "s390x",
        "sparc",
        "sparc64",
        "wasm",
    ]
)
UNIX_OS = frozenset(
    [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "linux",
        "netbsd",
        "openbsd",
        "solaris",
    ]
)

Expr = Callable[[frozenset[str]], bool]


@dataclass(frozen=True)
class Target:
    """A build target: GOOS, GOARCH, whether cgo is on, and the builder's Go minor version."""

    goos: str
    goarch: str
    cgo: bool = False
    go_minor: int = 99

    def tags(self) -> frozenset[str]:
        return _tags(self)


@cache
def _tags(target: Target) -> frozenset[str]:
    """The tags a build for `target` satisfies (cached: asked once per file and target)."""
    tags = {target.goos, target.goarch, "gc"}
    tags.update(f"go1.{minor}" for minor in range(1, target.go_minor + 1))
    if target.goos in UNIX_OS:
        tags.add("unix")
    tags.update({"android": {"linux"}, "illumos": {"solaris"}, "ios": {"darwin"}}.get(target.goos, set()))
    if target.cgo:
        tags.add("cgo")
    return frozenset(tags)


_TOKEN = re.compile(r"\s*(\|\||&&|!|\(|\)|[A-Za-z0-9_.]+)")


class _ExprParser:
    """Recursive descent over `||`, `&&`, `!`, parentheses and tags, as go/build/constraint."""

    def __init__(self, text: str, file: str, line: int) -> None:
        self.file, self.line = file, line
        self.tokens: list[str] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                raise ParseError(f"invalid //go:build expression near {text[pos : pos + 10]!r}", file=file, line=line)
            self.tokens.append(match.group(1))
            pos = match.end()
        self.pos = 0

    def fail(self, what: str) -> ParseError:
        return ParseError(f"invalid //go:build expression: {what}", file=self.file, line=self.line)

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise self.fail("unexpected end")
        self.pos += 1
        return token

    def parse(self) -> Expr:
        if not self.tokens:
            raise self.fail("empty expression")
        expr = self.or_expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()!r}")
        return expr

    def or_expr(self) -> Expr:
        left = self.and_expr()
        while self.peek() == "||":
            self.take()
            left = _or(left, self.and_expr())
        return left

    def and_expr(self) -> Expr:
        left = self.not_expr()
        while self.peek() == "&&":
            self.take()
            left = _and(left, self.not_expr())
        return left

    def not_expr(self) -> Expr:
        token = self.take()
        if token == "!":
            inner = self.not_expr()
            return lambda tags: not inner(tags)
        if token == "(":
            inner = self.or_expr()
            if self.take() != ")":
                raise self.fail("missing )")
            return inner
        if token in ("||", "&&", ")"):
            raise self.fail(f"unexpected {token!r}")
        return lambda tags: token in tags


def _or(left: Expr, right: Expr) -> Expr:
    return lambda tags: left(tags) or right(tags)


def _and(left: Expr, right: Expr) -> Expr:
    return lambda tags: left(tags) and right(tags)


def parse_go_build(expr: str, file: str = "", line: int = 0) -> Expr:
    """Parse the text after `//go:build`."""
    return _ExprParser(expr, file, line).parse()


def parse_plus_build(lines: list[str]) -> Expr:
    """Legacy `// +build` lines: lines AND together, spaces OR, commas AND, `!` negates."""

    def term(word: str) -> Expr:
        if word.startswith("!"):
            tag = word[1:]
            return lambda tags: tag not in tags
        return lambda tags: word in tags

    def all_of(parts: list[Expr]) -> Expr:
        return lambda tags: all(part(tags) for part in parts)

    def line_expr(text: str) -> Expr:
        options = [all_of([term(word) for word in option.split(",") if word]) for option in text.split()]
        return lambda tags: any(option(tags) for option in options)

    exprs = [line_expr(text) for text in lines]
    return lambda tags: all(expr(tags) for expr in exprs)


def filename_matches(name: str, target: Target) -> bool:
    """The `_GOOS`, `_GOARCH` and `_GOOS_GOARCH` file-name rules of go/build."""
    stem = name.split(".", 1)[0]
    cut = stem.find("_")
    if cut < 0:
        return True
    parts = stem[cut:].split("_")
    if parts and parts[-1] == "test":
        parts = parts[:-1]
    tags = target.tags()
    if len(parts) >= 2 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        return parts[-2] in tags and parts[-1] in tags
    if parts and (parts[-1] in KNOWN_OS or parts[-1] in KNOWN_ARCH):
        return parts[-1] in tags
    return True
