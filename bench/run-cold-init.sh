#!/usr/bin/env bash
# Cold init of every function jar, before and after, side by side: a fresh JVM per run, from its start
# to the first answered call against moto (median of 5; see io.tarn.bench.ColdInitBench), with each
# jar's size. "before" is built from the commit given (default d0c194b, main before the SDK clients
# and event types) in a temporary worktree, "after" is this checkout. Results: BENCHMARKS.md.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
before_commit="${1:-d0c194b}"
before_dir="bench/target/cold-init/jars-$before_commit"

if [ ! -d "$before_dir" ]; then
  tree="$(mktemp -d)/tarn-$before_commit"
  git worktree add --quiet --detach "$tree" "$before_commit"
  (cd "$tree" && ./mvnw -q -B -DskipTests -pl functions/raw-object,functions/sql-poller,functions/crawler-refresh,functions/partition-repair -am package) >&2
  mkdir -p "$before_dir"
  cp "$tree"/functions/*/target/tarn-*-lambda.jar "$before_dir"/
  git worktree remove --force "$tree"
fi

rm -rf bench/target/cold-init/jars-after
build_bench
mkdir -p bench/target/cold-init/jars-after
cp functions/*/target/tarn-*-lambda.jar bench/target/cold-init/jars-after/

print_machine
# Twice: with the JVM's default JIT, which the template's JAVA_TOOL_OPTIONS (-XX:TieredStopAtLevel=4)
# gives every function, and with Lambda's own default for Java, C1 only.
for flags in "-XX:TieredStopAtLevel=4" "-XX:TieredStopAtLevel=1"; do
  java -cp "$classpath" io.tarn.bench.ColdInitBench --repo "$here" \
    --jars "before=$before_dir" --jars "after=bench/target/cold-init/jars-after" --jvm "$flags" ${BENCH_ARGS:-}
done
