#!/usr/bin/env bash
# Benchmark of saving an image to a tar file: dockhand's save dialog (the real TUI binary driven
# in tmux) beside `docker save -o` (prints figures; not a timed test).
#
# Builds a ~500 MB fixture FROM scratch with the static busybox (unless it exists), then, for
# $RUNS interleaved rounds:
#   peer  `/usr/bin/time -f '%e %M' docker save -o FILE IMAGE`
#   ours  dockhand in tmux: filter to the image, W, type FILE, Enter; the time from Enter until
#         the status line says "saved"; peak RSS of the dockhand process (VmHWM from /proc,
#         the whole TUI included) read once the save is done.
# Prints the medians, the ratio (target ≤ 1.1x) and dockhand's peak RSS (target ≤ 32 MB: the
# export is streamed to disk, never buffered). Both files are compared byte for byte.
#
# Usage: DOCKER_HOST=unix:///tmp/dh/docker.sock tests/bench/save.sh
# Env:   RUNS (default 3), DOCKHAND (default target/release/dockhand), SIZE_MB (default 500),
#        KEEP=1 keeps the image.
set -euo pipefail

RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-500}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKHAND=${DOCKHAND:-$ROOT/target/release/dockhand}
IMAGE=${SAVE_IMAGE:-dockhand-bench-save:${SIZE_MB}m}
WORK=$(mktemp -d /tmp/dockhand-save-bench.XXXXXX)
SOCK=dhsave$$
cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    rm -rf "$WORK"
    [ "${KEEP:-0}" = 1 ] || docker rmi -f "$IMAGE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

: "${DOCKER_HOST:?set DOCKER_HOST to the engine to measure}"
[ -x "$DOCKHAND" ] || { echo "build dockhand first: cargo build --release"; exit 1; }
command -v tmux >/dev/null || { echo "tmux not found"; exit 1; }

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
    ctx=$WORK/ctx
    mkdir -p "$ctx"
    cp /bin/busybox "$ctx/busybox"
    cat > "$ctx/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN head -c $((SIZE_MB / 2))m /dev/urandom > /one
RUN head -c $((SIZE_MB / 2))m /dev/urandom > /two
EOF
    docker build -q -t "$IMAGE" "$ctx" >/dev/null
fi
echo "image $IMAGE: $(docker image inspect -f '{{.Size}}' "$IMAGE") bytes"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s.%N; }

screen() { tmux -L "$SOCK" capture-pane -p -t bench; }
wait_screen() { # text timeout_s
    local deadline=$(( $(date +%s) + $2 ))
    until screen | grep -qF -- "$1"; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "timeout waiting for: $1" >&2; screen >&2; exit 1; }
        sleep 0.02
    done
}

ours() { # file -> "seconds peak_kb"
    local file=$1
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    tmux -L "$SOCK" -f /dev/null new-session -d -s bench -x 200 -y 50 \
        "exec env DOCKER_HOST='$DOCKER_HOST' '$DOCKHAND'"
    local pid
    pid=$(tmux -L "$SOCK" list-panes -t bench -F '#{pane_pid}')
    wait_screen "Images (" 30
    tmux -L "$SOCK" send-keys -t bench "/"
    tmux -L "$SOCK" send-keys -t bench -l "$IMAGE"
    tmux -L "$SOCK" send-keys -t bench Enter
    wait_screen "Images (1)" 30
    tmux -L "$SOCK" send-keys -t bench W
    wait_screen "Save images" 10
    tmux -L "$SOCK" send-keys -t bench C-u
    tmux -L "$SOCK" send-keys -t bench -l "$file"
    local t0 t1
    t0=$(now)
    tmux -L "$SOCK" send-keys -t bench Enter
    wait_screen "saved 1 image" 600
    t1=$(now)
    local peak
    peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    tmux -L "$SOCK" kill-server
    echo "$(echo "$t1 - $t0" | bc -l) $peak"
}

: > "$WORK/peer.txt"
: > "$WORK/ours.txt"
for i in $(seq "$RUNS"); do
    rm -f "$WORK/peer.tar" "$WORK/ours.tar"
    sync
    /usr/bin/time -f '%e %M' -o "$WORK/t" docker save -o "$WORK/peer.tar" "$IMAGE"
    cat "$WORK/t" >> "$WORK/peer.txt"
    sync
    ours "$WORK/ours.tar" >> "$WORK/ours.txt"
    cmp -s "$WORK/peer.tar" "$WORK/ours.tar" || echo "round $i: the two files differ!"
    echo "round $i: peer $(tail -1 "$WORK/peer.txt") · ours $(tail -1 "$WORK/ours.txt")  (s, peak KB)"
done

peer_s=$(cut -d' ' -f1 "$WORK/peer.txt" | median)
peer_kb=$(cut -d' ' -f2 "$WORK/peer.txt" | median)
ours_s=$(cut -d' ' -f1 "$WORK/ours.txt" | median)
ours_kb=$(cut -d' ' -f2 "$WORK/ours.txt" | sort -n | tail -1)
size=$(stat -c %s "$WORK/ours.tar")
printf '\nsave of %s (%d MB file), median of %d rounds\n' "$IMAGE" $((size / 1000000)) "$RUNS"
printf '  docker save -o   %6.2f s   peak RSS %6.1f MB (docker CLI)\n' "$peer_s" "$(echo "$peer_kb/1024" | bc -l)"
printf '  dockhand (W)     %6.2f s   peak RSS %6.1f MB (whole TUI, max of rounds)\n' "$ours_s" "$(echo "$ours_kb/1024" | bc -l)"
peer_min=$(cut -d' ' -f1 "$WORK/peer.txt" | sort -n | head -1)
ours_min=$(cut -d' ' -f1 "$WORK/ours.txt" | sort -n | head -1)
printf '  ratio            %6.2fx    (median; best rounds %.2f s vs %.2f s = %.2fx)\n' \
    "$(echo "$ours_s/$peer_s" | bc -l)" "$ours_min" "$peer_min" "$(echo "$ours_min/$peer_min" | bc -l)"
printf '  targets: ratio ≤ 1.10x, dockhand peak RSS ≤ 32 MB\n'
