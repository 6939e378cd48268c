#!/usr/bin/env python3
"""A static GOPROXY server for the gogen lab (Python 3 standard library only).

Usage: python3 proxy.py --dir DIR --log FILE [--host 127.0.0.1] [--port 0]
                        [--port-file FILE] [--pidfile FILE] [--idle SECONDS]

Serves DIR (built by fixtures/_modules/mkproxy.py: <module>/@v/list, .info, .mod,
.zip) over HTTP on 127.0.0.1. Every request is appended to --log as one line:

    <UTC time> <method> <path> <status> <bytes>

so a test can count module downloads (a rebuild after a source-only change must
add no line). With --port 0 the kernel picks a free port; it is written to
--port-file once the socket is listening. The server exits by itself after
--idle seconds without a request (0 = never), and on SIGTERM/SIGINT; it removes
its pidfile and port file on the way out.
"""

import argparse
import datetime
import functools
import http.server
import os
import signal
import sys
import threading
import time


class Handler(http.server.SimpleHTTPRequestHandler):
    server_version = "gogen-lab-proxy/1"
    # The go command only needs these; be explicit so .zip is not guessed as text.
    extensions_map = {
        "": "application/octet-stream",
        ".info": "application/json",
        ".mod": "text/plain; charset=utf-8",
        ".zip": "application/zip",
    }

    def list_directory(self, path):  # no directory listings: a proxy has none
        self.send_error(404, "not found")
        return None

    def log_request(self, code="-", size="-"):
        self.server.touch()
        if isinstance(code, http.HTTPStatus):
            code = code.value
        line = "%s %s %s %s %s\n" % (
            datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            self.command,
            self.path,
            code,
            size,
        )
        with self.server.log_lock:
            with open(self.server.log_path, "a", encoding="utf-8") as fh:
                fh.write(line)

    def log_error(self, format, *args):  # errors are already logged with their status
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, handler, log_path):
        super().__init__(addr, handler)
        self.log_path = log_path
        self.log_lock = threading.Lock()
        self.last = time.monotonic()

    def touch(self):
        self.last = time.monotonic()


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--pidfile")
    ap.add_argument("--idle", type=float, default=6 * 3600)
    args = ap.parse_args(argv)

    handler = functools.partial(Handler, directory=os.path.abspath(args.dir))
    server = Server((args.host, args.port), handler, os.path.abspath(args.log))
    port = server.server_address[1]

    def cleanup():
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

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    if args.pidfile:
        write_atomic(args.pidfile, "%d\n" % os.getpid())
    if args.port_file:
        write_atomic(args.port_file, "%d\n" % port)

    if args.idle > 0:
        def watchdog():
            while True:
                time.sleep(min(60.0, args.idle / 4))
                if time.monotonic() - server.last > args.idle:
                    sys.stderr.write("proxy: idle for %ds, exiting\n" % args.idle)
                    server.shutdown()
                    return

        threading.Thread(target=watchdog, daemon=True).start()

    sys.stderr.write("proxy: serving %s on http://%s:%d/ (log %s)\n" % (args.dir, args.host, port, args.log))
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
