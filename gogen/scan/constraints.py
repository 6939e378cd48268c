"""Go build constraints: `//go:build` expressions, legacy `// +build` lines, file-name suffixes.

Semantics follow go/build: a file is part of a build for a target when its name's
`_GOOS`/`_GOARCH` suffix matches and its constraint expression is true for the target's tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
    """A build target: GOOS, GOARCH, whether cgo is on, the builder's Go minor version, and
    the tags the build passes with `-tags`."""

    goos: str
    goarch: str
    cgo: bool = False
    go_minor: int = 99
    build_tags: frozenset[str] = frozenset()

    def tags(self) -> frozenset[str]:
        return _tags(self)


@cache
def _tags(target: Target) -> frozenset[str]:
    """The tags a build for `target` satisfies (cached: asked once per file and target)."""
    tags = {target.goos, target.goarch, "gc", *target.build_tags}
    tags.update(f"go1.{minor}" for minor in range(1, target.go_minor + 1))
    if target.goos in UNIX_OS:
        tags.add("unix")
    tags.update({"android": {"linux"}, "illumos": {"solaris"}, "ios": {"darwin"}}.get(target.goos, set()))
    if target.cgo:
        tags.add("cgo")
    return frozenset(tags)


_TOKEN = re.compile(r"[ \t]*(\|\||&&|!|\(|\)|[\w.]+)")
MAX_SIZE = 1000
"""go/build/constraint's maxSize: at most this many operands (tags and parenthesised groups).

The go command rejects a longer expression ("build expression too large"), so gogen does too,
and its parser keeps an explicit stack: no expression, however deep, reaches Python's
recursion limit."""

_BINARY_PRECEDENCE = {"||": 1, "&&": 2}


class _Program:
    """A parsed expression in postfix form, evaluated with an explicit stack.

    Items are tag names (`str`) and the operators `!`, `&&`, `||` (held as ints, so that a tag
    can never be mistaken for an operator).
    """

    __slots__ = ("items",)

    def __init__(self, items: tuple[str | int, ...]) -> None:
        self.items = items

    def __call__(self, tags: frozenset[str]) -> bool:
        stack: list[bool] = []
        for item in self.items:
            if isinstance(item, str):
                stack.append(item in tags)
            elif item == _NOT:
                stack[-1] = not stack[-1]
            else:
                right = stack.pop()
                stack[-1] = (stack[-1] and right) if item == _AND else (stack[-1] or right)
        return stack[-1]


_NOT, _AND, _OR = 0, 1, 2
_CODES = {"!": _NOT, "&&": _AND, "||": _OR}


class _ExprParser:
    """`||`, `&&`, `!`, parentheses and tags, as go/build/constraint, without recursion.

    A shunting-yard over the tokens, checking the grammar as it goes: an operand (tag, `(`, or
    `!` followed by a tag or `(`; `!!` is "double negation not allowed") alternates with an
    operator (`&&`, `||`, or `)` closing an open group).
    """

    def __init__(self, text: str, file: str, line: int) -> None:
        self.text = text.rstrip()
        self.file, self.line = file, line

    def fail(self, what: str) -> ParseError:
        return ParseError(f"invalid //go:build expression: {what}", file=self.file, line=self.line)

    def tokens(self) -> Iterator[str]:
        pos, text = 0, self.text
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                if not text[pos:].strip(" \t"):
                    return
                raise ParseError(
                    f"invalid //go:build expression near {text[pos : pos + 10]!r}", file=self.file, line=self.line
                )
            pos = match.end()
            yield match.group(1)

    def parse(self) -> Expr:
        output: list[str | int] = []
        ops: list[str] = []  # "(", "!", "&&", "||"
        expect_operand = True
        negated = False
        size = 0
        for token in self.tokens():
            if expect_operand:
                if token == "!" and negated:
                    raise self.fail("double negation not allowed")
                if not negated:
                    size += 1
                    if size > MAX_SIZE:
                        raise self.fail(f"build expression too large (over {MAX_SIZE} operands, as the go command)")
                if token == "!":
                    ops.append("!")
                    negated = True
                elif token == "(":
                    ops.append("(")
                    negated = False
                elif token in ("&&", "||", ")"):
                    raise self.fail(f"unexpected {token!r}")
                else:
                    output.append(token)
                    negated = False
                    expect_operand = False
                    self._close_negations(ops, output)
                continue
            if token == ")":
                while ops and ops[-1] != "(":
                    output.append(_CODES[ops.pop()])
                if not ops:
                    raise self.fail("unexpected ')'")
                ops.pop()
                self._close_negations(ops, output)
            elif token in _BINARY_PRECEDENCE:
                precedence = _BINARY_PRECEDENCE[token]
                while ops and ops[-1] in _BINARY_PRECEDENCE and _BINARY_PRECEDENCE[ops[-1]] >= precedence:
                    output.append(_CODES[ops.pop()])
                ops.append(token)
                expect_operand = True
            else:
                raise self.fail(f"unexpected {token!r}")
        if expect_operand:
            raise self.fail("empty expression" if not output and not ops else "unexpected end")
        while ops:
            op = ops.pop()
            if op == "(":
                raise self.fail("missing )")
            output.append(_CODES[op])
        if len(output) == 1:
            tag = output[0]
            return lambda tags: tag in tags
        return _Program(tuple(output))

    @staticmethod
    def _close_negations(ops: list[str], output: list[str | int]) -> None:
        """A `!` applies to the one atom that follows it: close it once that atom is complete."""
        while ops and ops[-1] == "!":
            ops.pop()
            output.append(_NOT)


def parse_go_build(expr: str, file: str = "", line: int = 0) -> Expr:
    """Parse the text after `//go:build`. Raises ParseError as the go command would reject it."""
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
