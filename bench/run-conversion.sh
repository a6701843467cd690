#!/usr/bin/env bash
# Conversion benchmark, per core: Tarn's RawObjectService against DuckDB (SET threads=1), CSV -> ZSTD
# Parquet partitioned by account (and by the landing day), on generated DMS orders files, both
# engines in one JVM pinned to CPU 0 (taskset -c 0), so that they run on the same one core; the
# figure is CPU seconds of the process around each timed call (wall seconds beside). Results:
# BENCHMARKS.md.
#
# Builds bench and the raw-object Lambda jar, then runs one benchmark JVM per case with -Xmx256m and
# -XX:+UseSerialGC (the collector Lambda's Java runtimes start with; it also keeps the heap figures
# comparable between runs), each under taskset -c 0 (the S3 server's child JVM inherits the pinning):
#   - default JIT (C2): 200 and 2,000 accounts, each with and without the dt partition, 5 runs per
#     JVM (run 1 cold: the first large object after the small warm-up; run 2 still pays for C2's
#     compilations at 200 accounts; runs 3-5 warm);
#   - -XX:TieredStopAtLevel=1 (Lambda's default JIT setting): 200 and 2,000 accounts, nodt, 5 runs.
# Engines: ours (objects in the embedded S3 server, a child process whose CPU is reported apart),
# ours-files (the same conversion on plain folders: the conversion's own figure, as in AWS where S3
# uses none of the function's CPU) and duckdb.
# BENCH_ARGS adds benchmark arguments (e.g. "--rows 200000"), BENCH_JAVA_OPTS JVM flags (e.g. a
# JFR recording), BENCH_CPU another CPU to pin to. Generated CSV files stay in bench/target/data.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench functions/raw-object

cpu="${BENCH_CPU:-0}"
jvm=(-Xmx256m -XX:+UseSerialGC ${BENCH_JAVA_OPTS:-})
engines=ours,ours-files,duckdb

print_machine ", pinned to CPU $cpu (taskset -c $cpu): both engines on one core, figures in CPU seconds"

# One JVM per case, so that a case that runs out of heap cannot slow down the next one (in one
# JVM, the run after an OutOfMemoryError measured 3x slower).
run() { # label, extra JVM flag ("" for none), benchmark arguments...
  local label="$1" flag="$2"; shift 2
  echo "# taskset -c $cpu java ${jvm[*]} $flag ... $*"
  taskset -c "$cpu" java "${jvm[@]}" $flag -cp "$classpath" io.tarn.bench.ConversionBench --repo "$here" \
    --label "$label (CPU time, pinned to CPU $cpu)" --engines "$engines" "$@" ${BENCH_ARGS:-}
}

if [[ "${BENCH_SKIP_C2:-}" != "1" ]]; then
  for accounts in 200 2000; do
    for variant in dt nodt; do
      run "default JIT, $accounts accounts, $variant" "" --accounts "$accounts" --variants "$variant" --runs 5
    done
  done
fi

if [[ "${BENCH_SKIP_C1:-}" != "1" ]]; then
  for accounts in 200 2000; do
    run "C1 only (-XX:TieredStopAtLevel=1, Lambda's default), $accounts accounts, nodt" \
      -XX:TieredStopAtLevel=1 --accounts "$accounts" --variants nodt --runs 5
  done
fi
