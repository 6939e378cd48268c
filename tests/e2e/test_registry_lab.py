"""gogen's registry client against the real distribution registry (docker-registry 2.8).

The lab's Docker engine pushes its stand-in images to a registry started on 127.0.0.1 (the
engine treats 127.0.0.0/8 as an insecure registry), and the client must resolve each tag to the
digest docker reports and list the tags pushed. A second registry process serves the same
storage with token authentication: the client goes through the bearer token flow with JWTs from
a token server written here, and a token the registry does not accept is a RegistryError.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from gogen.registry import DOCKER_MANIFEST, MANIFEST_TYPES, Client, RegistryError, parse_challenges
from tests.e2e.lab import Lab, find_lab
from tests.e2e.registry import SERVICE, Registry, SigningKey, TokenServer, running_registry

ALPINE_TAGS = ["3", "3.22", "3.22.0", "3.22.1", "3.22.2", "edge", "latest", "stable", "v3", "x-1", "x_2", "y.3"]
SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
_PUSHED = re.compile(r"^(\S+): digest: (sha256:[0-9a-f]{64}) size: \d+$", re.MULTILINE)


@pytest.fixture(scope="module")
def lab() -> Lab:
    return find_lab()


@pytest.fixture(scope="module")
def registry_bin(lab: Lab) -> str:
    binary = lab.env.get("GOGEN_REGISTRY_BIN", "")
    if not binary or not Path(binary).is_file():
        pytest.fail("the lab has no docker-registry (GOGEN_REGISTRY_BIN): run `bash scripts/lab/up.sh` again")
    return binary


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("registry")


@pytest.fixture(scope="module")
def plain(registry_bin: str, workdir: Path) -> Iterator[Registry]:
    """A registry without authentication, where the lab's docker pushes."""
    with running_registry(registry_bin, workdir / "plain", workdir / "storage") as registry:
        yield registry


def _docker_digest(lab: Lab, ref: str) -> str:
    """The digest docker recorded for `ref` after pushing it (`RepoDigests`)."""
    name = ref.rpartition(":")[0]
    inspected = lab.docker_run("image", "inspect", "-f", "{{json .RepoDigests}}", ref, timeout=60)
    entries: list[str] = json.loads(inspected.stdout)
    digests = [entry.partition("@")[2] for entry in entries if entry.startswith(f"{name}@")]
    assert len(digests) == 1, f"RepoDigests of {ref}: {inspected.stdout}"
    return digests[0]


def _push(lab: Lab, ref: str, *args: str) -> dict[str, str]:
    """`docker push` and the `TAG: digest: sha256:... size: N` lines it printed, per tag."""
    output = lab.docker_run("push", *args, ref, timeout=600).stdout
    return dict(_PUSHED.findall(output))


@pytest.fixture(scope="module")
def pushed(lab: Lab, plain: Registry) -> Iterator[dict[str, str]]:
    """The lab's stand-ins pushed to `plain`: each reference and the digest docker reports for it."""
    sources = {
        f"{plain.host}/library/golang:1.22": "golang:1.22",
        f"{plain.host}/distroless/static-debian13:nonroot": "gcr.io/distroless/static-debian13:nonroot",
        **{f"{plain.host}/library/alpine:{tag}": "alpine:3.22" for tag in ALPINE_TAGS},
    }
    try:
        for ref, source in sources.items():
            lab.docker_run("tag", source, ref, timeout=60)
        printed = _push(lab, f"{plain.host}/library/golang:1.22")
        printed |= _push(lab, f"{plain.host}/distroless/static-debian13:nonroot")
        alpine = _push(lab, f"{plain.host}/library/alpine", "--all-tags")
        assert sorted(alpine) == sorted(ALPINE_TAGS)
        digests = {ref: _docker_digest(lab, ref) for ref in sources}
        assert printed["1.22"] == digests[f"{plain.host}/library/golang:1.22"]
        assert printed["nonroot"] == digests[f"{plain.host}/distroless/static-debian13:nonroot"]
        assert set(alpine.values()) == {digests[f"{plain.host}/library/alpine:3.22"]}
        yield digests
    finally:
        lab.docker_run("rmi", *sources, timeout=120, check=False)


def _head(url: str, accept: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method="HEAD", headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items())
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, dict(error.headers.items())


# --- an open registry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["library/golang:1.22", "distroless/static-debian13:nonroot", "library/alpine:3.22", "library/alpine:edge"]
)
def test_digest_is_the_one_docker_reports(plain: Registry, pushed: dict[str, str], path: str) -> None:
    ref = f"{plain.host}/{path}"
    assert Client(timeout=10).digest(ref) == pushed[ref]


def test_the_registry_answers_the_accepted_manifest_with_its_digest(plain: Registry, pushed: dict[str, str]) -> None:
    """HEAD carries Docker-Content-Digest; the manifest docker 28.5 pushed from its classic image
    store is a Docker v2 schema 2 manifest, and the sha256 of the bytes GET returns (the
    client's fallback when the header is missing) is the same digest."""
    ref = f"{plain.host}/library/golang:1.22"
    url = f"{plain.url}/v2/library/golang/manifests/1.22"
    status, headers = _head(url, ", ".join(MANIFEST_TYPES))
    assert status == 200
    assert headers["Content-Type"] == DOCKER_MANIFEST
    assert headers["Docker-Content-Digest"] == pushed[ref]
    request = urllib.request.Request(url, headers={"Accept": ", ".join(MANIFEST_TYPES)})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    assert f"sha256:{hashlib.sha256(body).hexdigest()}" == pushed[ref]
    assert json.loads(body)["mediaType"] == DOCKER_MANIFEST


def test_without_the_accept_header_registry_2_8_converts_to_schema_1(plain: Registry, pushed: dict[str, str]) -> None:
    """Why the Accept header matters: asked without it, the registry answers a schema 1
    manifest it signs on the fly, whose digest is not the image's."""
    status, headers = _head(f"{plain.url}/v2/library/alpine/manifests/3.22")
    assert status == 200
    assert headers["Content-Type"] == SCHEMA1
    assert headers["Docker-Content-Digest"] != pushed[f"{plain.host}/library/alpine:3.22"]


def test_a_reference_by_digest_is_confirmed(plain: Registry, pushed: dict[str, str]) -> None:
    digest = pushed[f"{plain.host}/library/alpine:3.22"]
    assert Client().digest(f"{plain.host}/library/alpine@{digest}") == digest
    assert Client().digest(f"{plain.host}/library/golang:1.22@{digest}") == pushed[f"{plain.host}/library/golang:1.22"]


@pytest.mark.parametrize("page_size", [1000, 2])
def test_tags_lists_every_pushed_tag(plain: Registry, pushed: dict[str, str], page_size: int) -> None:
    tags = Client().tags(f"{plain.host}/library/alpine", page_size=page_size)
    assert sorted(tags) == sorted(ALPINE_TAGS)
    assert Client().tags(f"{plain.host}/library/golang", page_size=page_size) == ["1.22"]


def test_a_missing_tag_and_a_missing_repository_are_errors(plain: Registry, pushed: dict[str, str]) -> None:
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{plain.host}/library/alpine:9.99")
    assert error.value.message == f"{plain.host}/library/alpine:9.99 not found on {plain.host} (HTTP 404)"
    with pytest.raises(RegistryError) as error:
        Client().tags(f"{plain.host}/library/nothing")
    assert error.value.message.startswith(
        f"{plain.host}/library/nothing not found on {plain.host} (HTTP 404: NAME_UNKNOWN: repository name not known"
    )


# --- token authentication ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_server(workdir: Path) -> Iterator[TokenServer]:
    server = TokenServer(workdir)
    yield server
    server.close()


@pytest.fixture(scope="module")
def guarded(registry_bin: str, workdir: Path, token_server: TokenServer, plain: Registry) -> Iterator[Registry]:
    """A second registry on the same storage that wants tokens from `token_server`."""
    with running_registry(registry_bin, workdir / "guarded", workdir / "storage", token_server.auth) as registry:
        yield registry


@pytest.fixture
def tokens(token_server: TokenServer) -> Iterator[TokenServer]:
    token_server.reset()
    yield token_server
    token_server.reset()


def test_the_guarded_registry_sends_a_bearer_challenge(guarded: Registry, tokens: TokenServer) -> None:
    status, headers = _head(f"{guarded.url}/v2/library/golang/manifests/1.22", ", ".join(MANIFEST_TYPES))
    assert status == 401
    (challenge,) = parse_challenges(headers["Www-Authenticate"])
    assert challenge.scheme == "bearer"
    assert dict(challenge.params) == {
        "realm": tokens.realm,
        "service": SERVICE,
        "scope": "repository:library/golang:pull",
    }


@pytest.mark.parametrize("identify", ["x5c", "kid"])
def test_digest_and_tags_go_through_the_token_flow(
    plain: Registry, guarded: Registry, pushed: dict[str, str], tokens: TokenServer, identify: Literal["x5c", "kid"]
) -> None:
    tokens.identify = identify
    client = Client(timeout=10)
    digest = client.digest(f"{guarded.host}/library/golang:1.22")
    assert digest == pushed[f"{plain.host}/library/golang:1.22"]
    assert client.digest(f"{guarded.host}/library/golang:1.22") == digest
    assert sorted(client.tags(f"{guarded.host}/library/alpine")) == sorted(ALPINE_TAGS)
    assert tokens.requests == [
        {"service": [SERVICE], "scope": ["repository:library/golang:pull"]},
        {"service": [SERVICE], "scope": ["repository:library/alpine:pull"]},
    ], "one token per repository, cached for the second digest"


def test_a_token_for_another_repository_is_refused(
    guarded: Registry, pushed: dict[str, str], tokens: TokenServer
) -> None:
    tokens.grant = "library/alpine"
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{guarded.host}/library/golang:1.22")
    assert error.value.message == (
        f"{guarded.host} refused the anonymous token for {guarded.host}/library/golang:1.22 (insufficient_scope): "
        "the repository may not exist, or it needs credentials"
    )
    assert error.value.hint is not None and "[images.digests]" in error.value.hint
    assert len(tokens.requests) == 1


def test_a_token_signed_by_an_untrusted_key_is_refused(
    guarded: Registry, pushed: dict[str, str], tokens: TokenServer
) -> None:
    tokens.signer = SigningKey.generate("not the registry's issuer")
    with pytest.raises(RegistryError) as error:
        Client().digest(f"{guarded.host}/library/golang:1.22")
    assert error.value.message.startswith(
        f"{guarded.host} refused the anonymous token for {guarded.host}/library/golang:1.22 (invalid_token)"
    )


def test_the_guarded_registry_stops_cleanly(registry_bin: str, workdir: Path, token_server: TokenServer) -> None:
    """The fixture's process handling: a registry started and stopped leaves no process behind."""
    with running_registry(registry_bin, workdir / "short", workdir / "short-storage", token_server.auth) as registry:
        assert registry.process.poll() is None
    assert registry.process.returncode is not None
