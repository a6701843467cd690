package io.tarn.typing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.csv.CsvReader;
import io.tarn.parquet.ColumnBatch;
import io.tarn.parquet.PartitionBatches;
import io.tarn.parquet.PartitionTable;
import io.tarn.parquet.StagingSchema;
import io.tarn.partition.PartitionKey;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class RowTyperTest {

    private static final PipelineConfig PIPELINE = PipelineLoader.load(Path.of("../pipeline.yaml"));
    private static final long LANDED = micros("2024-06-01T09:01:02Z");

    @Test
    void typesADmsFullLoadRecord() throws Exception {
        TypedRow row = typeOne("orders",
                "I,2024-06-01 09:00:00.000000,1001,acme,501,paid,120.50,EUR,2024-05-30 10:15:00,\\N");

        assertThat(row.partition().account()).isEqualTo("acme");
        // The change log's day: the day the object landed, not the order's created_at.
        assertThat(row.partition().day()).contains("2024-06-01");
        Row record = row.row();
        assertThat(record.get("order_id")).isEqualTo(1001L);
        assertThat(record.get("customer_id")).isEqualTo(501L);
        assertThat(record.get("status")).hasToString("paid");
        assertThat(decimal(record.get("total"), 2)).isEqualByComparingTo("120.50");
        assertThat(record.get("created_at")).isEqualTo(micros("2024-05-30T10:15:00Z"));
        assertThat(record.get("updated_at")).isNull();
        assertThat(record.get("_op")).hasToString("I");
        assertThat(record.get("_commit_ts")).isEqualTo(micros("2024-06-01T09:00:00Z"));
        assertThat(record.get("_source_key")).hasToString("s3://raw/dms/shop/orders/LOAD00000001.csv");
        assertThat(record.get("_source_line")).isEqualTo(1L);
        assertThat(record.get("_ingested_at")).isEqualTo(LANDED);
        assertThat(record.has("account_id")).as("the account lives in the path").isFalse();
    }

    @Test
    void theChangeSequenceIsTheLastFieldEmptyInAFullLoadAndAbsentFromOlderFiles() throws Exception {
        String record = "U,2024-06-01 12:00:01.120000,1002,acme,502,delivered,75.00,EUR,2024-05-30 11:02:13,\\N";

        assertThat(typeOne("orders", record + ",20240601120001120000000000000000101").row().get("_change_seq"))
                .hasToString("20240601120001120000000000000000101");
        // None in a full load, or in a file from before the mapping (ChangeOrder ranks those by commit time).
        assertThat(typeOne("orders", record + ",").row().get("_change_seq")).isNull();
        assertThat(typeOne("orders", record).row().get("_change_seq")).isNull();
        assertThatThrownBy(() -> typeOne("orders", record + ",2024-06-01"))
                .hasMessage("change sequence: not digits: '2024-06-01'");
        assertThat(typeOne("events", "I,2024-06-01 09:00:00,e1,\"{\"\"account_id\"\": \"\"acme\"\"}\"").row()
                .has("_change_seq")).as("a dataset without change_seq has no such column").isFalse();
    }

    @Test
    void aNullKeyIsRejectedEvenWhenTheKeyColumnIsDeclaredNullable() throws Exception {
        String yaml = java.nio.file.Files.readString(Path.of("../pipeline.yaml"))
                .replace("{ name: order_id, type: long, nullable: false }", "{ name: order_id, type: long }");
        Dataset orders = PipelineLoader.parse(yaml, "pipeline.yaml").dataset("orders").orElseThrow();
        assertThat(orders.column("order_id").nullable()).isTrue();
        Typer typer = new Typer(orders);

        for (String op : new String[] {"U", "D"}) {
            CsvReader reader = new CsvReader(new StringReader(
                    op + ",2024-06-01 09:00:00,\\N,acme,501,paid,1,EUR,2024-05-30 10:15:00,\\N\n"), ',');
            reader.next();
            assertThatThrownBy(() -> typer.type(reader, 1)).as(op)
                    .hasMessage("column 'order_id': null in the primary key");
        }
    }

    @Test
    void aQuotedNullTokenIsALiteralString() throws Exception {
        TypedRow row = typeOne("orders",
                "I,2024-06-01 09:00:00,1001,acme,501,\"\\N\",1,EUR,2024-05-30 10:15:00,\\N");

        assertThat(row.row().get("status")).hasToString("\\N");
    }

    @Test
    void rejectsABadDecimalNamingTheColumn() {
        assertThatThrownBy(() -> typeOne("orders",
                "I,2024-06-01 09:00:00,1007,initech,702,paid,not-a-number,GBP,2024-06-01 07:00:00,\\N"))
                .isInstanceOf(RowRejectedException.class)
                .hasMessageStartingWith("column 'total': ")
                .hasMessageContaining("'not-a-number'");
    }

    @Test
    void rejectsARowWithoutAccount() {
        assertThatThrownBy(() -> typeOne("orders",
                "I,2024-06-01 09:00:00,1008,\\N,801,paid,5.00,EUR,2024-06-01 07:10:00,\\N"))
                .hasMessage("no account: column 'account_id' is empty");
        assertThatThrownBy(() -> typeOne("orders",
                "I,2024-06-01 09:00:00,1008,\"  \",801,paid,5.00,EUR,2024-06-01 07:10:00,\\N"))
                .hasMessage("no account: column 'account_id' is empty");
    }

    @Test
    void aBadValueIsReportedBeforeAMissingAccountAndARejectedRowLeavesNoPartitionBehind() throws Exception {
        assertThatThrownBy(() -> typeOne("orders",
                "I,2024-06-01 09:00:00,1008,\\N,801,paid,not-a-number,EUR,2024-06-01 07:10:00,\\N"))
                .hasMessageStartingWith("column 'total': ");

        Typer typer = new Typer(PIPELINE.dataset("orders").orElseThrow());
        PartitionBatches rows = new PartitionBatches(typer.typer.newBatch(1));
        CsvReader reader = new CsvReader(new StringReader(
                "I,2024-06-01 09:00:00,1009,initech,801,paid,not-a-number,EUR,2024-06-01 07:10:00,\\N\n"), ',');
        reader.next();
        assertThatThrownBy(() -> typer.typer.type(reader, 1, rows)).hasMessageStartingWith("column 'total': ");
        assertThat(rows.rows()).isZero();
        assertThat(rows.partitions()).as("no partition with no rows is handed to the writer").isZero();
    }

    @Test
    void aRowRejectedAfterItsNullsLeavesNoNullInTheNextRowOfItsPartition() throws Exception {
        Typer typer = new Typer(PIPELINE.dataset("orders").orElseThrow());
        PartitionBatches rows = new PartitionBatches(typer.typer.newBatch(1));
        // The first record's customer and status are null, then its total is refused; the second
        // record of the same account has them all.
        CsvReader reader = new CsvReader(new StringReader(
                "I,2024-06-01 09:00:00,1010,initech,\\N,\\N,not-a-number,EUR,2024-06-01 07:10:00,\\N\n"
                        + "I,2024-06-01 09:00:01,1011,initech,802,paid,9.50,EUR,2024-06-01 07:11:00,\\N\n"), ',');
        reader.next();
        assertThatThrownBy(() -> typer.typer.type(reader, 1, rows)).hasMessageStartingWith("column 'total': ");
        reader.next();
        typer.typer.type(reader, 2, rows);

        assertThat(rows.rows()).isEqualTo(1);
        ColumnBatch batch = rows.batchAt(0);
        Map<String, Object> values = new LinkedHashMap<>();
        for (Schema.Field field : typer.schema.avroSchema().getFields()) {
            values.put(field.name(), batch.value(field.pos(), 0));
        }
        assertThat(values.get("customer_id")).isEqualTo(802L);
        assertThat(new String((byte[]) values.get("status"), StandardCharsets.UTF_8)).isEqualTo("paid");
        assertThat(decimal(values.get("total"), 2)).isEqualByComparingTo("9.50");
        assertThat(values.get("_source_line")).isEqualTo(2L);
    }

    @Test
    void rejectsAWrongFieldCountAndAnUnknownOperation() {
        assertThatThrownBy(() -> typeOne("orders", "I,2024-06-01 09:00:00,1001,acme"))
                .hasMessage("expected 10 fields (or 11 with the change sequence), found 4");
        assertThatThrownBy(() -> typeOne("orders",
                "I,2024-06-01 09:00:00,1001,acme,501,paid,1,EUR,2024-05-30 10:15:00,\\N,20240601120001120000000000000000101,x"))
                .hasMessage("expected 10 fields (or 11 with the change sequence), found 12");
        assertThatThrownBy(() -> typeOne("orders",
                "X,2024-06-01 09:00:00,1001,acme,501,paid,1,EUR,2024-05-30 10:15:00,\\N"))
                .hasMessage("unknown operation 'X' (expected I, U or D)");
    }

    @Test
    void aDeleteMayLackNonKeyColumns() throws Exception {
        TypedRow row = typeOne("orders", "D,2024-06-01 12:00:02,1004,globex,\\N,\\N,\\N,\\N,2024-05-31 12:00:00,\\N");

        assertThat(row.row().get("_op")).hasToString("D");
        assertThat(row.row().get("order_id")).isEqualTo(1004L);
    }

    @Test
    void readsMongoDocumentFieldsIncludingExtendedJsonDates() throws Exception {
        TypedRow row = typeOne("events", "I,2024-06-01 09:00:00,665a,"
                + "\"{\"\"account_id\"\": \"\"globex\"\", \"\"type\"\": \"\"login\"\", "
                + "\"\"occurred_at\"\": {\"\"$date\"\": {\"\"$numberLong\"\": \"\"1717146000000\"\"}}}\"");

        assertThat(row.partition().account()).isEqualTo("globex");
        assertThat(row.partition().day()).contains("2024-06-01");
        assertThat(row.row().get("event_type")).hasToString("login");
        assertThat(row.row().get("occurred_at")).isEqualTo(1717146000000L * 1000);
        assertThat(row.row().get("_doc").toString()).contains("\"type\": \"login\"");
    }

    @Test
    void aDocumentWithoutAccountIsRejected() {
        assertThatThrownBy(() -> typeOne("events", "I,2024-06-01 09:00:00,665b,\"{\"\"type\"\": \"\"heartbeat\"\"}\""))
                .hasMessage("no account: column 'account_id' is empty");
        assertThatThrownBy(() -> typeOne("events", "I,2024-06-01 09:00:00,665b,\"{not json\""))
                .hasMessageStartingWith("document is not valid JSON");
    }

    @Test
    void headerLayoutMapsColumnsByNameAndRejectsAHeaderWithoutARequiredColumn() throws Exception {
        Dataset invoices = PIPELINE.dataset("invoices").orElseThrow();
        Typer typer = new Typer(invoices);
        CsvReader reader = new CsvReader(new StringReader(
                "paid,invoice_id,account_id,amount,issued_on,updated_at\ntrue,9001,acme,195.5,2024-05-31,2024-05-31 18:00:00\n"), ',');
        reader.next();
        typer.typer.readHeader(reader);
        reader.next();
        TypedRow row = typer.type(reader, reader.lineNumber());

        assertThat(row.row().get("invoice_id")).isEqualTo(9001L);
        assertThat(row.row().get("paid")).isEqualTo(true);
        assertThat(row.row().get("issued_on")).isEqualTo((int) LocalDate.of(2024, 5, 31).toEpochDay());
        assertThat(row.row().get("currency")).isNull();
        assertThat(decimal(row.row().get("amount"), 2)).isEqualByComparingTo("195.50");

        Typer strict = new Typer(invoices);
        CsvReader noAmount = new CsvReader(new StringReader("invoice_id,account_id\n1,acme\n"), ',');
        noAmount.next();
        strict.typer.readHeader(noAmount);
        noAmount.next();
        assertThatThrownBy(() -> strict.type(noAmount, 2))
                .hasMessage("header lacks required column(s) [amount, issued_on, updated_at]");
    }

    private static TypedRow typeOne(String datasetName, String csv) throws IOException, RowRejectedException {
        Typer typer = new Typer(PIPELINE.dataset(datasetName).orElseThrow());
        CsvReader reader = new CsvReader(new StringReader(csv + "\n"), ',');
        assertThat(reader.next()).isTrue();
        return typer.type(reader, reader.lineNumber());
    }

    static BigDecimal decimal(Object fixed, int scale) {
        return new BigDecimal(new BigInteger((byte[]) fixed), scale);
    }

    /** A typer of one object, and the one row it typed read back from its batch. */
    private static final class Typer {
        final StagingSchema schema;
        final PartitionTable partitions = new PartitionTable();
        final RowTyper typer;

        Typer(Dataset dataset) {
            schema = new StagingSchema(dataset);
            typer = new RowTyper(schema, "s3://raw/dms/shop/orders/LOAD00000001.csv", LANDED, partitions);
        }

        TypedRow type(CsvReader reader, long line) throws RowRejectedException {
            PartitionBatches rows = new PartitionBatches(typer.newBatch(1));
            typer.type(reader, line, rows);
            assertThat(rows.rows()).isEqualTo(1);
            ColumnBatch batch = rows.batchAt(0);
            Map<String, Object> values = new LinkedHashMap<>();
            for (Schema.Field field : schema.avroSchema().getFields()) {
                Object value = batch.value(field.pos(), 0);
                Schema type = field.schema().isUnion() ? field.schema().getTypes().get(1) : field.schema();
                boolean text = type.getType() == Schema.Type.STRING;
                values.put(field.name(), value instanceof byte[] bytes && text ? new String(bytes, StandardCharsets.UTF_8) : value);
            }
            return new TypedRow(partitions.key(rows.partition(0)), new Row(values));
        }
    }

    /** A typed row and its partition. */
    private record TypedRow(PartitionKey partition, Row row) {}

    /** A row's values by column name: strings as String, decimals as their fixed bytes. */
    private record Row(Map<String, Object> values) {
        Object get(String column) {
            assertThat(values).containsKey(column);
            return values.get(column);
        }

        boolean has(String column) {
            return values.containsKey(column);
        }
    }

    static long micros(String instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse(instant));
    }
}
