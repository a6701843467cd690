# Sourced by the bench/run-*.sh scripts: the repository root as the working directory, and the
# steps every benchmark takes before its own.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

classpath="bench/target/tarn-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"

# Builds bench, and the modules given (comma-separated, as -pl takes them), from this checkout.
build_bench() {
  # lib/ is cleared first: copy-dependencies keeps an existing SNAPSHOT jar, which may then be one
  # that another checkout installed in ~/.m2 rather than this checkout's code.
  rm -rf bench/target/lib
  ./mvnw -q -B -DskipTests -pl "bench${1:+,$1}" -am package >&2
}

# The machine and the JVM, as comment lines heading the results; an argument is added to the
# machine's line.
print_machine() {
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')${1:-}"
  java -version 2>&1 | sed 's/^/# /'
}

# Generates (once; ConversionBench keeps it under bench/target/data) a DMS orders file of the given
# rows over the given accounts, and prints its path.
generate_orders() { # rows, accounts
  java -cp "$classpath" io.tarn.bench.ConversionBench --repo "$here" --generate-only --rows "$1" --accounts "$2" | tail -1
}
