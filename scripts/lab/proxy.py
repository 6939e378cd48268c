#!/usr/bin/env python3
"""A static GOPROXY server for the gogen lab (Python 3 standard library only).

Usage: python3 proxy.py --dir DIR --log FILE [--host 127.0.0.1] [--port 0]
                        [--port-file FILE] [--pidfile FILE] [--idle SECONDS]

Serves DIR (built by fixtures/_modules/mkproxy.py: <module>/@v/list, .info, .mod,
.zip) over HTTP on 127.0.0.1. Every request is appended to --log as one line:

    <UTC time> <method> <path> <status> <client>

so a test can count module downloads (a rebuild after a source-only change must
add no line). Several tests can share one proxy and still count only their own
requests: GOPROXY=http://127.0.0.1:PORT/c/<client>/ serves the same tree, and
the log line names <client> (letters, digits, "._-"); "-" without the prefix.
With --port 0 the kernel picks a free port; it is written to
--port-file once the socket is listening. The server exits by itself after
--idle seconds without a request (0 = never), and on SIGTERM/SIGINT; it removes
its pidfile and port file on the way out.
"""

import argparse
import datetime
import functools
import http.server
import io
import os
import re
import signal
import sys
import threading
import time
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

    server: "Server"
    client = "-"

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        match = CLIENT_PREFIX.match(self.path)
        if match:
            self.client, self.path = match.group(1), match.group(2)
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> None:  # no listings: a proxy has none
        self.send_error(404, "not found")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.server.touch()
        if isinstance(code, http.HTTPStatus):
            code = code.value
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        line = f"{now} {self.command} {self.path} {code} {self.client}\n"
        with self.server.log_lock, open(self.server.log_path, "a", encoding="utf-8") as fh:
            fh.write(line)

    def log_error(self, format: str, *args: object) -> None:  # errors are already logged with their status
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr: tuple[str, int], handler: Callable[..., Handler], log_path: str) -> None:
        super().__init__(addr, handler)
        self.log_path = log_path
        self.log_lock = threading.Lock()
        self.last = time.monotonic()

    def touch(self) -> None:
        self.last = time.monotonic()


def write_atomic(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: any free port; a busy port falls back to any")
    ap.add_argument("--port-file")
    ap.add_argument("--pidfile")
    ap.add_argument("--idle", type=float, default=6 * 3600)
    args = ap.parse_args(argv)

    handler = functools.partial(Handler, directory=os.path.abspath(args.dir))
    try:
        server = Server((args.host, args.port), handler, os.path.abspath(args.log))
    except OSError:
        if args.port == 0:
            raise
        server = Server((args.host, 0), handler, os.path.abspath(args.log))
    port = server.server_address[1]

    def cleanup() -> None:
        for path in (args.pidfile, args.port_file):
            if not path:
                continue
            try:
                # Only remove what is still ours (a newer proxy may have replaced it).
                with open(path, encoding="utf-8") as fh:
                    content = fh.read().strip()
                if content in (str(os.getpid()), str(port)):
                    os.unlink(path)
            except OSError:
                pass

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    if args.pidfile:
        write_atomic(args.pidfile, f"{os.getpid()}\n")
    if args.port_file:
        write_atomic(args.port_file, f"{port}\n")

    if args.idle > 0:

        def watchdog() -> None:
            while True:
                time.sleep(min(60.0, args.idle / 4))
                if time.monotonic() - server.last > args.idle:
                    sys.stderr.write(f"proxy: idle for {args.idle:g}s, exiting\n")
                    server.shutdown()
                    return

        threading.Thread(target=watchdog, daemon=True).start()

    sys.stderr.write(f"proxy: serving {args.dir} on http://{args.host}:{port}/ (log {args.log})\n")
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
