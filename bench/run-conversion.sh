#!/usr/bin/env bash
# Conversion benchmark: Tarn's RawObjectService against DuckDB (one thread), CSV -> ZSTD Parquet
# partitioned by account (and by day), on generated DMS orders files. Results: BENCHMARKS.md.
#
# Builds bench and the raw-object Lambda jar, then runs one benchmark JVM per case with -Xmx256m and
# -XX:+UseSerialGC (the collector Lambda's Java runtimes start with; it also keeps the heap figures
# comparable between runs):
#   - default JIT (C2): 200 and 2,000 accounts, each with and without the dt partition;
#   - -XX:TieredStopAtLevel=1 (Lambda's default JIT setting): 200 accounts, both variants.
# BENCH_ARGS adds benchmark arguments (e.g. "--rows 500000"), BENCH_JAVA_OPTS JVM flags (e.g. a
# JFR recording). Generated CSV files stay in bench/target/data.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench functions/raw-object

jvm=(-Xmx256m -XX:+UseSerialGC ${BENCH_JAVA_OPTS:-})

print_machine

# One JVM per case, so that a case that runs out of heap cannot slow down the next one (in one
# JVM, the run after an OutOfMemoryError measured 3x slower).
run() { # label, extra JVM flag ("" for none), benchmark arguments...
  local label="$1" flag="$2"; shift 2
  echo "# java ${jvm[*]} $flag ... $*"
  java "${jvm[@]}" $flag -cp "$classpath" io.tarn.bench.ConversionBench --repo "$here" --label "$label" "$@" ${BENCH_ARGS:-}
}

if [[ "${BENCH_SKIP_C2:-}" != "1" ]]; then
  for accounts in 200 2000; do
    for variant in dt nodt; do
      # Two runs per JVM: the first large object of a fresh container, then the same container warm.
      runs=2
      [[ "$accounts" == 2000 && "$variant" == dt ]] && runs=1
      run "default JIT, $accounts accounts, $variant" "" --accounts "$accounts" --variants "$variant" --runs "$runs"
    done
  done
fi

if [[ "${BENCH_SKIP_C1:-}" != "1" ]]; then
  for variant in dt nodt; do
    run "C1 only (-XX:TieredStopAtLevel=1, Lambda's default), 200 accounts, $variant" \
      -XX:TieredStopAtLevel=1 --accounts 200 --variants "$variant"
  done
fi
