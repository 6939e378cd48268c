#!/usr/bin/env bash
# Bring up the gogen test lab (idempotent; run as root):
#   * installs what it needs with apt-get (only what is missing);
#   * starts a private containerd + dockerd (all state under $GOGEN_LAB_DIR);
#   * builds stand-in base images, tagged with the exact references gogen's Dockerfiles use
#     (golang:<v>, golang:<v>-alpine, gcr.io/distroless/{static,base,cc}-debian13:nonroot,
#     cgr.dev/chainguard/{static,glibc-dynamic}:latest, alpine:3.22, debian:trixie-slim),
#     skipping those already present and current;
#   * creates (once) a lab CA, an HTTPS certificate for 127.0.0.1 and the password of the
#     private modules; the golang stand-ins trust the lab CA;
#   * starts a GOPROXY server on 127.0.0.1 serving fixtures/_modules over HTTP and HTTPS
#     (example.com/private/* only with credentials: the netrc named in the env file);
#   * writes $GOGEN_LAB_DIR/env (source it: `. /var/lib/gogen-lab/env`).
#
# Usage: scripts/lab/up.sh [--selftest] [--rebuild]
#   --selftest  also run scripts/lab/selftest.sh (checks every stand-in does its job)
#   --rebuild   rebuild every stand-in image even if present
# Environment:
#   GOGEN_LAB_DIR           lab directory (default /var/lib/gogen-lab)
#   GOGEN_LAB_GO_VERSIONS   extra Go versions to tag (space or comma separated)
#   GOGEN_LAB_GOROOT        host Go toolchain copied into golang stand-ins (default /usr/lib/go-1.23)
#   GOGEN_LAB_MIRROR        Debian mirror (default http://deb.debian.org/debian)
#   GOGEN_LAB_RUNTIME_SUITE Debian suite for debian:*-slim and distroless stand-ins (default trixie)
#   GOGEN_LAB_PROXY_IDLE    seconds without a request before the proxy exits (default 21600)
#   GOGEN_LAB_NO_APT=1      never run apt-get (fail if something is missing)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LAB=${GOGEN_LAB_DIR:-/var/lib/gogen-lab}
GOROOT_HOST=${GOGEN_LAB_GOROOT:-/usr/lib/go-1.23}
MIRROR=${GOGEN_LAB_MIRROR:-http://deb.debian.org/debian}
BUILD_SUITE=bookworm            # golang stand-ins: what the official golang:1.22/1.23 images are based on
RUNTIME_SUITE=${GOGEN_LAB_RUNTIME_SUITE:-trixie}
PROXY_IDLE=${GOGEN_LAB_PROXY_IDLE:-21600}
DOCKER=/usr/bin/docker
STATE_NAME=standins.state
# Bump when a stand-in recipe below changes: images carrying an older revision are rebuilt.
RECIPE_REV=6
# The same for the Chainguard stand-ins alone (build_chainguard), so a change there rebuilds
# only those two.
CHAINGUARD_REV=1

SELFTEST=0
REBUILD=${GOGEN_LAB_REBUILD:-0}
for arg in "$@"; do
    case "$arg" in
    --selftest) SELFTEST=1 ;;
    --rebuild) REBUILD=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "up.sh: unknown argument '$arg'" >&2
        exit 2
        ;;
    esac
done

T0=$(date +%s)
log() { printf '[lab %4ds] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() {
    printf '[lab] ERROR: %s\n' "$*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it starts dockerd and debootstraps root filesystems)"

CACHE=$LAB/cache
TMP=$LAB/tmp
SOCK=$LAB/docker.sock
EXEC=$LAB/exec
mkdir -p "$LAB" "$CACHE" "$TMP"
[ ${#EXEC} -lt 60 ] || die "GOGEN_LAB_DIR is too long for unix socket paths: $LAB"

# One up.sh at a time per lab directory.
exec 9>"$LAB/.lock"
flock 9

WORK=""
cleanup() {
    local rc=$?
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        rm -rf --one-file-system "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
WORK=$(mktemp -d "$TMP/up.XXXXXX")

export DOCKER_HOST=unix://$SOCK DOCKER_BUILDKIT=1
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH || true

# --------------------------------------------------------------------------------------------
# 1. packages
# --------------------------------------------------------------------------------------------
PKGS=(runc debootstrap busybox-static musl-tools python3 curl ca-certificates tzdata
    debian-archive-keyring openssl)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "${GOGEN_LAB_NO_APT:-0}" = 1 ] && die "missing packages: ${missing[*]} (GOGEN_LAB_NO_APT=1)"
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # policy-rc.d: never let a package start a system service.
    had_policy=0
    [ -e /usr/sbin/policy-rc.d ] && had_policy=1
    if [ $had_policy = 0 ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    if [ $had_policy = 0 ]; then rm -f /usr/sbin/policy-rc.d; fi
else
    log "packages: all present (${PKGS[*]})"
fi
# --------------------------------------------------------------------------------------------
# 1b. the engine: what users run today, from Debian sid (docker.io 28 with its BuildKit,
#     containerd 2, the buildx and compose plugins, the distribution registry), downloaded and
#     unpacked with dpkg -x into $ENGINE (nothing installed). runc comes from the host (sid's
#     needs a newer glibc than bookworm's); tini-static is dockerd's `docker-init`.
# --------------------------------------------------------------------------------------------
# A private package list for Debian SUITE under $CACHE (the host's apt state is never touched),
# refreshed daily; sets APT_OPTS for apt-get/apt-cache.
private_apt() { # suite
    local suite=$1 dir=$CACHE/apt-$1
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $suite main" >"$dir/sources.list"
    APT_OPTS=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o Dir::State::status=/dev/null
        -o APT::Get::List-Cleanup=false -o APT::Sandbox::User=root)
    if [ -z "$(find "$dir/updated" -mmin -1440 2>/dev/null)" ]; then
        log "apt-get update of a private Debian $suite package list ($dir)" >&2
        apt-get -q "${APT_OPTS[@]}" update >&2
        touch "$dir/updated"
    fi
}

# Download Debian packages from SUITE and unpack them into DEST (dpkg -x: nothing is installed).
fetch_debs() { # suite dest package...
    local suite=$1 dest=$2 debs
    shift 2
    private_apt "$suite"
    debs=$WORK/debs-$(basename "$dest")
    mkdir -p "$debs"
    (cd "$debs" && apt-get -q "${APT_OPTS[@]}" download "$@" >&2) || die "downloading $* from Debian $suite failed"
    rm -rf "$dest.tmp"
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$dest.tmp"; done
    rm -rf "$dest"
    mv "$dest.tmp" "$dest"
}

ENGINE_SUITE=sid
ENGINE_PKGS=(docker.io docker-cli docker-buildx docker-compose containerd docker-registry tini-static)
ENGINE=$CACHE/engine-$ENGINE_SUITE
if [ ! -x "$ENGINE/usr/sbin/dockerd" ] || [ "$(cat "$ENGINE/.packages" 2>/dev/null)" != "${ENGINE_PKGS[*]}" ]; then
    log "fetching ${ENGINE_PKGS[*]} from Debian $ENGINE_SUITE (dpkg -x into $ENGINE)"
    fetch_debs "$ENGINE_SUITE" "$ENGINE" "${ENGINE_PKGS[@]}"
    echo "${ENGINE_PKGS[*]}" >"$ENGINE/.packages"
fi
# What dockerd and containerd find on PATH: the shim, docker-init, runc (the host's).
mkdir -p "$LAB/bin"
ln -sfn "$ENGINE/usr/bin/tini-static" "$LAB/bin/docker-init"
ENGINE_PATH=$LAB/bin:$ENGINE/usr/sbin:$ENGINE/usr/bin:$PATH
DOCKER=$ENGINE/usr/bin/docker
# The client's plugins (buildx, compose) live in the lab's own client configuration.
export DOCKER_CONFIG=$LAB/client
mkdir -p "$DOCKER_CONFIG/cli-plugins"
for plugin in docker-buildx docker-compose; do
    ln -sfn "$ENGINE/usr/libexec/docker/cli-plugins/$plugin" "$DOCKER_CONFIG/cli-plugins/$plugin"
done
ENGINE_VERSION=$("$ENGINE/usr/sbin/dockerd" --version | sed -E 's/^Docker version ([^,]+),.*/\1/')
REGISTRY_BIN=$ENGINE/usr/bin/docker-registry
log "engine: dockerd $ENGINE_VERSION, $("$DOCKER" buildx version | cut -d' ' -f1-2), $("$ENGINE/usr/bin/containerd" --version | cut -d' ' -f2-3)"

if [ ! -x "$GOROOT_HOST/bin/go" ]; then
    [ "$GOROOT_HOST" = /usr/lib/go-1.23 ] || die "no Go toolchain at $GOROOT_HOST"
    log "installing Go 1.23 (scripts/install-go.sh)"
    bash "$REPO/scripts/install-go.sh"
fi
# (the VERSION file, not `go env`: with GOTOOLCHAIN=auto, a go.mod in the current directory could
# make the go command try to download another toolchain)
HOST_GO_VERSION=$(head -n 1 "$GOROOT_HOST/VERSION") # go1.23.5
HOST_GO_MINOR=$(echo "$HOST_GO_VERSION" | sed -E 's/^go1\.([0-9]+).*/\1/')
log "host toolchain: $HOST_GO_VERSION at $GOROOT_HOST"

# --------------------------------------------------------------------------------------------
# 2. private containerd + dockerd
# --------------------------------------------------------------------------------------------
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
engine_answers() { timeout 10 "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_containerd() {
    # dockerd would silently reuse a *system* containerd at /run/containerd/containerd.sock if
    # one runs; an explicit private containerd keeps the lab private on any machine.
    mkdir -p "$LAB/containerd" "$EXEC/containerd"
    cat >"$LAB/containerd.toml" <<EOF
version = 2
root = "$LAB/containerd"
state = "$EXEC/containerd"
oom_score = -500
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$EXEC/containerd/containerd.sock"
[ttrpc]
  address = ""
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$LAB/containerd/opt"
EOF
    log "starting private containerd (log $LAB/containerd.log)"
    PATH=$ENGINE_PATH setsid "$ENGINE/usr/bin/containerd" --config "$LAB/containerd.toml" </dev/null >>"$LAB/containerd.log" 2>&1 9>&- &
    echo $! >"$LAB/containerd.pid"
    for _ in $(seq 1 100); do
        [ -S "$EXEC/containerd/containerd.sock" ] && return 0
        alive "$LAB/containerd.pid" || break
        sleep 0.2
    done
    tail -n 30 "$LAB/containerd.log" >&2 || true
    die "containerd did not start"
}

server_version() { timeout 10 "$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null; }
if alive "$LAB/dockerd.pid" && engine_answers && [ "$(server_version)" != "$ENGINE_VERSION" ]; then
    # An engine of an earlier lab (dockerd 20.10, or another sid release): the images and the
    # build cache stay; the daemons are replaced.
    log "dockerd $(server_version) is not the lab's engine ($ENGINE_VERSION): restarting the lab's daemons"
    bash "$HERE/down.sh"
fi
if alive "$LAB/dockerd.pid" && engine_answers; then
    log "dockerd already running (pid $(cat "$LAB/dockerd.pid"), $DOCKER_HOST)"
else
    if alive "$LAB/dockerd.pid"; then
        die "dockerd pid $(cat "$LAB/dockerd.pid") is alive but does not answer on $SOCK: run scripts/lab/down.sh"
    fi
    rm -f "$LAB/dockerd.pid" "$SOCK"
    if ! alive "$LAB/containerd.pid"; then
        rm -f "$LAB/containerd.pid" "$EXEC/containerd/containerd.sock"
        start_containerd
    fi
    log "starting private dockerd: data-root $LAB/docker, exec-root $EXEC, socket $SOCK (log $LAB/dockerd.log)"
    PATH=$ENGINE_PATH setsid "$ENGINE/usr/sbin/dockerd" \
        --data-root "$LAB/docker" \
        --exec-root "$EXEC" \
        --pidfile "$LAB/dockerd.pid" \
        --containerd "$EXEC/containerd/containerd.sock" \
        -H "unix://$SOCK" \
        --storage-driver=overlay2 \
        --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false --bridge=none \
        --userland-proxy=false \
        </dev/null >>"$LAB/dockerd.log" 2>&1 9>&- &
    dpid=$!
    ok=0
    for _ in $(seq 1 120); do
        if engine_answers; then
            ok=1
            break
        fi
        kill -0 $dpid 2>/dev/null || break
        sleep 0.5
    done
    if [ $ok = 0 ]; then
        tail -n 40 "$LAB/dockerd.log" >&2 || true
        die "dockerd did not answer on $SOCK"
    fi
    log "dockerd $("$DOCKER" version --format '{{.Server.Version}}') answers (pid $(cat "$LAB/dockerd.pid"))"
fi

# --------------------------------------------------------------------------------------------
# 3. root filesystems (debootstrap, cached as tarballs)
# --------------------------------------------------------------------------------------------
# build rootfs: what the golang stand-ins are made of (golang:1.2x is bookworm + gcc, git...).
BUILD_INCLUDE=gcc,g++,libc6-dev,make,pkg-config,ca-certificates,tzdata,git,netbase,musl-tools,musl-dev
BUILD_TAR=$CACHE/rootfs-$BUILD_SUITE-build.tar
# runtime rootfs: plain minbase (apt, groupadd, useradd): debian:<suite>-slim and the glibc of
# the distroless stand-ins.
RUNTIME_TAR=$CACHE/rootfs-$RUNTIME_SUITE-minbase.tar

bootstrap() { # suite include tarball
    local suite=$1 include=$2 tarball=$3 dir
    if [ -s "$tarball" ]; then
        log "rootfs cached: $tarball ($(du -h "$tarball" | cut -f1))"
        return 0
    fi
    local name
    name=$(basename "$tarball" .tar)
    dir="$WORK/$name"
    mkdir -p "$dir"
    log "debootstrap --variant=minbase ${include:+--include=$include} $suite (log $LAB/debootstrap-$name.log)"
    local args=(--variant=minbase)
    [ -n "$include" ] && args+=("--include=$include")
    if ! debootstrap "${args[@]}" "$suite" "$dir" "$MIRROR" >"$LAB/debootstrap-$name.log" 2>&1; then
        tail -n 30 "$LAB/debootstrap-$name.log" >&2
        # debootstrap can leave /proc or /sys mounted on failure
        umount -R "$dir/proc" "$dir/sys" 2>/dev/null || true
        die "debootstrap $suite failed"
    fi
    if findmnt -rn -o TARGET | grep -q "^$dir/"; then
        die "something is still mounted under $dir"
    fi
    # What an image does not carry: apt lists, downloaded .debs, logs.
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin \
        "$dir"/var/log/* "$dir"/debootstrap
    mkdir -p "$dir/var/lib/apt/lists/partial"
    # Like the official images: apt removes what it downloads.
    cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    : >"$dir/etc/hostname"
    : >"$dir/etc/resolv.conf"
    tar --numeric-owner --xattrs -C "$dir" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf --one-file-system "$dir"
    log "rootfs written: $tarball ($(du -h "$tarball" | cut -f1))"
}

# Both root filesystems are needed by some stand-in: debootstrap them in parallel (mostly
# network-bound), each to its own log.
bootstrap_pids=()
if [ ! -s "$BUILD_TAR" ]; then
    bootstrap "$BUILD_SUITE" "$BUILD_INCLUDE" "$BUILD_TAR" &
    bootstrap_pids+=($!)
fi
if [ ! -s "$RUNTIME_TAR" ]; then
    bootstrap "$RUNTIME_SUITE" "" "$RUNTIME_TAR" &
    bootstrap_pids+=($!)
fi
for pid in "${bootstrap_pids[@]}"; do
    wait "$pid" || die "debootstrap failed (see $LAB/debootstrap-*.log)"
done

# --------------------------------------------------------------------------------------------
# 4. lab CA, HTTPS certificate, private-module credentials (created once, then reused)
# --------------------------------------------------------------------------------------------
# The go command sends .netrc credentials over https only, so the proxy also listens on HTTPS,
# with a certificate for IP 127.0.0.1 issued by a lab CA that the golang stand-ins trust.
TLS=$LAB/tls
PRIVATE_AUTH=$LAB/private.auth   # "gogen:<password>", read by the proxy
PRIVATE_NETRC=$LAB/private.netrc # the same credentials for the go command (written in 6.)
PRIVATE_PREFIX=example.com/private/
mkdir -p "$TLS"
chmod 755 "$TLS"
cat >"$WORK/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
tls_pair_ok() { # cert key: the key is the certificate's, and the certificate is valid for 30 more days
    [ -s "$1" ] && [ -s "$2" ] &&
        openssl x509 -noout -checkend $((30 * 86400)) -in "$1" >/dev/null 2>&1 &&
        [ "$(openssl x509 -noout -pubkey -in "$1" 2>/dev/null)" = "$(openssl pkey -pubout -in "$2" 2>/dev/null)" ]
}
new_key() { # file
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1")
}
if ! tls_pair_ok "$TLS/ca.pem" "$TLS/ca.key"; then
    log "creating the lab CA ($TLS/ca.pem)"
    new_key "$TLS/ca.key.tmp"
    openssl req -x509 -new -config "$WORK/openssl.cnf" -extensions ca -key "$TLS/ca.key.tmp" -days 7300 \
        -subj "/O=gogen test lab/CN=gogen lab CA ($(hostname))" -out "$TLS/ca.pem.tmp"
    mv "$TLS/ca.key.tmp" "$TLS/ca.key"
    mv "$TLS/ca.pem.tmp" "$TLS/ca.pem"
    rm -f "$TLS/server.pem"
fi
if ! tls_pair_ok "$TLS/server.pem" "$TLS/server.key" ||
    ! openssl verify -CAfile "$TLS/ca.pem" -purpose sslserver -verify_ip 127.0.0.1 "$TLS/server.pem" >/dev/null 2>&1; then
    log "creating the proxy's HTTPS certificate for 127.0.0.1 ($TLS/server.pem)"
    new_key "$TLS/server.key.tmp"
    openssl req -new -config "$WORK/openssl.cnf" -key "$TLS/server.key.tmp" -subj "/O=gogen test lab/CN=127.0.0.1" \
        -out "$WORK/server.csr"
    openssl x509 -req -in "$WORK/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days 3650 -extfile "$WORK/openssl.cnf" -extensions server \
        -out "$TLS/server.pem.tmp" 2>/dev/null
    mv "$TLS/server.key.tmp" "$TLS/server.key"
    mv "$TLS/server.pem.tmp" "$TLS/server.pem"
fi
chmod 644 "$TLS/ca.pem" "$TLS/server.pem"
# Part of the golang stand-ins' recipe revision: a new CA rebuilds them.
CA_FP=$(openssl x509 -noout -fingerprint -sha256 -in "$TLS/ca.pem" | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' | cut -c1-16)
log "lab CA: $TLS/ca.pem (sha256 $CA_FP...)"
if ! grep -qxE 'gogen:[0-9a-f]{32}' "$PRIVATE_AUTH" 2>/dev/null; then
    (umask 077 && echo "gogen:$(openssl rand -hex 16)" >"$PRIVATE_AUTH.tmp")
    mv "$PRIVATE_AUTH.tmp" "$PRIVATE_AUTH"
    log "created the private modules' credentials ($PRIVATE_AUTH)"
fi
chmod 600 "$PRIVATE_AUTH"

# --------------------------------------------------------------------------------------------
# 5. stand-in images
# --------------------------------------------------------------------------------------------
STUBS_HASH=$(cat "$HERE"/stubs/* | sha256sum | cut -c1-12)

# $LAB/standins.state: "<ref> <image id> <recipe revision>" per stand-in built by this script
# (kept out of the images themselves: a label would be inherited by every image built on them).
STATE=$LAB/$STATE_NAME
touch "$STATE"
image_id() { "$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
current() { # ref rev: true when ref exists with that revision (and no --rebuild)
    local id
    id=$(image_id "$1")
    [ "$REBUILD" != 1 ] && [ -n "$id" ] && grep -qxF "$1 $id $2" "$STATE"
}
record() { # ref rev
    local id
    id=$(image_id "$1")
    awk -v r="$1" '$1 != r' "$STATE" >"$STATE.tmp"
    echo "$1 $id $2" >>"$STATE.tmp"
    mv "$STATE.tmp" "$STATE"
}

import_dir() { # dir ref rev [--change ...]...
    local dir=$1 ref=$2 rev=$3
    shift 3
    local t0
    t0=$(date +%s)
    tar --numeric-owner --xattrs -C "$dir" -cf - . |
        "$DOCKER" import "$@" - "$ref" >/dev/null
    record "$ref" "$rev"
    log "imported $ref ($("$DOCKER" image inspect -f '{{.Size}}' "$ref" | numfmt --to=iec) in $(($(date +%s) - t0))s)"
}

extract() { # tarball dir
    mkdir -p "$2"
    tar --numeric-owner --xattrs -C "$2" -xf "$1"
}

# The Go versions gogen's Dockerfiles name: the fixtures' expected Dockerfiles, go-versions.txt
# and GOGEN_LAB_GO_VERSIONS.
go_versions() {
    {
        grep -hoE '^FROM[[:space:]].*[[:space:]]golang:[^[:space:]]+' "$REPO"/fixtures/*/expected/*/Dockerfile 2>/dev/null |
            sed -E 's/.*golang:([^[:space:]]+)$/\1/; s/-alpine$//' || true
        grep -vE '^[[:space:]]*(#|$)' "$HERE/go-versions.txt" || true
        echo "${GOGEN_LAB_GO_VERSIONS:-}" | tr -s ', ' '\n'
    } | sed '/^$/d' | sort -uV
}

# A Go toolchain for minor N: the host's for N <= host minor (GOTOOLCHAIN=local only refuses
# go.mod files *newer* than the toolchain), Debian sid's golang-1.N-go for newer minors.
goroot_for_minor() {
    local m=$1
    if [ "$m" -le "$HOST_GO_MINOR" ]; then
        echo "$GOROOT_HOST"
        return 0
    fi
    if [ -x "$CACHE/go-1.$m/usr/lib/go-1.$m/bin/go" ]; then
        echo "$CACHE/go-1.$m/usr/lib/go-1.$m"
        return 0
    fi
    # Not cached: the oldest Go in Debian sid that is at least 1.m (sid keeps only a few minors;
    # a newer toolchain builds an older go.mod, as with GOTOOLCHAIN=local in the real image).
    local n=""
    private_apt sid
    n=$(apt-cache "${APT_OPTS[@]}" search '^golang-1\.[0-9]+-go$' | sed -nE 's/^golang-1\.([0-9]+)-go .*/\1/p' |
        sort -n | awk -v m="$m" '$1 >= m { print; exit }')
    [ -n "$n" ] || die "no Go >= 1.$m in Debian sid: cannot make a golang:1.$m stand-in"
    local dest=$CACHE/go-1.$n
    if [ ! -x "$dest/usr/lib/go-1.$n/bin/go" ]; then
        log "fetching golang-1.$n-go and golang-1.$n-src from Debian sid (not installed: dpkg -x into $dest)" >&2
        fetch_debs sid "$dest" "golang-1.$n-go" "golang-1.$n-src"
    fi
    [ "$n" = "$m" ] || log "Go 1.$m is not in Debian sid: golang:1.$m* tags get Go 1.$n" >&2
    echo "$dest/usr/lib/go-1.$n"
}

GOLANG_CHANGES=(
    --change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change 'ENV GOPATH=/go'
    --change 'ENV GOTOOLCHAIN=local'
    --change 'WORKDIR /go'
    --change 'CMD ["bash"]'
)

# golang stand-in for one toolchain and variant (debian | alpine) -> prints the internal ref.
build_golang() { # goroot variant [debian-ref: the base of the alpine variant]
    local goroot=$1 variant=$2 gover ref rev dir
    gover=$(head -n 1 "$goroot/VERSION")
    ref="gogen-lab/golang:${gover#go}-$variant"
    rev="$RECIPE_REV-$STUBS_HASH-$BUILD_SUITE-$gover-ca$CA_FP"
    if current "$ref" "$rev"; then
        echo "$ref"
        return 0
    fi
    if [ "$variant" = alpine ]; then
        # golang:<v>-alpine = the Debian stand-in (sharing its layer) + a musl C toolchain:
        # gcc/cc resolve (PATH order) to musl-gcc wrappers, so cgo builds produce musl
        # binaries; the glibc gcc stays at /usr/bin/gcc underneath musl-gcc. Plus the apk stub.
        local base=$3 t0
        rev="$rev-$(image_id "$base")"
        if current "$ref" "$rev"; then
            echo "$ref"
            return 0
        fi
        dir="$WORK/golang-alpine-ctx"
        rm -rf "$dir"
        mkdir -p "$dir"
        install -m 755 "$HERE/stubs/apk" "$dir/apk"
        printf '#!/bin/sh\n# gogen lab stand-in: C compiler targeting musl (like gcc on Alpine)\nexec /usr/bin/musl-gcc "$@"\n' >"$dir/cc"
        # shellcheck disable=SC2016 # expanded by the stub, not here
        printf '#!/bin/sh\necho "$(basename "$0") (gogen lab stand-in): no C++ compiler for musl here (Debian musl-tools has no libstdc++)" >&2\nexit 99\n' >"$dir/cxx"
        chmod 755 "$dir/cc" "$dir/cxx"
        cat >"$dir/Dockerfile" <<EOF
FROM $base
COPY apk /sbin/apk
COPY cc /usr/local/bin/gcc
COPY cc /usr/local/bin/cc
COPY cc /usr/local/bin/x86_64-alpine-linux-musl-gcc
COPY cxx /usr/local/bin/g++
COPY cxx /usr/local/bin/c++
RUN echo 3.22.0 > /etc/alpine-release
# Go keys its build cache on the C compiler's name and identity. Both stand-ins run the same gcc
# underneath (the real images' compilers differ), so without this a shared cache mount hands a
# musl build the glibc build's cgo objects and links: CC names the musl toolchain.
ENV CC=musl-gcc
EOF
        t0=$(date +%s)
        "$DOCKER" build -q --network=host -t "$ref" "$dir" >/dev/null
        record "$ref" "$rev"
        log "built $ref (on $base, $(($(date +%s) - t0))s)" >&2
        echo "$ref"
        return 0
    fi
    bootstrap "$BUILD_SUITE" "$BUILD_INCLUDE" "$BUILD_TAR" >&2
    dir="$WORK/golang-$variant"
    rm -rf "$dir"
    extract "$BUILD_TAR" "$dir"
    mkdir -p "$dir/usr/local/go"
    # The toolchain: go + gofmt, the compiler/linker/cgo tools, the runtime headers (pkg/include,
    # needed by cgo) and the standard library sources. Debian's tree is symlinks into
    # /usr/share/go-1.N: copy dereferenced.
    for part in bin pkg src VERSION go.env; do
        [ -e "$goroot/$part" ] && cp -rL "$goroot/$part" "$dir/usr/local/go/"
    done
    mkdir -p "$dir/go/bin" "$dir/go/src"
    chmod -R 1777 "$dir/go"
    # Trust the lab CA (the HTTPS module proxy): appended to the bundle Go reads, and kept where
    # update-ca-certificates would pick it up again.
    cat "$TLS/ca.pem" >>"$dir/etc/ssl/certs/ca-certificates.crt"
    mkdir -p "$dir/usr/local/share/ca-certificates"
    cp "$TLS/ca.pem" "$dir/usr/local/share/ca-certificates/gogen-lab-ca.crt"
    import_dir "$dir" "$ref" "$rev" "${GOLANG_CHANGES[@]}" --change "ENV GOLANG_VERSION=${gover#go}" >&2
    rm -rf --one-file-system "$dir"
    echo "$ref"
}

tag() { # src dst
    if [ "$(image_id "$2")" = "$(image_id "$1")" ]; then
        log "present: $2"
    else
        "$DOCKER" tag "$1" "$2"
        log "tagged $2 (from $1)"
    fi
}

# Files every runtime stand-in takes from the build rootfs: CA bundle, zoneinfo.
BUILD_DIR=""
build_rootfs_dir() {
    if [ -z "$BUILD_DIR" ]; then
        bootstrap "$BUILD_SUITE" "$BUILD_INCLUDE" "$BUILD_TAR"
        BUILD_DIR="$WORK/build-rootfs"
        extract "$BUILD_TAR" "$BUILD_DIR"
    fi
}
RUNTIME_DIR=""
runtime_rootfs_dir() {
    if [ -z "$RUNTIME_DIR" ]; then
        bootstrap "$RUNTIME_SUITE" "" "$RUNTIME_TAR"
        RUNTIME_DIR="$WORK/runtime-rootfs"
        extract "$RUNTIME_TAR" "$RUNTIME_DIR"
    fi
}

copy_zoneinfo() { # dest dir (zoneinfo without the posix/ and right/ duplicates, like Alpine)
    mkdir -p "$1"
    (cd "$BUILD_DIR/usr/share/zoneinfo" && tar --exclude=./right --exclude=./posix -cf - .) | tar -C "$1" -xf -
}

# distroless: static | base | cc
build_distroless() {
    local kind=$1 ref="gcr.io/distroless/$1-debian13:nonroot" rev dir
    rev="$RECIPE_REV-$RUNTIME_SUITE"
    if current "$ref" "$rev"; then
        log "present: $ref"
        return 0
    fi
    build_rootfs_dir
    dir="$WORK/distroless-$kind"
    rm -rf "$dir"
    mkdir -p "$dir"/{etc/ssl/certs,usr/share,tmp,home/nonroot,root,var/lib}
    chmod 1777 "$dir/tmp"
    chmod 700 "$dir/root"
    chmod 700 "$dir/home/nonroot"
    chown 65532:65532 "$dir/home/nonroot"
    cp "$BUILD_DIR/etc/ssl/certs/ca-certificates.crt" "$dir/etc/ssl/certs/"
    copy_zoneinfo "$dir/usr/share/zoneinfo"
    cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
    cat >"$dir/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
    cat >"$dir/etc/nsswitch.conf" <<'EOF'
passwd:         files
group:          files
shadow:         files
hosts:          files dns
networks:       files
protocols:      files
services:       files
ethers:         files
rpc:            files
EOF
    cat >"$dir/etc/os-release" <<'EOF'
PRETTY_NAME="Distroless (gogen lab stand-in)"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="13"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
EOF
    cp "$BUILD_DIR/etc/services" "$BUILD_DIR/etc/protocols" "$dir/etc/" 2>/dev/null || true
    if [ "$kind" != static ]; then
        runtime_rootfs_dir
        local libs=(ld-linux-x86-64.so.2 'libc.so.*' 'libm.so.*' 'libpthread.so.*' 'libdl.so.*' 'librt.so.*'
            'libresolv.so.*' 'libnss_*.so.*' 'libanl.so.*' 'libutil.so.*' 'libssl.so.*' 'libcrypto.so.*' 'libz.so.*')
        [ "$kind" = cc ] && libs+=('libgcc_s.so.*' 'libstdc++.so.*' 'libgomp.so.*')
        local arch=usr/lib/x86_64-linux-gnu found
        (
            cd "$RUNTIME_DIR"
            # merged /usr: /lib, /lib64 are symlinks into /usr
            cp -a --parents lib lib64 usr/lib64 "$dir/"
            for pat in "${libs[@]}"; do
                found=$(compgen -G "$arch/$pat" || true)
                [ -n "$found" ] || continue
                # shellcheck disable=SC2086
                cp -a --parents $found "$dir/"
            done
            cp -a --parents etc/ld.so.cache "$dir/" 2>/dev/null || true
        )
        for must in "$arch/libc.so.6" "$arch/ld-linux-x86-64.so.2" "$arch/libm.so.6"; do
            [ -e "$dir/$must" ] || die "distroless $kind: $must missing"
        done
        if [ "$kind" = cc ]; then
            for must in "$arch/libgcc_s.so.1" "$arch/libstdc++.so.6"; do
                [ -e "$dir/$must" ] || die "distroless cc: $must missing (not in the $RUNTIME_SUITE minbase?)"
            done
        fi
    fi
    import_dir "$dir" "$ref" "$rev" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
        --change 'USER 65532' \
        --change 'WORKDIR /home/nonroot'
    rm -rf --one-file-system "$dir"
}

# The shared libraries of Debian packages in the runtime rootfs (paths relative to it), from
# dpkg's file lists: what a Wolfi package of the same name ships, without gconv modules.
package_libs() { # package...
    local pkg list f
    for pkg in "$@"; do
        list=""
        for f in "$RUNTIME_DIR/var/lib/dpkg/info/$pkg"{,:amd64}.list; do
            [ -e "$f" ] && list=$f
        done
        [ -n "$list" ] || die "package $pkg is not in the $RUNTIME_SUITE minbase"
        grep -E '^/usr/lib/x86_64-linux-gnu/[^/]+\.so[^/]*$' "$list" | sed 's|^/||'
    done
}

# Chainguard: static | glibc-dynamic (cgr.dev/chainguard/<kind>:latest, made with apko from
# Wolfi packages). static = wolfi-baselayout + ca-certificates-bundle + tzdata;
# glibc-dynamic = wolfi-baselayout + ca-certificates-bundle + glibc (+ ld-linux,
# glibc-locale-posix) + libgcc + libstdc++, and NO tzdata. Both: apko's nonroot account
# (65532, "Account created by apko", /home/nonroot), run-as 65532, no shell, no WORKDIR.
build_chainguard() {
    local kind=$1 ref="cgr.dev/chainguard/$1:latest" rev dir
    rev="cg$CHAINGUARD_REV-$RECIPE_REV-$RUNTIME_SUITE"
    if current "$ref" "$rev"; then
        log "present: $ref"
        return 0
    fi
    build_rootfs_dir
    dir="$WORK/chainguard-$kind"
    rm -rf "$dir"
    # wolfi-baselayout's skeleton (lib64 and usr/lib64 are symlinks to lib)
    mkdir -p "$dir"/{bin,sbin,etc/ssl/certs,home/nonroot,lib,root,tmp,usr/bin,usr/sbin,usr/local,usr/lib,var/log,var/spool/cron}
    ln -s lib "$dir/lib64"
    ln -s lib "$dir/usr/lib64"
    chmod 1777 "$dir/tmp"
    chmod 700 "$dir/root"
    chmod 755 "$dir/home/nonroot"
    chown 65532:65532 "$dir/home/nonroot"
    cp "$BUILD_DIR/etc/ssl/certs/ca-certificates.crt" "$dir/etc/ssl/certs/"
    [ "$kind" = static ] && copy_zoneinfo "$dir/usr/share/zoneinfo"
    # wolfi-baselayout's root and nobody (abridged: Wolfi also has Alpine's system accounts)
    # and the account apko adds for `accounts: users: [nonroot 65532]`.
    cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/ash
nobody:x:65534:65534:nobody:/:/sbin/nologin
nonroot:x:65532:65532:Account created by apko:/home/nonroot:/bin/sh
EOF
    cat >"$dir/etc/group" <<'EOF'
root:x:0:root
tty:x:5:
nogroup:x:65533:
nobody:x:65534:
nonroot:x:65532:
EOF
    awk -F: '{ print $1 ($1 == "root" ? "::" : ":!:") "0:::::" }' "$dir/etc/passwd" >"$dir/etc/shadow"
    chmod 600 "$dir/etc/shadow"
    cat >"$dir/etc/nsswitch.conf" <<'EOF'
passwd: compat
group:  compat
shadow: compat

hosts:     files dns
networks:  files
ethers:    files
protocols: files
rpc:       files
services:  files
EOF
    cat >"$dir/etc/os-release" <<'EOF'
ID=wolfi
NAME="Wolfi"
PRETTY_NAME="Wolfi (gogen lab stand-in: files from Debian)"
VERSION_ID="20230201"
HOME_URL="https://wolfi.dev"
EOF
    cp "$BUILD_DIR/etc/services" "$BUILD_DIR/etc/protocols" "$dir/etc/" 2>/dev/null || true
    if [ "$kind" = glibc-dynamic ]; then
        runtime_rootfs_dir
        local arch=usr/lib/x86_64-linux-gnu libs
        libs=$(package_libs libc6 libgcc-s1 'libstdc++6')
        # shellcheck disable=SC2086 # one path per word
        (cd "$RUNTIME_DIR" && cp -a --parents $libs usr/lib/locale/C.utf8 etc/ld.so.conf etc/ld.so.conf.d "$dir/")
        cp "$RUNTIME_DIR/usr/sbin/ldconfig" "$dir/sbin/ldconfig"
        # the loader where binaries linked on Debian (and Wolfi) look for it: /lib64 -> lib
        ln -s "/$arch/ld-linux-x86-64.so.2" "$dir/lib/ld-linux-x86-64.so.2"
        "$dir/sbin/ldconfig" -r "$dir" || die "chainguard glibc-dynamic: ldconfig failed"
        for must in "$arch/libc.so.6" "$arch/ld-linux-x86-64.so.2" "$arch/libm.so.6" "$arch/libgcc_s.so.1" \
            "$arch/libstdc++.so.6" etc/ld.so.cache; do
            [ -e "$dir/$must" ] || die "chainguard glibc-dynamic: $must missing"
        done
    fi
    import_dir "$dir" "$ref" "$rev" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin' \
        --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
        --change 'USER 65532'
    rm -rf --one-file-system "$dir"
}

build_alpine() {
    local ref=alpine:3.22 rev dir applet
    rev="$RECIPE_REV-$STUBS_HASH"
    if current "$ref" "$rev"; then
        log "present: $ref"
        return 0
    fi
    build_rootfs_dir
    dir="$WORK/alpine"
    rm -rf "$dir"
    mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib,etc/ssl/certs,etc/apk,tmp,root,home,var/cache,var/log,run,usr/share/gogen-lab/apk,media,mnt,opt,srv}
    chmod 1777 "$dir/tmp"
    chmod 700 "$dir/root"
    # BusyBox (static) and its applets; the binary itself is not symlinked onto itself.
    install -m 755 /bin/busybox "$dir/bin/busybox"
    while read -r applet; do
        [ "$applet" = bin/busybox ] && continue
        [ -e "$dir/$applet" ] || [ -L "$dir/$applet" ] && continue
        mkdir -p "$dir/$(dirname "$applet")"
        ln -s /bin/busybox "$dir/$applet"
    done < <(/bin/busybox --list-full)
    # musl: the dynamic loader is libc itself (Alpine: /lib/ld-musl-x86_64.so.1).
    cp -L /usr/lib/x86_64-linux-musl/libc.so "$dir/lib/ld-musl-x86_64.so.1"
    ln -s ld-musl-x86_64.so.1 "$dir/lib/libc.musl-x86_64.so.1"
    # Stand-ins for what Debian's busybox lacks.
    install -m 755 "$HERE/stubs/apk" "$dir/sbin/apk"
    for tool in adduser addgroup; do
        rm -f "$dir/usr/sbin/$tool" "$dir/sbin/$tool" "$dir/bin/$tool"
        install -m 755 "$HERE/stubs/$tool" "$dir/usr/sbin/$tool"
    done
    [ -e "$dir/sbin/nologin" ] || {
        printf '#!/bin/sh\necho "This account is not available"\nexit 1\n' >"$dir/sbin/nologin"
        chmod 755 "$dir/sbin/nologin"
    }
    # Alpine's base image has ca-certificates-bundle installed; tzdata is apk-installed.
    cp "$BUILD_DIR/etc/ssl/certs/ca-certificates.crt" "$dir/etc/ssl/certs/"
    ln -s certs/ca-certificates.crt "$dir/etc/ssl/cert.pem"
    cp "$BUILD_DIR/etc/ssl/certs/ca-certificates.crt" "$dir/usr/share/gogen-lab/apk/"
    copy_zoneinfo "$dir/usr/share/gogen-lab/apk/zoneinfo"
    cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
operator:x:11:0:operator:/root:/sbin/nologin
man:x:13:15:man:/usr/man:/sbin/nologin
postmaster:x:14:12:postmaster:/var/mail:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
at:x:25:25:at:/var/spool/cron/atjobs:/sbin/nologin
squid:x:31:31:Squid:/var/cache/squid:/sbin/nologin
xfs:x:33:33:X Font Server:/etc/X11/fs:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
cyrus:x:85:12::/usr/cyrus:/sbin/nologin
vpopmail:x:89:89::/var/vpopmail:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
smmsp:x:209:209:smmsp:/var/spool/mqueue:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
EOF
    cat >"$dir/etc/group" <<'EOF'
root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
console:x:19:
audio:x:18:
cdrom:x:24:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
EOF
    awk -F: '{ print $1 ":*::0:::::" }' "$dir/etc/passwd" >"$dir/etc/shadow"
    chmod 640 "$dir/etc/shadow"
    echo "3.22.0" >"$dir/etc/alpine-release"
    cat >"$dir/etc/os-release" <<'EOF'
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.22.0
PRETTY_NAME="Alpine Linux v3.22 (gogen lab stand-in: busybox + musl from Debian)"
HOME_URL="https://alpinelinux.org/"
EOF
    echo "/bin/sh" >"$dir/etc/shells"
    import_dir "$dir" "$ref" "$rev" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["/bin/sh"]'
    rm -rf --one-file-system "$dir"
}

build_debian_slim() {
    local ref="debian:$RUNTIME_SUITE-slim" rev
    rev="$RECIPE_REV-$RUNTIME_SUITE"
    if current "$ref" "$rev"; then
        log "present: $ref"
        return 0
    fi
    bootstrap "$RUNTIME_SUITE" "" "$RUNTIME_TAR"
    local t0
    t0=$(date +%s)
    "$DOCKER" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' "$RUNTIME_TAR" "$ref" >/dev/null
    record "$ref" "$rev"
    log "imported $ref ($("$DOCKER" image inspect -f '{{.Size}}' "$ref" | numfmt --to=iec) in $(($(date +%s) - t0))s)"
}

# golang:<v> and golang:<v>-alpine
mapfile -t VERSIONS < <(go_versions)
[ ${#VERSIONS[@]} -gt 0 ] || die "no Go versions found (fixtures/*/expected, $HERE/go-versions.txt)"
log "Go versions to tag: ${VERSIONS[*]}"
declare -A GOLANG_REF=()
for v in "${VERSIONS[@]}"; do
    [[ "$v" =~ ^1\.([0-9]+)(\.[0-9]+|rc[0-9]+)?$ ]] || die "unsupported Go version spelling '$v'"
    minor=${BASH_REMATCH[1]}
    goroot=$(goroot_for_minor "$minor")
    for variant in debian alpine; do
        key="$goroot/$variant"
        if [ -z "${GOLANG_REF[$key]:-}" ]; then
            GOLANG_REF[$key]=$(build_golang "$goroot" "$variant" "${GOLANG_REF[$goroot/debian]:-}")
        fi
        suffix=""
        [ "$variant" = alpine ] && suffix=-alpine
        tag "${GOLANG_REF[$key]}" "golang:$v$suffix"
    done
done

for kind in static base cc; do build_distroless "$kind"; done
for kind in static glibc-dynamic; do build_chainguard "$kind"; done
build_alpine
build_debian_slim
if [ "$RUNTIME_SUITE" != trixie ]; then
    # gogen's default references name trixie; tag the chosen suite under that name too.
    tag "debian:$RUNTIME_SUITE-slim" debian:trixie-slim
fi

# Stand-ins replaced by a rebuild are left untagged: drop them (and any other dangling image).
"$DOCKER" image prune -f >/dev/null

# --------------------------------------------------------------------------------------------
# 6. module proxy
# --------------------------------------------------------------------------------------------
PROXY_DIR=$LAB/goproxy
mkdir -p "$PROXY_DIR"
python3 "$REPO/fixtures/_modules/mkproxy.py" "$PROXY_DIR" | sed 's/^/[lab] /'
netrc_for() { # tls-port: the credentials for the go command (which matches "machine" against
    # host:port, see README) and for curl & co. (which match the bare host)
    local password
    password=$(cut -d: -f2- "$PRIVATE_AUTH")
    printf 'machine 127.0.0.1:%s login gogen password %s\n' "$1" "$password"
    printf 'machine 127.0.0.1 login gogen password %s\n' "$password"
}
proxy_answers() { # port tls-port: both listeners serve the tree; private modules need the credentials
    local http=http://127.0.0.1:$1/c/lab-probe https=https://127.0.0.1:$2/c/lab-probe
    local curl=(curl -sS -o /dev/null --max-time 3 --cacert "$TLS/ca.pem")
    [ -n "$1" ] && [ -n "$2" ] || return 1
    "${curl[@]}" -f "$http/example.com/greet/@v/list" &&
        "${curl[@]}" -f "$https/example.com/greet/@v/list" &&
        [ "$("${curl[@]}" -w '%{http_code}' "$https/${PRIVATE_PREFIX}vault/@v/list")" = 401 ] &&
        "${curl[@]}" -f --netrc-file <(netrc_for "$2") "$https/${PRIVATE_PREFIX}vault/@v/list"
} 2>/dev/null
stop_proxy() { # the pid in proxy.pid, if it is still a proxy.py; waits until its ports are free
    local pid
    pid=$(cat "$LAB/proxy.pid")
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'proxy\.py' || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
}
PORT="" TLS_PORT=""
if alive "$LAB/proxy.pid"; then
    PORT=$(cat "$LAB/proxy.port" 2>/dev/null || true)
    TLS_PORT=$(cat "$LAB/proxy.tls.port" 2>/dev/null || true)
    if ! proxy_answers "$PORT" "$TLS_PORT"; then
        # e.g. a proxy from an older lab: no HTTPS listener, no private modules, another CA
        log "proxy pid $(cat "$LAB/proxy.pid") does not serve as configured (HTTP, HTTPS, private modules): restarting it"
        stop_proxy
        PORT="" TLS_PORT=""
    fi
fi
if [ -n "$PORT" ]; then
    log "proxy already running (pid $(cat "$LAB/proxy.pid"), http://127.0.0.1:$PORT, https://127.0.0.1:$TLS_PORT)"
else
    rm -f "$LAB/proxy.port" "$LAB/proxy.tls.port" "$LAB/proxy.pid"
    touch "$LAB/proxy.log"
    setsid python3 "$HERE/proxy.py" --dir "$PROXY_DIR" --log "$LAB/proxy.log" \
        --port "$(cat "$LAB/proxy.lastport" 2>/dev/null || echo 0)" --port-file "$LAB/proxy.port" \
        --tls-cert "$TLS/server.pem" --tls-key "$TLS/server.key" \
        --tls-port "$(cat "$LAB/proxy.tls.lastport" 2>/dev/null || echo 0)" --tls-port-file "$LAB/proxy.tls.port" \
        --private-prefix "$PRIVATE_PREFIX" --private-auth-file "$PRIVATE_AUTH" \
        --pidfile "$LAB/proxy.pid" --idle "$PROXY_IDLE" \
        </dev/null >>"$LAB/proxy.out" 2>&1 9>&- &
    for _ in $(seq 1 50); do
        [ -s "$LAB/proxy.port" ] && break # written after proxy.tls.port
        sleep 0.1
    done
    [ -s "$LAB/proxy.port" ] || die "proxy did not start (see $LAB/proxy.out)"
    PORT=$(cat "$LAB/proxy.port")
    TLS_PORT=$(cat "$LAB/proxy.tls.port")
    # reused by the next start when free: a stable GOGEN_GOPROXY and GOGEN_GOPROXY_TLS
    echo "$PORT" >"$LAB/proxy.lastport"
    echo "$TLS_PORT" >"$LAB/proxy.tls.lastport"
    proxy_answers "$PORT" "$TLS_PORT" || die "proxy on ports $PORT/$TLS_PORT does not serve $PROXY_DIR as configured"
    log "proxy started (pid $(cat "$LAB/proxy.pid"), http://127.0.0.1:$PORT, https://127.0.0.1:$TLS_PORT, log $LAB/proxy.log, idle exit ${PROXY_IDLE}s)"
fi
(umask 077 && netrc_for "$TLS_PORT" >"$PRIVATE_NETRC.tmp")
mv "$PRIVATE_NETRC.tmp" "$PRIVATE_NETRC"
log "private modules: ${PRIVATE_PREFIX}* need the credentials in $PRIVATE_NETRC (https only)"

# --------------------------------------------------------------------------------------------
# 7. env file
# --------------------------------------------------------------------------------------------
cat >"$LAB/env.tmp" <<EOF
# gogen lab: source this file (. $LAB/env). Written by scripts/lab/up.sh.
export GOGEN_LAB_DIR=$LAB
export DOCKER_HOST=unix://$SOCK
export DOCKER_BUILDKIT=1
export GOGEN_DOCKER=$DOCKER
export GOGEN_GOPROXY=http://127.0.0.1:$PORT
export GOGEN_GOPROXY_TLS=https://127.0.0.1:$TLS_PORT
export GOGEN_PRIVATE_NETRC=$PRIVATE_NETRC
export GOGEN_LAB_CA=$TLS/ca.pem
export GOGEN_PROXY_LOG=$LAB/proxy.log
export DOCKER_CONFIG=$DOCKER_CONFIG
export GOGEN_COMPOSE=$DOCKER_CONFIG/cli-plugins/docker-compose
export GOGEN_REGISTRY_BIN=$REGISTRY_BIN
EOF
mv "$LAB/env.tmp" "$LAB/env"
log "wrote $LAB/env:"
sed 's/^/    /' "$LAB/env"

if [ "$SELFTEST" = 1 ]; then
    log "running selftest"
    bash "$HERE/selftest.sh"
fi
log "lab up in $(($(date +%s) - T0))s"
