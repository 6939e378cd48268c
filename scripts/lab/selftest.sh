#!/usr/bin/env bash
# Check that the lab's stand-ins do what gogen's Dockerfiles rely on (run after up.sh; ~1 min).
#   golang:<v>          go works (GOTOOLCHAIN=local, GOPATH=/go), cgo links against glibc;
#   golang:<v>-alpine   `apk add --no-cache build-base`, cgo links against musl, also -static;
#   alpine:3.22         apk add ca-certificates tzdata, addgroup/adduser as gogen calls them,
#                       runs a musl cgo binary; the apk stub refuses unknown packages;
#   scratch             runs the static musl cgo binary;
#   distroless/*        no shell, user 65532, CA bundle + zoneinfo; base/cc run a glibc cgo binary;
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
printf 'module example.com/labselftest\n\ngo 1.22\n' >"$CTX/go.mod"
cat >"$CTX/Dockerfile" <<EOF
FROM golang:$GOVER AS glibc
WORKDIR /src
ENV CGO_ENABLED=1
RUN --mount=type=bind,target=. --mount=type=cache,target=/root/.cache/go-build \\
    go build -trimpath -o /out/app . && ldd /out/app | grep -q 'libc.so.6'

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
for target in alpine static distroless-base distroless-cc debian; do
    echo "== $target"
    if out=$(build "$target" 2>&1); then
        ok "build"
        want="cgo sqrt(2) = 1.4142 uid=65532 zone=Europe/Paris certs=true"
        [ "$target" = static ] && want="cgo sqrt(2) = 1.4142 uid=65532 zone=no-zoneinfo certs=false"
        expect "run" "$want" run "gogen-lab-selftest/$target"
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

"$DOCKER" image rm gogen-lab-selftest/{alpine,static,distroless-base,distroless-cc,debian} >/dev/null 2>&1 || true
if [ $fails -gt 0 ]; then
    echo "selftest: $fails failure(s)"
    exit 1
fi
echo "selftest: all ok"
