#!/usr/bin/env bash
# Stop the gogen test lab (idempotent): the module proxy, the private dockerd and its
# containerd. Images, build cache and the cached root filesystems stay for the next up.sh,
# unless --purge, which also deletes everything under $GOGEN_LAB_DIR.
#
# Usage: scripts/lab/down.sh [--purge]
# Environment: GOGEN_LAB_DIR (default /var/lib/gogen-lab)
set -euo pipefail

LAB=${GOGEN_LAB_DIR:-/var/lib/gogen-lab}
PURGE=0
for arg in "$@"; do
    case "$arg" in
    --purge) PURGE=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "down.sh: unknown argument '$arg'" >&2
        exit 2
        ;;
    esac
done
log() { printf '[lab] %s\n' "$*"; }

[ -d "$LAB" ] || {
    log "no lab at $LAB: nothing to do"
    exit 0
}
[ "$(id -u)" = 0 ] || {
    echo "down.sh: run as root" >&2
    exit 1
}

# stop NAME PIDFILE SECONDS: TERM, wait, then KILL. Only the pid recorded in the pidfile, and
# only if that process's command line still names the program (pids get reused).
stop() {
    local name=$1 pidfile=$2 wait=$3 pid
    if [ ! -s "$pidfile" ]; then
        log "$name: not running (no pidfile)"
        return 0
    fi
    pid=$(cat "$pidfile")
    if ! kill -0 "$pid" 2>/dev/null; then
        log "$name: not running (stale pidfile, pid $pid)"
        rm -f "$pidfile"
        return 0
    fi
    if ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name"; then
        log "$name: pid $pid is not $name any more; leaving it alone"
        rm -f "$pidfile"
        return 0
    fi
    log "$name: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((wait * 5))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name: still alive after ${wait}s, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$pidfile"
}

stop proxy.py "$LAB/proxy.pid" 5
rm -f "$LAB/proxy.port" "$LAB/proxy.tls.port"

# Containers left running would keep dockerd busy: stop them first (best effort).
# The lab's client (Debian sid's, see up.sh), or an older lab's.
client=$LAB/cache/engine-sid/usr/bin/docker
[ -x "$client" ] || client=/usr/bin/docker
if [ -S "$LAB/docker.sock" ] && [ -x "$client" ]; then
    ids=$(DOCKER_HOST=unix://$LAB/docker.sock timeout 10 "$client" ps -q 2>/dev/null || true)
    if [ -n "$ids" ]; then
        log "stopping containers: $(echo "$ids" | tr '\n' ' ')"
        # shellcheck disable=SC2086
        DOCKER_HOST=unix://$LAB/docker.sock timeout 60 "$client" stop -t 5 $ids >/dev/null 2>&1 || true
    fi
fi
stop dockerd "$LAB/dockerd.pid" 30
stop containerd "$LAB/containerd.pid" 15
rm -f "$LAB/docker.sock" "$LAB/env"

# Anything still mounted under the lab (overlay layers, netns, shm) would make rm fail or
# leak: unmount it, deepest first.
mapfile -t mounts < <(awk -v lab="$LAB/" 'index($2, lab) == 1 { print $2 }' /proc/self/mounts | sort -r)
for m in "${mounts[@]}"; do
    log "unmounting $m"
    umount "$m" 2>/dev/null || umount -l "$m" || true
done

if [ "$PURGE" = 1 ]; then
    log "purging $LAB (images, build cache, cached root filesystems, Go downloads)"
    rm -rf --one-file-system "$LAB"
else
    log "kept $LAB (images, build cache, rootfs tarballs in $LAB/cache); --purge deletes them"
fi
log "lab down"
