# shellcheck shell=bash
# Private Docker engine for tests and benchmarks.
#
# Source this file, then:
#   dh_engine_start            # starts containerd + dockerd in a fresh temp dir
#   export DOCKER_HOST="$DH_ENGINE_HOST"
#   ...
#   dh_engine_stop             # kills both, unmounts, removes the temp dir (idempotent)
#
# The engine is fully private: its own containerd (never the system one at
# /run/containerd), its own data-root, exec-root, sockets, pid files and an
# empty daemon config (never /etc/docker/daemon.json). It never touches
# /var/run/docker.sock. Started with --iptables=false --bridge=none, so
# containers must use `--network none`.
#
# Variables set by dh_engine_start:
#   DH_ENGINE_DIR   temp dir holding everything (logs: dockerd.log, containerd.log)
#   DH_ENGINE_SOCK  path of the dockerd API socket
#   DH_ENGINE_HOST  unix://$DH_ENGINE_SOCK
# Tunables: DH_ENGINE_TIMEOUT (seconds to wait for /_ping, default 60),
#           DH_ENGINE_PARENT (where to create the temp dir, default /tmp).

DH_ENGINE_DIR="${DH_ENGINE_DIR:-}"
DH_ENGINE_SOCK="${DH_ENGINE_SOCK:-}"
DH_ENGINE_HOST="${DH_ENGINE_HOST:-}"
DH_ENGINE_DOCKERD_PID=""
DH_ENGINE_CONTAINERD_PID=""

_dh_log() { printf '[engine] %s\n' "$*" >&2; }

# Run a command as root (directly when already root, else through sudo).
dh_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# dh_engine_ping SOCK -> 0 when the API answers OK on SOCK.
dh_engine_ping() {
    local out
    out="$(curl -s --max-time 2 --unix-socket "$1" http://localhost/_ping 2>/dev/null)" || return 1
    [ "$out" = "OK" ]
}

# dh_engine_wait_ping SOCK TIMEOUT_SECONDS [PID] -> 0 once /_ping answers,
# 1 on timeout or when PID (the daemon) has died meanwhile.
dh_engine_wait_ping() {
    local sock="$1" timeout="${2:-60}" pid="${3:-}" deadline
    deadline=$(( $(date +%s) + timeout ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if dh_engine_ping "$sock"; then return 0; fi
        if [ -n "$pid" ] && ! _dh_alive "$pid"; then return 1; fi
        sleep 0.2
    done
    return 1
}

# Print the last lines of the engine logs (for failure diagnostics).
dh_engine_log_tail() {
    local n="${1:-40}" f
    for f in containerd.log dockerd.log; do
        if [ -n "$DH_ENGINE_DIR" ] && [ -f "$DH_ENGINE_DIR/$f" ]; then
            printf -- '----- last %s lines of %s -----\n' "$n" "$DH_ENGINE_DIR/$f" >&2
            tail -n "$n" "$DH_ENGINE_DIR/$f" >&2
        fi
    done
}

# _dh_spawn PIDFILE LOGFILE CMD...: start CMD as root in its own session (so a
# Ctrl-C on the terminal does not reach it; teardown stops the daemons in the
# right order) and record its real pid in PIDFILE (setsid may fork).
_dh_spawn() {
    local pidfile="$1" log="$2"
    shift 2
    # shellcheck disable=SC2016 # $$ and $@ are expanded by the inner sh.
    dh_as_root setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >"$log" 2>&1 </dev/null &
    local i=0
    while [ ! -s "$pidfile" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}

# _dh_read_pid FILE -> the pid stored in FILE (empty when missing).
_dh_read_pid() {
    cat "$1" 2>/dev/null || true
}

# dh_engine_start: start a private containerd + dockerd. Returns non-zero (after
# printing the log tails and cleaning up) when the engine does not come up.
dh_engine_start() {
    local parent="${DH_ENGINE_PARENT:-/tmp}" timeout="${DH_ENGINE_TIMEOUT:-60}" d
    local cmd
    for cmd in dockerd containerd curl; do
        if ! command -v "$cmd" >/dev/null 2>&1; then
            _dh_log "missing command: $cmd"
            return 1
        fi
    done
    # Short path: unix socket paths are limited to 108 bytes.
    DH_ENGINE_DIR="$(mktemp -d "$parent/dhe.XXXXXX")" || return 1
    d="$DH_ENGINE_DIR"
    chmod 711 "$d"
    mkdir -p "$d/data" "$d/exec" "$d/ctrd-root" "$d/ctrd-state" "$d/ctrd-opt"
    DH_ENGINE_SOCK="$d/docker.sock"
    DH_ENGINE_HOST="unix://$DH_ENGINE_SOCK"

    # Our own containerd: dockerd 20.10 would otherwise silently reuse a system
    # containerd listening on /run/containerd/containerd.sock.
    cat >"$d/containerd.toml" <<EOF
version = 2
root = "$d/ctrd-root"
state = "$d/ctrd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
oom_score = 0

[grpc]
  address = "$d/containerd.sock"

[ttrpc]
  address = ""

[debug]
  address = "$d/containerd-debug.sock"
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$d/ctrd-opt"
EOF
    printf '{}\n' >"$d/daemon.json"

    _dh_spawn "$d/containerd.pid" "$d/containerd.log" containerd --config "$d/containerd.toml"
    DH_ENGINE_CONTAINERD_PID="$(_dh_read_pid "$d/containerd.pid")"
    local i=0
    while [ ! -S "$d/containerd.sock" ]; do
        if ! _dh_alive "$DH_ENGINE_CONTAINERD_PID" || [ "$i" -ge 150 ]; then
            _dh_log "containerd did not start"
            dh_engine_log_tail 40
            dh_engine_stop
            return 1
        fi
        sleep 0.2
        i=$((i + 1))
    done

    _dh_spawn "$d/dockerd.launch.pid" "$d/dockerd.log" dockerd \
        --config-file "$d/daemon.json" \
        --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
        --userland-proxy=false \
        --host "unix://$d/docker.sock" \
        --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/docker.pid" \
        --containerd "$d/containerd.sock" \
        --shutdown-timeout 3
    DH_ENGINE_DOCKERD_PID="$(_dh_read_pid "$d/dockerd.launch.pid")"

    if ! dh_engine_wait_ping "$DH_ENGINE_SOCK" "$timeout" "$DH_ENGINE_DOCKERD_PID"; then
        if _dh_alive "$DH_ENGINE_DOCKERD_PID"; then
            _dh_log "dockerd did not answer /_ping on $DH_ENGINE_SOCK within ${timeout}s"
        else
            _dh_log "dockerd exited during start-up"
        fi
        dh_engine_log_tail 40
        dh_engine_stop
        return 1
    fi
    # Let the current user talk to the socket when we had to use sudo.
    if [ "$(id -u)" -ne 0 ]; then dh_as_root chown "$(id -u)" "$DH_ENGINE_SOCK"; fi
    _dh_log "private engine up: $DH_ENGINE_HOST (dockerd pid $DH_ENGINE_DOCKERD_PID, containerd pid $DH_ENGINE_CONTAINERD_PID)"
    return 0
}

# _dh_alive PID -> 0 while PID exists and is not a zombie.
_dh_alive() {
    local st
    st="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
    case "$st" in *Z*|"") return 1 ;; esac
    return 0
}

# _dh_stop_pid PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL.
_dh_stop_pid() {
    local pid="$1" secs="$2" i=0
    [ -n "$pid" ] || return 0
    if _dh_alive "$pid"; then
        dh_as_root kill -TERM "$pid" 2>/dev/null || true
        while _dh_alive "$pid" && [ "$i" -lt $((secs * 10)) ]; do
            sleep 0.1
            i=$((i + 1))
        done
        if _dh_alive "$pid"; then
            _dh_log "pid $pid ignored SIGTERM for ${secs}s, sending SIGKILL"
            dh_as_root kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
        fi
    fi
    return 0
}

# PIDs of processes whose command line mentions our engine dir (containerd
# shims left behind after an abrupt stop), plus all their descendants.
_dh_stray_pids() {
    local d="$1" p cmd
    local -a roots=()
    for p in /proc/[0-9]*; do
        p="${p#/proc/}"
        [ "$p" = "$$" ] && continue
        cmd="$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")" || continue
        case "$cmd" in
            *"$d/"*) ;;
            *) continue ;;
        esac
        # Only engine processes: never e.g. a user's `tail -f $d/dockerd.log`.
        case "$(cat "/proc/$p/comm" 2>/dev/null)" in
            containerd*|dockerd|docker-proxy|runc) roots+=("$p") ;;
        esac
    done
    [ "${#roots[@]}" -gt 0 ] || return 0
    # Expand to descendants using the ppid table.
    ps -e -o pid=,ppid= | awk -v roots="${roots[*]}" '
        BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
        { parent[$1] = $2 }
        END {
            changed = 1
            while (changed) {
                changed = 0
                for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 }
            }
            for (p in keep) print p
        }'
}

# Mount points at or below DIR, deepest first.
_dh_mounts_under() {
    local d="$1"
    awk -v d="$d" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
        awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-
}

# dh_engine_stop: stop dockerd (which stops its containers), then containerd,
# kill any stray shim/container processes, unmount, remove the temp dir.
# Safe to call several times and from a trap.
dh_engine_stop() {
    local d="$DH_ENGINE_DIR" pid m left
    [ -n "$d" ] || return 0
    local dpid="$DH_ENGINE_DOCKERD_PID"
    if [ -z "$dpid" ] && [ -f "$d/docker.pid" ]; then dpid="$(cat "$d/docker.pid" 2>/dev/null)"; fi
    _dh_stop_pid "$dpid" 30
    _dh_stop_pid "$DH_ENGINE_CONTAINERD_PID" 15
    for pid in $(_dh_stray_pids "$d"); do
        _dh_log "killing stray process $pid ($(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | cut -c1-80))"
        dh_as_root kill -KILL "$pid" 2>/dev/null || true
    done
    for m in $(_dh_mounts_under "$d"); do
        dh_as_root umount "$m" 2>/dev/null || dh_as_root umount -l "$m" 2>/dev/null ||
            _dh_log "could not unmount $m"
    done
    left="$(_dh_mounts_under "$d")"
    if [ -n "$left" ]; then
        _dh_log "mounts still present under $d, leaving it in place: $left"
    else
        dh_as_root rm -rf "$d"
    fi
    DH_ENGINE_DIR=""
    DH_ENGINE_DOCKERD_PID=""
    DH_ENGINE_CONTAINERD_PID=""
    return 0
}

# Builds the shared base fixture `dh-busybox:1` on the private engine: FROM scratch plus the
# static busybox, with its applets installed. Tests that build images start FROM it, so a build
# never makes the engine reach for Docker Hub. Uses only the engine API (curl + tar).
dh_engine_base_fixture() {
    local ctx bb
    bb="$(command -v busybox || true)"
    [ -x /bin/busybox ] && bb=/bin/busybox
    [ -n "$bb" ] || { echo "[engine] no busybox (install busybox-static)" >&2; return 1; }
    ctx="$(mktemp -d)"
    cp "$bb" "$ctx/busybox"
    printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\nCMD ["/bin/sh"]\n' >"$ctx/Dockerfile"
    local out
    out="$(tar -C "$ctx" -cf - Dockerfile busybox |
        curl -sS --unix-socket "$DH_ENGINE_SOCK" -X POST -H 'Content-Type: application/x-tar' \
            --data-binary @- 'http://localhost/v1.41/build?t=dh-busybox:1&rm=1')"
    rm -rf "$ctx"
    if ! printf '%s' "$out" | grep -q 'Successfully tagged dh-busybox:1'; then
        printf '[engine] building the base fixture failed:\n%s\n' "$out" >&2
        return 1
    fi
}

# dh_engine2_start: a second private engine beside the first (for tests that move images between
# engines), in its own temp dir with its own containerd; sets DH_ENGINE2_DIR, DH_ENGINE2_SOCK,
# DH_ENGINE2_HOST and leaves the first engine's variables as they were.
DH_ENGINE2_DIR=""
export DH_ENGINE2_SOCK="" DH_ENGINE2_HOST=""
_DH_ENGINE2_PIDS=""
dh_engine2_start() {
    local first=("$DH_ENGINE_DIR" "$DH_ENGINE_SOCK" "$DH_ENGINE_HOST" "$DH_ENGINE_DOCKERD_PID" "$DH_ENGINE_CONTAINERD_PID")
    local rc=0
    DH_ENGINE_DIR="" DH_ENGINE_DOCKERD_PID="" DH_ENGINE_CONTAINERD_PID=""
    dh_engine_start || rc=1
    DH_ENGINE2_DIR="$DH_ENGINE_DIR" DH_ENGINE2_SOCK="$DH_ENGINE_SOCK" DH_ENGINE2_HOST="$DH_ENGINE_HOST"
    _DH_ENGINE2_PIDS="$DH_ENGINE_DOCKERD_PID $DH_ENGINE_CONTAINERD_PID"
    DH_ENGINE_DIR="${first[0]}" DH_ENGINE_SOCK="${first[1]}" DH_ENGINE_HOST="${first[2]}"
    DH_ENGINE_DOCKERD_PID="${first[3]}" DH_ENGINE_CONTAINERD_PID="${first[4]}"
    return "$rc"
}

# dh_engine2_stop: stops the second engine (idempotent); the first keeps running.
dh_engine2_stop() {
    [ -n "$DH_ENGINE2_DIR" ] || return 0
    local first=("$DH_ENGINE_DIR" "$DH_ENGINE_DOCKERD_PID" "$DH_ENGINE_CONTAINERD_PID")
    local pids
    read -r -a pids <<<"$_DH_ENGINE2_PIDS"
    DH_ENGINE_DIR="$DH_ENGINE2_DIR" DH_ENGINE_DOCKERD_PID="${pids[0]:-}" DH_ENGINE_CONTAINERD_PID="${pids[1]:-}"
    dh_engine_stop
    DH_ENGINE_DIR="${first[0]}" DH_ENGINE_DOCKERD_PID="${first[1]}" DH_ENGINE_CONTAINERD_PID="${first[2]}"
    DH_ENGINE2_DIR="" DH_ENGINE2_SOCK="" DH_ENGINE2_HOST="" _DH_ENGINE2_PIDS=""
}
