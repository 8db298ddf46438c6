# shellcheck shell=bash
# Shared pieces of the benchmark scripts in tests/bench/. Source after tests/lib/engine.sh.

# dh_bench_binary REPO: sets BIN to the dockhand binary to measure: $DOCKHAND_BIN when set, else
# a fresh `cargo build --release` of REPO. Returns 1 when there is no binary there.
dh_bench_binary() {
    if [ -n "${DOCKHAND_BIN:-}" ]; then
        BIN="$DOCKHAND_BIN"
    else
        printf '==> cargo build --release (dockhand)\n' >&2
        (cd "$1" && cargo build --release --quiet --bin dockhand) || return 1
        BIN="$1/target/release/dockhand"
    fi
    [ -x "$BIN" ] || { printf 'no dockhand binary at %s\n' "$BIN" >&2; return 1; }
}

# api METHOD PATH [curl args...]: call the private engine (API 1.41), fail on HTTP errors.
api() {
    local method="$1" path="$2"
    shift 2
    curl -sS --fail-with-body --unix-socket "$DH_ENGINE_SOCK" -X "$method" "$@" \
        "http://localhost/v1.41$path"
}
