#!/usr/bin/env bash
# Refresh benchmark on Spark local: the change log and current tables after a burst of 100 small
# CDC objects, and an incremental refresh (1% of the keys of 5 of 200 accounts) against a full
# rebuild of 2,000,000 orders. Results: BENCHMARKS.md. BENCH_ARGS adds arguments ("--rows 500000").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

rm -rf bench/target/lib
./mvnw -q -B -DskipTests -pl bench -am package >&2

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
java -version 2>&1 | sed 's/^/# /'
exec java "@local/target/tarn.jvm.options" -Xmx4g -cp "bench/target/tarn-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.tarn.bench.RefreshBench --repo "$here" ${BENCH_ARGS:-}
