#!/usr/bin/env bash
# The ETL trigger's latency on the local lake: tarn up (in one JVM) on a fresh lake, a DMS CDC file
# uploaded through the SDK per round, and the seconds from the upload to its conversion, to the
# start of its window's execution and to the end of that execution (account_daily then holds the
# change). Results: BENCHMARKS.md. BENCH_ARGS adds arguments (e.g. "--rounds 6 --window 10").
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench

print_machine
# Spark's JVM flags, as the tarn command uses them (the ETL's Glue job runs on Spark local).
exec java "@local/target/tarn.jvm.options" -Xmx2g -cp "$classpath" \
  io.tarn.bench.TriggerLatencyBench --repo "$here" ${BENCH_ARGS:-}
