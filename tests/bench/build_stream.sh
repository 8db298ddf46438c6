#!/usr/bin/env bash
# Frame time of the editor while a BuildKit build streams 10,000 log lines (two stages in
# parallel, the step graph open): apply a batch of queued events + draw one frame, median / p99 /
# max. Target: under 16 ms per frame. Prints figures; not a timed test. No engine needed (the
# events are made in the benchmark, shaped like the recorded real ones).
#
# Usage: tests/bench/build_stream.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
cargo test --release --test build_stream_bench -- --ignored --nocapture 2>&1 | grep '^build_stream:'
