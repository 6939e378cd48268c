"""gogen/registry.py against real HTTP servers on 127.0.0.1.

Each test starts `http.server` servers in threads that speak the pieces of the distribution
API the client uses (manifests, tag lists, the anonymous bearer token flow, redirects), and
misbehave the ways an untrusted registry can. Nothing in the client is replaced: it opens real
sockets. Digests are computed here from the bytes served.
"""

from __future__ import annotations

import hashlib
import json
import socket
import string
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gogen import __version__
from gogen.errors import GogenError
from gogen.registry import (
    DOCKER_HUB,
    MANIFEST_TYPES,
    MAX_MANIFEST_BYTES,
    MAX_TOKEN_ANSWER_BYTES,
    MAX_TOKEN_CHARS,
    OCI_INDEX,
    Challenge,
    Client,
    Reference,
    RegistryError,
    base_url,
    parse_challenges,
)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REPO = "library/golang"
SCOPE = f"repository:{REPO}:pull"
SERVICE = "registry.test"
TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIifQ.c2lnbmF0dXJl"
INDEX = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": "sha256:" + "1" * 64,
                "size": 1234,
                "platform": {"architecture": "amd64", "os": "linux"},
            }
        ],
    },
    indent=3,
).encode()
INDEX_DIGEST = "sha256:" + hashlib.sha256(INDEX).hexdigest()


# --- the servers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One request a server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    content_length: bool = True
    """False: no Content-Length, the body ends when the connection closes."""
    drip: float = 0.0
    """Seconds between the body's bytes: a server that answers too slowly."""


Route = Callable[[Seen], Reply]


def _always(reply: Reply) -> Route:
    return lambda _seen: reply


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that stops reading an oversized body breaks the pipe: expected here."""


class Server:
    """An HTTP server on 127.0.0.1 with a free port, answering from `routes`, recording requests."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.answer(self, "GET")

            def do_HEAD(self) -> None:
                outer.answer(self, "HEAD")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = _Quiet(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def route(self, method: str, path: str, route: Route | Reply) -> None:
        self.routes[(method, path)] = route if callable(route) else _always(route)

    def requests(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        headers = {name.lower(): value for name, value in handler.headers.items()}
        seen = Seen(method, parts.path, parse_qs(parts.query), headers)
        self.seen.append(seen)
        route = self.routes.get((method, parts.path))
        reply = route(seen) if route else Reply(404, body=b'{"errors":[{"code":"NAME_UNKNOWN","message":"no route"}]}')
        handler.send_response(reply.status)
        for name, value in reply.headers:
            handler.send_header(name, value)
        if reply.content_length:
            handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        if method != "HEAD" and reply.drip:
            for byte in reply.body:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(reply.drip)
        elif method != "HEAD":
            handler.wfile.write(reply.body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[], Server]]:
    started: list[Server] = []

    def start() -> Server:
        started.append(Server())
        return started[-1]

    yield start
    for server in started:
        server.close()


@pytest.fixture
def server(serve: Callable[[], Server]) -> Server:
    return serve()


def manifest(body: bytes = INDEX, *, digest_header: bool = True, needs_index: bool = True) -> Route:
    """A manifest endpoint: 404 unless the Accept header names the OCI index type (so a test
    that gets the digest proves the header is sent)."""

    def route(seen: Seen) -> Reply:
        if needs_index and OCI_INDEX not in seen.headers.get("accept", ""):
            return Reply(404, body=b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
        headers = [("Content-Type", OCI_INDEX)]
        if digest_header:
            headers.append(("Docker-Content-Digest", "sha256:" + hashlib.sha256(body).hexdigest()))
        return Reply(200, tuple(headers), body)

    return route


def bearer(realm: str, inner: Route, token: str = TOKEN, challenge: str | None = None) -> Route:
    """`inner` behind a bearer token: a 401 with a challenge until `token` is presented."""
    header = challenge or f'Bearer realm="{realm}",service="{SERVICE}",scope="{SCOPE}"'

    def route(seen: Seen) -> Reply:
        if seen.headers.get("authorization") != f"Bearer {token}":
            return Reply(401, (("WWW-Authenticate", header),), b'{"errors":[{"code":"UNAUTHORIZED"}]}')
        return inner(seen)

    return route


def token_service(token: str = TOKEN, key: str = "token", scope: str = SCOPE) -> Route:
    """A token realm that issues `token` only for the expected service and scope."""

    def route(seen: Seen) -> Reply:
        if seen.query.get("service") != [SERVICE] or seen.query.get("scope") != [scope]:
            return Reply(400, body=b'{"details":"wrong service or scope"}')
        body = json.dumps({key: token, "expires_in": 300}).encode()
        return Reply(200, (("Content-Type", "application/json"),), body)

    return route


def protected_registry(server: Server, inner: Route, path: str = f"/v2/{REPO}/manifests/1.27") -> None:
    """`server` as a registry whose manifest (HEAD and GET) needs a token from its own /token realm."""
    server.route("GET", "/token", token_service())
    server.route("HEAD", path, bearer(f"{server.url}/token", inner))
    server.route("GET", path, bearer(f"{server.url}/token", inner))


def one_line(error: pytest.ExceptionInfo[RegistryError]) -> str:
    text = str(error.value)
    assert "\n" not in text and "\r" not in text
    return text


# --- references ------------------------------------------------------------------------------

HEX = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("text", "registry_host", "repository", "tag", "digest"),
    [
        ("golang:1.27", DOCKER_HUB, "library/golang", "1.27", None),
        ("golang", DOCKER_HUB, "library/golang", "latest", None),
        ("docker.io/golang:1.27", DOCKER_HUB, "library/golang", "1.27", None),
        ("index.docker.io/library/golang:1.27-alpine", DOCKER_HUB, "library/golang", "1.27-alpine", None),
        ("docker/dockerfile:1.20", DOCKER_HUB, "docker/dockerfile", "1.20", None),
        ("gcr.io/distroless/static-debian13:nonroot", "gcr.io", "distroless/static-debian13", "nonroot", None),
        ("cgr.dev/chainguard/static:latest", "cgr.dev", "chainguard/static", "latest", None),
        ("127.0.0.1:5000/library/golang:1.27", "127.0.0.1:5000", "library/golang", "1.27", None),
        (f"host:5000/a/b:tag@sha256:{HEX}", "host:5000", "a/b", "tag", f"sha256:{HEX}"),
        (f"golang@sha256:{HEX}", DOCKER_HUB, "library/golang", None, f"sha256:{HEX}"),
        ("localhost/app", "localhost", "app", "latest", None),
        ("localhost:5000/app:v1", "localhost:5000", "app", "v1", None),
        ("[::1]:5000/app:v1", "[::1]:5000", "app", "v1", None),
        ("ghcr.io/org/sub/app_name__x.y-z:V1_2.3-rc.1", "ghcr.io", "org/sub/app_name__x.y-z", "V1_2.3-rc.1", None),
        ("registry-1.docker.io/golang:1", "registry-1.docker.io", "golang", "1", None),
        ("Foo/bar", "Foo", "bar", "latest", None),
    ],
)
def test_references_normalise_like_docker(
    text: str, registry_host: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = Reference.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry_host, repository, tag, digest)
    assert Reference.parse(str(ref)) == ref


def test_two_spellings_of_one_image_are_equal_and_keep_their_name() -> None:
    short, long = Reference.parse("golang:1.27"), Reference.parse("docker.io/library/golang:1.27")
    assert short == long
    assert (short.name, long.name) == ("golang", "docker.io/library/golang")
    assert short.pinned(f"sha256:{HEX}") == f"golang:1.27@sha256:{HEX}"
    assert Reference.parse("golang").pinned(f"sha256:{HEX}") == f"golang:latest@sha256:{HEX}"
    assert Reference.parse(f"golang@sha256:{'0' * 64}").pinned(f"sha256:{HEX}") == f"golang@sha256:{HEX}"
    with pytest.raises(RegistryError, match="sha256"):
        short.pinned("sha256:short")


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("", "empty"),
        ("Golang:1.27", "must be lowercase"),
        ("gcr.io/Distroless/static", "must be lowercase"),
        ("golang:", "a tag is"),
        ("golang:-x", "a tag is"),
        ("golang:" + "x" * 129, "a tag is"),
        ("golang@sha256:abc", "a digest is"),
        (f"golang@sha512:{HEX}{HEX}", "a digest is"),
        (f"golang@sha256:{HEX.upper()}", "a digest is"),
        ("a//b", "repository path components"),
        ("gcr.io/", "repository path components"),
        ("my_host.io/x", "not a registry host"),
        ("-bad.io/x", "not a registry host"),
        ("[::g]/x", "not a registry host"),
        ("[1:2:3:4:5:6:7:8:9]:5000/x", "not an IPv6 address"),
        ("host:70000/x", "out of range"),
        ("a b", "repository path components"),
        ("golang:1.27\n", "a tag is"),
        (HEX, "image ID"),
        ("a/" + "b" * 300, "longer than 255"),
        ("x" * 600, "longer than 512"),
    ],
)
def test_invalid_references_are_registry_errors_that_say_what_is_wrong(text: str, what: str) -> None:
    with pytest.raises(RegistryError) as error:
        Reference.parse(text)
    message = one_line(error)
    assert what in message
    assert f"invalid image reference {text[:200]!r}: " in message


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("127.8.9.10", "http://127.8.9.10"),
        ("localhost", "http://localhost"),
        ("LOCALHOST:5000", "http://LOCALHOST:5000"),
        ("[::1]:5000", "http://[::1]:5000"),
        ("[::1]", "http://[::1]"),
        ("128.0.0.1:5000", "https://128.0.0.1:5000"),
        ("localhost.example.com", "https://localhost.example.com"),
        (DOCKER_HUB, "https://registry-1.docker.io"),
        ("gcr.io", "https://gcr.io"),
    ],
)
def test_only_loopback_registries_are_read_over_http(host: str, url: str) -> None:
    assert base_url(host) == url


# --- WWW-Authenticate -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
            'scope="repository:library/golang:pull"',
            [
                Challenge(
                    "bearer",
                    {
                        "realm": "https://auth.docker.io/token",
                        "service": "registry.docker.io",
                        "scope": "repository:library/golang:pull",
                    },
                )
            ],
        ),
        (
            'BEARER Realm = "https://a/t?x=1,2" , Scope="repository:a:pull,push",error=insufficient_scope',
            [
                Challenge(
                    "bearer",
                    {"realm": "https://a/t?x=1,2", "scope": "repository:a:pull,push", "error": "insufficient_scope"},
                )
            ],
        ),
        (
            'Basic realm="a, \\"b\\"", charset=UTF-8, Bearer realm="x", Negotiate, Basic dXNlcjpwYXNz==',
            [
                Challenge("basic", {"realm": 'a, "b"', "charset": "UTF-8"}),
                Challenge("bearer", {"realm": "x"}),
                Challenge("negotiate", {}),
                Challenge("basic", {}),
            ],
        ),
        (' , Bearer realm=""\t,', [Challenge("bearer", {"realm": ""})]),
        ("", []),
    ],
)
def test_www_authenticate_challenges_are_parsed_per_rfc_9110(header: str, expected: list[Challenge]) -> None:
    assert parse_challenges(header) == expected


@pytest.mark.parametrize(
    ("header", "what"),
    [
        ('Bearer realm="unterminated', "expected name=value"),
        ('Bearer realm="x" service="y"', "unexpected 's'"),
        ('=realm="x"', "expected an authentication scheme"),
        ('Bearer realm="x", realm="y"', "appears twice"),
        ('Bearer realm="a\x01b"', "expected name=value"),
        ('Bearer realm="x", scope=', "unexpected '='"),
        ("Bearer realm=x y", "unexpected 'y'"),
        ("Bearer " + "a=b, " * 5000, "longer than"),
    ],
)
def test_malformed_challenges_are_registry_errors(header: str, what: str) -> None:
    with pytest.raises(RegistryError) as error:
        parse_challenges(header)
    assert what in one_line(error)
    assert "malformed WWW-Authenticate header" in str(error.value)


# --- properties -------------------------------------------------------------------------------

LOWER = string.ascii_lowercase + string.digits
COMPONENT = st.builds(
    lambda first, rest: first + "".join(sep + part for sep, part in rest),
    st.text(LOWER, min_size=1, max_size=6),
    st.lists(
        st.tuples(st.sampled_from([".", "_", "__", "-", "---"]), st.text(LOWER, min_size=1, max_size=6)), max_size=2
    ),
)
PATH = st.lists(COMPONENT, min_size=1, max_size=3).map("/".join)
DOMAIN = st.sampled_from(
    [
        "",
        "gcr.io",
        "docker.io",
        "index.docker.io",
        "localhost",
        "localhost:5000",
        "127.0.0.1:5000",
        "[::1]:5000",
        "reg-1.Example.COM:443",
        "a.b.c.d",
    ]
)
TAG = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(string.ascii_letters + string.digits + "_"),
    st.text(string.ascii_letters + string.digits + "_.-", max_size=30),
)
DIGEST = st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda hexes: f"sha256:{hexes}")


@st.composite
def references(draw: st.DrawFn) -> tuple[str, str, str, str | None, str | None]:
    """A valid reference's text and what it must parse to."""
    domain, path = draw(DOMAIN), draw(PATH)
    if not domain and "/" in path and "." in path.split("/")[0]:
        path = "x" + path.replace(".", "-")
    tag, digest = draw(st.none() | TAG), draw(st.none() | DIGEST)
    text = (f"{domain}/" if domain else "") + path + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    hub = domain in ("", "docker.io", "index.docker.io")
    repository = f"library/{path}" if hub and "/" not in path else path
    expected_tag = tag or (None if digest else "latest")
    return text, DOCKER_HUB if hub else domain, repository, expected_tag, digest


@FUZZ
@given(references())
def test_valid_references_parse_to_their_parts_and_round_trip(
    case: tuple[str, str, str, str | None, str | None],
) -> None:
    text, registry_host, repository, tag, digest = case
    ref = Reference.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry_host, repository, tag, digest)
    again = Reference.parse(str(ref))
    assert again == ref and str(again) == str(ref)
    pinned = Reference.parse(ref.pinned(f"sha256:{HEX}"))
    assert (pinned.registry, pinned.repository, pinned.tag, pinned.digest) == (
        registry_host,
        repository,
        tag,
        f"sha256:{HEX}",
    )


REFERENCE_ALPHABET = string.ascii_letters + string.digits + "/:@._-[]" + "\n \x00é"


@FUZZ
@given(st.text(REFERENCE_ALPHABET, max_size=80) | st.text(max_size=80) | references().map(lambda case: case[0] + "x"))
def test_any_text_parses_or_is_a_registry_error(text: str) -> None:
    try:
        ref = Reference.parse(text)
    except RegistryError as error:
        assert "\n" not in str(error)
        return
    assert Reference.parse(str(ref)) == ref
    assert ref.repository == ref.repository.lower()


HEADER_ALPHABET = 'Bearer realm="=, \\\t;Basic' + "\x00\x7f\xe9\u0101"
SCHEME = st.text(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~", min_size=1, max_size=8)
NAME = st.text(string.ascii_lowercase + string.digits + "-_.", min_size=1, max_size=8)
VALUE = st.text(st.characters(codec="latin-1", exclude_categories=["Cc"]) | st.sampled_from("\t "), max_size=20)


@FUZZ
@given(st.text(HEADER_ALPHABET, max_size=60) | st.text(max_size=60))
def test_any_header_parses_or_is_a_registry_error(header: str) -> None:
    try:
        challenges = parse_challenges(header)
    except RegistryError as error:
        assert str(error).startswith("malformed WWW-Authenticate header")
        return
    for challenge in challenges:
        assert challenge.scheme == challenge.scheme.lower()
        assert all(name == name.lower() for name in challenge.params)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@FUZZ
@given(st.lists(st.tuples(SCHEME, st.dictionaries(NAME, VALUE, max_size=4)), min_size=1, max_size=3))
def test_formatted_challenges_parse_back(challenges: list[tuple[str, dict[str, str]]]) -> None:
    header = ", ".join(
        f"{scheme} " + ", ".join(f"{name}={_quote(value)}" for name, value in params.items()) if params else scheme
        for scheme, params in challenges
    )
    assert parse_challenges(header) == [Challenge(scheme.lower(), params) for scheme, params in challenges]


# --- digests ----------------------------------------------------------------------------------


def test_digest_goes_through_the_bearer_token_flow(server: Server) -> None:
    protected_registry(server, manifest())
    path = f"/v2/{REPO}/manifests/1.27"
    assert Client().digest(f"{server.host}/{REPO}:1.27") == INDEX_DIGEST
    heads = server.requests(path)
    assert [seen.method for seen in heads] == ["HEAD", "HEAD"], "no GET: the HEAD answer carried the digest"
    assert "authorization" not in heads[0].headers
    assert heads[1].headers["authorization"] == f"Bearer {TOKEN}"
    (token_request,) = server.requests("/token")
    assert token_request.query == {"service": [SERVICE], "scope": [SCOPE]}
    assert "authorization" not in token_request.headers
    assert heads[1].headers["user-agent"] == f"gogen/{__version__}"


def test_the_accept_header_lists_indexes_first() -> None:
    assert MANIFEST_TYPES == (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )


def test_the_accept_header_is_sent(server: Server) -> None:
    server.route("HEAD", "/v2/app/manifests/v1", manifest())
    assert Client(user_agent="test-agent/1").digest(f"{server.host}/app:v1") == INDEX_DIGEST
    (head,) = server.seen
    assert head.headers["accept"] == ", ".join(MANIFEST_TYPES)
    assert head.headers["user-agent"] == "test-agent/1"


def test_without_docker_content_digest_the_manifest_bytes_are_hashed(server: Server) -> None:
    body = INDEX.replace(b"   ", b"\t") + b"\n"
    protected_registry(server, manifest(body, digest_header=False))
    assert Client().digest(f"{server.host}/{REPO}:1.27") == "sha256:" + hashlib.sha256(body).hexdigest()
    assert [seen.method for seen in server.requests(f"/v2/{REPO}/manifests/1.27")] == ["HEAD", "HEAD", "GET"]
    get = server.requests(f"/v2/{REPO}/manifests/1.27")[-1]
    assert get.headers["accept"] == ", ".join(MANIFEST_TYPES)
    assert get.headers["authorization"] == f"Bearer {TOKEN}", "the cached token is sent first"
    assert len(server.requests("/token")) == 1


def test_tokens_are_cached_per_registry_and_scope(server: Server) -> None:
    protected_registry(server, manifest())
    other_scope = "repository:library/alpine:pull"
    server.route("GET", "/token2", token_service("other-token", scope=other_scope))
    alpine = bearer(f"{server.url}/token2", manifest(), token="other-token")
    server.route("HEAD", "/v2/library/alpine/manifests/3", alpine)
    client = Client()
    for _ in range(3):
        assert client.digest(f"{server.host}/{REPO}:1.27") == INDEX_DIGEST
    assert client.digest(f"{server.host}/library/alpine:3") == INDEX_DIGEST
    assert len(server.requests("/token")) == 1
    assert len(server.requests("/token2")) == 1
    assert len(server.requests(f"/v2/{REPO}/manifests/1.27")) == 4, "one 401, then three with the cached token"


def test_a_refused_cached_token_is_fetched_again(server: Server) -> None:
    issued = iter(["first", "second"])
    current = {"token": ""}

    def realm(seen: Seen) -> Reply:
        current["token"] = next(issued)
        return Reply(200, body=json.dumps({"access_token": current["token"]}).encode())

    def head(seen: Seen) -> Reply:
        return bearer(f"{server.url}/token", manifest(), token=current["token"])(seen)

    server.route("GET", "/token", realm)
    server.route("HEAD", "/v2/app/manifests/v1", head)
    client = Client()
    assert client.digest(f"{server.host}/app:v1") == INDEX_DIGEST
    current["token"] = "rotated"
    assert client.digest(f"{server.host}/app:v1") == INDEX_DIGEST
    assert len(server.requests("/token")) == 2
    sent = [seen.headers.get("authorization") for seen in server.requests("/v2/app/manifests/v1")]
    assert sent == [None, "Bearer first", "Bearer first", "Bearer second"]


def test_a_digest_only_reference_is_checked(server: Server) -> None:
    server.route("HEAD", f"/v2/app/manifests/{INDEX_DIGEST}", manifest())
    assert Client().digest(f"{server.host}/app@{INDEX_DIGEST}") == INDEX_DIGEST
    other = f"sha256:{HEX}"
    server.route("HEAD", f"/v2/app/manifests/{other}", manifest())
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app@{other}")
    assert f"answered {INDEX_DIGEST}" in one_line(error) and "differ" in str(error.value)


def test_a_pinned_reference_with_a_tag_is_resolved_by_its_tag(server: Server) -> None:
    server.route("HEAD", "/v2/app/manifests/v1", manifest())
    assert Client().digest(f"{server.host}/app:v1@sha256:{HEX}") == INDEX_DIGEST
    assert [seen.path for seen in server.seen] == ["/v2/app/manifests/v1"]


@pytest.mark.parametrize("header", ["md5:abc", f"sha256:{HEX.upper()}", f"sha256:{HEX}\x1b[31m", ""])
def test_an_invalid_digest_header_is_refused(server: Server, header: str) -> None:
    server.route("HEAD", "/v2/app/manifests/v1", Reply(200, (("Docker-Content-Digest", header),)))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert f"{server.host} sent an invalid Docker-Content-Digest for {server.host}/app:v1" in one_line(error)
    assert "\x1b" not in str(error.value)


def test_a_missing_tag_is_a_not_found_error(server: Server) -> None:
    server.route("HEAD", "/v2/app/manifests/v9", Reply(404))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v9")
    assert one_line(error).startswith(f"{server.host}/app:v9 not found on {server.host} (HTTP 404)")
    assert error.value.hint is not None and "tag" in error.value.hint


def test_without_the_accept_header_the_test_registry_answers_404(server: Server) -> None:
    """The manifest route itself refuses a request that does not accept an index."""
    server.route("GET", "/v2/app/manifests/v1", manifest())
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{server.url}/v2/app/manifests/v1", timeout=5)
    assert error.value.code == 404
    error.value.close()


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            500,
            b'{"errors":[{"code":"UNKNOWN","message":"storage\\nfailed"}]}',
            "answered HTTP 500: UNKNOWN: storage\\nfailed",
        ),
        (502, b"<html>bad gateway</html>", "answered HTTP 502 for"),
        (429, b'{"errors":[{"code":"TOOMANYREQUESTS"}]}', "limits anonymous requests"),
        (403, b'{"errors":[{"code":"DENIED"}]}', "wants credentials"),
    ],
)
def test_other_statuses_are_one_line_errors(server: Server, status: int, body: bytes, expected: str) -> None:
    server.route("GET", "/v2/app/tags/list", Reply(status, body=body))
    with pytest.raises(RegistryError) as error:
        Client().tags(f"{server.host}/app")
    message = one_line(error)
    assert expected in message
    assert server.host in message and f"{server.host}/app" in message


# --- authentication failures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ('Basic realm="Registry Realm"', "Basic authentication"),
        ('Bearer service="x",scope="y"', "a Bearer challenge without a token realm"),
        ('Bearer realm=""', "a Bearer challenge without a token realm"),
        (None, "HTTP 401 without a WWW-Authenticate challenge"),
    ],
)
def test_a_registry_that_wants_credentials_is_an_error_with_the_way_out(
    server: Server, header: str | None, why: str
) -> None:
    headers = (("WWW-Authenticate", header),) if header is not None else ()
    server.route("HEAD", "/v2/app/manifests/v1", Reply(401, headers))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert one_line(error).startswith(f"{server.host} wants credentials for {server.host}/app:v1 ({why})")
    assert "gogen resolves images anonymously" in str(error.value)
    assert error.value.hint is not None and "[images.digests]" in error.value.hint
    assert "mirror" in error.value.hint


def test_a_malformed_challenge_is_an_error(server: Server) -> None:
    server.route("HEAD", "/v2/app/manifests/v1", Reply(401, (("WWW-Authenticate", 'Bearer realm="x'),)))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert f"{server.host} answered 401 for {server.host}/app:v1 with a malformed WWW-Authenticate" in one_line(error)


def test_a_refused_token_says_why(server: Server) -> None:
    refusal = f'Bearer realm="{server.url}/token",service="{SERVICE}",scope="{SCOPE}",error="insufficient_scope"'
    server.route("GET", "/token", token_service())
    server.route("HEAD", f"/v2/{REPO}/manifests/1.27", Reply(401, (("WWW-Authenticate", refusal),)))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/{REPO}:1.27")
    assert one_line(error).startswith(
        f"{server.host} refused the anonymous token for {server.host}/{REPO}:1.27 (insufficient_scope)"
    )
    assert [seen.headers.get("authorization") for seen in server.requests(f"/v2/{REPO}/manifests/1.27")] == [
        None,
        f"Bearer {TOKEN}",
    ]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(403, body=b'{"errors":[{"code":"DENIED","message":"requested access is denied"}]}'), "HTTP 403: DENIED"),
        (Reply(200, body=b"{not json"), "answered malformed JSON"),
        (Reply(200, body=b"[" * 100_000), "answered malformed JSON"),
        (Reply(200, body=b'{"expires_in": 60}'), "sent no token"),
        (Reply(200, body=b'["token"]'), "sent no token"),
        (
            Reply(200, body=json.dumps({"token": "a\r\nX-Injected: 1"}).encode()),
            "sent an invalid token (16 characters)",
        ),
        (Reply(200, body=json.dumps({"token": "t" * (MAX_TOKEN_CHARS + 1)}).encode()), "sent an invalid token"),
        (Reply(200, body=b" " * (MAX_TOKEN_ANSWER_BYTES + 1)), "is larger than 1 MiB"),
        (Reply(200, body=b" " * (MAX_TOKEN_ANSWER_BYTES + 1), content_length=False), "is larger than 1 MiB"),
    ],
)
def test_a_broken_token_service_is_an_error(server: Server, reply: Reply, expected: str) -> None:
    server.route("GET", "/token", reply)
    server.route("HEAD", f"/v2/{REPO}/manifests/1.27", bearer(f"{server.url}/token", manifest()))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/{REPO}:1.27")
    message = one_line(error)
    assert expected in message
    assert server.host in message and f"{REPO}:1.27" in message
    assert all("x-injected" not in seen.headers for seen in server.seen)


def test_a_token_realm_on_plain_http_elsewhere_is_refused(server: Server) -> None:
    challenge = 'Bearer realm="http://auth.example.com/token",service="s"'
    server.route("HEAD", "/v2/app/manifests/v1", bearer("", manifest(), challenge=challenge))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert "plain http on auth.example.com" in one_line(error)


def test_the_realm_keeps_its_own_query_and_may_be_another_loopback_host(serve: Callable[[], Server]) -> None:
    registry_server, auth = serve(), serve()
    auth.route("GET", "/auth/token", token_service())
    realm = f"http://localhost:{auth.port}/auth/token?account=anonymous"
    registry_server.route("HEAD", f"/v2/{REPO}/manifests/1.27", bearer(realm, manifest()))
    assert Client().digest(f"{registry_server.host}/{REPO}:1.27") == INDEX_DIGEST
    (request,) = auth.seen
    assert request.query == {"account": ["anonymous"], "service": [SERVICE], "scope": [SCOPE]}


# --- redirects --------------------------------------------------------------------------------


def test_a_redirect_to_another_host_does_not_carry_the_token(serve: Callable[[], Server]) -> None:
    origin, storage = serve(), serve()
    storage.route("HEAD", "/blobs/index", manifest())
    moved = Reply(307, (("Location", f"http://localhost:{storage.port}/blobs/index"),))
    protected_registry(origin, lambda _seen: moved)
    assert Client().digest(f"{origin.host}/{REPO}:1.27") == INDEX_DIGEST
    assert origin.requests(f"/v2/{REPO}/manifests/1.27")[-1].headers["authorization"] == f"Bearer {TOKEN}"
    (redirected,) = storage.seen
    assert redirected.method == "HEAD"
    assert "authorization" not in redirected.headers
    assert redirected.headers["accept"] == ", ".join(MANIFEST_TYPES)


def test_a_redirect_on_the_same_host_keeps_the_token(server: Server) -> None:
    protected_registry(server, lambda _seen: Reply(302, (("Location", "/v2/library/golang/manifests/moved"),)))
    server.route("HEAD", f"/v2/{REPO}/manifests/moved", bearer(f"{server.url}/token", manifest()))
    assert Client().digest(f"{server.host}/{REPO}:1.27") == INDEX_DIGEST
    assert server.requests(f"/v2/{REPO}/manifests/moved")[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_redirects_are_bounded(server: Server) -> None:
    for hop in range(10):
        server.route("HEAD", f"/hop/{hop}", Reply(301, (("Location", f"/hop/{hop + 1}"),)))
    server.route("HEAD", "/v2/app/manifests/v1", Reply(308, (("Location", "/hop/0"),)))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert f"{server.host} redirected more than 5 times for {server.host}/app:v1" in one_line(error)
    assert len(server.seen) == 6


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("http://example.com/x", "plain http on example.com"),
        ("file:///etc/passwd", "not an http(s) URL"),
        ("http://[::1/x", "invalid URL"),
        ("http://127.0.0.1:99999/x", "invalid URL"),
        ("/a b", "invalid URL"),
        (None, "without a Location"),
    ],
)
def test_bad_redirects_are_refused(server: Server, location: str | None, expected: str) -> None:
    headers = (("Location", location),) if location is not None else ()
    server.route("HEAD", "/v2/app/manifests/v1", Reply(302, headers))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert expected in one_line(error)
    assert len(server.seen) == 1


# --- tags -------------------------------------------------------------------------------------

ALL_TAGS = ["1.22", "1.22.0", "1.22.1", "1.23", "1.23-alpine", "1.27rc1", "latest"]


def paginated(server: Server, *, absolute_second_link: bool = True) -> Route:
    """The distribution registry's tag pagination: `n` per page, `last` as the cursor, a Link to
    the next page (relative, then absolute on the same host)."""

    def route(seen: Seen) -> Reply:
        size = int(seen.query["n"][0])
        last = seen.query.get("last", [""])[0]
        start = ALL_TAGS.index(last) + 1 if last else 0
        page = ALL_TAGS[start : start + size]
        headers: tuple[tuple[str, str], ...] = ()
        if start + size < len(ALL_TAGS):
            link = f"/v2/{REPO}/tags/list?n={size}&last={page[-1]}"
            if start and absolute_second_link:
                link = server.url + link
            headers = (("Link", f'<{link}>; rel="next"'),)
        body = json.dumps({"name": REPO, "tags": page}).encode()
        return Reply(200, (("Content-Type", "application/json"), *headers), body)

    return route


def test_tags_follow_the_link_header_through_every_page(server: Server) -> None:
    protected_registry(server, paginated(server), path=f"/v2/{REPO}/tags/list")
    assert Client().tags(f"{server.host}/{REPO}", page_size=3) == ALL_TAGS
    pages = [seen for seen in server.requests(f"/v2/{REPO}/tags/list") if "authorization" in seen.headers]
    assert [(seen.query["n"], seen.query.get("last")) for seen in pages] == [
        (["3"], None),
        (["3"], ["1.22.1"]),
        (["3"], ["1.27rc1"]),
    ]
    assert len(server.requests("/token")) == 1


def test_tags_ask_for_1000_a_page_by_default(server: Server) -> None:
    server.route("GET", f"/v2/{REPO}/tags/list", paginated(server))
    assert Client().tags(f"{server.host}/{REPO}") == ALL_TAGS
    assert server.seen[0].query == {"n": ["1000"]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"name": "app", "tags": null}', []),
        (b'{"name": "app", "tags": ["b", "a", "b"]}', ["b", "a"]),
    ],
)
def test_tag_lists_are_read_as_given(server: Server, body: bytes, expected: list[str]) -> None:
    server.route("GET", "/v2/app/tags/list", Reply(200, body=body))
    assert Client().tags(f"{server.host}/app") == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(200, body=b'{"tags": "1.22"}'), "is malformed"),
        (Reply(200, body=b'{"tags": [1]}'), "is malformed"),
        (Reply(200, body=b'{"tags": ["bad tag"]}'), "is malformed"),
        (Reply(200, body=b'{"name": "app"}'), "is malformed"),
        (Reply(200, body=b"not json"), "answered malformed JSON"),
        (Reply(200, body=b'{"tags": []}' + b" " * (4 << 20)), "is larger than 4 MiB"),
        (Reply(200, body=b'{"tags": []}' + b" " * (4 << 20), content_length=False), "is larger than 4 MiB"),
        (
            Reply(200, (("Link", '<http://localhost:1/v2/app/tags/list?last=a>; rel="next"'),), b'{"tags":[]}'),
            "links to another host (localhost:1)",
        ),
        (
            Reply(200, (("Link", '<https://other.example/v2/app/tags/list>; rel="next"'),), b'{"tags":[]}'),
            "links to another host (other.example)",
        ),
        (Reply(200, (("Link", '</v2/app/tags/list?n=1000>; rel="next"'),), b'{"tags":[]}'), "links back to a page"),
    ],
)
def test_a_broken_tag_list_is_an_error(server: Server, reply: Reply, expected: str) -> None:
    server.route("GET", "/v2/app/tags/list", reply)
    with pytest.raises(RegistryError) as error:
        Client().tags(f"{server.host}/app")
    message = one_line(error)
    assert expected in message
    assert server.host in message


def test_a_link_without_rel_next_ends_the_list(server: Server) -> None:
    links = '</v2/app/tags/list?last=a>; rel="prev", <https://elsewhere.example/>; rel=first'
    server.route("GET", "/v2/app/tags/list", Reply(200, (("Link", links),), b'{"tags":["a"]}'))
    assert Client().tags(f"{server.host}/app") == ["a"]


def test_tag_pages_are_bounded(server: Server) -> None:
    def endless(seen: Seen) -> Reply:
        page = int(seen.query.get("page", ["0"])[0])
        link = f'</v2/app/tags/list?page={page + 1}>; rel="next"'
        return Reply(200, (("Link", link),), json.dumps({"tags": [f"t{page}"]}).encode())

    server.route("GET", "/v2/app/tags/list", endless)
    with pytest.raises(RegistryError) as error:
        Client().tags(f"{server.host}/app")
    assert f"{server.host}'s tag list for {server.host}/app has more than 200 pages" in one_line(error)
    assert len(server.seen) == 200


# --- sizes and the network --------------------------------------------------------------------


@pytest.mark.parametrize("content_length", [True, False])
def test_an_oversized_manifest_is_refused(server: Server, content_length: bool) -> None:
    huge = Reply(200, (("Content-Type", OCI_INDEX),), b"{" + b" " * MAX_MANIFEST_BYTES + b"}", content_length)
    server.route("HEAD", "/v2/app/manifests/v1", Reply(200))
    server.route("GET", "/v2/app/manifests/v1", huge)
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert one_line(error) == f"{server.host}'s answer for {server.host}/app:v1 is larger than 4 MiB"


def test_a_manifest_of_exactly_the_limit_is_read(server: Server) -> None:
    body = b"{" + b" " * (MAX_MANIFEST_BYTES - 2) + b"}"
    server.route("HEAD", "/v2/app/manifests/v1", Reply(200))
    server.route("GET", "/v2/app/manifests/v1", Reply(200, body=body, content_length=False))
    assert Client().digest(f"{server.host}/app:v1") == "sha256:" + hashlib.sha256(body).hexdigest()


def test_a_closed_port_is_an_error_naming_the_host() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RegistryError) as error:
        Client(timeout=5).digest(f"127.0.0.1:{port}/app:v1")
    assert one_line(error).startswith(
        f"cannot read from 127.0.0.1:{port} for 127.0.0.1:{port}/app:v1: connection refused"
    )
    hint = error.value.hint
    assert hint is not None and f"gogen needs network access to 127.0.0.1:{port} to read its images" in hint


def test_a_silent_server_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        host = f"127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(RegistryError) as error:
            Client(timeout=0.3).tags(f"{host}/app")
    assert one_line(error)
    assert error.value.message == f"cannot read from {host} for {host}/app: timed out after 0.3s"


def test_an_answer_that_arrives_too_slowly_times_out(server: Server) -> None:
    """Each byte comes well within the timeout, the whole answer does not."""
    server.route("GET", "/v2/app/tags/list", Reply(200, body=b'{"tags": []}' + b" " * 200, drip=0.02))
    started = time.monotonic()
    with pytest.raises(RegistryError) as error:
        Client(timeout=0.2).tags(f"{server.host}/app")
    assert error.value.message == f"cannot read from {server.host} for {server.host}/app: timed out after 0.2s"
    assert time.monotonic() - started < 2


def test_an_unreachable_token_service_names_its_host_and_the_registry(server: Server) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server.route("HEAD", "/v2/app/manifests/v1", bearer(f"http://127.0.0.1:{port}/token", manifest()))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert one_line(error).startswith(f"cannot read from 127.0.0.1:{port} (for {server.host}) for {server.host}/app:v1")


def test_a_name_that_does_not_resolve_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolver is the operating system's; here it answers "no such name" without a network."""

    def no_such_name(host: str, *args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    for variable in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    with pytest.raises(RegistryError) as error:
        Client().digest("registry.invalid/app:v1")
    assert one_line(error) == (
        "cannot read from registry.invalid for registry.invalid/app:v1: the host name does not resolve (DNS) "
        "(gogen needs network access to registry.invalid to read its images; behind a proxy, set HTTPS_PROXY)"
    )


def test_errors_are_inert_gogen_errors(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    server.route("HEAD", "/v2/app/manifests/v1", Reply(404))
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{server.host}/app:v1")
    assert isinstance(error.value, GogenError) and error.value.exit_code == 2
    assert capsys.readouterr() == ("", "")


def test_client_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="timeout"):
        Client(timeout=0)
    with pytest.raises(ValueError, match="page_size"):
        Client().tags("127.0.0.1:1/app", page_size=0)
