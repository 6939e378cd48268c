"""A container registry client (the OCI distribution spec), standard library only.

`gogen pin` resolves image references to digests with it, and `gogen images update` reads the
golang image's tags. It reads anonymously, as `docker pull` does without a login: the bearer
token flow of Docker Hub, ghcr.io and the distribution registry, with no credentials. A
registry that wants credentials is an error that says how to pin by hand instead.

Every answer is untrusted input: bodies, pages, redirects and tokens are bounded, a token is
never sent to another host than the one it is for, and every failure is a one-line
RegistryError naming the registry and the reference.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from gogen import __version__
from gogen.errors import GogenError

DOCKER_HUB = "registry-1.docker.io"
"""Docker Hub's API host: where unqualified names and `docker.io/...` are pulled from."""
_DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io"})

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_TYPES = (OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST)
"""What `digest()` accepts, indexes first: a multi-platform image's digest is its index's, and a
registry that is not told it may send an index falls back to one platform's manifest."""

MAX_REFERENCE_CHARS = 512
MAX_NAME_CHARS = 255
MAX_MANIFEST_BYTES = 4 << 20
MAX_TAGS_PAGE_BYTES = 4 << 20
MAX_TAGS_BYTES = 32 << 20
MAX_TAG_PAGES = 200
MAX_TOKEN_ANSWER_BYTES = 1 << 20
MAX_TOKEN_CHARS = 32 << 10
MAX_ERROR_BODY_BYTES = 64 << 10
MAX_REDIRECTS = 5
_CHUNK = 64 << 10

DEFAULT_USER_AGENT = f"gogen/{__version__}"
CREDENTIALS_HINT = (
    "pin the image by hand with [images.digests] in gogen.toml, "
    "or point [images] at a mirror that allows anonymous pulls"
)

_ALNUM = "[a-z0-9]+"
_PATH_COMPONENT = f"{_ALNUM}(?:(?:[._]|__|-+){_ALNUM})*"
_REPOSITORY_RE = re.compile(f"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_DOMAIN_COMPONENT = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN_RE = re.compile(rf"({_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[([0-9a-fA-F:.]+)\])(?::([0-9]{{1,5}}))?")
_TAG_RE = re.compile(r"\w[\w.-]{0,127}", re.ASCII)
_DIGEST_RE = re.compile("sha256:[0-9a-f]{64}")
_IMAGE_ID_RE = re.compile("[0-9a-f]{64}")

_TCHARS = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"((?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*)"'
_SCHEME_RE = re.compile(_TCHARS)
_PARAM_RE = re.compile(rf"({_TCHARS})[ \t]*=[ \t]*(?:({_TCHARS})|{_QUOTED})")
_TOKEN68_RE = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_SPACES_RE = re.compile(r"[ \t]*")
_LIST_SEPARATOR_RE = re.compile(r"[ \t]*,[ \t,]*")
_QUOTED_PAIR_RE = re.compile(r"\\(.)", re.DOTALL)
_MAX_CHALLENGE_CHARS = 16 << 10

_URL_RE = re.compile("[!-~]+")
_TOKEN_RE = re.compile("[!-~]+")
_LINK_RE = re.compile(r"<([^<>]*)>([^,]*)")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class RegistryError(GogenError):
    """A reference is invalid, or a registry could not be read (network, HTTP, authentication)."""


@dataclass(frozen=True)
class Reference:
    """An image reference, normalised the way Docker does it.

    `registry` is the host (and port) to talk to, `repository` the path under `/v2/`. `tag` is
    `latest` when none is written, and None only for a reference by digest alone. `name` is the
    name as written (no tag, no digest); two spellings of one image compare equal.
    """

    registry: str
    repository: str
    tag: str | None
    digest: str | None
    name: str = field(compare=False)

    @classmethod
    def parse(cls, text: str) -> Reference:
        """Parse `[host[:port]/]path[:tag][@sha256:hex]` with Docker's grammar and defaults."""
        if not text:
            raise _invalid(text, "it is empty")
        if len(text) > MAX_REFERENCE_CHARS:
            raise _invalid(text, f"it is longer than {MAX_REFERENCE_CHARS} characters")
        if _IMAGE_ID_RE.fullmatch(text):
            raise _invalid(text, "64 hexadecimal digits are an image ID, not a name")
        rest, at, digest = text.partition("@")
        if at and not _DIGEST_RE.fullmatch(digest):
            raise _invalid(text, "a digest is `sha256:` and 64 lowercase hexadecimal digits")
        name, tag = _split_tag(rest)
        if tag is not None and not _TAG_RE.fullmatch(tag):
            raise _invalid(text, "a tag is up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
        domain, repository = _split_domain(name)
        _check_domain(text, domain)
        _check_repository(text, repository)
        if len(domain) + 1 + len(repository) > MAX_NAME_CHARS:
            raise _invalid(text, f"the name is longer than {MAX_NAME_CHARS} characters")
        registry = DOCKER_HUB if domain in _DOCKER_HUB_NAMES else domain
        if tag is None and not at:
            tag = "latest"
        return cls(registry, repository, tag, digest or None, name)

    def __str__(self) -> str:
        text = self.name if self.tag is None else f"{self.name}:{self.tag}"
        return f"{text}@{self.digest}" if self.digest else text

    def pinned(self, digest: str) -> str:
        """`name:tag@digest`, as `gogen pin` writes the reference (`name@digest` without a tag)."""
        if not _DIGEST_RE.fullmatch(digest):
            raise _invalid(digest, "a digest is `sha256:` and 64 lowercase hexadecimal digits")
        return f"{self.name}@{digest}" if self.tag is None else f"{self.name}:{self.tag}@{digest}"


def _invalid(text: str, what: str) -> RegistryError:
    return RegistryError(
        f"invalid image reference {text[:200]!r}: {what}", hint="e.g. golang:1.27 or gcr.io/org/name:tag"
    )


def _split_tag(text: str) -> tuple[str, str | None]:
    """`name:tag` → (name, tag); a `:` before the last `/` is a port, not a tag."""
    colon = text.rfind(":")
    if colon > text.rfind("/"):
        return text[:colon], text[colon + 1 :]
    return text, None


def _split_domain(name: str) -> tuple[str, str]:
    """Docker's rule: the first component is a host if it has a `.` or `:`, is `localhost` or is
    not lowercase; otherwise the name is on Docker Hub, where one-component names are `library/`."""
    first, slash, remainder = name.partition("/")
    is_host = "." in first or ":" in first or first == "localhost" or first != first.lower()
    domain, repository = (first, remainder) if slash and is_host else ("docker.io", name)
    if domain in _DOCKER_HUB_NAMES and "/" not in repository:
        repository = f"library/{repository}"
    return domain, repository


def _check_domain(text: str, domain: str) -> None:
    match = _DOMAIN_RE.fullmatch(domain)
    if match is None:
        raise _invalid(text, f"{domain!r} is not a registry host")
    if match.group(2) is not None:
        try:
            ipaddress.IPv6Address(match.group(2))
        except ValueError:
            raise _invalid(text, f"{domain!r} is not an IPv6 address") from None
    port = match.group(3)
    if port is not None and not 0 < int(port) < 65536:
        raise _invalid(text, f"port {port} is out of range")


def _check_repository(text: str, repository: str) -> None:
    if repository != repository.lower():
        raise _invalid(text, "the repository name must be lowercase")
    if not _REPOSITORY_RE.fullmatch(repository):
        raise _invalid(
            text, "repository path components are lowercase letters and digits joined by '.', '_', '__' or '-'"
        )


@dataclass(frozen=True)
class Challenge:
    """One challenge of a WWW-Authenticate header: the scheme and parameter names lowercased."""

    scheme: str
    params: Mapping[str, str]


def parse_challenges(header: str) -> list[Challenge]:
    """Every challenge in one WWW-Authenticate header (RFC 9110 §11.6.1).

    Parameter values may be tokens or quoted strings (with commas and `\\` escapes); a challenge
    with a token68 (`Basic dXNlcg==`) has no params. Anything else is a RegistryError.
    """
    if len(header) > _MAX_CHALLENGE_CHARS:
        raise _malformed(f"longer than {_MAX_CHALLENGE_CHARS} characters")
    challenges = []
    position = _after_separators(header, 0)
    while position < len(header):
        challenge, position = _parse_challenge(header, position)
        challenges.append(challenge)
        position = _after_element(header, position)
    return challenges


def _malformed(what: str) -> RegistryError:
    return RegistryError(f"malformed WWW-Authenticate header: {what}")


def _after_separators(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t,":
        position += 1
    return position


def _after_element(text: str, position: int) -> int:
    """Past the spaces and commas that end a challenge; anything else there is malformed."""
    end = _SPACES_RE.match(text, position)
    position = end.end() if end else position
    if position < len(text) and text[position] != ",":
        raise _malformed(f"unexpected {text[position]!r} at character {position}")
    return _after_separators(text, position)


def _parse_challenge(text: str, position: int) -> tuple[Challenge, int]:
    scheme = _SCHEME_RE.match(text, position)
    if scheme is None:
        raise _malformed(f"expected an authentication scheme at character {position}, got {text[position]!r}")
    spaces = _SPACES_RE.match(text, scheme.end())
    start = spaces.end() if spaces else scheme.end()
    if start == scheme.end() or start == len(text) or text[start] == ",":
        return Challenge(scheme.group().lower(), {}), scheme.end()
    token68 = _TOKEN68_RE.match(text, start)
    if token68 and not _PARAM_RE.match(text, start) and _ends_element(text, token68.end()):
        return Challenge(scheme.group().lower(), {}), token68.end()
    params, position = _parse_params(text, start)
    return Challenge(scheme.group().lower(), params), position


def _ends_element(text: str, position: int) -> bool:
    rest = text[position:].lstrip(" \t")
    return not rest or rest.startswith(",")


def _parse_params(text: str, position: int) -> tuple[dict[str, str], int]:
    """`name=value` pairs separated by commas, up to the next challenge or the end."""
    params: dict[str, str] = {}
    while True:
        param = _PARAM_RE.match(text, position)
        if param is None:
            raise _malformed(f"expected name=value at character {position}")
        name = param.group(1).lower()
        if name in params:
            raise _malformed(f"parameter {name!r} appears twice")
        token, quoted = param.group(2), param.group(3)
        params[name] = token if token is not None else _QUOTED_PAIR_RE.sub(r"\1", quoted)
        separator = _LIST_SEPARATOR_RE.match(text, param.end())
        if separator is None or not _PARAM_RE.match(text, separator.end()):
            return params, param.end()
        position = separator.end()


@dataclass(frozen=True)
class _Call:
    """What a request is for, so that every error names the registry and the reference."""

    registry: str
    repository: str
    subject: str

    def wants_credentials(self, why: str) -> RegistryError:
        return RegistryError(
            f"{self.registry} wants credentials for {self.subject} ({why}), and gogen resolves images anonymously",
            hint=CREDENTIALS_HINT,
        )


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Message
    body: bytes
    url: str


class _AsIs(urllib.request.HTTPErrorProcessor):
    """Hand every answer back as it came: no HTTPError, and no redirect followed behind the
    client's back (urllib's own redirect handler would copy the Authorization header)."""

    def http_response(self, request: urllib.request.Request, response: http.client.HTTPResponse) -> Any:
        return response

    https_response = http_response


class Client:
    """Reads manifests' digests and tag lists from registries, anonymously.

    `timeout` bounds each network operation (connect, each read) in seconds; a whole answer
    must arrive within four times that. Bearer tokens are cached per (registry, scope) for the
    client's lifetime and fetched again when the registry refuses a cached one.
    """

    def __init__(self, timeout: float = 30.0, user_agent: str = DEFAULT_USER_AGENT) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        self.user_agent = user_agent
        self._tokens: dict[tuple[str, str], str] = {}
        self._direct = urllib.request.build_opener(urllib.request.ProxyHandler({}), _AsIs())
        self._proxied = urllib.request.build_opener(_AsIs())

    def digest(self, ref: Reference | str) -> str:
        """The digest the reference's tag points at now (`sha256:<hex>`).

        A reference with a tag is resolved by its tag, even when it already carries a digest:
        re-pinning refreshes the pin. A reference by digest alone is checked to exist.
        """
        ref = _as_reference(ref)
        call = _Call(ref.registry, ref.repository, str(ref))
        url = f"{base_url(ref.registry)}/v2/{ref.repository}/manifests/{ref.tag or ref.digest}"
        accept = {"Accept": ", ".join(MANIFEST_TYPES)}
        answer = self._registry_request(call, "HEAD", url, accept, 0)
        _expect_success(call, answer, "tag")
        header = answer.headers.get("Docker-Content-Digest")
        if header is None:
            answer = self._registry_request(call, "GET", url, accept, MAX_MANIFEST_BYTES)
            _expect_success(call, answer, "tag")
            digest = f"sha256:{hashlib.sha256(answer.body).hexdigest()}"
        elif _DIGEST_RE.fullmatch(header.strip()):
            digest = header.strip()
        else:
            raise RegistryError(
                f"{call.registry} sent an invalid Docker-Content-Digest for {call.subject}: {_printable(header, 80)!r}"
            )
        if ref.tag is None and digest != ref.digest:
            raise RegistryError(f"{call.registry} answered {digest} for {call.subject}: the digests differ")
        return digest

    def tags(self, ref: Reference | str, page_size: int = 1000) -> list[str]:
        """Every tag of the reference's repository, in the registry's order, following the
        `Link: <...>; rel="next"` pages (`page_size` tags a page; the registry may send fewer)."""
        if page_size < 1:
            raise ValueError("page_size must be positive")
        ref = _as_reference(ref)
        call = _Call(ref.registry, ref.repository, ref.name)
        url = f"{base_url(ref.registry)}/v2/{ref.repository}/tags/list?n={page_size}"
        tags: dict[str, None] = {}
        visited: set[str] = set()
        total = 0
        while len(visited) < MAX_TAG_PAGES:
            visited.add(url)
            answer = self._registry_request(call, "GET", url, {"Accept": "application/json"}, MAX_TAGS_PAGE_BYTES)
            _expect_success(call, answer, "repository")
            total += len(answer.body)
            if total > MAX_TAGS_BYTES:
                raise RegistryError(
                    f"{call.registry}'s tag list for {call.subject} is larger than {_size(MAX_TAGS_BYTES)}"
                )
            tags.update(dict.fromkeys(_page_tags(call, answer.body)))
            following = _next_page(call, answer, url)
            if following is None:
                return list(tags)
            if following in visited:
                raise RegistryError(
                    f"{call.registry}'s tag list for {call.subject} links back to a page it already sent"
                )
            url = following
        raise RegistryError(f"{call.registry}'s tag list for {call.subject} has more than {MAX_TAG_PAGES} pages")

    def _registry_request(self, call: _Call, method: str, url: str, headers: dict[str, str], limit: int) -> _Answer:
        """A request to the registry, with the anonymous bearer token flow on a 401."""
        scope = f"repository:{call.repository}:pull"
        key = (call.registry, scope)
        answer = self._follow(call, method, url, headers, self._tokens.get(key), limit)
        if answer.status != 401:
            return answer
        challenge = _bearer_challenge(call, answer)
        self._tokens[key] = self._token(call, challenge, scope)
        answer = self._follow(call, method, url, headers, self._tokens[key], limit)
        if answer.status == 401:
            raise RegistryError(
                f"{call.registry} refused the anonymous token for {call.subject}{_token_error(answer)}: "
                "the repository may not exist, or it needs credentials",
                hint=CREDENTIALS_HINT,
            )
        return answer

    def _token(self, call: _Call, challenge: Challenge, scope: str) -> str:
        """An anonymous token from the challenge's realm, for `scope`."""
        url = _realm_url(call, challenge, scope)
        service = f"the token service {urllib.parse.urlsplit(url).netloc} of {call.registry}"
        answer = self._follow(call, "GET", url, {"Accept": "application/json"}, None, MAX_TOKEN_ANSWER_BYTES)
        if answer.status != 200:
            hint = CREDENTIALS_HINT if answer.status in (401, 403) else "try again later"
            raise RegistryError(
                f"{service} answered HTTP {answer.status}{_registry_detail(answer.body)} for {call.subject}", hint=hint
            )
        data = _json(call, answer.body, service)
        token = (data.get("token") or data.get("access_token")) if isinstance(data, dict) else None
        if not isinstance(token, str):
            raise RegistryError(f"{service} sent no token for {call.subject}")
        if len(token) > MAX_TOKEN_CHARS or not _TOKEN_RE.fullmatch(token):
            raise RegistryError(f"{service} sent an invalid token ({len(token)} characters) for {call.subject}")
        return token

    def _follow(
        self, call: _Call, method: str, url: str, headers: dict[str, str], token: str | None, limit: int
    ) -> _Answer:
        """Send, following up to MAX_REDIRECTS redirects; the token only goes to the first URL's origin."""
        origin = _origin(url)
        for _ in range(MAX_REDIRECTS + 1):
            sent = dict(headers)
            if token is not None and _origin(url) == origin:
                sent["Authorization"] = f"Bearer {token}"
            answer = self._exchange(call, method, url, sent, limit)
            if answer.status not in _REDIRECTS:
                return answer
            url = _redirect_target(call, answer)
        raise RegistryError(f"{call.registry} redirected more than {MAX_REDIRECTS} times for {call.subject}")

    def _exchange(self, call: _Call, method: str, url: str, headers: dict[str, str], limit: int) -> _Answer:
        """One HTTP request and its whole answer (a success's body up to `limit` bytes)."""
        parts = urllib.parse.urlsplit(url)
        opener = self._direct if _is_loopback(parts.hostname or "") else self._proxied
        request = urllib.request.Request(url, method=method, headers={"User-Agent": self.user_agent, **headers})
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status: int = response.status
                success = 200 <= status < 300
                body = b"" if method == "HEAD" else self._read(response, limit if success else MAX_ERROR_BODY_BYTES)
                answer_headers: Message = response.headers
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise _unreachable(call, parts.netloc, error, self.timeout) from error
        if body is None:
            if success:
                raise RegistryError(
                    f"{_where(call, parts.netloc)}'s answer for {call.subject} is larger than {_size(limit)}"
                )
            body = b""
        return _Answer(status, answer_headers, body, url)

    def _read(self, response: http.client.HTTPResponse, limit: int) -> bytes | None:
        """The body, or None when it is larger than `limit` bytes."""
        declared = response.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            return None
        deadline = time.monotonic() + 4 * self.timeout
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(_CHUNK):
            size += len(chunk)
            if size > limit:
                return None
            if time.monotonic() > deadline:
                raise TimeoutError("the answer arrives too slowly")
            chunks.append(chunk)
        return b"".join(chunks)


def base_url(registry: str) -> str:
    """`https://<registry>`; plain `http://` for a loopback registry (127.0.0.0/8, ::1,
    localhost), as Docker's default insecure-registry rule allows."""
    scheme = "http" if _is_loopback(_hostname(registry)) else "https"
    return f"{scheme}://{registry}"


def _hostname(registry: str) -> str:
    if registry.startswith("["):
        return registry[1 : registry.find("]")]
    return registry.partition(":")[0]


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _as_reference(ref: Reference | str) -> Reference:
    return ref if isinstance(ref, Reference) else Reference.parse(ref)


def _origin(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, (parts.hostname or ""), parts.port or (443 if parts.scheme == "https" else 80)


def _checked_url(call: _Call, base: str, target: str, what: str) -> str:
    """`target`, resolved against `base`, if it is a URL the client may follow: http(s) with a
    host, and plain http only to a loopback host."""
    shown = _printable(target, 120)
    invalid = RegistryError(f"{call.registry} sent {what} with an invalid URL for {call.subject}: {shown!r}")
    if not _URL_RE.fullmatch(target):
        raise invalid
    try:
        url = urllib.parse.urljoin(base, target)
        parts = urllib.parse.urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError:
        raise invalid from None
    if parts.scheme not in ("http", "https") or not host:
        raise RegistryError(f"{call.registry} sent {what} to {shown!r} for {call.subject}: not an http(s) URL")
    if parts.scheme == "http" and not _is_loopback(host):
        raise RegistryError(
            f"{call.registry} sent {what} to plain http on {parts.netloc} for {call.subject}: "
            "only loopback hosts are read over http"
        )
    return url


def _redirect_target(call: _Call, answer: _Answer) -> str:
    location = answer.headers.get("Location")
    if not location:
        raise RegistryError(f"{call.registry} answered HTTP {answer.status} without a Location for {call.subject}")
    return _checked_url(call, answer.url, location.strip(), "a redirect")


def _realm_url(call: _Call, challenge: Challenge, scope: str) -> str:
    """The token request: the realm as given, plus `service` (when the challenge names one) and `scope`."""
    realm = _checked_url(call, "", challenge.params["realm"], "a token realm")
    service = challenge.params.get("service")
    query = urllib.parse.urlencode([*([("service", service)] if service else []), ("scope", scope)])
    parts = urllib.parse.urlsplit(realm)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urllib.parse.urlunsplit(parts._replace(query=joined, fragment=""))


def _bearer_challenge(call: _Call, answer: _Answer) -> Challenge:
    """The 401's Bearer challenge with a realm; a Basic or realm-less one means credentials."""
    challenges: list[Challenge] = []
    for header in answer.headers.get_all("WWW-Authenticate") or []:
        try:
            challenges.extend(parse_challenges(header))
        except RegistryError as error:
            raise RegistryError(f"{call.registry} answered 401 for {call.subject} with a {error.message}") from None
    for challenge in challenges:
        if challenge.scheme == "bearer" and challenge.params.get("realm"):
            return challenge
    if not challenges:
        raise call.wants_credentials("HTTP 401 without a WWW-Authenticate challenge")
    if any(challenge.scheme == "bearer" for challenge in challenges):
        raise call.wants_credentials("a Bearer challenge without a token realm")
    raise call.wants_credentials(f"{_printable(challenges[0].scheme.capitalize(), 40)} authentication")


def _token_error(answer: _Answer) -> str:
    """` (insufficient_scope)`: why the registry refused a token, from its new challenge."""
    for header in answer.headers.get_all("WWW-Authenticate") or []:
        try:
            challenges = parse_challenges(header)
        except RegistryError:
            continue
        for challenge in challenges:
            if "error" in challenge.params:
                return f" ({_printable(challenge.params['error'], 60)})"
    return ""


def _expect_success(call: _Call, answer: _Answer, missing: str) -> None:
    """Nothing for a 2xx; a RegistryError saying what the status means otherwise."""
    if 200 <= answer.status < 300:
        return
    detail = _registry_detail(answer.body)
    status = f"HTTP {answer.status}{detail}"
    if answer.status == 404:
        raise RegistryError(
            f"{call.subject} not found on {call.registry} ({status})",
            hint=f"check the image name and the {missing}; a private repository may answer 404 to anonymous requests",
        )
    if answer.status in (401, 403):
        raise call.wants_credentials(status)
    if answer.status == 429:
        raise RegistryError(
            f"{call.registry} limits anonymous requests and refused {call.subject} ({status})",
            hint="try again later, or point [images] at a mirror",
        )
    raise RegistryError(f"{call.registry} answered {status} for {call.subject}", hint="try again later")


def _registry_detail(body: bytes) -> str:
    """`: CODE: message` from a distribution error body (`{"errors": [{"code", "message"}]}`), or ''."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return ""
    errors = data.get("errors") if isinstance(data, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    if not isinstance(first, dict):
        return ""
    parts = [value for value in (first.get("code"), first.get("message")) if isinstance(value, str) and value]
    return f": {_printable(': '.join(parts), 160)}" if parts else ""


def _page_tags(call: _Call, body: bytes) -> list[str]:
    data = _json(call, body, call.registry)
    tags = data.get("tags", ()) if isinstance(data, dict) else ()
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(tag, str) and _TAG_RE.fullmatch(tag) for tag in tags):
        raise RegistryError(f"{call.registry}'s tag list for {call.subject} is malformed (no list of valid tags)")
    return tags


def _next_page(call: _Call, answer: _Answer, url: str) -> str | None:
    """The `rel="next"` target of the answer's Link header, which must stay on the same registry."""
    for header in answer.headers.get_all("Link") or []:
        for link in _LINK_RE.finditer(header):
            if not _is_next(link.group(2)):
                continue
            target = _checked_url(call, url, link.group(1).strip(), "a next-page link")
            if _origin(target) != _origin(url):
                host = urllib.parse.urlsplit(target).netloc
                raise RegistryError(f"{call.registry}'s tag list for {call.subject} links to another host ({host})")
            return target
    return None


def _is_next(params: str) -> bool:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "rel" and "next" in value.strip().strip('"').lower().split():
            return True
    return False


def _json(call: _Call, body: bytes, source: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise RegistryError(f"{source} answered malformed JSON for {call.subject}") from None


def _unreachable(call: _Call, host: str, error: BaseException, timeout: float) -> RegistryError:
    reason = _describe(error, timeout)
    hint = f"gogen needs network access to {host} to read its images; behind a proxy, set HTTPS_PROXY"
    cause = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, ssl.SSLError):
        hint = f"for a registry with a private certificate authority, point SSL_CERT_FILE at its CA bundle ({host})"
    return RegistryError(f"cannot read from {_where(call, host)} for {call.subject}: {reason}", hint=hint)


def _where(call: _Call, host: str) -> str:
    """`host`, and the registry it was asked on behalf of when that is another host."""
    return host if host == call.registry else f"{host} (for {call.registry})"


def _describe(error: BaseException, timeout: float) -> str:
    """What went wrong on the network, in a few words."""
    cause: object = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return "the host name does not resolve (DNS)"
    if isinstance(cause, TimeoutError):
        return f"timed out after {timeout:g}s"
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({_printable(cause.verify_message or '', 80)})"
    if isinstance(cause, ssl.SSLError):
        return "TLS handshake failed"
    if isinstance(cause, http.client.HTTPException | ConnectionError):
        return f"the connection broke ({type(cause).__name__})"
    if isinstance(cause, OSError) and cause.strerror:
        return _printable(cause.strerror, 120)
    return _printable(str(cause), 120) or type(cause).__name__


def _printable(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, control characters escaped: safe on one line."""
    cut = text[:limit]
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode() for char in cut)


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB" if limit >= 1 << 10 else f"{limit} bytes"
