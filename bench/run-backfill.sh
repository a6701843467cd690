#!/usr/bin/env bash
# Backfill benchmark: the Glue job's backfill mode on Spark local against the RawObject conversion,
# same 2,000,000-row DMS orders CSV, same JVM and cores; Spark's start-up reported apart.
# Results: BENCHMARKS.md. BENCH_ARGS adds arguments (e.g. "--rows 500000 --rounds 3").
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench

print_machine
# Spark's JVM flags, as the tarn command uses them.
exec java "@local/target/tarn.jvm.options" -Xmx4g -cp "$classpath" \
  io.tarn.bench.BackfillBench --repo "$here" ${BENCH_ARGS:-}
