#!/usr/bin/env bash
# Disk-usage benchmark: `dockhand df -v --json` and the disk pane's first full frame
# (`dockhand --pane disk --exit-after-first-frame` in tmux) beside Debian's `docker system df -v`
# on a loaded private engine (wall time, median of DH_BENCH_RUNS interleaved rounds after one
# warm-up each).
#
# It starts its own private engine (tests/lib/engine.sh) and loads it with:
#   - DH_BENCH_IMAGES distinct images (imported tarballs of one small file each, through the API),
#   - DH_BENCH_VOLUMES volumes (every tenth holds 64 KiB, written by a `--network none` container),
#   - at least DH_BENCH_RECORDS build-cache records (BuildKit builds of many COPY steps, through
#     the CLI with DOCKER_BUILDKIT=1, or `dockhand build` where the CLI has no buildx),
# then checks that both tools report the same summary figures and prints the timings.
#
# Usage: tests/bench/disk.sh               (from any directory)
# Env:   DOCKHAND_BIN=path   use this binary instead of `cargo build --release`
#        DH_BENCH_RUNS=5 DH_BENCH_IMAGES=500 DH_BENCH_VOLUMES=200 DH_BENCH_RECORDS=300
#        DOCKER_CLI=/usr/bin/docker
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tests/lib/engine.sh
. "$REPO/tests/lib/engine.sh"
# shellcheck source=tests/lib/bench.sh
. "$REPO/tests/lib/bench.sh"

RUNS="${DH_BENCH_RUNS:-5}"
N_IMAGES="${DH_BENCH_IMAGES:-500}"
N_VOLUMES="${DH_BENCH_VOLUMES:-200}"
N_RECORDS="${DH_BENCH_RECORDS:-300}"
CLI="${DOCKER_CLI:-/usr/bin/docker}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'disk.sh: %s\n' "$*" >&2; exit 1; }

for cmd in curl tar python3 tmux "$CLI"; do
    command -v "$cmd" >/dev/null 2>&1 || die "missing $cmd (run tests/run.sh once)"
done

WORK=""
# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    dh_engine_stop
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dh_bench_binary "$REPO" || die "no dockhand binary"
WORK="$(mktemp -d /tmp/dhdisk.XXXXXX)"
say "starting private engine"
dh_engine_start || die "the private engine did not start"
export DOCKER_HOST="$DH_ENGINE_HOST"
dh_engine_base_fixture || die "could not build the base fixture"

say "importing $N_IMAGES images"
mkdir -p "$WORK/img"
for i in $(seq 1 "$N_IMAGES"); do
    printf 'image %s\n' "$i" >"$WORK/img/f"
    tar -C "$WORK/img" -cf - f |
        api POST "/images/create?fromSrc=-&repo=dh-bench-df&tag=$i" \
            -H 'Content-Type: application/x-tar' --data-binary @- >/dev/null
done

say "creating $N_VOLUMES volumes"
for i in $(seq 1 "$N_VOLUMES"); do
    api POST /volumes/create -H 'Content-Type: application/json' \
        -d "{\"Name\":\"dh-bench-vol-$i\"}" >/dev/null
    if [ $((i % 10)) -eq 0 ]; then
        "$CLI" run --rm --network none -v "dh-bench-vol-$i:/v" dh-busybox:1 \
            dd if=/dev/zero of=/v/data bs=1k count=64 2>/dev/null
    fi
done

say "building BuildKit cache ($N_RECORDS+ records)"
ctx="$WORK/ctx"
mkdir -p "$ctx"
per_build=100
builds=$(((N_RECORDS + per_build - 1) / per_build))
for b in $(seq 1 "$builds"); do
    rm -rf "${ctx:?}"/*
    printf 'FROM dh-busybox:1\n' >"$ctx/Dockerfile"
    for i in $(seq 1 "$per_build"); do
        printf 'build %s file %s\n' "$b" "$i" >"$ctx/f$i"
        printf 'COPY f%s /d/f%s\n' "$i" "$i" >>"$ctx/Dockerfile"
    done
    DOCKER_BUILDKIT=1 "$CLI" build --network host -q -t "dh-bench-cache:$b" "$ctx" >/dev/null 2>&1 ||
        "$BIN" build --builder buildkit --network host -t "dh-bench-cache:$b" "$ctx" >/dev/null ||
        die "BuildKit build $b failed"
done

records="$("$CLI" system df --format '{{.Type}} {{.TotalCount}}' | awk '/^Build Cache/ {print $3}')"
images="$("$CLI" system df --format '{{.Type}} {{.TotalCount}}' | awk '/^Images/ {print $2}')"
say "engine holds $images images, $records build-cache records, $N_VOLUMES+ volumes"

# Same figures? Compare the summary rows (dockhand's JSON in the CLI's units).
ours="$("$BIN" df --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
def h(n):
    units = ["B", "kB", "MB", "GB", "TB"]
    x, u = float(n), 0
    while x >= 1000 and u < len(units) - 1:
        x /= 1000; u += 1
    return ("%.4g" % x) + units[u]
for k, name in [("images", "Images"), ("containers", "Containers"), ("volumes", "Local Volumes"), ("build_cache", "Build Cache")]:
    c = d[k]
    print(name, c["total"], c["active"], h(c["size"]))
')"
theirs="$("$CLI" system df --format '{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}}')"
if [ "$ours" = "$theirs" ]; then
    printf 'figures: same\n%s\n' "$ours" | sed 's/^/  /'
else
    printf 'figures DIFFER:\n' && diff <(echo "$ours") <(echo "$theirs") | sed 's/^/  /'
fi

# wall CMD...: seconds taken by CMD (output discarded).
wall() {
    local t0 t1
    t0="$(date +%s.%N)"
    "$@" >/dev/null 2>&1
    t1="$(date +%s.%N)"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# pane: seconds from start to the disk pane's first full frame (figures drawn), in tmux.
pane() {
    local err="$WORK/pane.err" done="$WORK/pane.done" i=0
    rm -f "$done"
    # shellcheck disable=SC2016 # expanded by the inner sh
    tmux -L "dhdisk-$$" -f /dev/null new-session -d -s bench -x 200 -y 50 -- \
        sh -c '"$1" --pane disk --exit-after-first-frame 2>"$2"; echo $? >"$3"' sh "$BIN" "$err" "$done"
    while [ ! -s "$done" ]; do
        i=$((i + 1))
        if [ "$i" -ge 1200 ]; then
            tmux -L "dhdisk-$$" capture-pane -p -t bench >&2 || true
            tmux -L "dhdisk-$$" kill-server 2>/dev/null || true
            cat "$err" >&2
            die "the disk pane did not draw its figures within 60 s"
        fi
        sleep 0.05
    done
    sed -n 's/.*first_full_frame_ms=\([0-9.]*\).*/\1/p' "$err" | tail -n 1 |
        awk '{ printf "%.3f\n", $1 / 1000 }'
}

wall "$BIN" df -v --json >/dev/null
wall "$CLI" system df -v >/dev/null
pane >/dev/null
: >"$WORK/ours"
: >"$WORK/cli"
: >"$WORK/pane"
for _ in $(seq 1 "$RUNS"); do
    wall "$BIN" df -v --json >>"$WORK/ours"
    wall "$CLI" system df -v >>"$WORK/cli"
    pane >>"$WORK/pane"
done
o="$(median <"$WORK/ours")"
c="$(median <"$WORK/cli")"
printf '\nmedian of %s (wall seconds):\n' "$RUNS"
printf '  %-34s %s s\n' "dockhand df -v --json" "$o" "docker system df -v (20.10 CLI)" "$c"
p="$(median <"$WORK/pane")"
printf '  %-34s %s s\n' "disk pane first full frame" "$p"
awk -v o="$o" -v c="$c" 'BEGIN { printf "  dockhand df / docker: %.2f\n", o / c }'
awk -v p="$p" -v c="$c" 'BEGIN { printf "  disk pane / docker: %.2f (target <= 1.2)\n", p / c }'
