#!/usr/bin/env bash
# Refresh benchmark on Spark local: the change log and current tables after a burst of 100 small
# CDC objects, and an incremental refresh (1% of the keys of 5 of 200 accounts) against a full
# rebuild of 2,000,000 orders. Results: BENCHMARKS.md. BENCH_ARGS adds arguments ("--rows 500000").
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench

print_machine
exec java "@local/target/tarn.jvm.options" -Xmx4g -cp "$classpath" \
  io.tarn.bench.RefreshBench --repo "$here" ${BENCH_ARGS:-}
