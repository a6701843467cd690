#!/usr/bin/env bash
# Backfill benchmark: the Glue job's backfill mode on Spark local against the RawObject conversion,
# same 2,000,000-row DMS orders CSV, same JVM and cores; Spark's start-up reported apart.
# Results: BENCHMARKS.md. BENCH_ARGS adds arguments (e.g. "--rows 500000 --rounds 3").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

rm -rf bench/target/lib
./mvnw -q -B -DskipTests -pl bench -am package >&2

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
java -version 2>&1 | sed 's/^/# /'
# Spark's JVM flags, as the tarn command uses them.
exec java "@local/target/tarn.jvm.options" -Xmx4g -cp "bench/target/tarn-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.tarn.bench.BackfillBench --repo "$here" ${BENCH_ARGS:-}
