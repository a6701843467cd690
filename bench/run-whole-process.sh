#!/usr/bin/env bash
# Whole-process benchmark, per core: `./tarn ingest` of a generated DMS orders file into a fresh lake
# against DuckDB (SET threads=1) doing the same COPY as a process of its own (io.tarn.bench.DuckDbCopyMain),
# each pinned to CPU 0 (taskset -c 0) and measured by /usr/bin/time: wall, user and system CPU seconds
# of the process, max RSS. The figure is user+sys. Then where a `./tarn ingest` goes: the JVM's
# start with the command line (`./tarn --help`), a 1,000-row ingest (target: 2 s wall; also run on
# every core, as a user runs it), and
# io.tarn.bench.IngestPhases, which takes IngestCommand's steps one by one (start to main, load the
# pipeline, open the lake with its embedded S3 server, put, build the handler, convert, close).
# Results: BENCHMARKS.md.
#
# The large file: 2,000,000 rows over 200 accounts (BENCH_ROWS, BENCH_ACCOUNTS), pipeline.yaml as
# written, so ours writes account x landing-day partitions and DuckDB's copy partitions by
# (account_id, dt) with dt the landing day (see ConversionBench.duckDbCopy). The small file:
# 1,000 rows over 50 accounts. BENCH_RUNS repeats each case (default: 3 for the small cases, 1 for
# the large). BENCH_CPU pins to another CPU.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench
# ./tarn rebuilds itself when a source is newer than its jar: once here, so no build is timed.
./tarn --help >/dev/null

cpu="${BENCH_CPU:-0}"
rows="${BENCH_ROWS:-2000000}"
accounts="${BENCH_ACCOUNTS:-200}"
work="$here/bench/target/work-whole"
rm -rf "$work"
mkdir -p "$work"

print_machine ", pinned to CPU $cpu (taskset -c $cpu), figures in CPU seconds (user+sys) of the whole process"

large="$(generate_orders "$rows" "$accounts")"
small="$(generate_orders 1000 50)"
echo "# large: $large ($(stat -c %s "$large") bytes); small: $small"

declare -A cpu_of
n=0
echo
echo "| case | wall s | user s | sys s | CPU s (user+sys) | max RSS MB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
measure() { # key, label, command...
  local key="$1" label="$2"; shift 2
  n=$((n + 1))
  if ! /usr/bin/time -f '%e %U %S %M' -o "$work/time" taskset -c "${pin:-$cpu}" "$@" >"$work/out.$n" 2>"$work/err.$n"; then
    echo "| $label | FAILED (see $work/err.$n) | | | | |"
    tail -5 "$work/err.$n" >&2
    return 1
  fi
  local wall user sys rss
  read -r wall user sys rss <"$work/time"
  local total
  total="$(echo "$user + $sys" | bc)"
  cpu_of[$key]="$total"
  printf '| %s | %.2f | %.2f | %.2f | %.2f | %d |\n' "$label" "$wall" "$user" "$sys" "$total" $((rss / 1024))
}

small_runs="${BENCH_RUNS:-3}"
large_runs="${BENCH_RUNS:-1}"
for i in $(seq "$small_runs"); do
  measure help "./tarn --help (JVM start, picocli), run $i" ./tarn --help
done
for i in $(seq "$small_runs"); do
  measure ours-small "./tarn ingest, 1,000 rows, fresh --dir, run $i" \
    ./tarn ingest --dataset orders --file "$small" --dir "$work/lake-small-$i"
done
# The 2 s target of a 1,000-row ingest is wall time, as a user runs it: on every core.
for i in $(seq "$small_runs"); do
  pin="0-$(($(nproc) - 1))" measure ours-small-all "./tarn ingest, 1,000 rows, fresh --dir, all $(nproc) cores, run $i" \
    ./tarn ingest --dataset orders --file "$small" --dir "$work/lake-small-all-$i"
done
for i in $(seq "$small_runs"); do
  measure duckdb-small "DuckDbCopyMain, 1,000 rows, run $i" \
    java -cp "$classpath" io.tarn.bench.DuckDbCopyMain "$small" "$work/duckdb-small-$i" dt
done
for i in $(seq "$large_runs"); do
  measure ours-large "./tarn ingest, $rows rows, $accounts accounts, fresh --dir, run $i" \
    ./tarn ingest --dataset orders --file "$large" --dir "$work/lake-large-$i"
  rm -rf "$work/lake-large-$i"
done
for i in $(seq "$large_runs"); do
  measure duckdb-large "DuckDbCopyMain, $rows rows, $accounts accounts, run $i" \
    java -cp "$classpath" io.tarn.bench.DuckDbCopyMain "$large" "$work/duckdb-large-$i" dt
  rm -rf "$work/duckdb-large-$i"
done

echo
echo "DuckDB CPU / ours CPU (last runs; 1 or more: ours uses less), whole process, pinned to CPU $cpu:"
printf '  %s rows: %.2f\n' "$rows" "$(echo "${cpu_of[duckdb-large]} / ${cpu_of[ours-large]}" | bc -l)"
printf '  1,000 rows: %.2f\n' "$(echo "${cpu_of[duckdb-small]} / ${cpu_of[ours-small]}" | bc -l)"

# The same steps as ./tarn ingest, timed one by one, with ./tarn's JVM flags (bench's class path
# holds the same classes as the tarn jar's).
phases() { # label, file
  echo
  echo "# where ./tarn ingest goes, $1 (IngestPhases, taskset -c $cpu):"
  taskset -c "$cpu" java "@$here/local/target/tarn.jvm.options" -cp "$classpath" io.tarn.bench.IngestPhases \
    "$here/pipeline.yaml" orders "$2" "$work/lake-phases-$3"
  rm -rf "$work/lake-phases-$3"
}
phases "1,000 rows" "$small" small
phases "$rows rows" "$large" large
