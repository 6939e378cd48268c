"""go.mod, go.work, go.sum and modules.txt parsing: forms the go command accepts, and errors
that name the file and the line."""

from __future__ import annotations

import pytest

from gogen.errors import ParseError
from gogen.scan.gomod import (
    parse_go_mod,
    parse_go_sum,
    parse_go_work,
    parse_modules_txt,
    toolchain_version,
    version_key,
)

FULL_GO_MOD = """\ufeff// leading comment
module "example.com/app/v2" // quoted path

go 1.22.1
toolchain go1.23.4

godebug (
\tdefault=go1.21
\tpanicnil=1
)

require example.com/single v1.0.0
require (
\texample.com/a v1.2.3 // indirect
\t`example.com/b` v0.0.0-20240101000000-abcdefabcdef
)

exclude example.com/a v1.2.2

replace example.com/a v1.2.3 => example.com/fork v1.2.4
replace (
\texample.com/b => ./third_party/b
\texample.com/c => ../c
)

retract v2.0.0 // published by mistake
retract [v2.0.1, v2.0.5]

tool example.com/a/cmd/gen
ignore ./node_modules
"""


def test_full_go_mod_is_read() -> None:
    gomod = parse_go_mod(FULL_GO_MOD.replace("\n", "\r\n"), "go.mod")
    assert gomod.module == "example.com/app/v2"
    assert (gomod.go, gomod.go_line) == ("1.22.1", 4)
    assert (gomod.toolchain, gomod.toolchain_line) == ("go1.23.4", 5)
    assert [(r.path, r.version, r.indirect, r.lineno) for r in gomod.requires] == [
        ("example.com/single", "v1.0.0", False, 12),
        ("example.com/a", "v1.2.3", True, 14),
        ("example.com/b", "v0.0.0-20240101000000-abcdefabcdef", False, 15),
    ]
    assert gomod.excludes == (("example.com/a", "v1.2.2"),)
    assert [(r.old_path, r.new_path, r.is_local) for r in gomod.replaces] == [
        ("example.com/a", "example.com/fork", False),
        ("example.com/b", "./third_party/b", True),
        ("example.com/c", "../c", True),
    ]
    assert gomod.tools == ("example.com/a/cmd/gen",)
    assert gomod.godebug == (("default", "go1.21"), ("panicnil", "1"))


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("module a\nmodule b\n", 2, "repeated module"),
        ("module a\ngo 1.22\ngo 1.23\n", 3, "repeated go"),
        ("module a\ngo one\n", 2, "invalid go version"),
        ("module a\ntoolchain 1.23\n", 2, "invalid toolchain"),
        ("module a\nrequire (\n\tb.com/c v1.0.0\n", 2, "never closed"),
        ("module a\nrequire b.com/c\n", 2, "usage: require"),
        ("module a\nrequire b.com/c 1.0\n", 2, "invalid module version"),
        ("module a\nreplace b.com/c => d.com/e\n", 2, "must be a directory path"),
        ("module a\nreplace b.com/c ./x\n", 2, "usage: replace"),
        ("module a\nfrobnicate x\n", 2, "unknown directive"),
        ("module a\n)\n", 2, "unexpected ')'"),
        ('module "a\n', 1, "unterminated quoted string"),
        ("module a\n/* no */\n", 2, "// comments"),
        ("module a\nretract [v1.0.0\n", 2, "invalid module version"),
        ("module a\ngodebug nokey\n", 2, "godebug key=value"),
        ("module a b\n", 1, "usage: module"),
        ("module /abs\n", 1, "invalid module path"),
    ],
)
def test_go_mod_errors_name_file_and_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_go_mod(text, "sub/go.mod")
    assert info.value.file == "sub/go.mod"
    assert info.value.line == line
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"sub/go.mod:{line}: ")


def test_go_work_use_block_and_single() -> None:
    work = parse_go_work(
        'go 1.23\ntoolchain go1.23.2\nuse ./app\nuse (\n\t./lib\n\t"./other dir"\n)\nreplace x.com/y => ./y\n',
        "go.work",
    )
    assert [(u.dir, u.lineno) for u in work.uses] == [("./app", 3), ("./lib", 5), ("./other dir", 6)]
    assert work.go == "1.23"
    assert work.toolchain == "go1.23.2"
    assert work.replaces[0].is_local


def test_go_work_rejects_go_mod_directives() -> None:
    with pytest.raises(ParseError) as info:
        parse_go_work("go 1.22\nrequire a.com/b v1.0.0\n", "go.work")
    assert (info.value.file, info.value.line) == ("go.work", 2)


def test_go_versions_order_like_the_go_command() -> None:
    ordered = ["1.20", "1.21", "1.21rc1", "1.21rc2", "1.21.0", "1.21.1", "1.22beta1", "1.22rc1", "1.22.0", "1.100"]
    assert sorted(ordered, key=version_key) == ordered
    assert toolchain_version("go1.23.2") == "1.23.2"
    assert toolchain_version("go1.22.0-custom") == "1.22.0"
    assert toolchain_version("default") is None


def test_go_sum_counts_entries_and_flags_bad_lines() -> None:
    parsed = parse_go_sum("a.com/b v1.0.0 h1:abc=\na.com/b v1.0.0/go.mod h1:def=\nbroken line\n\n")
    assert parsed.entries == 2
    assert parsed.modules == frozenset({("a.com/b", "v1.0.0")})
    assert parsed.bad_lines == (3,)


def test_modules_txt_reads_explicit_and_packages() -> None:
    text = (
        "# a.com/b v1.0.0\n## explicit; go 1.20\na.com/b\na.com/b/sub\n"
        "# c.com/d v0.1.0\nc.com/d\n# e.com/f v1.0.0 => ./f\n"
    )
    modules = parse_modules_txt(text)
    assert [(m.path, m.version, m.explicit, m.packages) for m in modules] == [
        ("a.com/b", "v1.0.0", True, ("a.com/b", "a.com/b/sub")),
        ("c.com/d", "v0.1.0", False, ("c.com/d",)),
        ("e.com/f", "v1.0.0", False, ()),
    ]
