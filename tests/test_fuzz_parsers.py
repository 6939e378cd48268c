"""Property-based tests: every parser either parses or raises ParseError with a location.

Bounded (max_examples) so that CI stays fast; the strategies mix random text with the
tokens these formats are made of, so that deep paths (blocks, quoting, directives) are reached.
"""

from __future__ import annotations

import posixpath
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gogen.errors import ParseError
from gogen.scan.constraints import MAX_SIZE, Target, parse_go_build
from gogen.scan.facts import valid_embed_pattern
from gogen.scan.gofile import parse_file
from gogen.scan.gomod import is_local_path, parse_go_mod, parse_go_work
from gogen.scan.reading import is_absolute_anywhere, local_dir

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


# The constraint parser on hostile input: random token streams, and expressions the go command
# treats as equal. The parser keeps an explicit stack, so depth never meets Python's recursion
# limit; the go command's size limit (MAX_SIZE operands) is the only bound.

_TOKENS = ["(", ")", "!", "&&", "||", "linux", "amd64", "cgo", "go1.21", "x_y", " ", "\t", "é", "#", "-"]
_TARGETS = st.sampled_from([Target("linux", "amd64"), Target("windows", "arm64", cgo=True, go_minor=20)])


@FUZZ
@given(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join), _TARGETS)
def test_random_token_streams_parse_or_raise_a_located_parse_error(text: str, target: Target) -> None:
    try:
        expr = parse_go_build(text, "pkg/x.go", 7)
    except ParseError as error:
        assert (error.file, error.line) == ("pkg/x.go", 7)
        assert str(error).startswith("pkg/x.go:7: ")
    else:
        assert expr(target.tags()) in (True, False)


@FUZZ
@given(
    st.lists(st.sampled_from(["(", ")", "!", "&&", "||", "linux"]), min_size=1, max_size=20),
    st.integers(1, 400),
)
def test_long_repeated_token_streams_never_exhaust_the_stack(unit: list[str], times: int) -> None:
    try:
        parse_go_build(" ".join(unit * times))(frozenset({"linux"}))
    except ParseError as error:
        assert error.message.startswith("invalid //go:build expression")


def _wrap(expr: str, depth: int) -> str:
    return "(" * depth + expr + ")" * depth


@FUZZ
@given(_expr(3), _expr(3), st.integers(0, 300), _TARGETS)
def test_equivalent_expressions_evaluate_equal(a: str, b: str, depth: int, target: Target) -> None:
    tags = target.tags()
    value_a, value_b = parse_go_build(a)(tags), parse_go_build(b)(tags)
    equal = {
        _wrap(a, depth): value_a,
        f"!({a})": not value_a,
        f"({a}) && ({a})": value_a,
        f"({a}) || ({a})": value_a,
        f"!(({a}) && ({b}))": parse_go_build(f"!({a}) || !({b})")(tags),
        f"!(({a}) || ({b}))": parse_go_build(f"!({a}) && !({b})")(tags),
        f"({a}) || ({b}) && linux": value_a or (value_b and "linux" in tags),
        f"({a}) && ({b}) || linux": (value_a and value_b) or "linux" in tags,
    }
    for text, expected in equal.items():
        assert parse_go_build(text)(tags) is expected, text


@given(st.integers(1, MAX_SIZE + 50), st.sampled_from([" && ", " || "]), st.booleans())
@settings(max_examples=60, deadline=None)
def test_the_go_commands_size_limit_is_applied(count: int, operator: str, nested: bool) -> None:
    text = _wrap("linux", count - 1) if nested else operator.join(["linux"] * count)
    if count <= MAX_SIZE:
        assert parse_go_build(text)(frozenset({"linux"})) is True
    else:
        try:
            parse_go_build(text)
        except ParseError as error:
            assert "too large" in error.message
        else:
            raise AssertionError("an expression over the go command's limit was accepted")


# Path handling: whatever a go.mod, go.work or //go:embed line says, what gogen takes for a
# folder of the repository stays inside it.

_PATH_PARTS = ["a", "b", ".", "..", "", "C:", "c:x", "\\", "\\\\srv", "/", "~", "all:", "*", "[", "é"]
_paths_text = st.lists(st.sampled_from(_PATH_PARTS), max_size=8).map("/".join) | st.text(max_size=12)


@FUZZ
@given(st.sampled_from([".", "a", "a/b"]), _paths_text)
def test_local_directories_never_leave_the_repository(base: str, target: str) -> None:
    rel = local_dir(base, target)
    if rel is None:
        return
    assert not rel.startswith(("/", "../")) and rel != ".."
    assert posixpath.normpath(posixpath.join("/repo", rel)).startswith("/repo")


@FUZZ
@given(_paths_text)
def test_valid_embed_patterns_stay_below_their_package(pattern: str) -> None:
    if not valid_embed_pattern(pattern):
        return
    body = pattern.removeprefix("all:")
    assert not body.startswith("/") and ".." not in body.split("/")
    assert posixpath.normpath(posixpath.join("/repo/pkg", body)).startswith("/repo/pkg/")


@FUZZ
@given(_paths_text)
def test_absolute_paths_of_every_system_are_directories_and_outside(path: str) -> None:
    if is_absolute_anywhere(path):
        assert is_local_path(path)
        assert local_dir(".", path) is None
