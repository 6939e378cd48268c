"""Listen addresses in Go source: listen calls, `Addr:` fields, flag defaults, a `PORT` default.

The shapes are matched on a *skeleton* of the file: comments blanked, and the contents of every
string literal replaced by NUL filler (a .go file holding a NUL byte is rejected before this
runs, so the filler never collides with the source). Offsets and line numbers are the
original's, so a literal found in the skeleton is read back from the source. A shape inside a
comment, or written inside another string (a usage text quoting `http.ListenAndServe(":80")`),
cannot match. The skeleton is built only for a file that passes cheap pre-tests (its imports,
substrings, and for listen shapes a `"host:port"` literal in the raw text).

Only listed shapes count (a `const defaultAddr = ":8080"` is not a port):

* calls: `http.ListenAndServe(":8080", h)` (and TLS), `net.Listen("tcp", ":8080")`,
  `lc.Listen(ctx, "tcp", ...)`, framework `.Run(":8080")` / `.Start(...)` / `.Listen(...)` / `.Serve(...)`;
* address fields: `Addr: ":8080"`, `ListenAddress: "0.0.0.0:9090"`, ... outside a client's options
  literal (`redis.Options{Addr: "localhost:6379"}` is where a client connects, not a listener);
* flag defaults whose name says address or port: stdlib `flag` and pflag/cobra
  (`String`, `StringVar`, `StringP`, `StringVarP`, `Int...`, `Uint...`), kingpin
  (`.Flag("web.listen-address", ...).Default(":9090")`, however the chain is broken over lines),
  exporter-toolkit's `kingpinflag.AddFlags(app, ":9100")`, urfave/cli (`&cli.StringFlag{Name: ..., Value: ...}`);
* `os.Getenv("PORT")` / `os.LookupEnv("PORT")` with a literal default within the next few lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from gogen.scan.lines import NO_HITS, Hit, LineIndex, line_text

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|`[^`]*`?|\'(?:[^\'\\\n]|\\.)*\'?|//[^\n]*|/\*.*?(?:\*/|\Z)', re.S)
_NOT_NEWLINE = re.compile(r"[^\n]")
_S = r'"\x00*"'  # a string literal in the skeleton
_STR_AT = re.compile(r"\s*(" + _S + r")")

# Every listen shape has a `"host:port"` literal: found in the raw text, then the call or field
# before it is matched in a short window of the skeleton (a whole-file scan per shape would cost more).
_ADDR_LITERAL = re.compile(r'"(?:\[[0-9A-Fa-f:.]*\]|[A-Za-z0-9_.-]*):\d{1,5}"')
_LISTEN_BEFORE = re.compile(
    r"(?:(?:ListenAndServe(?:TLS)?|\.(?:Listen(?:TLS)?|Run(?:TLS)?|Start(?:TLS)?|Serve))\s*\(\s*"
    r"|Listen\s*\(\s*(?:[A-Za-z_]\w*\s*,\s*)?(?P<net>" + _S + r")\s*,\s*"
    r"|(?<![\w.])(?P<field>[A-Za-z_]\w*)\s*:\s*)\Z"
)
_ENV_BEFORE = re.compile(r"(?:Getenv|LookupEnv)\(\s*\Z")
_LOOK_BACK = 160  # characters before a literal where its call or field is looked for
_FLAG_CALL = re.compile(
    r"\.(?:String|Int|Int64|Int32|Uint|Uint64|Uint32|Uint16)(?P<var>Var)?(?P<short>P)?\(\s*"
    r"(?(var)&?[^,()\n]+?\s*,\s*)"
    r"(?P<name>" + _S + r")\s*,\s*"
    r"(?(short)" + _S + r"\s*,\s*)"
    r"(?P<value>" + _S + r"|\d+)\s*,"
)
_KINGPIN_FLAG = re.compile(r"\.Flag\(\s*(" + _S + r")\s*,")
_KINGPIN_ADD_FLAGS = re.compile(r"\bAddFlags\(\s*[\w.]+\s*,\s*(" + _S + r")\s*\)")
_CHAIN_CALL = re.compile(r"\s*\.\s*([A-Za-z_]\w*)\s*\(")
_URFAVE_FLAG = re.compile(r"cli\.(?:String|Int|Int64|Uint|Uint64|Generic)Flag\s*\{")
_URFAVE_NAME = re.compile(r"\bName\s*:\s*(" + _S + ")")
_URFAVE_VALUE = re.compile(r"\bValue\s*:\s*(" + _S + r"|\d+)")
_ANY_STR = re.compile(_S)
_PARENS = re.compile(r"[()]")
_BRACES = re.compile(r"[{}]")

_ADDRESS = re.compile(r"(?:(\[[0-9A-Fa-f:.]*\]|[A-Za-z0-9_.-]*):)?(\d{1,5})")
_NAME_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
_TYPE_BEFORE = re.compile(r"([\w.]+)\s*$")
_TCP = frozenset({"tcp", "tcp4", "tcp6"})
_NOT_PORT = ("report", "export", "import", "support", "transport", "passport", "airport", "sport", "teleport")
_ADDRESS_WORDS = frozenset({"http", "https", "grpc", "laddr"})
# Names of the places a program connects to: `-redis-addr localhost:6379` is a client's setting.
_CLIENT_WORDS = frozenset(
    {
        "redis", "db", "database", "postgres", "postgresql", "pg", "mysql", "mongo", "mongodb", "sql",
        "nats", "kafka", "amqp", "rabbitmq", "rabbit", "etcd", "consul", "memcache", "memcached",
        "cassandra", "clickhouse", "elastic", "elasticsearch", "influx", "influxdb", "zookeeper",
        "upstream", "backend", "remote", "target", "peer", "peers", "dial", "connect", "endpoint",
        "proxy", "jaeger", "otlp", "otel", "collector", "statsd", "smtp", "ldap", "zipkin", "vault",
        "broker", "brokers", "gateway", "push", "pushgateway", "registry", "join", "seed", "seeds",
        "client", "master", "leader", "sentinel", "cache", "queue", "mqtt", "loki", "tempo",
    }
)  # fmt: skip
_CLIENT_TYPE_WORDS = frozenset({"option", "options", "client", "dial", "dialer", "conn", "pool", "universal"})
_SERVER_IMPORTS = frozenset({"net", "net/http"})
# The flag libraries whose shapes are read (a set test: most files import none of them).
_FLAG_LIBRARIES = frozenset(
    {
        "flag", "github.com/spf13/pflag", "github.com/spf13/cobra", "github.com/namsral/flag",
        "gopkg.in/alecthomas/kingpin.v2", "github.com/alecthomas/kingpin/v2", "github.com/alecthomas/kingpin",
        "github.com/prometheus/exporter-toolkit/web/kingpinflag", "github.com/prometheus/common/promlog/flag",
        "github.com/urfave/cli", "github.com/urfave/cli/v2", "github.com/urfave/cli/v3",
        "gopkg.in/urfave/cli.v1", "gopkg.in/urfave/cli.v2",
    }
)  # fmt: skip
_CONTEXT_LIMIT = 4000  # characters looked at around a match (a chained call, a struct literal)
# Candidates examined per shape and file: far above any real file, and a generated one with a
# million `Addr: ":80"` lines costs no more than a few hundred of them.
_MAX_CANDIDATES = 500


@dataclass(frozen=True, slots=True)
class PortHits:
    """Hits for listen calls and fields, flags (value: host, extra: port) and `PORT` (value: port, extra: host)."""

    listens: tuple[Hit, ...] = NO_HITS
    flags: tuple[Hit, ...] = NO_HITS
    env: tuple[Hit, ...] = NO_HITS


NO_PORTS = PortHits()


def scan_ports(text: str, imports: tuple[str, ...]) -> PortHits:
    """The listen addresses of one file's text (its imports decide which shapes can occur)."""
    listen = _may_listen(text, imports) and _ADDR_LITERAL.search(text) is not None
    flags = _may_flag(text, imports)
    env = "os" in imports and '"PORT"' in text
    if not (listen or flags or env):
        return NO_PORTS
    source = _Source(text, skeleton(text))
    return PortHits(
        _sorted(_listen_hits(source)) if listen else NO_HITS,
        _sorted(_flag_hits(source)) if flags else NO_HITS,
        _sorted(_env_hits(source)) if env else NO_HITS,
    )


def _may_listen(text: str, imports: tuple[str, ...]) -> bool:
    """A listen call or an address field can occur (`BindAddress:` holds "Addr"; a bare `Bind:` is not looked for)."""
    markers = "Listen" in text or "Run(" in text or "Start(" in text or "Serve(" in text or "Addr" in text
    return markers and (
        bool(_SERVER_IMPORTS.intersection(imports)) or any("." in path.split("/", 1)[0] for path in imports)
    )


def _may_flag(text: str, imports: tuple[str, ...]) -> bool:
    """A flag library is imported (looked at first: most files import none) and a flag is defined."""
    return not _FLAG_LIBRARIES.isdisjoint(imports) and ("flag." in text or "Flag" in text)


def skeleton(text: str) -> str:
    """`text` with comments blanked and string contents replaced by NUL, newlines and offsets kept."""
    return _TOKEN.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    token = match.group(0)
    first = token[0]
    if first in {"/", "'"}:
        return _NOT_NEWLINE.sub(" ", token) if "\n" in token else " " * len(token)
    closed = len(token) > 1 and token[-1] == first
    body = token[1:-1] if closed else token[1:]
    body = _NOT_NEWLINE.sub("\x00", body) if "\n" in body else "\x00" * len(body)
    return '"' + body + ('"' if closed else "")


@dataclass(frozen=True, slots=True)
class _Source:
    text: str
    skel: str
    lines: LineIndex = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", LineIndex(self.text))

    def literal(self, match: re.Match[str], group: int | str) -> str:
        """The contents of the string literal a skeleton group matched, or the number as written."""
        start, end = match.span(group)
        return self.text[start + 1 : end - 1] if self.skel[start] == '"' else self.text[start:end]

    def hit(self, offset: int, host: str, port: str) -> Hit:
        return Hit(self.lines.line(offset), line_text(self.text, offset), host, port)


def _address(value: str, bare_ok: bool) -> tuple[str, str] | None:
    """(host, port) of `host:port`, `:port`, `[::]:port`, or a bare number when `bare_ok`."""
    match = _ADDRESS.fullmatch(value)
    if match is None or (match.group(1) is None and not bare_ok):
        return None
    return match.group(1) or "", match.group(2)


def name_words(name: str) -> list[str]:
    """`web.listen-address` -> web, listen, address; `HTTPPort` -> http, port."""
    return [word.lower() for word in _NAME_WORDS.findall(name)]


def address_name(name: str) -> bool:
    """Whether a flag or field name says the program's own address or port, not a place it connects to."""
    words = name_words(name)
    if any(word in _CLIENT_WORDS for word in words):
        return False
    return any(_address_word(word) for word in words)


def _address_word(word: str) -> bool:
    if word in _ADDRESS_WORDS or word.startswith(("listen", "bind")) or word.endswith(("addr", "address")):
        return True
    return word.endswith("port") and not word.endswith(_NOT_PORT)


def _listen_hits(source: _Source) -> Iterator[Hit]:
    """Address literals passed to a listen call or given to an address field."""
    skel = source.skel
    for literal in islice(_ADDR_LITERAL.finditer(source.text), _MAX_CANDIDATES):
        start, end = literal.span()
        if not _is_literal(skel, start, end):
            continue
        shape = _LISTEN_BEFORE.search(skel, max(0, start - _LOOK_BACK), start)
        if shape is None:
            continue
        field = shape.group("field")
        if field is not None and not (address_name(field) and not _in_client_literal(skel, shape.start())):
            continue
        if shape.group("net") is not None and source.literal(shape, "net") not in _TCP:
            continue
        found = _address(source.text[start + 1 : end - 1], bare_ok=False)
        if found is not None:
            yield source.hit(start, *found)


def _is_literal(skel: str, start: int, end: int) -> bool:
    """Whether text[start:end] is one whole string literal of the code (not in a comment or another string)."""
    return skel[start] == '"' and skel[end - 1] == '"' and skel.count("\x00", start + 1, end - 1) == end - start - 2


def _address_hit(source: _Source, match: re.Match[str], group: int | str, bare_ok: bool) -> Iterator[Hit]:
    found = _address(source.literal(match, group), bare_ok)
    if found is not None:
        yield source.hit(match.start(group), *found)


def _in_client_literal(skel: str, offset: int) -> bool:
    """Whether `offset` is inside a composite literal of a client's options type (`redis.Options{...}`)."""
    depth = 0
    low = max(0, offset - _CONTEXT_LIMIT)
    for brace in reversed(list(_BRACES.finditer(skel, low, offset))):
        if brace.group(0) == "}":
            depth += 1
        elif depth:
            depth -= 1
        else:
            found = _TYPE_BEFORE.search(skel, max(0, brace.start() - 200), brace.start())
            words = name_words(found.group(1)) if found else []
            return "server" not in words and any(word in _CLIENT_TYPE_WORDS or word == "redis" for word in words)
    return False


def _flag_hits(source: _Source) -> Iterator[Hit]:
    skel = source.skel
    for match in islice(_FLAG_CALL.finditer(skel), _MAX_CANDIDATES):
        if address_name(source.literal(match, "name")):
            yield from _address_hit(source, match, "value", bare_ok=True)
    if ".Flag(" in skel:
        yield from _kingpin_hits(source)
    if "AddFlags(" in skel:
        for match in islice(_KINGPIN_ADD_FLAGS.finditer(skel), _MAX_CANDIDATES):
            yield from _address_hit(source, match, 1, bare_ok=False)
    if "cli." in skel:
        yield from _urfave_hits(source)


def _kingpin_hits(source: _Source) -> Iterator[Hit]:
    """`.Flag(name, help)` followed, in the same chain of calls, by `.Default(value)`."""
    skel = source.skel
    for match in islice(_KINGPIN_FLAG.finditer(skel), _MAX_CANDIDATES):
        if not address_name(source.literal(match, 1)):
            continue
        default = _chain_default(skel, match.start() + len(".Flag("))
        if default is not None:
            yield from _address_hit(source, default, 1, bare_ok=True)


def _chain_default(skel: str, inside: int) -> re.Match[str] | None:
    """The first string argument of `.Default(...)` in the call chain whose first call's `(` ends at `inside`."""
    end = _closing(skel, inside, _PARENS, "(")
    while end is not None and end - inside < _CONTEXT_LIMIT:
        call = _CHAIN_CALL.match(skel, end)
        if call is None:
            return None
        if call.group(1) == "Default":
            return _STR_AT.match(skel, call.end())
        end = _closing(skel, call.end(), _PARENS, "(")
    return None


def _closing(skel: str, inside: int, pattern: re.Pattern[str], opener: str) -> int | None:
    """The offset just after the bracket closing the one opened right before `inside`."""
    depth = 1
    for bracket in pattern.finditer(skel, inside, inside + _CONTEXT_LIMIT):
        depth += 1 if bracket.group(0) == opener else -1
        if depth == 0:
            return bracket.end()
    return None


def _urfave_hits(source: _Source) -> Iterator[Hit]:
    """`cli.StringFlag{Name: "addr", Value: ":8080"}` (fields in any order, over several lines)."""
    skel = source.skel
    for match in islice(_URFAVE_FLAG.finditer(skel), _MAX_CANDIDATES):
        end = _closing(skel, match.end(), _BRACES, "{")
        if end is None:
            continue
        name = _URFAVE_NAME.search(skel, match.end(), end)
        value = _URFAVE_VALUE.search(skel, match.end(), end)
        if name is not None and value is not None and address_name(source.literal(name, 1)):
            yield from _address_hit(source, value, 1, bare_ok=True)


_ENV_WINDOW_LINES = 5


def _env_hits(source: _Source) -> Iterator[Hit]:
    """`os.Getenv("PORT")` and the first literal port on its line or the next few (value: port, extra: host)."""
    skel, text = source.skel, source.text
    start = text.find('"PORT"')
    for _ in range(_MAX_CANDIDATES):
        if start < 0:
            break
        end = start + len('"PORT"')
        if _is_literal(skel, start, end) and _ENV_BEFORE.search(skel, max(0, start - _LOOK_BACK), start):
            hit = _env_default(source, end)
            if hit is not None:
                yield hit
        start = text.find('"PORT"', end)


def _env_default(source: _Source, after: int) -> Hit | None:
    skel = source.skel
    window_end = after
    for _ in range(_ENV_WINDOW_LINES + 1):  # the rest of the line, then the next lines
        newline = skel.find("\n", window_end)
        window_end = newline + 1 if newline >= 0 else len(skel)
    for literal in _ANY_STR.finditer(skel, after, min(window_end, after + _CONTEXT_LIMIT)):
        value = source.literal(literal, 0)
        found = _address(value, bare_ok=True) if len(value.rsplit(":", 1)[-1]) >= 2 else None
        if found is not None:
            host, port = found
            return source.hit(literal.start(), port, host)
    return None


def _sorted(hits: Iterator[Hit]) -> tuple[Hit, ...]:
    return tuple(sorted(set(hits)))
