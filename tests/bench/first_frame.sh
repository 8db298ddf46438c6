#!/usr/bin/env bash
# Start-up benchmark: dockhand's time to first full frame and peak RSS, beside
# the raw GET /images/json and GET /containers/json?all=1 on the same engine.
#
# It starts its own private engine (tests/lib/engine.sh), loads it with a
# busybox fixture, DH_BENCH_IMAGES distinct images carrying DH_BENCH_TAGS tags
# in total and DH_BENCH_CONTAINERS containers (--network none; about 40 %
# running `sleep 3600`, the rest exited), then reports medians of
# DH_BENCH_RUNS runs (after one unmeasured warm-up run each).
#
# dockhand runs inside tmux (a real terminal) as
#     /usr/bin/time -f %M dockhand --exit-after-first-frame 2>stderr
# and must print `first_full_frame_ms=<N>` on stderr.
#
# Usage: tests/bench/first_frame.sh          (from any directory)
# Env:   DOCKHAND_BIN=path        use this binary instead of `cargo build --release`
#        DH_BENCH_RUNS=7 DH_BENCH_IMAGES=100 DH_BENCH_TAGS=500 DH_BENCH_CONTAINERS=50
#        DH_BENCH_TIMEOUT=30      seconds allowed per dockhand run
#        DH_BENCH_SIZE=200x50     terminal size for dockhand
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tests/lib/engine.sh
. "$REPO/tests/lib/engine.sh"
# shellcheck source=tests/lib/bench.sh
. "$REPO/tests/lib/bench.sh"

RUNS="${DH_BENCH_RUNS:-7}"
N_IMAGES="${DH_BENCH_IMAGES:-100}"
N_TAGS="${DH_BENCH_TAGS:-500}"
N_CONTAINERS="${DH_BENCH_CONTAINERS:-50}"
TIMEOUT="${DH_BENCH_TIMEOUT:-30}"
SIZE="${DH_BENCH_SIZE:-200x50}"
COLS="${SIZE%x*}"
ROWS="${SIZE#*x}"
API="v1.41"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'first_frame.sh: %s\n' "$*" >&2; exit 1; }

for cmd in curl tmux tar /usr/bin/time; do
    command -v "$cmd" >/dev/null 2>&1 || die "missing $cmd (run tests/run.sh once, or apt-get install curl tmux tar time)"
done

WORK=""
# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    if [ -n "$WORK" ]; then
        tmux -L "dhbench-$$" kill-server 2>/dev/null
    fi
    dh_engine_stop
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

WORK="$(mktemp -d /tmp/dhbench.XXXXXX)"
mkdir -p "$WORK/docker-config" "$WORK/tmux" "$WORK/ctx"
export DOCKER_CONFIG="$WORK/docker-config" TMUX_TMPDIR="$WORK/tmux"
unset DOCKER_CONTEXT TMUX TMUX_PANE

# ------------------------------------------------------------ the binary --
dh_bench_binary "$REPO" || die "no dockhand binary to measure"

# ------------------------------------------------------------- the engine --
say "starting private engine"
dh_engine_start || die "the private engine did not start"
SOCK="$DH_ENGINE_SOCK"
export DOCKER_HOST="$DH_ENGINE_HOST"

# build TAG DIR: build the context directory DIR as TAG (classic builder, no network).
build() {
    tar -C "$2" -cf - . | api POST "/build?t=$1&rm=1&forcerm=1&networkmode=none" \
        -H 'Content-Type: application/x-tar' --data-binary @- >"$WORK/build.log" ||
        { cat "$WORK/build.log" >&2; die "build $1 failed"; }
    if grep -q '"errorDetail"' "$WORK/build.log"; then
        cat "$WORK/build.log" >&2
        die "build $1 failed"
    fi
}

BUSYBOX="${DOCKHAND_BUSYBOX:-/bin/busybox}"
[ -f "$BUSYBOX" ] || BUSYBOX=/usr/bin/busybox
[ -f "$BUSYBOX" ] || die "static busybox missing (apt-get install busybox-static)"

say "fixtures: busybox base, $N_IMAGES images with $N_TAGS tags, $N_CONTAINERS containers"
t0=$(date +%s)
mkdir -p "$WORK/ctx/base"
cp "$BUSYBOX" "$WORK/ctx/base/busybox"
chmod 755 "$WORK/ctx/base/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\nENV PATH=/bin\nCMD ["sh"]\n' \
    >"$WORK/ctx/base/Dockerfile"
build bench/busybox:base "$WORK/ctx/base"

# Distinct images: one LABEL each on the base (config-only, cheap to build).
mkdir -p "$WORK/ctx/img"
for i in $(seq 1 "$N_IMAGES"); do
    printf 'FROM bench/busybox:base\nLABEL bench.n=%s\n' "$i" >"$WORK/ctx/img/Dockerfile"
    build "bench/app$i:v1" "$WORK/ctx/img"
done
# Extra tags spread round-robin over the images until N_TAGS tags exist.
tags=$N_IMAGES
t=2
while [ "$tags" -lt "$N_TAGS" ]; do
    for i in $(seq 1 "$N_IMAGES"); do
        [ "$tags" -lt "$N_TAGS" ] || break
        api POST "/images/bench/app$i:v1/tag?repo=bench/app$i&tag=v$t" >/dev/null
        tags=$((tags + 1))
    done
    t=$((t + 1))
done

# Containers: ~40 % running, the rest exited with assorted codes.
running=$(( N_CONTAINERS * 2 / 5 ))
for i in $(seq 1 "$N_CONTAINERS"); do
    img="bench/app$(( (i - 1) % N_IMAGES + 1 )):v1"
    if [ "$i" -le "$running" ]; then
        cmd='["sleep","3600"]'
    else
        cmd="[\"sh\",\"-c\",\"exit $(( i % 3 ))\"]"
    fi
    id="$(api POST "/containers/create?name=bench-c$i" -H 'Content-Type: application/json' \
        -d "{\"Image\":\"$img\",\"Cmd\":$cmd,\"HostConfig\":{\"NetworkMode\":\"none\"}}" |
        sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')"
    [ -n "$id" ] || die "create container bench-c$i failed"
    api POST "/containers/$id/start" >/dev/null
    if [ "$i" -gt "$running" ]; then api POST "/containers/$id/wait" >/dev/null; fi
done
n_images_json="$(api GET /images/json | grep -o '"Id":' | wc -l)"
n_tags_json="$(api GET /images/json | grep -o '"bench/app[0-9]*:v[0-9]*"' | wc -l)"
n_running="$(api GET /containers/json | grep -o '"Id":' | wc -l)"
n_all="$(api GET '/containers/json?all=1' | grep -o '"Id":' | wc -l)"
say "fixtures ready in $(( $(date +%s) - t0 ))s: $n_images_json images, $n_tags_json bench tags, $n_all containers ($n_running running)"

# ----------------------------------------------------------- measurement --
# median < numbers (one per line)
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s..%s", lo, hi; else print "n/a" }'; }
now_ns() { date +%s%N; }

# raw_call PATH OUTPREFIX: wall ms (process start to exit) and curl's own total ms.
raw_call() {
    local path="$1" out="$2" a b tt
    a=$(now_ns)
    tt="$(curl -s -o /dev/null -w '%{time_total}' --unix-socket "$SOCK" "http://localhost/$API$path")"
    b=$(now_ns)
    awk -v ns=$((b - a)) 'BEGIN { printf "%.1f\n", ns / 1e6 }' >>"$out.wall"
    awk -v s="$tt" 'BEGIN { printf "%.1f\n", s * 1000 }' >>"$out.api"
}

# One dockhand run in a fresh tmux server; appends to the result files.
# Returns non-zero (leaving $WORK/dh.err) when it fails.
dockhand_run() {
    local out="$1" err="$WORK/dh.err" rss="$WORK/dh.rss" wall="$WORK/dh.wall" i=0
    rm -f "$err" "$rss" "$wall"
    # shellcheck disable=SC2016 # expanded by the inner sh
    tmux -L "dhbench-$$" -f /dev/null new-session -d -s bench -x "$COLS" -y "$ROWS" -- sh -c '
        a=$(date +%s%N)
        /usr/bin/time -f %M -o "$1" "$2" --exit-after-first-frame 2>"$3"
        rc=$?
        b=$(date +%s%N)
        echo "$rc $(( (b - a) / 1000 ))" >"$4"' sh "$rss" "$BIN" "$err" "$wall"
    while tmux -L "dhbench-$$" has-session -t bench 2>/dev/null; do
        if [ "$i" -ge $((TIMEOUT * 20)) ]; then
            tmux -L "dhbench-$$" kill-server 2>/dev/null || true
            echo "dockhand did not exit within ${TIMEOUT}s" >>"$err"
            return 1
        fi
        sleep 0.05
        i=$((i + 1))
    done
    local rc us ms kib
    read -r rc us <"$wall" || return 1
    [ "$rc" = 0 ] || { echo "dockhand exited with status $rc" >>"$err"; return 1; }
    ms="$(sed -n 's/.*first_full_frame_ms=\([0-9.]*\).*/\1/p' "$err" | tail -n 1)"
    [ -n "$ms" ] || { echo "no first_full_frame_ms=<N> line on stderr" >>"$err"; return 1; }
    kib="$(tail -n 1 "$rss")"
    echo "$ms" >>"$out.frame"
    awk -v k="$kib" 'BEGIN { printf "%.1f\n", k / 1024 }' >>"$out.rss"
    awk -v us="$us" 'BEGIN { printf "%.1f\n", us / 1000 }' >>"$out.wall"
}

R="$WORK/res"
mkdir -p "$R"
say "measuring: $RUNS runs each (after one warm-up run)"
raw_call /images/json "$WORK/warm"
raw_call '/containers/json?all=1' "$WORK/warm"
for _ in $(seq 1 "$RUNS"); do
    raw_call /images/json "$R/images"
    raw_call '/containers/json?all=1' "$R/containers"
done

dh_ok=1
if ! dockhand_run "$WORK/warm"; then
    dh_ok=0
else
    for _ in $(seq 1 "$RUNS"); do
        dockhand_run "$R/dh" || { dh_ok=0; break; }
    done
fi

# --------------------------------------------------------------- report --
row() { printf '%-44s %10s %16s\n' "$1" "$2" "$3"; }
echo
echo "dockhand start-up benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo "engine: $(api GET /version | grep -o '"Version":"[^"]*","ApiVersion":"[^"]*"' | head -n 1)"
echo "dataset: $n_images_json images, $n_tags_json bench tags, $n_all containers ($n_running running); terminal ${COLS}x${ROWS}"
echo "binary: $BIN"
echo
row "metric (median of $RUNS)" "median" "min..max"
row "--------------------------------------------" "----------" "----------------"
row "GET /images/json, curl wall ms" "$(median <"$R/images.wall")" "$(minmax <"$R/images.wall")"
row "GET /images/json, curl time_total ms" "$(median <"$R/images.api")" "$(minmax <"$R/images.api")"
row "GET /containers/json?all=1, curl wall ms" "$(median <"$R/containers.wall")" "$(minmax <"$R/containers.wall")"
row "GET /containers/json?all=1, time_total ms" "$(median <"$R/containers.api")" "$(minmax <"$R/containers.api")"
if [ "$dh_ok" = 1 ]; then
    frame="$(median <"$R/dh.frame")"
    raw="$(median <"$R/images.wall")"
    api_ms="$(median <"$R/images.api")"
    row "dockhand first_full_frame_ms" "$frame" "$(minmax <"$R/dh.frame")"
    row "dockhand process wall ms (start to exit)" "$(median <"$R/dh.wall")" "$(minmax <"$R/dh.wall")"
    row "dockhand peak RSS MiB" "$(median <"$R/dh.rss")" "$(minmax <"$R/dh.rss")"
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx\n", a / b; else print "n/a" }'; }
    row "ratio first frame / images/json curl wall" "$(ratio "$frame" "$raw")" ""
    row "ratio first frame / images/json time_total" "$(ratio "$frame" "$api_ms")" ""
else
    row "dockhand first_full_frame_ms" "FAILED" ""
    echo
    echo "dockhand run failed; its stderr:" >&2
    tail -n 20 "$WORK/dh.err" >&2 || true
    exit 1
fi
