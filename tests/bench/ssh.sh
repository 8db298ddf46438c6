#!/usr/bin/env bash
# SSH benchmark: dockhand's first listing of an engine reached over ssh:// beside
# `docker -H ssh://… images` on the same engine, wall time, median of DH_BENCH_RUNS runs (after
# one unmeasured warm-up run each).
#
# It starts its own private engine (tests/lib/engine.sh) and a throw-away sshd whose sessions
# reach it (tests/lib/sshd.sh); both commands open their own ssh connections (no control
# master). dockhand runs in tmux as `dockhand --host ssh://… --exit-after-first-frame`: the wall
# time is process start to exit after the first frame that shows the listing.
#
# Usage: tests/bench/ssh.sh          (from any directory)
# Env:   DOCKHAND_BIN=path   use this binary instead of `cargo build --release`
#        DH_BENCH_RUNS=5  DH_BENCH_TIMEOUT=60
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tests/lib/engine.sh
. "$REPO/tests/lib/engine.sh"
# shellcheck source=tests/lib/sshd.sh
. "$REPO/tests/lib/sshd.sh"
# shellcheck source=tests/lib/bench.sh
. "$REPO/tests/lib/bench.sh"

RUNS="${DH_BENCH_RUNS:-5}"
TIMEOUT="${DH_BENCH_TIMEOUT:-60}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ssh.sh: %s\n' "$*" >&2; exit 1; }

for cmd in curl tmux docker; do
    command -v "$cmd" >/dev/null 2>&1 || die "missing $cmd (run tests/run.sh once)"
done

WORK=""
# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    [ -n "$WORK" ] && tmux -L "dhssh-$$" kill-server 2>/dev/null
    dh_sshd_stop
    dh_engine_stop
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

WORK="$(mktemp -d /tmp/dhbench.XXXXXX)"
mkdir -p "$WORK/docker-config" "$WORK/tmux"
export DOCKER_CONFIG="$WORK/docker-config" TMUX_TMPDIR="$WORK/tmux"
unset DOCKER_CONTEXT DOCKER_HOST TMUX TMUX_PANE

dh_bench_binary "$REPO" || die "no dockhand binary to measure"
say "starting private engine and sshd"
dh_engine_start || die "the private engine did not start"
dh_engine_base_fixture || die "could not build the base fixture"
dh_sshd_start || die "the sshd did not start"
export PATH="$DH_SSH_BIN:$PATH"
HOST="$DH_SSH_HOST"
say "engine over $HOST: $(docker -H "$HOST" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_ns() { date +%s%N; }

docker_run() {
    local a b
    a=$(now_ns)
    docker -H "$HOST" images >/dev/null
    b=$(now_ns)
    awk -v ns=$((b - a)) 'BEGIN { printf "%.1f\n", ns / 1e6 }' >>"$1"
}

dockhand_run() {
    local i=0 rc us
    rm -f "$WORK/dh.wall" "$WORK/dh.err"
    # shellcheck disable=SC2016 # expanded by the inner sh
    tmux -L "dhssh-$$" -f /dev/null new-session -d -s bench -x 160 -y 40 -- sh -c '
        a=$(date +%s%N)
        "$1" --host "$2" --exit-after-first-frame 2>"$3"
        rc=$?
        b=$(date +%s%N)
        echo "$rc $(( (b - a) / 1000 ))" >"$4"' sh "$BIN" "$HOST" "$WORK/dh.err" "$WORK/dh.wall"
    while tmux -L "dhssh-$$" has-session -t bench 2>/dev/null; do
        [ "$i" -lt $((TIMEOUT * 20)) ] || { tmux -L "dhssh-$$" kill-server; die "dockhand hung"; }
        sleep 0.05
        i=$((i + 1))
    done
    read -r rc us <"$WORK/dh.wall"
    [ "$rc" = 0 ] || { cat "$WORK/dh.err" >&2; die "dockhand exited with $rc"; }
    grep -q first_full_frame_ms "$WORK/dh.err" || { cat "$WORK/dh.err" >&2; die "no first frame"; }
    awk -v us="$us" 'BEGIN { printf "%.1f\n", us / 1000 }' >>"$1"
}

say "measuring: $RUNS runs each (after one warm-up run)"
docker_run "$WORK/warm"
dockhand_run "$WORK/warm"
for _ in $(seq 1 "$RUNS"); do
    docker_run "$WORK/docker"
    dockhand_run "$WORK/dockhand"
done
d="$(median <"$WORK/docker")"
h="$(median <"$WORK/dockhand")"
printf '\nssh first listing, wall ms, median of %s (runs: docker %s | dockhand %s)\n' "$RUNS" \
    "$(paste -sd' ' "$WORK/docker")" "$(paste -sd' ' "$WORK/dockhand")"
printf '  docker -H ssh://… images             %8s ms\n' "$d"
printf '  dockhand --host ssh://… first frame  %8s ms\n' "$h"
