#!/usr/bin/env bash
# Benchmark of `dockhand build` (BuildKit through the engine API) against the Debian CLI's
# `DOCKER_BUILDKIT=1 docker build` on the same engine (prints figures; not a timed test).
#
# The fixture: a 5-stage Dockerfile (four independent stages that copy and hash parts of the
# context, a final stage that collects them) and a ~200 MB context of 2,000 files.
#   cold: a fresh context directory (new content hashes, new files for the engine to fetch) and
#         --no-cache: every step runs and the whole context is transferred;
#   warm: the same context and Dockerfile again: every step cached, only file stats compared.
# Median of $RUNS interleaved rounds of wall time (`/usr/bin/time -f %e`).
#
# Usage: DOCKER_HOST=unix:///tmp/dh/docker.sock tests/bench/build.sh
#        or: DH_SKIP_INSTALL=1 ./tests/run.sh tests/bench/build.sh
# Env:   RUNS (default 5), DOCKHAND (default target/release/dockhand), CLI (default /usr/bin/docker)
set -euo pipefail

RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKHAND=${DOCKHAND:-$ROOT/target/release/dockhand}
CLI=${CLI:-/usr/bin/docker}
WORK=$(mktemp -d /tmp/dockhand-bench-build.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

: "${DOCKER_HOST:?set DOCKER_HOST to the engine to measure}"
[ -x "$DOCKHAND" ] || { echo "no dockhand binary at $DOCKHAND (cargo build --release)"; exit 1; }

make_context() { # dir seed
    mkdir -p "$1"
    python3 - "$1" "$2" <<'PY'
import os, sys
d, seed = sys.argv[1], sys.argv[2]
rnd = os.urandom
for part in range(4):
    sub = os.path.join(d, f"part{part}")
    os.makedirs(sub, exist_ok=True)
    for i in range(500):
        with open(os.path.join(sub, f"f{i:04d}.bin"), "wb") as f:
            f.write(seed.encode() + rnd(100 * 1024))
PY
    cat > "$1/Dockerfile" <<'DF'
FROM dh-busybox:1 AS p0
COPY part0 /p
RUN find /p -type f | sort | xargs cat | md5sum > /sum

FROM dh-busybox:1 AS p1
COPY part1 /p
RUN find /p -type f | sort | xargs cat | md5sum > /sum

FROM dh-busybox:1 AS p2
COPY part2 /p
RUN find /p -type f | sort | xargs cat | md5sum > /sum

FROM dh-busybox:1 AS p3
COPY part3 /p
RUN find /p -type f | sort | xargs cat | md5sum > /sum

FROM dh-busybox:1
COPY --from=p0 /sum /s0
COPY --from=p1 /sum /s1
COPY --from=p2 /sum /s2
COPY --from=p3 /sum /s3
RUN cat /s0 /s1 /s2 /s3 > /all
DF
}

timed() { # label command...: appends "label seconds" to $WORK/times
    local label=$1
    shift
    if ! /usr/bin/time -f '%e' -o "$WORK/t" "$@" > "$WORK/out" 2>&1; then
        echo "$label failed:"; tail -20 "$WORK/out"; exit 1
    fi
    printf '%s %s\n' "$label" "$(tail -1 "$WORK/t")" >> "$WORK/times"
}

ours=("$DOCKHAND" build --builder buildkit --network host -t dh-bench-build:ours)
cli=(env DOCKER_BUILDKIT=1 "$CLI" build --network host -t dh-bench-build:cli --progress=plain)

: > "$WORK/times"
make_context "$WORK/warm" warm
timed prime-ours "${ours[@]}" "$WORK/warm"
timed prime-cli "${cli[@]}" "$WORK/warm"
for round in $(seq 1 "$RUNS"); do
    for tool in ours cli; do
        make_context "$WORK/cold-$tool-$round" "$tool-$round"
        declare -n cmd="$tool"
        timed "cold-$tool" "${cmd[@]}" --no-cache "$WORK/cold-$tool-$round"
        rm -rf "$WORK/cold-$tool-$round"
        timed "warm-$tool" "${cmd[@]}" "$WORK/warm"
    done
done

median() { grep "^$1 " "$WORK/times" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
du -sh "$WORK/warm" | awk '{print "context: " $1 ", 2000 files, 5 stages"}'
for phase in cold warm; do
    o=$(median "$phase-ours"); c=$(median "$phase-cli")
    awk -v p="$phase" -v o="$o" -v c="$c" -v r="$RUNS" \
        'BEGIN {printf "%s: dockhand %.2fs, docker CLI %.2fs, ratio %.3f (median of %d)\n", p, o, c, o / c, r}'
done
"$CLI" rmi dh-bench-build:ours dh-bench-build:cli > /dev/null 2>&1 || true
