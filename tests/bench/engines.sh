#!/usr/bin/env bash
# Switching engines: time from the Enter that switches to an already-connected engine to the end
# of the frame that shows it (dockhand writes it to $DH_TIMINGS_FILE), over DH_BENCH_RUNS switches
# back and forth between the two private engines; beside it the Docker CLI's way to look at
# another engine, `docker --context second images` (a full round trip each time). No peer keeps
# several engines connected (lazydocker and oxker restart on another DOCKER_HOST).
#
# Usage: DH_SKIP_INSTALL=1 ./tests/run.sh tests/bench/engines.sh
#        (needs DOCKER_HOST and DOCKHAND_ENGINE2_HOST, which tests/run.sh sets)
# Env:   DOCKHAND_BIN=path   use this binary instead of `cargo build --release`
#        DH_BENCH_RUNS=20
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tests/lib/bench.sh
. "$REPO/tests/lib/bench.sh"

RUNS="${DH_BENCH_RUNS:-20}"
say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'engines.sh: %s\n' "$*" >&2; exit 1; }

: "${DOCKER_HOST:?run under tests/run.sh}"
: "${DOCKHAND_ENGINE2_HOST:?run under tests/run.sh}"
dh_bench_binary "$REPO" || die "no dockhand binary to measure"

WORK="$(mktemp -d /tmp/dhbench-engines.XXXXXX)"
SOCK="dheng-$$"
# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

export DOCKER_CONFIG="$WORK/config"
unset DOCKER_CONTEXT
docker context create second --docker "host=$DOCKHAND_ENGINE2_HOST" >/dev/null

screen() { tmux -L "$SOCK" capture-pane -p -t bench; }
wait_for() { # pattern [count]
    local i=0
    until [ "$(screen | grep -c -- "$1")" -ge "${2:-1}" ]; do
        [ "$i" -lt 600 ] || { screen >&2; die "timed out waiting for $1"; }
        sleep 0.05
        i=$((i + 1))
    done
}
keys() { tmux -L "$SOCK" send-keys -t bench "$@"; sleep 0.2; }

tmux -L "$SOCK" -f /dev/null new-session -d -s bench -x 200 -y 40 -- \
    env DH_TIMINGS_FILE="$WORK/timings" XDG_CONFIG_HOME="$WORK" "$BIN"
keys C-e
wait_for "● Docker Engine" 3 # two rows and the status bar
say "both engines connected; switching $RUNS times"
for i in $(seq 1 "$RUNS"); do
    if [ $((i % 2)) = 1 ]; then name=second; else name=default; fi
    keys C-e
    keys Escape
    keys /
    tmux -L "$SOCK" send-keys -t bench -l "$name"
    keys Enter
    keys Enter
    wait_for "▶ $name"
done
keys q

cli="$WORK/cli"
for _ in $(seq 1 "$RUNS"); do
    a=$(date +%s%N)
    docker --context second images >/dev/null
    b=$(date +%s%N)
    awk -v ns=$((b - a)) 'BEGIN { printf "%.2f\n", ns / 1e6 }' >>"$cli"
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
sed -n 's/^switch_frame_ms=//p' "$WORK/timings" >"$WORK/switch"
[ "$(wc -l <"$WORK/switch")" = "$RUNS" ] || die "expected $RUNS timings, got $(wc -l <"$WORK/switch")"
printf '\nswitch to an already-connected engine, ms, %s switches\n' "$RUNS"
printf '  dockhand Enter to frame drawn       median %8s  max %8s\n' \
    "$(median <"$WORK/switch")" "$(sort -n "$WORK/switch" | tail -1)"
printf '  docker --context second images      median %8s  max %8s\n' \
    "$(median <"$cli")" "$(sort -n "$cli" | tail -1)"
