#!/usr/bin/env bash
# Idle cost benchmark: CPU time each TUI uses while it sits idle for
# DH_IDLE_SECONDS (default 60) with DH_IDLE_CONTAINERS (default 10) running
# containers, side by side in one run: dockhand (on its images pane, as it
# opens, and on its containers pane, where it streams stats for the visible
# containers), lazydocker and oxker (both stream stats for every container).
#
# It starts its own private engine (tests/lib/engine.sh), builds a busybox
# fixture, runs the containers (`sleep 3600`, --network none), then starts each
# tool in its own tmux server at DH_IDLE_SIZE, waits DH_IDLE_WARMUP seconds
# for it to settle, and reads utime+stime of the tool's process tree from
# /proc before and after the idle window. Nothing is typed during the window.
#
# Usage: tests/bench/idle_cpu.sh              (from any directory)
# Env:   DOCKHAND_BIN=path       use this binary instead of `cargo build --release`
#        DH_IDLE_SECONDS=60 DH_IDLE_CONTAINERS=10 DH_IDLE_WARMUP=5 DH_IDLE_SIZE=200x50
#        DH_IDLE_SCREENS=dir      keep each tool's screen (captured before the window) there
# Peers: tests/bench/install-peers.sh installs lazydocker and oxker; a missing
#        peer is reported as such and skipped.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tests/lib/engine.sh
. "$REPO/tests/lib/engine.sh"
# shellcheck source=tests/lib/bench.sh
. "$REPO/tests/lib/bench.sh"

SECONDS_IDLE="${DH_IDLE_SECONDS:-60}"
N="${DH_IDLE_CONTAINERS:-10}"
WARMUP="${DH_IDLE_WARMUP:-5}"
SIZE="${DH_IDLE_SIZE:-200x50}"
COLS="${SIZE%x*}"
ROWS="${SIZE#*x}"
HZ="$(getconf CLK_TCK)"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'idle_cpu.sh: %s\n' "$*" >&2; exit 1; }

for cmd in curl tmux tar; do
    command -v "$cmd" >/dev/null 2>&1 || die "missing $cmd (run tests/run.sh once, or apt-get install curl tmux tar)"
done
case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) PATH="$PATH:$HOME/.local/bin" ;; esac
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$PATH:$HOME/.cargo/bin" ;; esac

WORK=""
# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    [ -n "$WORK" ] && tmux -L "dhidle-$$" kill-server 2>/dev/null
    dh_engine_stop
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

WORK="$(mktemp -d /tmp/dhidle.XXXXXX)"
mkdir -p "$WORK/docker-config" "$WORK/tmux" "$WORK/home" "$WORK/ctx"
export DOCKER_CONFIG="$WORK/docker-config" TMUX_TMPDIR="$WORK/tmux"
unset DOCKER_CONTEXT TMUX TMUX_PANE

dh_bench_binary "$REPO" || die "no dockhand binary to measure"

say "starting private engine"
dh_engine_start || die "the private engine did not start"
SOCK="$DH_ENGINE_SOCK"
export DOCKER_HOST="$DH_ENGINE_HOST"

say "fixtures: busybox base and $N running containers"
dh_engine_base_fixture >/dev/null || die "building the busybox fixture failed"
for i in $(seq 1 "$N"); do
    id="$(api POST "/containers/create?name=idle-c$i" -H 'Content-Type: application/json' \
        -d '{"Image":"dh-busybox:1","Cmd":["sleep","3600"],"HostConfig":{"NetworkMode":"none"}}' |
        sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')"
    [ -n "$id" ] || die "create container idle-c$i failed"
    api POST "/containers/$id/start" >/dev/null
done
running="$(api GET /containers/json | grep -o '"Id":' | wc -l)"
[ "$running" -eq "$N" ] || die "$running containers running, wanted $N"

# ticks PID: utime+stime (clock ticks) of PID and all its descendants.
ticks() {
    local pid="$1" total=0 kid t
    if [ -r "/proc/$pid/stat" ]; then
        # Fields 14 and 15 after the ")" that ends the command name.
        t="$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')"
        total=$((total + t))
    fi
    for kid in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        total=$((total + $(ticks "$kid")))
    done
    echo "$total"
}
# rss_kib PID: resident set of the tree's processes, in KiB.
rss_kib() {
    local pid="$1" total=0 kid r
    r="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
    total=$((total + ${r:-0}))
    for kid in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        total=$((total + $(rss_kib "$kid")))
    done
    echo "$total"
}

results=()
# measure LABEL KEYS CMD...: run CMD in tmux, type KEYS (space separated tmux
# key names, may be empty) after start-up, wait, then measure the idle window.
measure() {
    local label="$1" keys="$2"
    shift 2
    local sess="idle$RANDOM" pid before after cpu pct rss
    tmux -L "dhidle-$$" -f /dev/null new-session -d -s "$sess" -x "$COLS" -y "$ROWS" \
        -e "DOCKER_HOST=$DOCKER_HOST" -e "HOME=$WORK/home" -- "$@"
    pid="$(tmux -L "dhidle-$$" display-message -p -t "$sess" '#{pane_pid}')"
    sleep 2
    if [ -n "$keys" ]; then
        # shellcheck disable=SC2086 # one tmux key name per word
        tmux -L "dhidle-$$" send-keys -t "$sess" $keys
    fi
    sleep "$WARMUP"
    kill -0 "$pid" 2>/dev/null || { results+=("$(printf '%-28s exited early' "$label")"); return; }
    tmux -L "dhidle-$$" capture-pane -p -t "$sess" >"$WORK/$label.screen" 2>/dev/null || true
    before="$(ticks "$pid")"
    sleep "$SECONDS_IDLE"
    after="$(ticks "$pid")"
    rss="$(rss_kib "$pid")"
    tmux -L "dhidle-$$" kill-session -t "$sess" 2>/dev/null || true
    cpu="$(awk -v t=$((after - before)) -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }')"
    pct="$(awk -v t=$((after - before)) -v hz="$HZ" -v s="$SECONDS_IDLE" 'BEGIN { printf "%.2f", 100 * t / hz / s }')"
    results+=("$(printf '%-28s %8s s %8s %% %9.1f MiB' "$label" "$cpu" "$pct" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')")")
    say "$label: ${cpu}s CPU over ${SECONDS_IDLE}s"
}

say "measuring ${SECONDS_IDLE}s idle each (warm-up ${WARMUP}s, ${COLS}x${ROWS})"
measure "dockhand (images pane)" "" "$BIN"
measure "dockhand (containers pane)" "7" "$BIN"
if command -v lazydocker >/dev/null 2>&1; then
    measure "lazydocker $(lazydocker --version 2>/dev/null | sed -n 's/^Version: *//p' | head -n 1)" "" lazydocker
else
    results+=("lazydocker                   not installed (tests/bench/install-peers.sh)")
fi
if command -v oxker >/dev/null 2>&1; then
    measure "oxker $(oxker --version 2>/dev/null | awk '{ print $2 }')" "" oxker --host "$SOCK"
else
    results+=("oxker                        not installed (tests/bench/install-peers.sh)")
fi

if [ -n "${DH_IDLE_SCREENS:-}" ]; then
    mkdir -p "$DH_IDLE_SCREENS" && cp "$WORK"/*.screen "$DH_IDLE_SCREENS"/
fi
echo
echo "idle CPU over ${SECONDS_IDLE}s with $N running containers (${COLS}x${ROWS}, $(nproc) cores)"
printf '%-28s %10s %10s %13s\n' "tool" "CPU time" "CPU" "RSS at end"
for r in "${results[@]}"; do echo "$r"; done
