#!/usr/bin/env python3
"""A static GOPROXY server for the gogen lab (Python 3 standard library only).

Usage: python3 proxy.py --dir DIR --log FILE [--host 127.0.0.1] [--port 0]
                        [--port-file FILE] [--pidfile FILE] [--idle SECONDS]
                        [--tls-cert PEM --tls-key PEM [--tls-port 0] [--tls-port-file FILE]]
                        [--private-prefix PREFIX --private-auth-file FILE]

Serves DIR (built by fixtures/_modules/mkproxy.py: <module>/@v/list, .info, .mod,
.zip) over HTTP on 127.0.0.1, and with --tls-cert/--tls-key also over HTTPS on a
second port (same tree, same handler, same log). Every request is appended to
--log as one line:

    <UTC time> <method> <path> <status> <via> <client>

so a test can count module downloads (a rebuild after a source-only change must
add no line). Several tests can share one proxy and still count only their own
requests: GOPROXY=http://127.0.0.1:PORT/c/<client>/ serves the same tree, and
the log line names <client> (letters, digits, "._-"); "-" without the prefix.
<path> is the path without the /c/<client> prefix. <via> is the scheme, "http"
or "https", followed for private paths by the outcome of the credential check:
":auth-ok", ":auth-missing" (no Authorization header) or ":auth-wrong".

Private modules: with --private-prefix (e.g. "example.com/private/") and
--private-auth-file (a file holding "login:password"), every request whose
module path (after the optional /c/<client> prefix) starts with PREFIX needs
HTTP basic auth with exactly those credentials, on both listeners; otherwise
the answer is 401 with "WWW-Authenticate: Basic". (The go command sends .netrc
credentials over https only, so in practice private modules come over HTTPS.)

With --port 0 (--tls-port 0) the kernel picks a free port; a busy port falls
back to a free one. It is written to --port-file (--tls-port-file) once the
socket is listening; the TLS port file is written before the plain one. The
server exits by itself after --idle seconds without a request on either
listener (0 = never), and on SIGTERM/SIGINT; it removes its pidfile and port
files on the way out.
"""

import argparse
import base64
import binascii
import datetime
import functools
import hmac
import http.server
import io
import os
import posixpath
import re
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import BinaryIO

CLIENT_PREFIX = re.compile(r"^/c/([A-Za-z0-9._-]{1,100})(/.*)$")


class Handler(http.server.SimpleHTTPRequestHandler):
    server_version = "gogen-lab-proxy/1"
    # The go command only needs these; be explicit so .zip is not guessed as text.
    extensions_map = {  # noqa: RUF012 (the base class declares it as an instance attribute)
        "": "application/octet-stream",
        ".info": "application/json",
        ".mod": "text/plain; charset=utf-8",
        ".zip": "application/zip",
    }
    timeout = 60  # seconds of silence (TLS handshake included) before a connection is dropped

    server: "Server"
    client = "-"
    auth = ""  # "", or the credential check's outcome for a private path

    def setup(self) -> None:
        if self.server.ssl_context is not None:
            # The handshake runs here, in the connection's own thread: a slow or failing client
            # cannot hold up the accept loop.
            self.request.settimeout(self.timeout)
            self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True)
        super().setup()

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        match = CLIENT_PREFIX.match(self.path)
        if match:
            self.client, self.path = match.group(1), match.group(2)
        if self.server.private_prefix and self.is_private():
            self.auth = self.check_auth()
            if self.auth != "auth-ok":
                self.refuse()
                return None
        return super().send_head()

    def is_private(self) -> bool:
        """Whether the module path of this request starts with the private prefix."""
        path = urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        path = posixpath.normpath("/" + path).lstrip("/")  # as translate_path will see it
        prefix = self.server.private_prefix
        return path.startswith(prefix) or path == prefix.rstrip("/")

    def check_auth(self) -> str:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return "auth-missing"
        try:
            given = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            return "auth-wrong"
        return "auth-ok" if hmac.compare_digest(given, self.server.private_auth) else "auth-wrong"

    def refuse(self) -> None:
        body = b"401 credentials required for private modules\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="gogen-lab private modules"')
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def list_directory(self, path: str | os.PathLike[str]) -> None:  # no listings: a proxy has none
        self.send_error(404, "not found")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.server.touch()
        if isinstance(code, http.HTTPStatus):
            code = code.value
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        via = self.server.scheme + (":" + self.auth if self.auth else "")
        line = f"{now} {self.command} {self.path} {code} {via} {self.client}\n"
        with self.server.log_lock, open(self.server.log_path, "a", encoding="utf-8") as fh:
            fh.write(line)

    def log_error(self, format: str, *args: object) -> None:  # errors are already logged with their status
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        addr: tuple[str, int],
        handler: Callable[..., Handler],
        log_path: str,
        log_lock: threading.Lock,
        ssl_context: ssl.SSLContext | None = None,
        private_prefix: str = "",
        private_auth: bytes = b"",
    ) -> None:
        super().__init__(addr, handler)
        self.log_path = log_path
        self.log_lock = log_lock
        self.ssl_context = ssl_context
        self.scheme = "https" if ssl_context else "http"
        self.private_prefix = private_prefix
        self.private_auth = private_auth
        self.last = time.monotonic()

    def touch(self) -> None:
        self.last = time.monotonic()

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: object) -> None:
        # A client that gives up on the certificate or the connection: one line, no traceback.
        error = sys.exc_info()[1]
        if isinstance(error, (ssl.SSLError, ConnectionError, TimeoutError)):
            sys.stderr.write(f"proxy: {self.scheme} connection from {client_address}: {error}\n")
        else:
            super().handle_error(request, client_address)


def write_atomic(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def bind(port: int, make: Callable[[int], Server]) -> Server:
    try:
        return make(port)
    except OSError:
        if port == 0:
            raise
        return make(0)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: any free port; a busy port falls back to any")
    ap.add_argument("--port-file")
    ap.add_argument("--pidfile")
    ap.add_argument("--idle", type=float, default=6 * 3600)
    ap.add_argument("--tls-cert", help="PEM certificate (chain) for the HTTPS listener")
    ap.add_argument("--tls-key", help="PEM private key for the HTTPS listener")
    ap.add_argument("--tls-port", type=int, default=0, help="as --port, for the HTTPS listener")
    ap.add_argument("--tls-port-file")
    ap.add_argument(
        "--private-prefix", default="", help='module path prefix that needs credentials, e.g. "example.com/private/"'
    )
    ap.add_argument("--private-auth-file", help='file holding "login:password" for the private prefix')
    args = ap.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if (args.tls_port_file or args.tls_port) and not args.tls_cert:
        ap.error("--tls-port/--tls-port-file need --tls-cert and --tls-key")
    if bool(args.private_prefix) != bool(args.private_auth_file):
        ap.error("--private-prefix and --private-auth-file go together")

    private_auth = b""
    if args.private_auth_file:
        with open(args.private_auth_file, "rb") as fh:
            private_auth = fh.read().strip()
        if b":" not in private_auth or private_auth.startswith(b":"):
            ap.error(f"{args.private_auth_file}: expected one line login:password")
    private_prefix = args.private_prefix.lstrip("/")

    ssl_context = None
    if args.tls_cert:
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_context.load_cert_chain(args.tls_cert, args.tls_key)

    handler = functools.partial(Handler, directory=os.path.abspath(args.dir))
    log_path, log_lock = os.path.abspath(args.log), threading.Lock()

    def make(context: ssl.SSLContext | None) -> Callable[[int], Server]:
        return lambda port: Server(
            (args.host, port), handler, log_path, log_lock, context, private_prefix, private_auth
        )

    servers = [bind(args.port, make(None))]
    port = servers[0].server_address[1]
    tls_port = None
    if ssl_context is not None:
        servers.append(bind(args.tls_port, make(ssl_context)))
        tls_port = servers[1].server_address[1]

    ours = {args.pidfile: str(os.getpid()), args.port_file: str(port), args.tls_port_file: str(tls_port)}
    done = threading.Event()

    def cleanup() -> None:
        for path, content in ours.items():
            if not path:
                continue
            try:
                # Only remove what is still ours (a newer proxy may have replaced it).
                with open(path, encoding="utf-8") as fh:
                    if fh.read().strip() == content:
                        os.unlink(path)
            except OSError:
                pass

    def stop(signum: int, frame: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    if args.pidfile:
        write_atomic(args.pidfile, f"{os.getpid()}\n")
    if args.tls_port_file:
        write_atomic(args.tls_port_file, f"{tls_port}\n")
    if args.port_file:
        write_atomic(args.port_file, f"{port}\n")

    if args.idle > 0:

        def watchdog() -> None:
            while not done.is_set():
                time.sleep(min(60.0, args.idle / 4))
                if time.monotonic() - max(s.last for s in servers) > args.idle:
                    sys.stderr.write(f"proxy: idle for {args.idle:g}s, exiting\n")
                    done.set()

        threading.Thread(target=watchdog, daemon=True).start()

    urls = f"http://{args.host}:{port}/" + (f" and https://{args.host}:{tls_port}/" if tls_port else "")
    private = f", {private_prefix}* needs credentials" if private_prefix else ""
    sys.stderr.write(f"proxy: serving {args.dir} on {urls} (log {args.log}{private})\n")
    sys.stderr.flush()
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.5}) for s in servers]
    for thread in threads:
        thread.start()
    try:
        while not done.wait(1.0):
            if not all(thread.is_alive() for thread in threads):
                break
    finally:
        for server in servers:
            server.shutdown()
        for server in servers:
            server.server_close()
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
