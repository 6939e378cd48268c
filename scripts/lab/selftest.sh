#!/usr/bin/env bash
# Check that the lab's stand-ins do what gogen's Dockerfiles rely on (run after up.sh; ~1 min).
#   golang:<v>          go works (GOTOOLCHAIN=local, GOPATH=/go), cgo links against glibc;
#   golang:<v>-alpine   `apk add --no-cache build-base`, cgo links against musl, also -static;
#   alpine:3.22         apk add ca-certificates tzdata, addgroup/adduser as gogen calls them,
#                       runs a musl cgo binary; the apk stub refuses unknown packages;
#   scratch             runs the static musl cgo binary;
#   distroless/*        no shell, user 65532, CA bundle + zoneinfo; base/cc run a glibc cgo binary;
#   cgr.dev/chainguard/static:latest         no shell, user 65532 (HOME /home/nonroot), runs a
#                       CGO_ENABLED=0 binary with CA bundle + zoneinfo;
#   cgr.dev/chainguard/glibc-dynamic:latest  no shell, user 65532, runs the glibc cgo binary, has
#                       libgcc_s + libstdc++ and (like the real one) no zoneinfo;
#   debian:trixie-slim  apt-get update && apt-get install ca-certificates tzdata (network=host),
#                       groupadd/useradd; runs the glibc cgo binary;
#   proxy               serves the made-up modules and logs each request; over https with a
#                       certificate from the lab CA; example.com/private/* gives 401 without
#                       credentials and 200 with $GOGEN_PRIVATE_NETRC; the go command in the
#                       golang stand-ins downloads the private module with that netrc only.
# Usage: scripts/lab/selftest.sh   (uses $GOGEN_LAB_DIR/env)
set -euo pipefail

LAB=${GOGEN_LAB_DIR:-/var/lib/gogen-lab}
# shellcheck disable=SC1091
. "$LAB/env"
DOCKER=${GOGEN_DOCKER:-/usr/bin/docker}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fails=0
ok() { printf '  ok    %s\n' "$*"; }
bad() {
    printf '  FAIL  %s\n' "$*"
    fails=$((fails + 1))
}
expect() { # description expected-substring command...
    local what=$1 want=$2 out
    shift 2
    if out=$("$@" 2>&1) && [[ "$out" == *"$want"* ]]; then
        ok "$what"
    else
        bad "$what: wanted '$want', got: $(echo "$out" | tail -n 5)"
    fi
}
expect_fail() { # description expected-substring command...
    local what=$1 want=$2 out
    shift 2
    if out=$("$@" 2>&1); then
        bad "$what: succeeded but should fail: $(echo "$out" | tail -n 3)"
    elif [[ "$out" == *"$want"* ]]; then
        ok "$what"
    else
        bad "$what: failed without '$want': $(echo "$out" | tail -n 5)"
    fi
}
run() { "$DOCKER" run --rm --network=host --pull=never "$@"; }

CTX=$(mktemp -d /tmp/gogen-lab-selftest.XXXXXX)
trap 'rm -rf "$CTX"' EXIT
GOVER=$(grep -vE '^[[:space:]]*(#|$)' "$HERE/go-versions.txt" | tail -n 1)

echo "== golang:$GOVER, golang:$GOVER-alpine"
expect "go version" "go version go1." run "golang:$GOVER" go version
# shellcheck disable=SC2016 # expanded in the container
expect "go env" "/usr/local/go /go local" run "golang:$GOVER" sh -c 'echo $(go env GOROOT GOPATH GOTOOLCHAIN)'
expect "alpine variant: apk add --no-cache build-base" "build-base: OK" \
    run "golang:$GOVER-alpine" apk add --no-cache build-base
expect_fail "alpine variant: apk refuses unknown packages" "unknown to the lab stand-in" \
    run "golang:$GOVER-alpine" apk add --no-cache sqlite-dev

cat >"$CTX/main.go" <<'EOF'
package main

/*
#include <math.h>
#cgo LDFLAGS: -lm
*/
import "C"

import (
	"fmt"
	"os"
	"time"
)

func main() {
	loc, err := time.LoadLocation("Europe/Paris")
	zone := "no-zoneinfo"
	if err == nil {
		zone = loc.String()
	}
	_, certErr := os.Stat("/etc/ssl/certs/ca-certificates.crt")
	fmt.Printf("cgo sqrt(2) = %.4f uid=%d zone=%s certs=%v\n", float64(C.sqrt(2)), os.Getuid(), zone, certErr == nil)
}
EOF
# The same without cgo (CGO_ENABLED=0), for images without a libc.
mkdir -p "$CTX/nocgo"
cat >"$CTX/nocgo/main.go" <<'EOF'
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	loc, err := time.LoadLocation("Europe/Paris")
	zone := "no-zoneinfo"
	if err == nil {
		zone = loc.String()
	}
	_, certErr := os.Stat("/etc/ssl/certs/ca-certificates.crt")
	fmt.Printf("static go uid=%d gid=%d home=%s zone=%s certs=%v\n", os.Getuid(), os.Getgid(), os.Getenv("HOME"), zone, certErr == nil)
}
EOF
# cgo with C++ (libstdc++, libgcc_s): for the images that should have the C++ runtime.
mkdir -p "$CTX/cxx"
cat >"$CTX/cxx/hello.cc" <<'EOF'
#include <sstream>
#include <string>
#include <cstring>
#include <cstdlib>
extern "C" char *greeting() {
	std::ostringstream out;
	out << "c++ " << std::string("runtime") << " ok";
	return strdup(out.str().c_str());
}
EOF
cat >"$CTX/cxx/main.go" <<'EOF'
package main

// #cgo LDFLAGS: -lstdc++
// #include <stdlib.h>
// char *greeting();
import "C"

import (
	"fmt"
	"os"
	"unsafe"
)

func main() {
	g := C.greeting()
	defer C.free(unsafe.Pointer(g))
	fmt.Printf("%s uid=%d\n", C.GoString(g), os.Getuid())
}
EOF
printf 'module example.com/labselftest\n\ngo 1.22\n' >"$CTX/go.mod"
cat >"$CTX/Dockerfile" <<EOF
FROM golang:$GOVER AS glibc
WORKDIR /src
ENV CGO_ENABLED=1
RUN --mount=type=bind,target=. --mount=type=cache,target=/root/.cache/go-build \\
    go build -trimpath -o /out/app . && ldd /out/app | grep -q 'libc.so.6' \\
    && CGO_ENABLED=0 go build -trimpath -o /out/nocgo ./nocgo && ! ldd /out/nocgo >/dev/null 2>&1 \\
    && go build -trimpath -o /out/cxx ./cxx && ldd /out/cxx | grep -q 'libstdc++.so.6'

FROM golang:$GOVER-alpine AS musl
RUN apk add --no-cache build-base
WORKDIR /src
ENV CGO_ENABLED=1
RUN --mount=type=bind,target=. --mount=type=cache,target=/root/.cache/go-build \\
    go build -trimpath -o /out/app . \\
    && go build -trimpath -ldflags="-s -w -linkmode external -extldflags '-static'" -o /out/static . \\
    && mkdir -p /out/etc && echo "nonroot:x:65532:65532:nonroot:/:/sbin/nologin" > /out/etc/passwd

FROM alpine:3.22 AS alpine
RUN apk add --no-cache ca-certificates tzdata \\
    && addgroup -S -g 65532 nonroot \\
    && adduser -S -D -H -u 65532 -G nonroot -s /sbin/nologin nonroot
COPY --from=musl /out/app /usr/local/bin/app
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/app"]

FROM scratch AS static
COPY --from=musl /out/etc/passwd /etc/passwd
COPY --from=musl /out/static /usr/local/bin/app
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/app"]

FROM gcr.io/distroless/base-debian13:nonroot AS distroless-base
COPY --from=glibc /out/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]

FROM gcr.io/distroless/cc-debian13:nonroot AS distroless-cc
COPY --from=glibc /out/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]

FROM cgr.dev/chainguard/static:latest AS chainguard-static
COPY --from=glibc /out/nocgo /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]

FROM cgr.dev/chainguard/glibc-dynamic:latest AS chainguard-glibc-dynamic
COPY --from=glibc /out/app /out/cxx /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/app"]

FROM debian:trixie-slim AS debian
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates tzdata \\
    && rm -rf /var/lib/apt/lists/* \\
    && groupadd --system --gid 65532 nonroot \\
    && useradd --system --uid 65532 --gid nonroot --no-create-home --shell /usr/sbin/nologin nonroot
COPY --from=glibc /out/app /usr/local/bin/app
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/app"]
EOF

build() { "$DOCKER" build -q --network=host --target "$1" -t "gogen-lab-selftest/$1" "$CTX" >/dev/null; }
TARGETS=(alpine static distroless-base distroless-cc chainguard-static chainguard-glibc-dynamic debian)
for target in "${TARGETS[@]}"; do
    echo "== $target"
    if out=$(build "$target" 2>&1); then
        ok "build"
        want="cgo sqrt(2) = 1.4142 uid=65532 zone=Europe/Paris certs=true"
        case $target in
        static) want="cgo sqrt(2) = 1.4142 uid=65532 zone=no-zoneinfo certs=false" ;;
        chainguard-static) want="static go uid=65532 gid=65532 home=/home/nonroot zone=Europe/Paris certs=true" ;;
        # the real glibc-dynamic has no tzdata package
        chainguard-glibc-dynamic) want="cgo sqrt(2) = 1.4142 uid=65532 zone=no-zoneinfo certs=true" ;;
        esac
        expect "run" "$want" run "gogen-lab-selftest/$target"
        if [ "$target" = chainguard-glibc-dynamic ]; then
            expect "run a cgo binary linked with libstdc++" "c++ runtime ok uid=65532" \
                run --entrypoint /usr/local/bin/cxx "gogen-lab-selftest/$target"
        fi
    else
        bad "build $target: $(echo "$out" | tail -n 15)"
    fi
done

echo "== alpine:3.22 stubs"
expect "apk add ca-certificates tzdata" "tzdata: OK" run alpine:3.22 apk add --no-cache ca-certificates tzdata
expect_fail "apk refuses unknown packages" "unknown to the lab stand-in" run alpine:3.22 apk add curl
expect_fail "apk has no C toolchain in alpine:3.22" "not available" run alpine:3.22 apk add build-base
expect "addgroup/adduser" "uid=65532(nonroot) gid=65532(nonroot)" run alpine:3.22 sh -c \
    'addgroup -S -g 65532 nonroot && adduser -S -D -H -u 65532 -G nonroot -s /sbin/nologin nonroot && id nonroot'
expect "busybox sh" "busybox" run alpine:3.22 sh -c 'readlink /bin/sh'

echo "== distroless"
for kind in static base cc; do
    img=gcr.io/distroless/$kind-debian13:nonroot
    expect "$kind: user 65532" "65532" "$DOCKER" image inspect -f '{{.Config.User}}' "$img"
    expect_fail "$kind: no shell" "" run --entrypoint /bin/sh "$img" -c true
done

echo "== chainguard"
image_paths() { # image: every path in its filesystem (the image has no command: give one to create)
    local c
    c=$("$DOCKER" create --network=host "$1" /nonexistent) || return 1
    "$DOCKER" export "$c" | tar -t
    "$DOCKER" rm "$c" >/dev/null 2>&1 || true
}
image_file() { # image path: the file's content
    local c
    c=$("$DOCKER" create --network=host "$1" /nonexistent) || return 1
    "$DOCKER" export "$c" | tar -xO "$2"
    "$DOCKER" rm "$c" >/dev/null 2>&1 || true
}
PATHS=""
has() { grep -qxE "$1" <<<"$PATHS"; }    # a path of the image matches the pattern
lacks() { ! grep -qE "$1" <<<"$PATHS"; } # no path of the image contains the pattern
for kind in static glibc-dynamic; do
    img=cgr.dev/chainguard/$kind:latest
    PATHS=$(image_paths "$img")
    expect "$kind: user 65532" "65532" "$DOCKER" image inspect -f '{{.Config.User}}' "$img"
    expect "$kind: nonroot 65532 in /etc/passwd, home /home/nonroot" \
        "nonroot:x:65532:65532:Account created by apko:/home/nonroot:" image_file "$img" etc/passwd
    expect "$kind: root in /etc/passwd" "root:x:0:0:" image_file "$img" etc/passwd
    expect "$kind: nonroot group 65532" "nonroot:x:65532:" image_file "$img" etc/group
    expect "$kind: CA bundle" "" has 'etc/ssl/certs/ca-certificates\.crt'
    expect "$kind: no shell, no busybox, no apk" "" lacks '^(usr/)?s?bin/(sh|ash|bash|busybox|apk)$'
    expect_fail "$kind: no shell to run" "" run --entrypoint /bin/sh "$img" -c true
    if [ "$kind" = static ]; then
        expect "static: zoneinfo" "" has 'usr/share/zoneinfo/Europe/Paris'
        expect "static: no libc, no loader" "" lacks '(libc\.so|ld-linux)'
    else
        for lib in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libresolv.so.2 \
            libnss_dns.so.2 libgcc_s.so.1 'libstdc\+\+.so.6'; do
            expect "glibc-dynamic: ${lib//\\/}" "" has "usr/lib/x86_64-linux-gnu/$lib"
        done
        expect "glibc-dynamic: /lib64/ld-linux-x86-64.so.2 (lib64 -> lib)" "" has 'lib/ld-linux-x86-64\.so\.2'
        expect "glibc-dynamic: no zoneinfo (no tzdata, as in the real image)" "" lacks zoneinfo
        expect "glibc-dynamic: no libssl/libcrypto/libz (unlike distroless base)" "" lacks '(libssl|libcrypto|libz)\.so'
    fi
done

echo "== proxy ($GOGEN_GOPROXY)"
client=selftest.$$
expect "list" "v1.0.0" curl -fsS "$GOGEN_GOPROXY/c/$client/example.com/greet/@v/list"
expect "zip" "200" curl -sS -o /dev/null -w '%{http_code}' "$GOGEN_GOPROXY/example.com/greet/@v/v1.0.0.zip"
expect "404 for unknown modules" "404" \
    curl -sS -o /dev/null -w '%{http_code}' "$GOGEN_GOPROXY/c/$client/example.com/nope/@v/list"
mine=$(grep -c " $client\$" "$GOGEN_PROXY_LOG" || true)
if [ "$mine" = 2 ]; then ok "access log names the client (/c/$client/)"; else bad "access log: $mine lines for $client"; fi

echo "== proxy over https ($GOGEN_GOPROXY_TLS), private modules"
CA=${GOGEN_LAB_CA:-$LAB/tls/ca.pem}
tclient=selftest-tls.$$
tls=$GOGEN_GOPROXY_TLS/c/$tclient
private=example.com/private/vault/@v
status() { curl -sS -o /dev/null -w '%{http_code}' --cacert "$CA" "$@"; }
expect "https: certificate from the lab CA, public list" "v1.0.0" curl -fsS --cacert "$CA" "$tls/example.com/greet/@v/list"
expect "https: public zip" "200" status "$tls/example.com/greet/@v/v1.0.0.zip"
expect "https: certificate valid for IP 127.0.0.1" "Verify return code: 0 (ok)" sh -c \
    "openssl s_client -connect ${GOGEN_GOPROXY_TLS#https://} -CAfile '$CA' -verify_ip 127.0.0.1 -verify_return_error </dev/null"
expect_fail "https: not trusted without the lab CA" "certificate" \
    curl -fsS --cacert /etc/ssl/certs/ca-certificates.crt "$tls/example.com/greet/@v/list"
expect "private: 401 without credentials" "401" status "$tls/$private/list"
expect "private: 401 asks for basic auth" "WWW-Authenticate: Basic" \
    curl -sS -D - -o /dev/null --cacert "$CA" "$tls/$private/list"
expect "private: 401 with wrong credentials" "401" status -u gogen:wrong "$tls/$private/list"
expect "private: 200 with \$GOGEN_PRIVATE_NETRC (list)" "200" status --netrc-file "$GOGEN_PRIVATE_NETRC" "$tls/$private/list"
expect "private: 200 with \$GOGEN_PRIVATE_NETRC (zip)" "200" \
    status --netrc-file "$GOGEN_PRIVATE_NETRC" "$tls/$private/v1.0.0.zip"
expect "private: 401 over plain http too" "401" status "$GOGEN_GOPROXY/c/$tclient/$private/list"
for outcome in https:auth-ok https:auth-missing https:auth-wrong http:auth-missing; do
    if grep -q " $outcome $tclient\$" "$GOGEN_PROXY_LOG"; then
        ok "access log marks $outcome"
    else
        bad "access log: no '$outcome' line for $tclient"
    fi
done
# The go command itself, in the golang stand-in (which trusts the lab CA): it sends the netrc's
# credentials (machine 127.0.0.1:<port>) over https only.
mkdir -p "$CTX/private"
cp "$HERE/../../fixtures/private-modules/repo/"{go.mod,go.sum,main.go} "$CTX/private/"
gorun=(-v "$CTX/private:/x" -w /x -e HOME=/root -e "GOPROXY=$tls" -e GOSUMDB=off -e GONOPROXY=none
    -e GOFLAGS=-mod=mod -e GOCACHE=/tmp/gocache)
expect "go mod download + run, private module with the netrc (golang:$GOVER)" "payroll: vault v1.0.0, hello" \
    run "${gorun[@]}" -v "$GOGEN_PRIVATE_NETRC:/root/.netrc:ro" "golang:$GOVER" sh -c 'go mod download && go run .'
expect "go mod download, private module with the netrc (golang:$GOVER-alpine)" "downloaded" \
    run "${gorun[@]}" -v "$GOGEN_PRIVATE_NETRC:/root/.netrc:ro" "golang:$GOVER-alpine" sh -c 'go mod download && echo downloaded'
expect_fail "go mod download, private module without the netrc: 401" "401 Unauthorized" \
    run "${gorun[@]}" "golang:$GOVER" go mod download

"$DOCKER" image rm gogen-lab-selftest/{alpine,static,distroless-base,distroless-cc,chainguard-static,chainguard-glibc-dynamic,debian} >/dev/null 2>&1 || true
if [ $fails -gt 0 ]; then
    echo "selftest: $fails failure(s)"
    exit 1
fi
echo "selftest: all ok"
