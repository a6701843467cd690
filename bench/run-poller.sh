#!/usr/bin/env bash
# SqlPoller benchmark: SqlPollerService reads 1,000,000 rows of an H2 table (MS SQL Server mode) from
# an empty watermark into the raw bucket of the embedded S3 server, for a timestamp table shaped like
# pipeline.yaml's invoices and a rowversion table shaped like accounts. Results: BENCHMARKS.md.
#
# The H2 database is generated once under bench/target/data/poller-h2-<rows>. The database and the
# S3 server run in JVMs of their own; the benchmark JVM, which holds the poller, runs with -Xmx256m
# and -XX:+UseSerialGC (the collector Lambda's Java runtimes start with). BENCH_ARGS adds benchmark
# arguments (e.g. "--page-size 10000 --runs 2"), BENCH_JAVA_OPTS JVM flags (e.g. a JFR recording).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench

jvm=(-Xmx256m -XX:+UseSerialGC ${BENCH_JAVA_OPTS:-})

print_machine ", $(free -g | awk '/Mem:/ {print $2}') GB RAM"
echo "# java ${jvm[*]} -cp ... io.tarn.bench.PollerBench --repo $here ${BENCH_ARGS:-}"
java "${jvm[@]}" -cp "$classpath" io.tarn.bench.PollerBench --repo "$here" \
  --label "SqlPoller, 1,000,000 rows, page size 50,000" ${BENCH_ARGS:-}
