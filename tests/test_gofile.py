"""Go file headers, build constraints and file-name rules, as go/build applies them."""

from __future__ import annotations

import pytest

from gogen.errors import ParseError
from gogen.scan.constraints import Target, filename_matches, parse_go_build, parse_plus_build
from gogen.scan.gofile import locate_import, parse_file

LINUX = Target("linux", "amd64")
LINUX_ARM = Target("linux", "arm", go_minor=22)
WINDOWS = Target("windows", "amd64")


@pytest.mark.parametrize(
    ("expr", "target", "expected"),
    [
        ("linux", LINUX, True),
        ("!linux", LINUX, False),
        ("linux && amd64", LINUX, True),
        ("linux && arm64", LINUX, False),
        ("darwin || (linux && !arm)", LINUX, True),
        ("unix", LINUX, True),
        ("unix", WINDOWS, False),
        ("ignore", LINUX, False),
        ("cgo", LINUX, False),
        ("cgo", Target("linux", "amd64", cgo=True), True),
        ("go1.21", LINUX_ARM, True),
        ("go1.23", LINUX_ARM, False),
        ("gc && !gccgo", LINUX, True),
    ],
)
def test_go_build_expressions(expr: str, target: Target, expected: bool) -> None:
    assert parse_go_build(expr)(target.tags()) is expected


@pytest.mark.parametrize(("expr"), ["", "linux &&", "(linux", "linux || || darwin", "linux)", "a & b", "!"])
def test_bad_go_build_expressions_raise(expr: str) -> None:
    with pytest.raises(ParseError):
        parse_go_build(expr, "x.go", 1)


def test_plus_build_lines_and_together() -> None:
    expr = parse_plus_build(["linux darwin", "amd64,!cgo"])
    assert expr(LINUX.tags())
    assert not expr(Target("linux", "amd64", cgo=True).tags())
    assert not expr(WINDOWS.tags())


@pytest.mark.parametrize(
    ("name", "target", "expected"),
    [
        ("main.go", LINUX, True),
        ("linux.go", WINDOWS, True),
        ("x_linux.go", LINUX, True),
        ("x_windows.go", LINUX, False),
        ("x_arm64.go", LINUX, False),
        ("x_linux_amd64.go", LINUX, True),
        ("x_linux_arm64.go", LINUX, False),
        ("x_windows_test.go", LINUX, False),
        ("x_foo_linux.go", LINUX, True),
        ("x_unix.go", WINDOWS, True),
    ],
)
def test_file_name_suffixes(name: str, target: Target, expected: bool) -> None:
    assert filename_matches(name, target) is expected


def test_header_imports_comments_and_cgo_preamble() -> None:
    source = b"""// Copyright notice

//go:build linux

/* a block comment */
package native // trailing

/*
#cgo pkg-config: sqlite3 libpng
#cgo linux LDFLAGS: -lm -L/opt/lib -lz
#include <math.h>
*/
import "C"

import (
\t"fmt" // "not/an/import"
\tstr "strings"
\t. "math"
\t_ "embed"
\t`raw/path`
)

var x = fmt.Sprint(str.ToUpper("a"), Pi)
"""
    gofile = parse_file(source, "internal/native/n.go")
    assert gofile.package == "native"
    assert gofile.imports == ("C", "fmt", "strings", "math", "embed", "raw/path")
    text = source.decode()
    assert [locate_import(text, path)[0] for path in gofile.imports] == [13, 16, 17, 18, 19, 20]
    assert locate_import(text, "strings") == (17, 'str "strings"')
    assert gofile.imports_c
    assert gofile.constraint_text == "linux"
    assert [(h.line, h.value, h.extra.split()) for h in gofile.cgo_directives] == [
        (9, "pkg-config", ["sqlite3", "libpng"]),
        (10, "LDFLAGS", ["-lm", "-L/opt/lib", "-lz"]),
    ]


def test_constraint_directly_above_package_is_not_a_constraint() -> None:
    gofile = parse_file(b"//go:build ignore\npackage main\n", "gen.go")
    assert gofile.constraint is None


def test_crlf_and_bom_are_accepted() -> None:
    gofile = parse_file(
        b'\xef\xbb\xbf//go:build linux\r\n\r\npackage main\r\n\r\nimport "os"\r\n\r\nfunc main() { os.Exit(0) }\r\n',
        "m.go",
    )
    assert gofile.constraint_text == "linux"
    assert gofile.has_func_main
    assert gofile.imports == ("os",)


@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        (b"// just a comment\n", 1, "no package clause"),
        (b"package\n", 1, "no name"),
        (b"var x = 1\n", 1, "expected the package clause"),
        (b'package a\nimport (\n"fmt"\n', 2, "unterminated import"),
        (b"package a\n\xff\xfe\n", 2, "invalid UTF-8"),
        (b"package a\x00\x01", 1, "binary content"),
        (b"//go:build linux\n//go:build amd64\n\npackage a\n", 2, "multiple //go:build"),
    ],
)
def test_go_file_errors_have_locations(data: bytes, line: int, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_file(data, "pkg/f.go")
    assert info.value.file == "pkg/f.go"
    assert info.value.line == line
    assert fragment in info.value.message


def test_line_scan_finds_listen_addresses_and_needs() -> None:
    source = b"""package main

import (
\t"flag"
\t"net/http"
\t"os"
\t"time"
)

var (
\tversion = "dev"
\tcommit  string
)

type info struct {
\tVersion string
}

func main() {
\taddr := flag.String("addr", ":9000", "listen address")
\tport := os.Getenv("PORT")
\tif port == "" {
\t\tport = "8080"
\t}
\tsrv := &http.Server{Addr: "127.0.0.1:7000"}
\t_, _ = time.LoadLocation("Europe/Paris")
\t_, _ = http.Get("https://example.com")
\t_ = http.ListenAndServe(":" + port, nil)
\t_, _, _ = addr, srv, info{}
}
"""
    gofile = parse_file(source, "main.go")
    assert gofile.has_func_main
    assert [(h.line, h.extra) for h in gofile.flag_ports] == [(20, "9000")]
    assert [(h.line, h.value) for h in gofile.env_ports] == [(23, "8080")]
    assert [(h.line, h.value, h.extra) for h in gofile.listens] == [(25, "127.0.0.1", "7000")]
    assert [h.line for h in gofile.load_location] == [26]
    assert [h.line for h in gofile.outbound_http] == [27]
    assert [(h.line, h.value) for h in gofile.version_vars] == [(11, "version")]
