"""The real distribution registry (Debian's docker-registry 2.8) for end-to-end tests, and a
token server whose JWTs its token authentication accepts.

`running_registry()` starts `docker-registry serve CONFIG` on 127.0.0.1 with a free port and a
filesystem storage directory, waits until `/v2/` answers, and kills it at the end. With a
`TokenAuth`, the registry wants bearer tokens from a `TokenServer`: an HTTP server in a thread
that signs ES256 JWTs with a key whose self-signed certificate is the registry's
`rootcertbundle`, identified by the certificate itself (`x5c`) or by its libtrust key ID (`kid`).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

SERVICE = "gogen-lab-registry"
ISSUER = "gogen-lab-token-issuer"


@dataclass(frozen=True)
class TokenAuth:
    """The registry's `auth: token:` section."""

    realm: str
    service: str
    issuer: str
    rootcertbundle: Path


@dataclass(frozen=True)
class Registry:
    """A running registry process."""

    host: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(path: Path, port: int, storage: Path, auth: TokenAuth | None) -> None:
    """The registry's YAML configuration (JSON is YAML: no YAML writer needed)."""
    config: dict[str, Any] = {
        "version": 0.1,
        "log": {"level": "info", "formatter": "text"},
        "storage": {"filesystem": {"rootdirectory": str(storage)}, "delete": {"enabled": True}},
        "http": {"addr": f"127.0.0.1:{port}"},
    }
    if auth is not None:
        config["auth"] = {
            "token": {
                "realm": auth.realm,
                "service": auth.service,
                "issuer": auth.issuer,
                "rootcertbundle": str(auth.rootcertbundle),
            }
        }
    path.write_text(json.dumps(config, indent=2) + "\n")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError as error:
        error.close()
        return error.code == 401
    except OSError:
        return False


def _start(binary: str, workdir: Path, storage: Path, auth: TokenAuth | None) -> Registry:
    port = free_port()
    config, log = workdir / f"registry-{port}.yml", workdir / f"registry-{port}.log"
    write_config(config, port, storage, auth)
    with log.open("wb") as output:
        process = subprocess.Popen([binary, "serve", str(config)], stdout=output, stderr=subprocess.STDOUT)
    registry = Registry(f"127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if _answers(f"{registry.url}/v2/"):
            return registry
        time.sleep(0.1)
    stop(registry)
    raise RuntimeError(f"the registry did not start on {registry.host}:\n{registry.log_tail()}")


def stop(registry: Registry) -> None:
    registry.process.terminate()
    try:
        registry.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        registry.process.kill()
        registry.process.wait(timeout=10)


@contextmanager
def running_registry(binary: str, workdir: Path, storage: Path, auth: TokenAuth | None = None) -> Iterator[Registry]:
    """A registry serving `storage`; a port taken in between is retried with another one."""
    workdir.mkdir(parents=True, exist_ok=True)
    storage.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        try:
            registry = _start(binary, workdir, storage, auth)
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        yield registry
    finally:
        stop(registry)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(key: ec.EllipticCurvePublicKey) -> str:
    """The registry's `kid` for a key (libtrust): SHA-256 of the DER public key, cut to 240
    bits, base32 in twelve groups of four (`ABCD:EFGH:...`)."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    encoded = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(encoded[start : start + 4] for start in range(0, len(encoded), 4))


@dataclass(frozen=True)
class SigningKey:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """A P-256 key and a self-signed certificate for it, valid from an hour ago for a day."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def jwt(self, claims: dict[str, Any], identify: Literal["x5c", "kid"]) -> str:
        """A compact JWS, ES256: the signature is r || s, 32 bytes each (not DER)."""
        header: dict[str, Any] = {"typ": "JWT", "alg": "ES256"}
        if identify == "x5c":
            der = self.certificate.public_bytes(serialization.Encoding.DER)
            header["x5c"] = [base64.b64encode(der).decode()]
        else:
            header["kid"] = libtrust_key_id(self.key.public_key())
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


class TokenServer:
    """The registry's token realm: checks `service` and `scope`, answers `{"token": <JWT>}`.

    What it grants can be changed between requests: `grant` (another repository than the one
    asked for), `identify` (`x5c` or `kid` in the JWT header), `signer` (an untrusted key).
    """

    def __init__(self, workdir: Path) -> None:
        self.trusted = SigningKey.generate("gogen lab token issuer")
        self.rootcertbundle = workdir / "token-issuer.pem"
        self.rootcertbundle.write_bytes(self.trusted.pem())
        self.requests: list[dict[str, list[str]]] = []
        self.reset()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = outer.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def reset(self) -> None:
        self.grant: str | None = None
        self.identify: Literal["x5c", "kid"] = "x5c"
        self.signer = self.trusted
        self.requests.clear()

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/token"

    @property
    def auth(self) -> TokenAuth:
        return TokenAuth(self.realm, SERVICE, ISSUER, self.rootcertbundle)

    def claims(self, repository: str) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": ISSUER,
            "sub": "",
            "aud": SERVICE,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": [{"type": "repository", "name": repository, "actions": ["pull"]}],
        }

    def answer(self, path: str) -> tuple[int, bytes]:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        self.requests.append(query)
        scope = query.get("scope", [""])[0]
        kind, _, rest = scope.partition(":")
        repository, _, actions = rest.rpartition(":")
        if parts.path != "/token" or query.get("service") != [SERVICE] or kind != "repository" or actions != "pull":
            return 400, b'{"errors":[{"code":"UNSUPPORTED","message":"wrong service or scope"}]}'
        token = self.signer.jwt(self.claims(self.grant or repository), self.identify)
        return 200, json.dumps({"token": token, "expires_in": 300}).encode()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
