package io.tarn.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.embedded.sqlserver.H2SqlServerEmulation;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineConfigException;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.poll.PollStrategy.UpperBound;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact SQL Server statements the poller sends, and the identifiers it refuses. */
class SqlServerDialectTest {

    private static final String PIPELINE_YAML = read(Path.of("../pipeline.yaml"));
    private static final PipelineConfig PIPELINE = PipelineLoader.parse(PIPELINE_YAML, "pipeline.yaml");

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Dataset dataset(String name) {
        return PIPELINE.dataset(name).orElseThrow();
    }

    private static byte[] rv(long value) {
        return H2SqlServerEmulation.rowversion(value);
    }

    @Test
    void rowversionUpperBoundIsMinActiveRowversion() {
        assertThat(SqlServerDialect.forDataset(dataset("accounts")).minActiveRowversion().sql())
                .isEqualTo("SELECT MIN_ACTIVE_ROWVERSION()");
    }

    @Test
    void rowversionPageReadsAboveThePositionAndBelowTheBoundInCursorOrder() {
        SqlQuery page = SqlServerDialect.forDataset(dataset("accounts")).rowversionPage(10_000, rv(0x7d1), rv(0x800));

        assertThat(page.sql()).isEqualTo("SELECT TOP (?) [account_id], [name], [plan], [region], [created_at], [updated_at], [rv]"
                + " FROM [dbo].[accounts] WHERE [rv] > ? AND [rv] < ? ORDER BY [rv]");
        assertThat(page.parameters()).hasSize(3);
        assertThat(page.parameters().get(0)).isEqualTo(10_000);
        assertThat((byte[]) page.parameters().get(1)).containsExactly(0, 0, 0, 0, 0, 0, 0x07, 0xd1 - 256);
        assertThat((byte[]) page.parameters().get(2)).containsExactly(0, 0, 0, 0, 0, 0, 0x08, 0);
    }

    @Test
    void rowversionStrategyBindsHexPositionsAsBinary() {
        PollStrategy strategy = PollStrategy.forDataset(dataset("accounts"));

        SqlQuery page = strategy.page("00000000000007d1", new UpperBound(rv(0x800), "0000000000000800"), 5);

        assertThat(strategy.name()).isEqualTo("rowversion");
        assertThat(strategy.initialPosition()).isEqualTo("0000000000000000");
        assertThat((byte[]) page.parameters().get(1)).isEqualTo(rv(0x7d1));
        assertThatThrownBy(() -> strategy.page("7d1; DROP", new UpperBound(rv(1), "1"), 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a rowversion position (16 hex digits): '7d1; DROP'");
    }

    @Test
    void timestampFirstPageHasOnlyTheUpperBound() {
        LocalDateTime upper = LocalDateTime.parse("2024-06-01T11:59:00");

        SqlQuery page = PollStrategy.forDataset(dataset("invoices")).page("0", new UpperBound(upper, "u"), 10_000);

        assertThat(page.sql()).isEqualTo("SELECT TOP (?) [invoice_id], [account_id], [amount], [currency], [issued_on], [paid],"
                + " [updated_at] FROM [dbo].[invoices] WHERE [updated_at] < ? ORDER BY [updated_at], [invoice_id]");
        assertThat(page.parameters()).containsExactly(10_000, upper);
    }

    @Test
    void timestampPageIsAKeysetOnCursorAndPrimaryKey() {
        LocalDateTime upper = LocalDateTime.parse("2024-06-01T11:59:00");

        SqlQuery page = PollStrategy.forDataset(dataset("invoices"))
                .page("20240601T115000-000000100.1004", new UpperBound(upper, "u"), 2);

        assertThat(page.sql()).isEqualTo("SELECT TOP (?) [invoice_id], [account_id], [amount], [currency], [issued_on], [paid],"
                + " [updated_at] FROM [dbo].[invoices]"
                + " WHERE ([updated_at] > ? OR ([updated_at] = ? AND [invoice_id] > ?)) AND [updated_at] < ?"
                + " ORDER BY [updated_at], [invoice_id]");
        LocalDateTime after = LocalDateTime.parse("2024-06-01T11:50:00.000000100");
        assertThat(page.parameters()).containsExactly(2, after, after, 1004L, upper);
    }

    @Test
    void compositeKeyExpandsIntoLexicographicOrs() {
        Dataset lines = PipelineLoader.parse(PIPELINE_YAML
                        .replace("primary_key: [invoice_id]", "primary_key: [account_id, invoice_id, issued_on]"),
                "pipeline.yaml").dataset("invoices").orElseThrow();
        LocalDateTime upper = LocalDateTime.parse("2024-06-01T11:59:00");

        SqlQuery page = PollStrategy.forDataset(lines)
                .page("20240601T115000-000000000.acme%20%2E%5F%25co.1004.2024-05-31", new UpperBound(upper, "u"), 2);

        assertThat(page.sql()).isEqualTo("SELECT TOP (?) [invoice_id], [account_id], [amount], [currency], [issued_on], [paid],"
                + " [updated_at] FROM [dbo].[invoices]"
                + " WHERE ([updated_at] > ? OR ([updated_at] = ? AND ([account_id] > ? OR ([account_id] = ? AND"
                + " ([invoice_id] > ? OR ([invoice_id] = ? AND [issued_on] > ?)))))) AND [updated_at] < ?"
                + " ORDER BY [updated_at], [account_id], [invoice_id], [issued_on]");
        LocalDateTime after = LocalDateTime.parse("2024-06-01T11:50:00");
        LocalDate day = LocalDate.parse("2024-05-31");
        assertThat(page.parameters()).containsExactly(2, after, after, "acme ._%co", "acme ._%co", 1004L, 1004L, day, upper);
    }

    @Test
    void positionComponentsAreKeySafeAndRoundTrip() {
        assertThat(PositionText.escape("acme ._%co/ü")).isEqualTo("acme%20%2E%5F%25co%2F%C3%BC");
        assertThat(PositionText.unescape("acme%20%2E%5F%25co%2F%C3%BC")).isEqualTo("acme ._%co/ü");
        LocalDateTime time = LocalDateTime.parse("0987-01-02T03:04:05.000000007");
        assertThat(PositionText.timestamp(time)).isEqualTo("09870102T030405-000000007");
        assertThat(PositionText.parseTimestamp("09870102T030405-000000007")).isEqualTo(time);
        assertThat(PositionText.parseKeyValue("-12%2E50", io.tarn.pipeline.ColumnType.decimal(5, 2)))
                .isEqualTo(new BigDecimal("-12.50"));
    }

    @Test
    void timestampUpperBoundIsNowMinusLagInUtc() throws Exception {
        UpperBound upper = PollStrategy.forDataset(dataset("invoices"))
                .upperBound(null, java.time.Instant.parse("2024-06-01T12:00:00Z"));

        assertThat(upper.value()).isEqualTo(LocalDateTime.parse("2024-06-01T11:59:00"));
    }

    @Test
    void tableNameWithAQuoteIsRefused() {
        assertThatThrownBy(() -> service(PIPELINE_YAML.replace("source_table: dbo.invoices", "source_table: \"dbo.invo'ices\"")))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("dataset 'invoices': source_table 'dbo.invo'ices' is not a safe SQL Server table name"
                        + " (schema.table, each of letters, digits and _, not starting with a digit)");
    }

    @Test
    void cursorColumnWithASemicolonIsRefused() {
        assertThatThrownBy(() -> service(PIPELINE_YAML.replace("cursor_column: rv", "cursor_column: \"rv; DROP TABLE x\"")))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("dataset 'accounts': cursor_column 'rv; DROP TABLE x' is not a safe SQL Server identifier"
                        + " (letters, digits and _, not starting with a digit)");
    }

    @Test
    void bracketsWhitespaceAndExtraPartsAreRefused() {
        for (String table : List.of("dbo.[invoices]", "dbo.in voices", "db.dbo.invoices", "invoices", "dbo.1nvoices")) {
            assertThatThrownBy(() -> service(PIPELINE_YAML.replace("source_table: dbo.invoices", "source_table: \"" + table + "\"")))
                    .isInstanceOf(PipelineConfigException.class)
                    .hasMessageStartingWith("dataset 'invoices': source_table '" + table + "' is not a safe SQL Server table name");
        }
        assertThatThrownBy(() -> service(PIPELINE_YAML.replace("cursor_column: rv", "cursor_column: \"rv]\"")))
                .hasMessageStartingWith("dataset 'accounts': cursor_column 'rv]' is not a safe");
    }

    // ---- change tracking --------------------------------------------------------------------------

    private static Dataset tracked(String yaml) {
        return PipelineLoader.parse(yaml.replace("      delete_detection: { every: 6h }\n", "")
                .replace("strategy: rowversion\n      cursor_column: rv", "strategy: change_tracking"),
                "pipeline.yaml").dataset("accounts").orElseThrow();
    }

    private static final String ACCOUNT_COLUMNS = "[account_id], [name], [plan], [region], [created_at], [updated_at]";
    private static final String CHANGE_COLUMNS = "[ct].[account_id], [t].[name], [t].[plan], [t].[region], [t].[created_at],"
            + " [t].[updated_at], [ct].[SYS_CHANGE_OPERATION], [ct].[SYS_CHANGE_VERSION]";

    @Test
    void changeTrackingReadsItsVersionsInASnapshotTransaction() {
        ChangeTrackingDialect dialect = ChangeTrackingDialect.sqlServer(tracked(PIPELINE_YAML));

        assertThat(dialect.snapshotIsolation().sql()).isEqualTo("SET TRANSACTION ISOLATION LEVEL SNAPSHOT");
        assertThat(dialect.snapshotIsolation().parameters()).isEmpty();
        SqlQuery versions = dialect.versions();
        assertThat(versions.sql()).isEqualTo(
                "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(?)), CHANGE_TRACKING_CURRENT_VERSION()");
        assertThat(versions.parameters()).containsExactly("[dbo].[accounts]");
    }

    @Test
    void changeTrackingSnapshotPagesTheTableByKey() {
        ChangeTrackingDialect dialect = ChangeTrackingDialect.sqlServer(tracked(PIPELINE_YAML));

        SqlQuery first = dialect.snapshotPage(500, java.util.Optional.empty());
        SqlQuery next = dialect.snapshotPage(500, java.util.Optional.of(List.of("globex")));

        assertThat(first.sql()).isEqualTo("SELECT TOP (?) " + ACCOUNT_COLUMNS + " FROM [dbo].[accounts] ORDER BY [account_id]");
        assertThat(first.parameters()).containsExactly(500);
        assertThat(next.sql()).isEqualTo("SELECT TOP (?) " + ACCOUNT_COLUMNS + " FROM [dbo].[accounts]"
                + " WHERE [account_id] > ? ORDER BY [account_id]");
        assertThat(next.parameters()).containsExactly(500, "globex");
    }

    @Test
    void changeTrackingChangesPageJoinsChangetableToTheTableByKeyBelowTheSyncVersion() {
        ChangeTrackingDialect dialect = ChangeTrackingDialect.sqlServer(tracked(PIPELINE_YAML));

        SqlQuery first = dialect.changesPage(500, 41, 57, java.util.Optional.empty());
        SqlQuery next = dialect.changesPage(500, 41, 57, java.util.Optional.of(List.of("globex")));

        String from = " FROM CHANGETABLE(CHANGES [dbo].[accounts], ?) AS [ct]"
                + " LEFT JOIN [dbo].[accounts] AS [t] ON [t].[account_id] = [ct].[account_id]";
        assertThat(first.sql()).isEqualTo("SELECT TOP (?) " + CHANGE_COLUMNS + from
                + " WHERE [ct].[SYS_CHANGE_VERSION] <= ? ORDER BY [ct].[account_id]");
        assertThat(first.parameters()).containsExactly(500, 41L, 57L);
        assertThat(next.sql()).isEqualTo("SELECT TOP (?) " + CHANGE_COLUMNS + from
                + " WHERE [ct].[SYS_CHANGE_VERSION] <= ? AND [ct].[account_id] > ? ORDER BY [ct].[account_id]");
        assertThat(next.parameters()).containsExactly(500, 41L, 57L, "globex");
    }

    @Test
    void changeTrackingCompositeKeyJoinsAndSeeksOnEveryKeyColumn() {
        Dataset composite = tracked(PIPELINE_YAML.replace("primary_key: [account_id]", "primary_key: [region, account_id]"));

        SqlQuery page = ChangeTrackingDialect.sqlServer(composite).changesPage(2, 0, 9, java.util.Optional.of(List.of("eu", "acme")));

        assertThat(page.sql()).isEqualTo("SELECT TOP (?) [ct].[account_id], [t].[name], [t].[plan], [ct].[region],"
                + " [t].[created_at], [t].[updated_at], [ct].[SYS_CHANGE_OPERATION], [ct].[SYS_CHANGE_VERSION]"
                + " FROM CHANGETABLE(CHANGES [dbo].[accounts], ?) AS [ct] LEFT JOIN [dbo].[accounts] AS [t]"
                + " ON [t].[region] = [ct].[region] AND [t].[account_id] = [ct].[account_id]"
                + " WHERE [ct].[SYS_CHANGE_VERSION] <= ? AND ([ct].[region] > ? OR ([ct].[region] = ? AND [ct].[account_id] > ?))"
                + " ORDER BY [ct].[region], [ct].[account_id]");
        assertThat(page.parameters()).containsExactly(2, 0L, 9L, "eu", "eu", "acme");
    }

    @Test
    void changeTrackingPositionsChooseSnapshotOrChangesAgainstTheMinValidVersion() {
        PollStrategy strategy = PollStrategy.forDataset(tracked(PIPELINE_YAML));
        ChangeTrackingDialect sql = ChangeTrackingDialect.sqlServer(tracked(PIPELINE_YAML));
        UpperBound upper = new UpperBound(new ChangeTrackingStrategy.Versions(40, 57), "version 57");
        String v40 = "0000000000000000040";
        String v57 = "0000000000000000057";

        assertThat(strategy.name()).isEqualTo("change_tracking");
        assertThat(strategy.initialPosition()).isEqualTo("0");
        assertThat(strategy.page("0", upper, 5)).isEqualTo(sql.snapshotPage(5, java.util.Optional.empty()));
        assertThat(strategy.page("0000000000000000039", upper, 5)).isEqualTo(sql.snapshotPage(5, java.util.Optional.empty()));
        assertThat(strategy.page(v40, upper, 5)).isEqualTo(sql.changesPage(5, 40, 57, java.util.Optional.empty()));
        assertThat(strategy.page(v40 + "-0000000000000000050.glo%5Fbex", upper, 5))
                .isEqualTo(sql.changesPage(5, 40, 50, java.util.Optional.of(List.of("glo_bex"))));
        assertThat(strategy.page("0000000000000000039-0000000000000000050.globex", upper, 5))
                .isEqualTo(sql.snapshotPage(5, java.util.Optional.empty()));
        assertThat(strategy.page("snapshot-0000000000000000050.globex", upper, 5))
                .isEqualTo(sql.snapshotPage(5, java.util.Optional.of(List.of("globex"))));
        assertThat(strategy.settled(v40, upper)).contains(v57);
        assertThat(strategy.settled(v57, upper)).isEmpty();
        assertThat(strategy.settled("snapshot-0000000000000000050.globex", upper)).contains("0000000000000000050");
        assertThatThrownBy(() -> strategy.page("40; DROP", upper, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a change_tracking position of this table (0, a version, or a sync range and 1 key values):"
                        + " '40; DROP'");
    }

    /** Builds the dialect of every azuresql dataset, as the poller does when it is constructed. */
    private static void service(String yaml) {
        PipelineLoader.parse(yaml, "pipeline.yaml").datasets().stream()
                .filter(d -> d.poll().isPresent())
                .forEach(SqlServerDialect::forDataset);
    }
}
