"""One Go source file: its header (build constraint, package clause, imports) and a line scan.

Only what gogen needs is read: the build constraint in the leading comments, the package
clause, the import declarations, and a handful of line patterns (`//go:embed`, `func main()`,
listen addresses (gogen/scan/ports.py), `#cgo` directives, a `version` variable, TLS and time-zone use,
`//go:generate go run` targets). Markers are
looked for with a substring test before any regular expression runs, which keeps a scan of a
large tree cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gogen.errors import ParseError
from gogen.scan.constraints import Expr, parse_go_build, parse_plus_build
from gogen.scan.lines import NO_HITS, Hit, LineIndex, line_of, line_text
from gogen.scan.ports import NO_PORTS, scan_ports

_HEADER_TOKEN = re.compile(
    r'\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|`[^`]*`|[A-Za-z_][A-Za-z0-9_]*|[\u0080-\U0010ffff]+|.',
    re.S,
)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FUNC_MAIN = re.compile(r"^func\s+main\s*\(\s*\)", re.M)
_EMBED = re.compile(r"^[ \t]*//go:embed[ \t]+(.*)$", re.M)
_EMBED_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)')
_CGO_DIRECTIVE = re.compile(r"^[ \t]*(?://)?[ \t]*#cgo[ \t]+(?:[^:\n]*[ \t])?(LDFLAGS|pkg-config):(.*)$", re.M)
# A main package that can check itself: `-healthcheck` flag or a `healthcheck` subcommand.
_HEALTH_NAMES = r"(health|healthcheck|health-check)"
_HEALTH_FLAG = re.compile(r'\bflag\.Bool(?:Var)?\(\s*(?:&[\w.]+\s*,\s*)?"' + _HEALTH_NAMES + '"')
_HEALTH_COMMAND = re.compile(r'(?:\bcase\s+|os\.Args\[1\]\s*==\s*|\bUse:\s*)"' + _HEALTH_NAMES + r'"(?=[\s:,})])')
_LOAD_LOCATION = re.compile(r"\btime\.LoadLocation\s*\(")
_HTTP_CLIENT = re.compile(
    r"http\.(?:Get|Post|PostForm|Head|NewRequest|NewRequestWithContext|DefaultClient)\b|http\.Client\s*\{"
)
_HTTPS_URL = re.compile(r'"https://')
_VERSION_NAMES = ("version", "Version", "appVersion", "buildVersion", "gitVersion")
_VERSION_VAR = re.compile(
    r"^(?:var[ \t]+|[ \t]+)("
    + "|".join(_VERSION_NAMES)
    + r')(?:[ \t]+string)?(?:[ \t]*=[ \t]*"[^"\n]*")?[ \t]*(?://.*)?$'
)


@dataclass(slots=True)
class GoFile:
    """What gogen knows about one .go file."""

    name: str
    package: str
    imports: tuple[str, ...]
    constraint: Expr | None
    constraint_text: str
    constraint_line: int
    has_func_main: bool = False
    embeds: tuple[Hit, ...] = NO_HITS
    cgo_directives: tuple[Hit, ...] = NO_HITS
    listens: tuple[Hit, ...] = NO_HITS
    env_ports: tuple[Hit, ...] = NO_HITS
    flag_ports: tuple[Hit, ...] = NO_HITS
    load_location: tuple[Hit, ...] = NO_HITS
    outbound_http: tuple[Hit, ...] = NO_HITS
    version_vars: tuple[Hit, ...] = NO_HITS
    health_checks: tuple[Hit, ...] = NO_HITS
    generate_runs: tuple[Hit, ...] = NO_HITS

    @property
    def imports_c(self) -> bool:
        return "C" in self.imports


def locate_import(text: str, path: str) -> tuple[int, str]:
    """The 1-based line and text of the import of `path` in a file's text (0 when not found).

    Import paths are kept without positions (a large tree holds hundreds of thousands);
    the few that become evidence are located again here.
    """
    quoted = re.escape(f'"{path}"')
    pattern = re.compile(
        rf"^[ \t]*(?:import[ \t]+)?(?:(?:[A-Za-z_][A-Za-z0-9_]*|\.)[ \t]+)?(?:{quoted}|`{re.escape(path)}`)", re.M
    )
    match = pattern.search(text)
    if match is None:
        return 0, f'import "{path}"'
    return line_of(text, match.start()), line_text(text, match.end() - 1)


def _leading_constraint(lines: list[str], file: str) -> tuple[Expr | None, str, int]:
    """Find the build constraint in the comments before the package clause.

    As in go/build, only comment lines followed by a blank line before the package clause
    count: a `//go:build` line directly above `package` is part of the doc comment and ignored.
    """
    header_end = 0
    in_block = False
    for index, raw in enumerate(lines):
        line = raw.strip()
        if in_block:
            if "*/" in line:
                in_block = False
                if line[line.index("*/") + 2 :].strip():
                    break
            continue
        if not line:
            header_end = index
            continue
        if line.startswith("//"):
            continue
        if line.startswith("/*"):
            if "*/" not in line[2:]:
                in_block = True
            continue
        break
    go_build: tuple[str, int] | None = None
    plus_build: list[str] = []
    plus_line = 0
    for index in range(header_end):
        line = lines[index].strip()
        if line.startswith("//go:build") and (len(line) == 10 or line[10] in " \t"):
            if go_build is not None:
                raise ParseError("multiple //go:build lines", file=file, line=index + 1, hint="combine them into one")
            go_build = (line[10:].strip(), index + 1)
        elif line.startswith("//") and line[2:].strip().startswith("+build"):
            rest = line[2:].strip()
            if len(rest) == 6 or rest[6] in " \t":
                plus_build.append(rest[6:])
                plus_line = plus_line or index + 1
    if go_build is not None:
        expr_text, lineno = go_build
        return parse_go_build(expr_text, file, lineno), expr_text, lineno
    if plus_build:
        return parse_plus_build(plus_build), "+build " + " / ".join(p.strip() for p in plus_build), plus_line
    return None, "", 0


def _parse_package_and_imports(text: str, file: str) -> tuple[str, tuple[str, ...]]:
    """Read tokens up to the end of the import declarations."""
    pos = 0
    length = len(text)
    package = ""
    imports: list[str] = []
    state = "package"
    pending_name = False
    package_line = import_line = 1
    while pos < length:
        match = _HEADER_TOKEN.match(text, pos)
        assert match is not None
        token = match.group(0)
        start = pos
        pos = match.end()
        if token.isspace() or token.startswith("//") or token.startswith("/*"):
            continue
        if state == "package":
            if token != "package":
                raise ParseError("expected the package clause", file=file, line=line_of(text, start))
            state = "package-name"
            package_line = line_of(text, start)
        elif state == "package-name":
            if not _IDENT.match(token):
                raise ParseError(f"invalid package name {token!r}", file=file, line=line_of(text, start))
            package = token
            state = "decls"
        elif state == "decls":
            if token == ";":
                continue
            if token != "import":
                break
            state = "import"
            import_line = line_of(text, start)
        elif state in ("import", "block"):
            if state == "import" and token == "(":
                state = "block"
                continue
            if state == "block" and token == ")":
                state = "decls"
                continue
            if state == "block" and token == ";":
                continue
            if token[0] in '"`':
                path = token[1:-1]
                if token[0] == '"' and "\\" in path:
                    path = path.encode("utf-8").decode("unicode_escape", errors="replace")
                imports.append(path)
                pending_name = False
                if state == "import":
                    state = "decls"
                continue
            if (token in ("_", ".") or _IDENT.match(token)) and not pending_name:
                pending_name = True
                continue
            raise ParseError(f"unexpected {token!r} in an import declaration", file=file, line=line_of(text, start))
    if state == "package-name":
        raise ParseError("the package clause has no name", file=file, line=package_line)
    if not package:
        raise ParseError("no package clause", file=file, line=1, hint="a Go file starts with `package name`")
    if state in ("import", "block"):
        raise ParseError("unterminated import declaration", file=file, line=import_line)
    return package, tuple(imports)


_FAST_PACKAGE = re.compile(r"(?:[ \t]*(?://[^\n]*)?\n)*package[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?://[^\n]*)?\n")
_FAST_GAP = re.compile(r"(?:[ \t]*(?://[^\n]*)?\n)*")
_FAST_SINGLE = re.compile(r'import[ \t]+(?:(?:[A-Za-z_][A-Za-z0-9_]*|\.)[ \t]+)?"([^"\\\n]*)"[ \t]*(?://[^\n]*)?\n')
_FAST_BLOCK = re.compile(
    r"import[ \t]*\([ \t]*\n"
    r'((?:[ \t]*(?:(?:[A-Za-z_][A-Za-z0-9_]*|\.)[ \t]+)?(?:"[^"\\\n]*")?[ \t]*(?://[^\n]*)?\n)*)'
    r"[ \t]*\)[ \t]*(?://[^\n]*)?\n"
)
_FAST_SPEC = re.compile(r'^[ \t]*(?:(?:[A-Za-z_][A-Za-z0-9_]*|\.)[ \t]+)?"([^"\\\n]*)"', re.M)


def _fast_header(text: str) -> tuple[int, str, list[str]] | None:
    """The common layout (line comments, package clause, plain import lines), by regular expressions.

    Returns (offset of the package clause, package name, import paths), or None when the file
    uses anything else (block comments, semicolons, raw strings...): the tokenizer reads it then.
    """
    match = _FAST_PACKAGE.match(text)
    if match is None:
        return None
    imports: list[str] = []
    pos = match.end()
    while True:
        pos = _FAST_GAP.match(text, pos).end()  # type: ignore[union-attr]
        if not text.startswith("import", pos):
            break
        single = _FAST_SINGLE.match(text, pos)
        if single is not None:
            imports.append(single.group(1))
            pos = single.end()
            continue
        block = _FAST_BLOCK.match(text, pos)
        if block is None:
            return None
        imports.extend(_FAST_SPEC.findall(block.group(1)))
        pos = block.end()
    if text.startswith("/*", pos):
        return None
    return text.rfind("\n", 0, match.start(1)) + 1, match.group(1), imports


def parse_header(text: str, file: str) -> GoFile:
    """Parse the build constraint, package clause and imports of a Go file's text."""
    name = file.rsplit("/", 1)[-1]
    fast = _fast_header(text)
    if fast is not None:
        package_start, package, imports = fast
        header = text[:package_start]
        if "build" not in header:
            return GoFile(name, package, tuple(imports), None, "", 0)
        constraint, constraint_text, constraint_line = _leading_constraint((header + "package").split("\n"), file)
        return GoFile(name, package, tuple(imports), constraint, constraint_text, constraint_line)
    lines = text.split("\n", 200)[:200]
    constraint, constraint_text, constraint_line = _leading_constraint(lines, file)
    slow_package, slow_imports = _parse_package_and_imports(text, file)
    return GoFile(name, slow_package, slow_imports, constraint, constraint_text, constraint_line)


def _hits(pattern: re.Pattern[str], text: str) -> tuple[Hit, ...]:
    """One Hit per matching line (the first match on it)."""
    result: list[Hit] = []
    lines = LineIndex(text)
    for match in pattern.finditer(text):
        line = lines.line(match.start())
        if result and result[-1].line == line:
            continue
        groups = [g for g in match.groups() if g is not None]
        value = groups[0] if groups else ""
        extra = groups[1] if len(groups) > 1 else ""
        result.append(Hit(line, line_text(text, match.start()), value, extra))
    return tuple(result)


def _version_vars(text: str) -> tuple[Hit, ...]:
    """Top-level string variables named like a version: `var version string` or in `var (...)`."""
    hits: list[Hit] = []
    in_var_block = False
    previous = ""
    for index, line in enumerate(text.split("\n"), start=1):
        embedded = previous.lstrip().startswith("//go:embed")
        previous = line
        if in_var_block:
            if line.startswith(")"):
                in_var_block = False
                continue
        elif line.startswith("var ("):
            in_var_block = True
            continue
        elif not line.startswith("var "):
            continue
        match = _VERSION_VAR.match(line)
        if match and not embedded:
            hits.append(Hit(index, line.strip(), match.group(1)))
    return tuple(hits)


_VERSION_PACKAGES = frozenset({"main", "version", "buildinfo", "build"})


def scan_lines(gofile: GoFile, text: str) -> None:
    """Fill in the line-scan facts of `gofile` from its text.

    Each scan runs only where it can find something: Go accepts `//go:embed` only in files
    that import "embed", `#cgo` only with `import "C"`, and so on. Most files need no scan.
    """
    imports = gofile.imports
    is_main = gofile.package == "main"
    if is_main and "func main" in text:
        gofile.has_func_main = _FUNC_MAIN.search(text) is not None
    if "embed" in imports and "//go:embed" in text:
        gofile.embeds = _hits(_EMBED, text)
    if "C" in imports and "#cgo" in text:
        gofile.cgo_directives = _hits(_CGO_DIRECTIVE, text)
    ports = scan_ports(text, imports)
    if ports is not NO_PORTS:
        gofile.listens, gofile.flag_ports, gofile.env_ports = ports.listens, ports.flags, ports.env
    if "//go:generate" in text and "go run" in text:
        gofile.generate_runs = _generate_runs(text)
    if "time" in imports and "LoadLocation" in text:
        gofile.load_location = _hits(_LOAD_LOCATION, text)
    if "net/http" in imports:
        client = _hits(_HTTP_CLIENT, text) if "http." in text else NO_HITS
        urls = _hits(_HTTPS_URL, text) if '"https://' in text else NO_HITS
        gofile.outbound_http = tuple(sorted(set(client + urls)))
    if is_main and "health" in text:
        gofile.health_checks = _health_checks(text)
    if gofile.package in _VERSION_PACKAGES and "ersion" in text:
        gofile.version_vars = _version_vars(text)


def _health_checks(text: str) -> tuple[Hit, ...]:
    """`-healthcheck` flags (value "flag") and `healthcheck` subcommands (value "command")."""
    hits = [hit._replace(value="flag", extra=hit.value) for hit in _hits(_HEALTH_FLAG, text)]
    if "os.Args" in text or "flag.Arg(" in text or "cobra." in text:  # a `case` only where arguments are read
        hits += [hit._replace(value="command", extra=hit.value) for hit in _hits(_HEALTH_COMMAND, text)]
    return tuple(sorted(hits))


_GENERATE_RUN = re.compile(r"^//go:generate[ \t]+go[ \t]+run[ \t]+(.*)$", re.M)
# `go run` build flags that take their value as the next argument (`-tags dev`, not `-tags=dev`).
_RUN_VALUE_FLAGS = frozenset(
    {"C", "asmflags", "exec", "gccgoflags", "gcflags", "installsuffix", "ldflags", "mod", "modfile", "overlay",
     "p", "pgo", "pkgdir", "tags", "toolexec"}
)  # fmt: skip


def _generate_runs(text: str) -> tuple[Hit, ...]:
    """`//go:generate go run [build flags] PKG ...`: one Hit per directive, value: PKG as written.

    As go generate reads them: at the very start of a line, in any file of the package. PKG may
    be local (`./tools/gen`, `gen.go`) or a module path with a version (`example.com/x/cmd/y@v1`).
    """
    hits: list[Hit] = []
    lines = LineIndex(text)
    for match in _GENERATE_RUN.finditer(text):
        package = _run_package(match.group(1).split())
        if package:
            hits.append(Hit(lines.line(match.start()), match.group(0).strip(), package))
    return tuple(hits)


def _run_package(words: list[str]) -> str:
    """The first argument of `go run` that is not a build flag nor a flag's value, unquoted."""
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word == "--":
            continue
        if word.startswith("-"):
            skip = "=" not in word and word.lstrip("-") in _RUN_VALUE_FLAGS
            continue
        return word.strip("\"'`")
    return ""


def parse_file(data: bytes, file: str) -> GoFile:
    """Parse a Go file's bytes: header plus line scan. Raises ParseError for non-Go content."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ParseError(
            "binary content in a .go file (a NUL byte, which the go command rejects)",
            file=file,
            line=data.count(b"\n", 0, nul) + 1,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            "invalid UTF-8 in a Go file",
            file=file,
            line=data[: exc.start].count(b"\n") + 1,
            hint="Go source must be UTF-8",
        ) from exc
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    gofile = parse_header(text, file)
    scan_lines(gofile, text)
    return gofile
