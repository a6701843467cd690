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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

# lib/ is cleared first: copy-dependencies keeps an existing SNAPSHOT jar, which may then be one
# that another checkout installed in ~/.m2 rather than this checkout's code.
rm -rf bench/target/lib
./mvnw -q -B -DskipTests -pl bench -am package >&2

classpath="bench/target/tarn-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
jvm=(-Xmx256m -XX:+UseSerialGC ${BENCH_JAVA_OPTS:-})

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB RAM"
java -version 2>&1 | sed 's/^/# /'
echo "# java ${jvm[*]} -cp ... io.tarn.bench.PollerBench --repo $here ${BENCH_ARGS:-}"
java "${jvm[@]}" -cp "$classpath" io.tarn.bench.PollerBench --repo "$here" \
  --label "SqlPoller, 1,000,000 rows, page size 50,000" ${BENCH_ARGS:-}
