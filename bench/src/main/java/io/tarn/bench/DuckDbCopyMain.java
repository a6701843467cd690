package io.tarn.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * DuckDB's side of the whole-process comparison ({@code bench/run-whole-process.sh}): opens DuckDB
 * (JDBC, in memory), {@code SET threads=1}, runs ConversionBench's COPY of one generated file, prints
 * the row count and exits, so that a process's whole CPU time, JVM start included, compares with
 * {@code ./tarn ingest}'s.
 *
 * <p>Usage: {@code DuckDbCopyMain CSV OUT_DIR dt|nodt}; {@code dt} partitions by account and
 * today's (UTC) date as the landing day, as ours does; OUT_DIR must not exist.
 */
public final class DuckDbCopyMain {

    private DuckDbCopyMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[2].equals("dt") || args[2].equals("nodt"))) {
            throw new IllegalArgumentException("usage: DuckDbCopyMain CSV OUT_DIR dt|nodt");
        }
        Path csv = Path.of(args[0]);
        Path out = Path.of(args[1]);
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("cannot read file " + csv);
        }
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists; DuckDB's COPY would refuse to write into it");
        }
        Optional<LocalDate> landingDay = args[2].equals("dt") ? Optional.of(LocalDate.now(ZoneOffset.UTC)) : Optional.empty();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute("SET threads=1");
            statement.execute(ConversionBench.duckDbCopy(csv, out, landingDay));
            System.out.println("duckdb: " + statement.getUpdateCount() + " rows to " + out);
        }
    }
}
