#!/usr/bin/env bash
# Small objects: raw objects of 1,000 DMS orders rows over 50 accounts each, converted one after
# another (target: 0.2 s per object warm). Results: BENCHMARKS.md.
#   1. In the function: io.tarn.bench.SmallObjectsBench --mode function, the RawObject handler over
#      the local catalog and ledger, objects in plain folders (S3 uses none of a Lambda's CPU; BENCH_STORE=s3
#      puts them in the embedded S3 server, a child process whose CPU is reported apart), pinned to
#      CPU 0: after 10 warm-up objects, 3 rounds of 100, wall and CPU ms per object and round (mean,
#      p50, p95, max). The JIT compiles through the first round; the last is the warm figure.
#   2. In ./tarn up, per core: `./tarn up --etl-window off` on a fresh folder, pinned to CPU 0, and the
#      driver (SmallObjectsBench --mode up, which uploads through the S3 SDK and reads up's lines)
#      pinned to CPU 1, so the uploads are not up's cost: 10 warm-up objects and 20 more one at a time
#      (latency, the watcher's scan interval included), then 3 rounds of 100 uploaded at once
#      (seconds from the first upload to the last processed, per object; up's CPU per object).
#   3. The same in ./tarn up as a user runs it: up and the driver on both cores, not pinned.
# BENCH_ARGS adds benchmark arguments to all (e.g. "--objects 30"), BENCH_ETL_WINDOW runs up with its
# ETL trigger on (e.g. 5, up's default; off by default: the ETL's Spark runs would share CPU 0).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_bench functions/raw-object
# ./tarn rebuilds itself when a source is newer than its jar: once here, so no build is timed.
./tarn --help >/dev/null

jvm=(-Xmx256m -XX:+UseSerialGC ${BENCH_JAVA_OPTS:-})

print_machine ", the conversion pinned to CPU 0 (taskset -c 0), figures per object in CPU ms and wall ms"

echo "# taskset -c 0 java ${jvm[*]} ... SmallObjectsBench --mode function --store ${BENCH_STORE:-files} ${BENCH_ARGS:-}"
taskset -c 0 java "${jvm[@]}" -cp "$classpath" io.tarn.bench.SmallObjectsBench --repo "$here" --mode function \
  --store "${BENCH_STORE:-files}" ${BENCH_ARGS:-}

echo
echo "# taskset -c 1 java ${jvm[*]} ... SmallObjectsBench --mode up --up-prefix 'taskset -c 0' --etl-window ${BENCH_ETL_WINDOW:-off} ${BENCH_ARGS:-}"
taskset -c 1 java "${jvm[@]}" -cp "$classpath" io.tarn.bench.SmallObjectsBench --repo "$here" --mode up \
  --up-prefix "taskset -c 0" --etl-window "${BENCH_ETL_WINDOW:-off}" ${BENCH_ARGS:-}

echo
echo "# java ${jvm[*]} ... SmallObjectsBench --mode up --etl-window ${BENCH_ETL_WINDOW:-off} ${BENCH_ARGS:-} (not pinned)"
java "${jvm[@]}" -cp "$classpath" io.tarn.bench.SmallObjectsBench --repo "$here" --mode up \
  --etl-window "${BENCH_ETL_WINDOW:-off}" ${BENCH_ARGS:-}
