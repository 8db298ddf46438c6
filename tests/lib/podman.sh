# shellcheck shell=bash
# A private Podman serving the Docker-compatible API, for the tests that check dockhand against it.
#
# Source this file (after tests/lib/engine.sh, for dh_as_root), then:
#   dh_podman_start      # podman system service on its own socket, storage and runroot
#   export DOCKHAND_PODMAN_HOST="$DH_PODMAN_HOST"
#   ...
#   dh_podman_stop       # stops it and removes its temp dir (idempotent)
#
# Fully private: vfs storage under a fresh temp dir, its own runroot and socket; the user's own
# Podman storage and sockets are never touched. It imports one fixture image, pm-busybox:1
# (the static busybox in a rootfs tarball; nothing is pulled).

DH_PODMAN_DIR="${DH_PODMAN_DIR:-}"
DH_PODMAN_HOST="${DH_PODMAN_HOST:-}"
DH_PODMAN_PID=""

dh_podman_start() {
    local sock bb i
    command -v podman >/dev/null 2>&1 || { echo "[podman] podman is not installed" >&2; return 1; }
    DH_PODMAN_DIR="$(mktemp -d "${DH_ENGINE_PARENT:-/tmp}/dhpodman.XXXXXX")"
    sock="$DH_PODMAN_DIR/podman.sock"
    printf '[storage]\ndriver = "vfs"\nrunroot = "%s/run"\ngraphroot = "%s/root"\n' \
        "$DH_PODMAN_DIR" "$DH_PODMAN_DIR" >"$DH_PODMAN_DIR/storage.conf"
    local -a cmd=(env CONTAINERS_STORAGE_CONF="$DH_PODMAN_DIR/storage.conf"
        podman --root "$DH_PODMAN_DIR/root" --runroot "$DH_PODMAN_DIR/run"
        --storage-driver vfs --tmpdir "$DH_PODMAN_DIR/tmp"
        system service --time=0 "unix://$sock")
    [ "$(id -u)" -eq 0 ] || cmd=(sudo "${cmd[@]}")
    # Started directly (not through a shell function) so that $! is the service itself.
    "${cmd[@]}" >"$DH_PODMAN_DIR/service.log" 2>&1 &
    DH_PODMAN_PID=$!
    for i in $(seq 1 150); do
        if [ "$(curl -s --max-time 2 --unix-socket "$sock" http://localhost/_ping 2>/dev/null)" = OK ]; then
            break
        fi
        if ! kill -0 "$DH_PODMAN_PID" 2>/dev/null || [ "$i" -eq 150 ]; then
            echo "[podman] the service did not answer; its log:" >&2
            tail -n 30 "$DH_PODMAN_DIR/service.log" >&2
            return 1
        fi
        sleep 0.2
    done
    # The fixture: a rootfs with the static busybox, imported through the compat API.
    bb=/bin/busybox
    [ -f "$bb" ] || bb=/usr/bin/busybox
    mkdir -p "$DH_PODMAN_DIR/rootfs/bin"
    cp "$bb" "$DH_PODMAN_DIR/rootfs/bin/busybox"
    tar -C "$DH_PODMAN_DIR/rootfs" -cf "$DH_PODMAN_DIR/rootfs.tar" . || return 1
    curl -sS --fail --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' \
        --data-binary @"$DH_PODMAN_DIR/rootfs.tar" \
        "http://localhost/v1.41/images/create?fromSrc=-&repo=pm-busybox&tag=1" >/dev/null || return 1
    DH_PODMAN_HOST="unix://$sock"
    echo "[podman] private podman up: $DH_PODMAN_HOST (pid $DH_PODMAN_PID)" >&2
}

dh_podman_stop() {
    if [ -n "$DH_PODMAN_PID" ]; then
        dh_as_root kill "$DH_PODMAN_PID" 2>/dev/null
        wait "$DH_PODMAN_PID" 2>/dev/null
        DH_PODMAN_PID=""
    fi
    if [ -n "$DH_PODMAN_DIR" ] && [ -d "$DH_PODMAN_DIR" ]; then
        dh_as_root rm -rf "$DH_PODMAN_DIR"
    fi
    DH_PODMAN_DIR=""
    DH_PODMAN_HOST=""
}
