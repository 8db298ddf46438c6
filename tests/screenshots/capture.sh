#!/usr/bin/env bash
# Regenerate the README screenshots from the real dockhand TUI.
#
# Builds a few small fixture images on the engine named by DOCKER_HOST (idempotent: existing
# fixtures are reused), runs dockhand in a 140x36 tmux session with an empty config dir, drives it
# with send-keys to each state, waits for the expected text, captures the pane with its colours
# (`tmux capture-pane -e`) and renders every capture to a PNG with ansi2png.py.
#
# Usage: tests/screenshots/capture.sh [OUT_DIR]   (default: screenshots/ at the repository root)
# Env:   DOCKER_HOST   engine to use (required; images are never pulled)
#        DOCKHAND_BIN  binary to run (default: target/debug/dockhand, built with `cargo build`)
#        PYTHON        interpreter with Pillow (default: python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/screenshots"
OUT="${1:-$ROOT/screenshots}"
PYTHON="${PYTHON:-python3}"
: "${DOCKER_HOST:?set DOCKER_HOST to the engine to photograph}"
export DOCKER_HOST

BIN="${DOCKHAND_BIN:-}"
if [[ -z "$BIN" ]]; then
    (cd "$ROOT" && cargo build --quiet)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/dockhand"
fi
[[ -x "$BIN" ]] || { echo "dockhand binary not found: $BIN" >&2; exit 1; }
"$PYTHON" -c 'import PIL' 2>/dev/null || { echo "$PYTHON lacks Pillow (pip install pillow)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 1; }

COLS=140
ROWS=36
SESSION="dockhand-shots-$$"
WORK="$(mktemp -d)"
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$OUT" "$WORK/config"

# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------
BUSYBOX="${BUSYBOX:-/bin/busybox}"
LABEL="io.dockhand.fixture=screenshots"
CONTAINER="dockhand-shots-web"

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# build_image TAG VARIANT: a FROM-scratch image with busybox and layers of different sizes.
build_image() {
    local tag="$1" variant="$2" ctx
    ctx="$WORK/ctx-${tag//[\/:]/-}-$variant"
    mkdir -p "$ctx/etc"
    cp "$BUSYBOX" "$ctx/busybox"
    printf 'listen 8080\nroot /srv/www\nworkers %s\n' "$variant" >"$ctx/etc/app.conf"
    case "$tag" in
        demo/web:*)
            cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /srv/www /var/log/web && dd if=/dev/urandom of=/srv/www/assets.bin bs=1M count=6 2>/dev/null
RUN dd if=/dev/urandom of=/srv/www/index.bin bs=1k count=700 2>/dev/null
COPY etc/app.conf /etc/web/app.conf
ENV APP_ENV=production PORT=8080
WORKDIR /srv/www
EXPOSE 8080/tcp
LABEL org.opencontainers.image.title="demo web" org.opencontainers.image.version="1.4" $LABEL
CMD ["/bin/httpd", "-f", "-p", "8080", "-h", "/srv/www"]
DOCKERFILE
            ;;
        *)
            cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /opt/worker && dd if=/dev/urandom of=/opt/worker/model.bin bs=1M count=12 2>/dev/null
RUN dd if=/dev/urandom of=/opt/worker/cache.bin bs=1M count=3 2>/dev/null && echo "$variant" >/opt/worker/VERSION
RUN dd if=/dev/urandom of=/opt/worker/queue.db bs=1k count=300 2>/dev/null
COPY etc/app.conf /etc/worker.conf
ENV QUEUE=jobs CONCURRENCY=4
USER 1000:1000
LABEL org.opencontainers.image.title="demo worker" $LABEL
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["while true; do sleep 5; done"]
DOCKERFILE
            ;;
    esac
    docker build --quiet -t "$tag" "$ctx" >/dev/null 2>"$WORK/build.log" || {
        cat "$WORK/build.log" >&2
        exit 1
    }
}

if ! have_image demo/web:1.4 || ! have_image demo/web:latest; then
    echo "building demo/web:1.4, demo/web:latest" >&2
    build_image demo/web:1.4 1
    docker tag demo/web:1.4 demo/web:latest
fi
if ! have_image demo/worker:2.0; then
    # Build it twice with a change in between: the first build is left dangling.
    echo "building demo/worker:2.0 (twice, leaving one dangling image)" >&2
    build_image demo/worker:2.0 old
    build_image demo/worker:2.0 new
fi
if ! docker container inspect "$CONTAINER" >/dev/null 2>&1; then
    docker create --name "$CONTAINER" --network none --label "$LABEL" demo/web:1.4 >/dev/null
fi
# A running container that logs, for the containers pane (stats) and its logs view.
WORKER="dockhand-shots-worker"
if ! docker container inspect "$WORKER" >/dev/null 2>&1; then
    docker run -d --name "$WORKER" --network none --label "$LABEL" demo/worker:2.0 \
        'i=0; while true; do i=$((i+1)); echo "job $i done in ${i}ms"; printf "\033[31mred\033[0m warn %s\n" "$i" >&2; sleep 1; done' \
        >/dev/null
fi
# A Dockerfile for the editor shot, with something for the linter to say.
cat >"$WORK/Dockerfile" <<'DOCKERFILE'
# syntax=docker/dockerfile:1
FROM demo/web:1.4 AS base
ARG VERSION=1.4
RUN cd /srv/www && echo "$VERSION" > VERSION
ENV APP_ENV=production
COPY etc/app.conf /etc/web/app.conf
EXPOSE 8080/tcp
HEALTHCHECK CMD wget -q -O- http://127.0.0.1:8080/ || exit 1
CMD /bin/httpd -f -p 8080 -h /srv/www
DOCKERFILE

# ---------------------------------------------------------------------------------------------
# Driving the TUI
# ---------------------------------------------------------------------------------------------

# start ARGS...: (re)start dockhand in a fresh detached tmux session of COLS x ROWS.
start() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    tmux new-session -d -s "$SESSION" -x "$COLS" -y "$ROWS" \
        env XDG_CONFIG_HOME="$WORK/config" HOME="$WORK" TERM=xterm-256color COLORTERM=truecolor \
        DOCKER_HOST="$DOCKER_HOST" "$BIN" "$@"
    tmux set-option -t "$SESSION" status off >/dev/null
    tmux resize-window -t "$SESSION" -x "$COLS" -y "$ROWS" 2>/dev/null || true
}

# wait_for TEXT [SECONDS]: wait until the pane shows TEXT, then until it stops changing.
wait_for() {
    local text="$1" limit="${2:-20}" i prev="" cur
    for ((i = 0; i < limit * 10; i++)); do
        if tmux capture-pane -p -t "$SESSION" | grep -qF -- "$text"; then
            break
        fi
        sleep 0.1
    done
    if ! tmux capture-pane -p -t "$SESSION" | grep -qF -- "$text"; then
        echo "timed out waiting for '$text'; the screen was:" >&2
        tmux capture-pane -p -t "$SESSION" >&2
        exit 1
    fi
    # Settle: two identical captures 300 ms apart.
    for ((i = 0; i < 30; i++)); do
        cur="$(tmux capture-pane -p -e -t "$SESSION")"
        [[ "$cur" == "$prev" ]] && return 0
        prev="$cur"
        sleep 0.3
    done
}

# keys K...: send each key separately with a short pause (Esc followed by a key in one burst
# would read as Alt-key).
keys() {
    local k
    for k in "$@"; do
        tmux send-keys -t "$SESSION" "$k"
        sleep 0.25
    done
}

# type_text TEXT: type literal text.
type_text() {
    tmux send-keys -t "$SESSION" -l "$1"
    sleep 0.3
}

# shot NAME: capture the pane with colours and render it to OUT/NAME.png.
shot() {
    tmux capture-pane -p -e -t "$SESSION" >"$WORK/$1.ansi"
    "$PYTHON" "$HERE/ansi2png.py" --cols "$COLS" --rows "$ROWS" "$WORK/$1.ansi" "$OUT/$1.png"
    echo "wrote $OUT/$1.png" >&2
}

# select_image REPO TAG: select the row REPO:TAG in the images pane. Filters to it (so it works
# wherever the row is in the list), then clears the filter with Esc; the selection stays on it.
select_image() {
    keys /
    type_text "$1:$2"
    keys Enter
    wait_for "Layers $1:$2"
    keys Escape
    wait_for "Images ("
    if tmux capture-pane -p -t "$SESSION" | grep -qE "Images \([0-9]+\) of "; then
        echo "the filter did not clear" >&2
        exit 1
    fi
}

# 1. Images and the layers of the selected image.
start
wait_for "demo/worker"
select_image demo/worker 2.0
wait_for " metadata-only (·) · "
shot images-layers

# 2. Tag dialog with an invalid reference typed: the inline error names the problem.
select_image demo/web 1.4
keys t
wait_for "Tag image"
keys C-u
type_text "demo/Web:2.0"
wait_for "must be"
shot tag-dialog
keys Escape

# 3. Prune preview for all unused images (never confirmed).
keys p
wait_for "Prune images"
keys a
wait_for "(•) all unused"
wait_for "Reclaimable"
shot prune-preview
keys Escape

# 4. Help for the images pane.
keys '?'
wait_for "Filter by repo:tag or ID"
shot help
keys Escape

# 5. The layer explorer on demo/web:1.4's biggest layer.
select_image demo/web 1.4
keys 2 j j j f
wait_for "Efficiency"
shot explorer
keys Escape Escape

# 6. Containers with the running one's stats, then its logs.
keys 7
wait_for "$WORKER"
# Select the running worker: filter to it, then clear the filter (the selection stays).
keys /
type_text "$WORKER"
keys Enter
wait_for "MEM"
keys Escape
sleep 4
wait_for "MEM"
shot containers
keys l
wait_for "done in"
shot logs
keys Escape

# 7. The Dockerfile editor with lint hints.
start "$WORK/Dockerfile"
wait_for "Editor — "
wait_for "lint:"
keys C-l
wait_for "DL3003"
shot editor
tmux send-keys -t "$SESSION" C-q

# 8. No engine reachable.
start --host unix:///nonexistent.sock
wait_for "No container engine reachable"
wait_for "no socket at"
shot no-engine
tmux send-keys -t "$SESSION" q
