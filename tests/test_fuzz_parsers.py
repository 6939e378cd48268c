"""Property-based tests: every parser either parses or raises ParseError with a location.

Bounded (max_examples) so that CI stays fast; the strategies mix random text with the
tokens these formats are made of, so that deep paths (blocks, quoting, directives) are reached.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gogen.errors import ParseError
from gogen.scan.constraints import Target, parse_go_build
from gogen.scan.gofile import parse_file
from gogen.scan.gomod import parse_go_mod, parse_go_work

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MOD_WORDS = [
    "module",
    "go",
    "toolchain",
    "require",
    "replace",
    "exclude",
    "retract",
    "tool",
    "godebug",
    "use",
    "ignore",
    "(",
    ")",
    "=>",
    "//",
    "// indirect",
    "example.com/a",
    "./lib",
    "../x",
    "v1.2.3",
    "v0.0.0-2024-abc",
    "1.22",
    "1.22.3",
    "go1.23.2",
    '"quoted"',
    "`raw`",
    '"',
    "[v1.0.0, v1.2.0]",
    "key=value",
    "\ufeff",
    "\r",
    "\t",
    " ",
]
GO_WORDS = [
    "package",
    "main",
    "import",
    "(",
    ")",
    '"fmt"',
    '"C"',
    "`raw`",
    "_",
    ".",
    "//go:build",
    "// +build",
    "linux",
    "&&",
    "||",
    "!",
    "/*",
    "*/",
    "//",
    "\n",
    " ",
    "func main() {}",
    "//go:embed static",
    "#cgo LDFLAGS: -lm",
    '"PORT"',
    "os.Getenv",
    'ListenAndServe(":8080")',
    'var version = "dev"',
    ";",
    "\ufeff",
    "\x00",
    "é",
]


def _texts(words: list[str]) -> st.SearchStrategy[str]:
    token = st.one_of(st.sampled_from(words), st.text(alphabet=string.printable, max_size=6))
    line = st.lists(token, max_size=6).map(" ".join)
    return st.lists(line, max_size=12).map("\n".join)


def _check_location(error: ParseError, file: str, text: str) -> None:
    assert error.file == file
    assert error.line is not None
    assert 1 <= error.line <= text.count("\n") + 2
    assert str(error).startswith(f"{file}:{error.line}: ")


@FUZZ
@given(_texts(MOD_WORDS))
def test_go_mod_parses_or_fails_with_a_location(text: str) -> None:
    try:
        parse_go_mod(text, "go.mod")
    except ParseError as error:
        _check_location(error, "go.mod", text)


@FUZZ
@given(_texts(MOD_WORDS))
def test_go_work_parses_or_fails_with_a_location(text: str) -> None:
    try:
        parse_go_work(text, "go.work")
    except ParseError as error:
        _check_location(error, "go.work", text)


@FUZZ
@given(st.one_of(_texts(GO_WORDS).map(lambda t: t.encode("utf-8")), st.binary(max_size=200)))
def test_go_header_parses_or_fails_with_a_location(data: bytes) -> None:
    try:
        gofile = parse_file(data, "pkg/x.go")
    except ParseError as error:
        assert error.file == "pkg/x.go"
        assert error.line is not None and 1 <= error.line <= data.count(b"\n") + 2
    else:
        assert gofile.package.isidentifier()


_versions = st.builds(
    lambda a, b: f"1.{a}" + (f".{b}" if b is not None else ""), st.integers(0, 40), st.none() | st.integers(0, 20)
)
_paths = st.from_regex(r"\A[a-z]{1,8}\.(com|org)(/[a-z0-9]{1,6}){0,3}\Z")
_semver = st.builds(lambda a, b, c: f"v{a}.{b}.{c}", st.integers(0, 9), st.integers(0, 30), st.integers(0, 30))


@FUZZ
@given(
    module=_paths,
    go=_versions,
    requires=st.lists(st.tuples(_paths, _semver, st.booleans()), max_size=5, unique_by=lambda r: r[0]),
    block=st.booleans(),
    crlf=st.booleans(),
)
def test_generated_go_mod_round_trips(
    module: str, go: str, requires: list[tuple[str, str, bool]], block: bool, crlf: bool
) -> None:
    lines = [f"module {module}", "", f"go {go}", ""]
    entries = [f"{path} {version}" + (" // indirect" if indirect else "") for path, version, indirect in requires]
    if block:
        lines += ["require ("] + [f"\t{entry}" for entry in entries] + [")"]
    else:
        lines += [f"require {entry}" for entry in entries]
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    gomod = parse_go_mod(text, "go.mod")
    assert gomod.module == module
    assert gomod.go == go
    assert [(r.path, r.version, r.indirect) for r in gomod.requires] == requires


_TAGS = ["linux", "windows", "amd64", "arm64", "cgo", "unix", "ignore", "go1.21"]


def _expr(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(_TAGS)
    if depth == 0:
        return leaf
    sub = _expr(depth - 1)
    return st.one_of(
        leaf,
        sub.map(lambda e: f"!{e}" if not e.startswith("!") else f"!({e})"),
        st.tuples(sub, sub).map(lambda p: f"({p[0]} && {p[1]})"),
        st.tuples(sub, sub).map(lambda p: f"({p[0]} || {p[1]})"),
    )


def _python_eval(expr: str, tags: frozenset[str]) -> bool:
    code = expr.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    for tag in sorted(_TAGS, key=len, reverse=True):
        code = code.replace(tag, f"({tag!r} in tags)")
    return bool(eval(code, {"tags": tags}))


@FUZZ
@given(_expr(3), st.sampled_from([Target("linux", "amd64"), Target("windows", "arm64", cgo=True, go_minor=20)]))
def test_build_expressions_agree_with_boolean_logic(expr: str, target: Target) -> None:
    tags = target.tags()
    assert parse_go_build(expr)(tags) is _python_eval(expr, tags)
