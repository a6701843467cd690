package io.tarn.aws.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseSecretTest {

    private static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tarn/azuresql-AbCdEf";
    private static final String PASSWORD = "s3cr3t;P@ss\"word";

    @Test
    void secretBecomesAnEncryptedSqlServerUrlWithCredentialsBesideIt() {
        DatabaseSecret secret = DatabaseSecret.parse(ARN, """
                {"host": "tarn.database.windows.net", "port": 1433, "database": "sales",
                 "user": "poller", "password": "s3cr3t;P@ss\\"word", "engine": "sqlserver"}""");

        assertThat(secret.jdbcUrl()).isEqualTo("jdbc:sqlserver://tarn.database.windows.net:1433;databaseName=sales;"
                + "encrypt=true;trustServerCertificate=false;loginTimeout=30");
        Properties expected = new Properties();
        expected.setProperty("user", "poller");
        expected.setProperty("password", PASSWORD);
        assertThat(secret.connectionProperties()).isEqualTo(expected);
        assertThat(secret.jdbcUrl()).doesNotContain("s3cr3t");
    }

    @Test
    void portAsAStringAndUsernameAsSecretsManagerTemplatesWriteThemAreAccepted() {
        DatabaseSecret secret = DatabaseSecret.parse(ARN,
                "{\"host\": \"10.0.1.7\", \"port\": \"14330\", \"database\": \"sales\", \"username\": \"poller\", \"password\": \"x\"}");

        assertThat(secret).isEqualTo(new DatabaseSecret("10.0.1.7", 14330, "sales", "poller", "x"));
    }

    @Test
    void databaseNameWithUrlSyntaxIsBraceQuotedSoItCannotAddProperties() {
        DatabaseSecret secret = new DatabaseSecret("db", 1433, "sales;trustServerCertificate=true}", "u", "p");

        assertThat(secret.jdbcUrl()).isEqualTo("jdbc:sqlserver://db:1433;"
                + "databaseName={sales;trustServerCertificate=true}}};encrypt=true;trustServerCertificate=false;loginTimeout=30");
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "port", "database", "user", "password"})
    void missingFieldFailsNamingItAndTheSecretButNotThePassword(String field) {
        String json = ("{\"host\": \"db\", \"port\": 1433, \"database\": \"sales\", \"user\": \"u\", \"password\": \""
                + PASSWORD.replace("\"", "\\\"") + "\"}")
                .replace("\"" + field + "\"", "\"other_" + field + "\"");

        assertThatThrownBy(() -> DatabaseSecret.parse(ARN, json))
                .isInstanceOf(SecretException.class)
                .hasMessage("Secret " + ARN + " has no field '" + field + "'");
    }

    @Test
    void secretThatIsNotJsonFailsWithoutEchoingItsText() {
        assertThatThrownBy(() -> DatabaseSecret.parse(ARN, "host=db;password=" + PASSWORD))
                .isInstanceOf(SecretException.class)
                .hasNoCause()
                .hasMessage("Secret " + ARN + " is not a JSON object with host, port, database, user and password");
    }

    @Test
    void badPortOrHostFailsNamingTheField() {
        assertThatThrownBy(() -> DatabaseSecret.parse(ARN,
                "{\"host\": \"db\", \"port\": 70000, \"database\": \"d\", \"user\": \"u\", \"password\": \"p\"}"))
                .isInstanceOf(SecretException.class)
                .hasMessage("Secret " + ARN + ": field 'port' must be a TCP port number, got 70000");
        assertThatThrownBy(() -> DatabaseSecret.parse(ARN,
                "{\"host\": \"db;encrypt=false\", \"port\": 1433, \"database\": \"d\", \"user\": \"u\", \"password\": \"p\"}"))
                .isInstanceOf(SecretException.class)
                .hasMessage("Secret " + ARN + ": field 'host' is not a host name: 'db;encrypt=false'");
        assertThatThrownBy(() -> DatabaseSecret.parse(ARN,
                "{\"host\": \"db\", \"port\": 1433, \"database\": \"d\", \"user\": \"u\", \"password\": 42}"))
                .isInstanceOf(SecretException.class)
                .hasMessage("Secret " + ARN + ": field 'password' must be a non-empty string");
    }

    @Test
    void toStringHidesThePassword() {
        assertThat(new DatabaseSecret("db", 1433, "sales", "poller", PASSWORD).toString())
                .isEqualTo("DatabaseSecret[host=db, port=1433, database=sales, user=poller, password=****]");
    }
}
