package io.tarn.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.Partition;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AthenaDdlTest {

    private static final List<CatalogColumn> ACCOUNT = List.of(new CatalogColumn("account_id", "string"));

    private static List<Partition> accounts(int count, String locationPadding) {
        return IntStream.range(0, count)
                .mapToObj(i -> new Partition(List.of("a" + i), "s3://staging/orders/" + locationPadding + "account_id=a" + i + "/"))
                .toList();
    }

    @Test
    void quoteAndBackslashInAnAccountIdCannotEndTheLiteral() {
        List<String> statements = AthenaDdl.addPartitions("lake", "orders", ACCOUNT,
                List.of(new Partition(List.of("x') LOCATION 's3://evil/' --\\"), "s3://staging/orders/account_id=x/")));

        assertThat(statements).containsExactly("ALTER TABLE `lake`.`orders` ADD IF NOT EXISTS PARTITION (`account_id` ="
                + " 'x\\') LOCATION \\'s3://evil/\\' --\\\\') LOCATION 's3://staging/orders/account_id=x/'");
    }

    @Test
    void batchesAtMostOneHundredPartitionsPerStatement() {
        List<String> statements = AthenaDdl.addPartitions("lake", "orders", ACCOUNT, accounts(250, ""));

        assertThat(statements).hasSize(3);
        assertThat(statements).extracting(s -> s.split(" PARTITION \\(").length - 1).containsExactly(100, 100, 50);
        assertThat(AthenaDdl.addPartitions("lake", "orders", ACCOUNT, List.of())).isEmpty();
    }

    @Test
    void longLocationsSplitStatementsBelowAthenasQueryStringLimit() {
        List<String> statements = AthenaDdl.addPartitions("lake", "orders", ACCOUNT, accounts(100, "x".repeat(5_000) + "/"));

        assertThat(statements).hasSizeGreaterThan(1);
        assertThat(statements).allSatisfy(s -> assertThat(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(AthenaDdl.MAX_STATEMENT_BYTES));
        assertThat(statements.stream().mapToInt(s -> s.split(" PARTITION \\(").length - 1).sum()).isEqualTo(100);
    }

    @Test
    void namesOutsideAthenasSetAndControlCharactersAreRefusedSayingWhere() {
        assertThatThrownBy(() -> AthenaDdl.msckRepair("orders`; DROP TABLE x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("table name 'orders`; DROP TABLE x' cannot be used in Athena DDL: only lower-case letters,"
                        + " digits and '_', 1 to 255 of them");
        assertThatThrownBy(() -> AthenaDdl.addPartitions("lake", "orders", ACCOUNT,
                List.of(new Partition(List.of("a\nb"), "s3://staging/orders/account_id=a/"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Partition value of account_id in table orders contains control character U+000A,"
                        + " which Athena DDL cannot carry");
        assertThat(AthenaDdl.msckRepair("orders")).isEqualTo("MSCK REPAIR TABLE `orders`");
    }

    @Test
    void upperCaseNamesAreWrittenInLowerCaseAsAthenaAndGlueHoldThem() {
        // The template names the database after the stack: tarn_Tarn_Prod_1 for stack Tarn-Prod-1.
        assertThat(AthenaDdl.addPartitions("tarn_Tarn_Prod_1", "Orders", List.of(new CatalogColumn("Account_ID", "string")),
                List.of(new Partition(List.of("Acme"), "s3://staging/orders/account_id=Acme/"))))
                .containsExactly("ALTER TABLE `tarn_tarn_prod_1`.`orders` ADD IF NOT EXISTS PARTITION (`account_id` ="
                        + " 'Acme') LOCATION 's3://staging/orders/account_id=Acme/'");
        assertThat(AthenaDdl.msckRepair("Orders")).isEqualTo("MSCK REPAIR TABLE `orders`");
    }

    @Test
    void aHyphenatedNameIsStillRefused() {
        assertThatThrownBy(() -> AthenaDdl.addPartitions("tarn_Tarn-Prod-1", "orders", ACCOUNT, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("database name 'tarn_Tarn-Prod-1' cannot be used in Athena DDL: only lower-case letters,"
                        + " digits and '_', 1 to 255 of them");
    }
}
