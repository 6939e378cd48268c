"""Listen addresses in Go source: listen calls, `Addr:` fields, flag defaults, a `PORT` default.

The shapes are matched on a *skeleton* of the file: comments blanked, and the contents of every
string literal replaced by NUL filler (a .go file holding a NUL byte is rejected before this
runs, so the filler never collides with the source). Offsets and line numbers are the
original's, so a literal found in the skeleton is read back from the source. A shape inside a
comment, or written inside another string (a usage text quoting `http.ListenAndServe(":80")`),
cannot match. The skeleton is built only for a file that passes a cheap substring pre-test.

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
from dataclasses import dataclass

from gogen.scan.lines import NO_HITS, Hit, line_of, line_text

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|`[^`]*`?|\'(?:[^\'\\\n]|\\.)*\'?|//[^\n]*|/\*.*?(?:\*/|\Z)', re.S)
_NOT_NEWLINE = re.compile(r"[^\n]")
_S = r'"\x00*"'  # a string literal in the skeleton
_STR_AT = re.compile(r"\s*(" + _S + r")")

_LISTEN_NET = re.compile(r"\bListen\s*\(\s*(?:[A-Za-z_]\w*\s*,\s*)?(" + _S + r")\s*,\s*(" + _S + ")")
_LISTEN_ADDR = re.compile(
    r"(?:\bListenAndServe(?:TLS)?|\.Listen(?:TLS)?|\.Run(?:TLS)?|\.Start(?:TLS)?|\.Serve)\s*\(\s*(" + _S + ")"
)
_ADDR_FIELD = re.compile(r"(?<![\w.])(\w*(?:Addr|Address|Listen|Bind)\w*)\s*:(?!=)\s*(" + _S + ")")
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
_URFAVE_FLAG = re.compile(r"\bcli\.(?:String|Int|Int64|Uint|Uint64|Generic)Flag\s*\{")
_URFAVE_NAME = re.compile(r"\bName\s*:\s*(" + _S + ")")
_URFAVE_VALUE = re.compile(r"\bValue\s*:\s*(" + _S + r"|\d+)")
_ENV_CALL = re.compile(r"\b(?:Getenv|LookupEnv)\(\s*(" + _S + r")\s*\)")
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
_CONTEXT_LIMIT = 4000  # characters looked at around a match (a chained call, a struct literal)


@dataclass(frozen=True, slots=True)
class PortHits:
    """Hits for listen calls and fields, flags (value: host, extra: port) and `PORT` (value: port, extra: host)."""

    listens: tuple[Hit, ...] = NO_HITS
    flags: tuple[Hit, ...] = NO_HITS
    env: tuple[Hit, ...] = NO_HITS


NO_PORTS = PortHits()


def scan_ports(text: str, imports: tuple[str, ...]) -> PortHits:
    """The listen addresses of one file's text (its imports decide which shapes can occur)."""
    listen = _may_listen(text, imports)
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
    markers = "Listen" in text or "Run(" in text or "Start(" in text or "Serve(" in text
    markers = markers or "Addr" in text or "Bind" in text
    return markers and (
        bool(_SERVER_IMPORTS.intersection(imports)) or any("." in path.split("/", 1)[0] for path in imports)
    )


def _may_flag(text: str, imports: tuple[str, ...]) -> bool:
    return ("flag." in text or "Flag" in text) and any(_flag_library(path) for path in imports)


def _flag_library(path: str) -> bool:
    return (
        path == "flag"
        or path.endswith(("/flag", "/pflag", "/cobra", "/kingpinflag"))
        or "kingpin" in path
        or "urfave/cli" in path
    )


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

    def literal(self, match: re.Match[str], group: int | str) -> str:
        """The contents of the string literal a skeleton group matched, or the number as written."""
        start, end = match.span(group)
        return self.text[start + 1 : end - 1] if self.skel[start] == '"' else self.text[start:end]

    def hit(self, offset: int, host: str, port: str) -> Hit:
        return Hit(line_of(self.text, offset), line_text(self.text, offset), host, port)


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
    skel = source.skel
    if "Listen" in skel:
        for match in _LISTEN_NET.finditer(skel):
            if source.literal(match, 1) in _TCP:
                yield from _address_hit(source, match, 2, bare_ok=False)
    for match in _LISTEN_ADDR.finditer(skel):
        yield from _address_hit(source, match, 1, bare_ok=False)
    for match in _ADDR_FIELD.finditer(skel):
        if address_name(match.group(1)) and not _in_client_literal(skel, match.start()):
            yield from _address_hit(source, match, 2, bare_ok=False)


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
    for match in _FLAG_CALL.finditer(skel):
        if address_name(source.literal(match, "name")):
            yield from _address_hit(source, match, "value", bare_ok=True)
    if ".Flag(" in skel:
        yield from _kingpin_hits(source)
    if "AddFlags(" in skel:
        for match in _KINGPIN_ADD_FLAGS.finditer(skel):
            yield from _address_hit(source, match, 1, bare_ok=False)
    if "cli." in skel:
        yield from _urfave_hits(source)


def _kingpin_hits(source: _Source) -> Iterator[Hit]:
    """`.Flag(name, help)` followed, in the same chain of calls, by `.Default(value)`."""
    skel = source.skel
    for match in _KINGPIN_FLAG.finditer(skel):
        if not address_name(source.literal(match, 1)):
            continue
        default = _chain_default(skel, match.start() + len(".Flag("))
        if default is not None:
            yield from _address_hit(source, default, 1, bare_ok=True)


def _chain_default(skel: str, inside: int) -> re.Match[str] | None:
    """The first string argument of `.Default(...)` in the call chain whose first call's `(` ends at `inside`."""
    end = _closing(skel, inside, _PARENS, "(")
    while end is not None:
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
    for match in _URFAVE_FLAG.finditer(skel):
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
    skel = source.skel
    for match in _ENV_CALL.finditer(skel):
        if source.literal(match, 1) != "PORT":
            continue
        window_end = match.end()
        for _ in range(_ENV_WINDOW_LINES + 1):  # the rest of the line, then the next lines
            newline = skel.find("\n", window_end)
            window_end = newline + 1 if newline >= 0 else len(skel)
        for literal in _ANY_STR.finditer(skel, match.end(), window_end):
            value = source.literal(literal, 0)
            found = _address(value, bare_ok=True) if len(value.rsplit(":", 1)[-1]) >= 2 else None
            if found is not None:
                host, port = found
                yield source.hit(literal.start(), port, host)
                break


def _sorted(hits: Iterator[Hit]) -> tuple[Hit, ...]:
    return tuple(sorted(set(hits)))
