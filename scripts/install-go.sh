#!/usr/bin/env bash
# Install the Go 1.23 toolchain from Debian bookworm-backports (idempotent), and the C library
# the cgo-syslib fixture links (libsqlite3-dev, found with pkg-config).
# The toolchain ends up in /usr/lib/go-1.23/bin/go.
set -euo pipefail

GO=/usr/lib/go-1.23/bin/go
SOURCES=/etc/apt/sources.list.d/gogen-backports.sources

if [ ! -x "$GO" ]; then
    if [ ! -f "$SOURCES" ]; then
        cat > "$SOURCES" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends golang-1.23-go
fi

if ! dpkg -s libsqlite3-dev pkg-config >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends libsqlite3-dev pkg-config
fi

"$GO" version
