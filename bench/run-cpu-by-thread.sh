#!/usr/bin/env bash
# Where a cold `./tarn ingest` spends its CPU, thread by thread: the files of run-whole-process.sh
# (1,000 rows over 50 accounts; 2,000,000 rows over 200 accounts), each ingested into a fresh lake
# by ./tarn as a user runs it (its flags, its class-data archive), pinned to CPU 0 (taskset -c 0),
# under async-profiler 3.0 (tools.profiler:async-profiler from Maven Central, its Linux x64 agent)
# sampling CPU time every millisecond (perf events). Threads are grouped by name with their numbers
# dropped: "C1 CompilerThre" and "C2 CompilerThre" are the JIT's compilers, "main" parses and types,
# "tarn-parquet" encodes, "S3Proxy-Jetty" and "tarn-lake-open" are the embedded S3 server.
# Prints a table per file: CPU seconds sampled per group and its share. Results: BENCHMARKS.md.
# BENCH_CPU pins to another CPU; BENCH_ROWS and BENCH_ACCOUNTS change the large file.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench
./tarn --help >/dev/null

cpu="${BENCH_CPU:-0}"
rows="${BENCH_ROWS:-2000000}"
accounts="${BENCH_ACCOUNTS:-200}"
version=3.0
work="$here/bench/target/work-cpu-by-thread"
rm -rf "$work"
mkdir -p "$work"
# Copied out of whichever local repository Maven uses (fetched there on first use).
./mvnw -q -B dependency:copy -Dartifact="tools.profiler:async-profiler:$version:jar" -DoutputDirectory="$work" >&2
unzip -q -o "$work/async-profiler-$version.jar" 'linux-x64/*' -d "$work"
agent="$work/linux-x64/libasyncProfiler.so"

print_machine ", ./tarn ingest pinned to CPU $cpu (taskset -c $cpu), async-profiler $version, cpu samples every 1 ms"


profile() { # label, file
  local out="$work/$(basename "$2" .csv).collapsed"
  rm -rf "$work/lake"
  TARN_JAVA_OPTS="-agentpath:$agent=start,event=cpu,interval=1ms,threads,file=$out,collapsed" \
    /usr/bin/time -f '%e %U %S' -o "$work/time" taskset -c "$cpu" \
    ./tarn ingest --dataset orders --file "$2" --dir "$work/lake" >/dev/null 2>"$work/err"
  local wall user sys
  read -r wall user sys <"$work/time"
  echo
  echo "# $1: wall $wall s, user $user s, sys $sys s (the profiler's own share included)"
  echo "| threads | CPU s sampled | share |"
  echo "| --- | ---: | ---: |"
  # A collapsed line is "[thread tid=N];frame;...;frame COUNT"; one sample is 1 ms.
  awk '{
    n = $NF
    thread = substr($0, 2, index($0, "]") - 2)
    sub(/ tid=[0-9]+$/, "", thread)
    gsub(/[-#][0-9]+$/, "", thread)
    by[thread] += n
    total += n
  } END {
    for (t in by) if (by[t] * 100 >= total) printf "%d\t| %s | %.2f | %.0f%% |\n", by[t], t, by[t] / 1000, 100 * by[t] / total
    printf "0\t| all | %.2f | 100%% |\n", total / 1000
  }' "$out" | sort -t$'\t' -k1,1 -rn | cut -f2-
  rm -rf "$work/lake"
}

profile "1,000 rows, 50 accounts" "$(generate_orders 1000 50)"
profile "$rows rows, $accounts accounts" "$(generate_orders "$rows" "$accounts")"
