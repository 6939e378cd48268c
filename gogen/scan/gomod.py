"""go.mod, go.work, go.sum and vendor/modules.txt, parsed the way the go command reads them.

The grammar follows golang.org/x/mod/modfile: a file is a sequence of lines; a line is a verb
followed by arguments, or a verb followed by `(` that opens a block whose lines each hold the
arguments of one more directive, closed by `)` alone on a line. `//` starts a comment.
Arguments are bare words or Go string literals. Every error names the file and the line.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from gogen.errors import ParseError

GO_VERSION_RE = re.compile(r"^([1-9][0-9]*)\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?((?:rc|beta)[1-9][0-9]*)?$")
_LEGACY_GO_VERSION_RE = re.compile(r"^1(?:\.(0|[1-9][0-9]*))?$")
TOOLCHAIN_RE = re.compile(r"^go(\S+?)(?:-\S+)?$")
SEMVER_RE = re.compile(
    r"^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
_MODULE_PATH_RE = re.compile(r"^[A-Za-z0-9._~+\-/]+$")
_TOKEN_RE = re.compile(r'\s+|//.*|"(?:[^"\\]|\\.)*"|`[^`]*`|[()]|[^\s()"`]+|["`]')


@dataclass(frozen=True)
class Line:
    """One directive: its verb, its arguments, its 1-based line, and the source text."""

    verb: str
    args: tuple[str, ...]
    lineno: int
    text: str
    comment: str


@dataclass(frozen=True)
class Require:
    path: str
    version: str
    indirect: bool
    lineno: int


@dataclass(frozen=True)
class Replace:
    old_path: str
    old_version: str | None
    new_path: str
    new_version: str | None
    lineno: int
    text: str

    @property
    def is_local(self) -> bool:
        return self.new_version is None and is_local_path(self.new_path)


@dataclass(frozen=True)
class GoMod:
    file: str
    module: str | None
    module_line: int
    module_text: str
    go: str | None
    go_line: int
    go_text: str
    toolchain: str | None
    toolchain_line: int
    toolchain_text: str
    requires: tuple[Require, ...]
    replaces: tuple[Replace, ...]
    excludes: tuple[tuple[str, str], ...]
    tools: tuple[str, ...]
    godebug: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Use:
    dir: str
    lineno: int
    text: str


@dataclass(frozen=True)
class GoWork:
    file: str
    go: str | None
    go_line: int
    go_text: str
    toolchain: str | None
    toolchain_line: int
    toolchain_text: str
    uses: tuple[Use, ...]
    replaces: tuple[Replace, ...]


@dataclass
class _Collector:
    file: str
    seen_single: dict[str, int] = field(default_factory=dict)

    def once(self, line: Line) -> None:
        first = self.seen_single.get(line.verb)
        if first is not None:
            raise ParseError(
                f"repeated {line.verb} directive (first on line {first})",
                file=self.file,
                line=line.lineno,
                hint=f"keep one {line.verb} line",
            )
        self.seen_single[line.verb] = line.lineno


def is_local_path(path: str) -> bool:
    """A replacement target that is a directory, as modfile.IsDirectoryPath reads it.

    `./x`, `../x`, `/abs`, and Windows forms (`.\\x`, `\\x`, `\\\\server\\share`, `C:\\x`,
    `C:x`): go.mod files move between systems, so every syntax counts.
    """
    return (
        path in (".", "..")
        or path.startswith(("./", "../", "/", ".\\", "..\\", "\\"))
        or bool(re.match(r"^[A-Za-z]:", path))
    )


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 text without a BOM and with CRLF line ends folded to LF."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ParseError("file holds NUL bytes; it is not a text file", file=file, line=data.count(b"\n", 0, nul) + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError("invalid UTF-8", file=file, line=line, hint="save the file as UTF-8") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _unquote(token: str, file: str, lineno: int) -> str:
    if token.startswith("`"):
        return token[1:-1]
    if token.startswith('"'):
        try:
            value = ast.literal_eval(token)
        except (SyntaxError, ValueError) as exc:
            raise ParseError(f"invalid quoted string {token}", file=file, line=lineno) from exc
        if not isinstance(value, str):
            raise ParseError(f"invalid quoted string {token}", file=file, line=lineno)
        return value
    return token


def _tokenize(line: str, file: str, lineno: int) -> tuple[list[str], str]:
    """Split one physical line into tokens; returns (tokens, trailing comment text)."""
    tokens: list[str] = []
    comment = ""
    pos = 0
    while pos < len(line):
        match = _TOKEN_RE.match(line, pos)
        if match is None:  # pragma: no cover - the last alternative matches any character
            break
        token = match.group(0)
        pos = match.end()
        if token.isspace():
            continue
        if token.startswith("//"):
            comment = token[2:].strip()
            break
        if token in ('"', "`"):
            raise ParseError("unterminated quoted string", file=file, line=lineno)
        if token.startswith("/*"):
            raise ParseError("go.mod files use // comments, not /* */", file=file, line=lineno)
        tokens.append(token)
    return tokens, comment


def parse_lines(text: str, file: str) -> list[Line]:
    """Parse the line/block structure; each returned Line is one directive."""
    result: list[Line] = []
    block_verb: str | None = None
    block_start = 0
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    for lineno, raw in enumerate(text.split("\n"), start=1):
        tokens, comment = _tokenize(raw, file, lineno)
        if not tokens:
            continue
        if block_verb is not None:
            if tokens == [")"]:
                block_verb = None
                continue
            if "(" in tokens or ")" in tokens:
                raise ParseError(
                    f"unexpected parenthesis inside the {block_verb} block opened on line {block_start}",
                    file=file,
                    line=lineno,
                    hint="close a block with ) alone on its line",
                )
            args = tuple(_unquote(tok, file, lineno) for tok in tokens)
            result.append(Line(block_verb, args, lineno, raw.strip(), comment))
            continue
        verb = tokens[0]
        if verb in ("(", ")"):
            raise ParseError(f"unexpected {verb!r}", file=file, line=lineno, hint="a line starts with a directive")
        rest = tokens[1:]
        if rest == ["("]:
            block_verb, block_start = verb, lineno
            continue
        if rest == ["(", ")"]:
            continue
        if "(" in rest or ")" in rest:
            raise ParseError(
                f"unexpected parenthesis in {verb} directive",
                file=file,
                line=lineno,
                hint="a block opens with `(` at the end of the line",
            )
        args = tuple(_unquote(tok, file, lineno) for tok in rest)
        result.append(Line(verb, args, lineno, raw.strip(), comment))
    if block_verb is not None:
        raise ParseError(
            f"{block_verb} block opened here is never closed",
            file=file,
            line=block_start,
            hint="add a line holding only )",
        )
    return result


def check_go_version(value: str, file: str, lineno: int) -> str:
    match = GO_VERSION_RE.match(value)
    if match and match.group(1) != "1":
        raise ParseError(
            f"go version {value!r} names no Go release: every Go toolchain is 1.N, so the go command "
            "cannot satisfy it and no golang image provides it",
            file=file,
            line=lineno,
            hint="write the minimum Go version as 1.N or 1.N.P, e.g. go 1.22",
        )
    if match or _LEGACY_GO_VERSION_RE.match(value):
        return value
    raise ParseError(
        f"invalid go version {value!r}",
        file=file,
        line=lineno,
        hint="write it as 1.N or 1.N.P, e.g. go 1.22",
    )


def check_toolchain(value: str, file: str, lineno: int) -> str:
    if value == "default":
        return value
    match = TOOLCHAIN_RE.match(value)
    version = GO_VERSION_RE.match(match.group(1)) if match else None
    if version and version.group(1) != "1":
        raise ParseError(
            f"toolchain {value!r} names no Go release: every Go toolchain is go1.N",
            file=file,
            line=lineno,
            hint="write it as goX.Y.Z, e.g. toolchain go1.23.2",
        )
    if version:
        return value
    raise ParseError(
        f"invalid toolchain {value!r}",
        file=file,
        line=lineno,
        hint="write it as goX.Y.Z, e.g. toolchain go1.23.2",
    )


def toolchain_version(toolchain: str | None) -> str | None:
    """`go1.23.2` → `1.23.2`; `default` or None → None."""
    if toolchain is None:
        return None
    match = TOOLCHAIN_RE.match(toolchain)
    return match.group(1) if match else None


def version_key(version: str) -> tuple[int, int, int, int, int]:
    """Order Go versions as the go command does: 1.21 < 1.21rc1 < 1.21.0 < 1.21.1."""
    match = GO_VERSION_RE.match(version)
    if match is None:
        legacy = _LEGACY_GO_VERSION_RE.match(version)
        minor = int(legacy.group(1)) if legacy and legacy.group(1) else 0
        return (1, minor, 0, 0, 0)
    major, minor = int(match.group(1)), int(match.group(2))
    if match.group(3) is not None:
        return (major, minor, 2, int(match.group(3)), 0)
    if match.group(4):
        pre = match.group(4)
        kind = 1 if pre.startswith("rc") else 0
        number = int(pre.lstrip("rcbeta"))
        return (major, minor, 1, kind, number)
    return (major, minor, 0, 0, 0)


def _check_module_path(path: str, file: str, lineno: int) -> str:
    if not path or not _MODULE_PATH_RE.match(path) or path.startswith("/") or ".." in path.split("/"):
        raise ParseError(f"invalid module path {path!r}", file=file, line=lineno)
    return path


def _check_semver(version: str, file: str, lineno: int) -> str:
    if not SEMVER_RE.match(version):
        raise ParseError(
            f"invalid module version {version!r}",
            file=file,
            line=lineno,
            hint="module versions look like v1.2.3",
        )
    return version


def _need_args(line: Line, count: int, usage: str, file: str) -> None:
    if len(line.args) != count:
        raise ParseError(f"usage: {usage}", file=file, line=line.lineno)


def _parse_replace(line: Line, file: str) -> Replace:
    args = line.args
    if "=>" not in args:
        raise ParseError(
            "usage: replace module/path [v1.2.3] => other/module v1.4 | ../local/dir", file=file, line=line.lineno
        )
    arrow = args.index("=>")
    left, right = args[:arrow], args[arrow + 1 :]
    if len(left) not in (1, 2) or len(right) not in (1, 2):
        raise ParseError(
            "usage: replace module/path [v1.2.3] => other/module v1.4 | ../local/dir", file=file, line=line.lineno
        )
    old_path = _check_module_path(left[0], file, line.lineno)
    old_version = _check_semver(left[1], file, line.lineno) if len(left) == 2 else None
    new_path = right[0]
    new_version: str | None = None
    if len(right) == 2:
        new_version = _check_semver(right[1], file, line.lineno)
        _check_module_path(new_path, file, line.lineno)
    elif not is_local_path(new_path):
        raise ParseError(
            f"replacement module {new_path!r} without version must be a directory path",
            file=file,
            line=line.lineno,
            hint="start a directory with ./ or ../",
        )
    return Replace(old_path, old_version, new_path, new_version, line.lineno, line.text)


def _single(line: Line, coll: _Collector, usage: str) -> str:
    coll.once(line)
    _need_args(line, 1, usage, coll.file)
    return line.args[0]


def parse_go_mod(text: str, file: str) -> GoMod:
    """Parse go.mod text; `file` is the path used in messages."""
    coll = _Collector(file)
    module: str | None = None
    module_line, module_text = 0, ""
    go: str | None = None
    go_line, go_text = 0, ""
    toolchain: str | None = None
    toolchain_line, toolchain_text = 0, ""
    requires: list[Require] = []
    replaces: list[Replace] = []
    excludes: list[tuple[str, str]] = []
    tools: list[str] = []
    godebug: list[tuple[str, str]] = []
    for line in parse_lines(text, file):
        if line.verb == "module":
            if not line.args:
                raise ParseError("usage: module module/path", file=file, line=line.lineno)
            module = _check_module_path(_single(line, coll, "module module/path"), file, line.lineno)
            module_line, module_text = line.lineno, line.text
        elif line.verb == "go":
            go = check_go_version(_single(line, coll, "go 1.23"), file, line.lineno)
            go_line, go_text = line.lineno, line.text
        elif line.verb == "toolchain":
            toolchain = check_toolchain(_single(line, coll, "toolchain go1.23.2"), file, line.lineno)
            toolchain_line, toolchain_text = line.lineno, line.text
        elif line.verb == "require":
            _need_args(line, 2, "require module/path v1.2.3", file)
            path = _check_module_path(line.args[0], file, line.lineno)
            version = _check_semver(line.args[1], file, line.lineno)
            requires.append(Require(path, version, "indirect" in line.comment.split(), line.lineno))
        elif line.verb == "exclude":
            _need_args(line, 2, "exclude module/path v1.2.3", file)
            excludes.append(
                (_check_module_path(line.args[0], file, line.lineno), _check_semver(line.args[1], file, line.lineno))
            )
        elif line.verb == "replace":
            replaces.append(_parse_replace(line, file))
        elif line.verb == "retract":
            _check_retract(line, file)
        elif line.verb in ("tool", "ignore"):
            _need_args(line, 1, f"{line.verb} path", file)
            if line.verb == "tool":
                tools.append(_check_module_path(line.args[0], file, line.lineno))
        elif line.verb == "godebug":
            godebug.append(_parse_godebug(line, file))
        else:
            raise ParseError(
                f"unknown directive {line.verb!r}",
                file=file,
                line=line.lineno,
                hint="go.mod knows module, go, toolchain, godebug, require, exclude, replace, retract, tool, ignore",
            )
    return GoMod(
        file=file,
        module=module,
        module_line=module_line,
        module_text=module_text,
        go=go,
        go_line=go_line,
        go_text=go_text,
        toolchain=toolchain,
        toolchain_line=toolchain_line,
        toolchain_text=toolchain_text,
        requires=tuple(requires),
        replaces=tuple(replaces),
        excludes=tuple(excludes),
        tools=tuple(tools),
        godebug=tuple(godebug),
    )


def _check_retract(line: Line, file: str) -> None:
    joined = " ".join(line.args)
    interval = re.fullmatch(r"\[\s*(\S+?)\s*,\s*(\S+?)\s*\]", joined)
    versions = [interval.group(1), interval.group(2)] if interval else list(line.args)
    if len(versions) not in (1, 2) or (len(versions) == 2 and not interval):
        raise ParseError("usage: retract v1.2.3 | retract [v1.2.0, v1.2.3]", file=file, line=line.lineno)
    for version in versions:
        _check_semver(version, file, line.lineno)


def _parse_godebug(line: Line, file: str) -> tuple[str, str]:
    if len(line.args) != 1 or "=" not in line.args[0]:
        raise ParseError("usage: godebug key=value", file=file, line=line.lineno)
    key, _, value = line.args[0].partition("=")
    return key, value


def parse_go_work(text: str, file: str) -> GoWork:
    """Parse go.work text; `file` is the path used in messages."""
    coll = _Collector(file)
    go: str | None = None
    go_line, go_text = 0, ""
    toolchain: str | None = None
    toolchain_line, toolchain_text = 0, ""
    uses: list[Use] = []
    replaces: list[Replace] = []
    for line in parse_lines(text, file):
        if line.verb == "go":
            go = check_go_version(_single(line, coll, "go 1.23"), file, line.lineno)
            go_line, go_text = line.lineno, line.text
        elif line.verb == "toolchain":
            toolchain = check_toolchain(_single(line, coll, "toolchain go1.23.2"), file, line.lineno)
            toolchain_line, toolchain_text = line.lineno, line.text
        elif line.verb == "use":
            _need_args(line, 1, "use ./dir", file)
            uses.append(Use(line.args[0], line.lineno, line.text))
        elif line.verb == "replace":
            replaces.append(_parse_replace(line, file))
        elif line.verb == "godebug":
            _parse_godebug(line, file)
        else:
            raise ParseError(
                f"unknown directive {line.verb!r}",
                file=file,
                line=line.lineno,
                hint="go.work knows go, toolchain, godebug, use, replace",
            )
    return GoWork(file, go, go_line, go_text, toolchain, toolchain_line, toolchain_text, tuple(uses), tuple(replaces))


@dataclass(frozen=True)
class GoSum:
    entries: int
    modules: frozenset[tuple[str, str]]
    bad_lines: tuple[int, ...]


def parse_go_sum(text: str) -> GoSum:
    """Count the go.sum entries; malformed lines are reported, not fatal (go reports them at build)."""
    modules: set[tuple[str, str]] = set()
    bad: list[int] = []
    entries = 0
    for lineno, raw in enumerate(text.split("\n"), start=1):
        parts = raw.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[2].startswith("h1:"):
            bad.append(lineno)
            continue
        entries += 1
        modules.add((parts[0], parts[1].removesuffix("/go.mod")))
    return GoSum(entries, frozenset(modules), tuple(bad))


@dataclass(frozen=True)
class VendoredModule:
    path: str
    version: str
    explicit: bool
    packages: tuple[str, ...]
    lineno: int


def parse_modules_txt(text: str) -> tuple[VendoredModule, ...]:
    """vendor/modules.txt: `# path version [=> repl]`, `## explicit[; go 1.N]`, package lines."""
    result: list[VendoredModule] = []
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line.startswith("## "):
            if result and "explicit" in line[3:].split(";")[0]:
                last = result[-1]
                result[-1] = VendoredModule(last.path, last.version, True, last.packages, last.lineno)
        elif line.startswith("# "):
            parts = line[2:].split()
            version = parts[1] if len(parts) > 1 and parts[1] != "=>" else ""
            result.append(VendoredModule(parts[0] if parts else "", version, False, (), lineno))
        elif line and result:
            last = result[-1]
            result[-1] = VendoredModule(last.path, last.version, last.explicit, (*last.packages, line), last.lineno)
    return tuple(result)
