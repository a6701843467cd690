package io.tarn.aws.secrets;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.embedded.MotoServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The factory against Secrets Manager from moto's server, over HTTP with the real SDK client. The
 * database behind the SQL Server URL is H2 (no SQL Server here): the test driver records the URL
 * and credentials the factory built, logs into an in-memory H2 database with those credentials,
 * and reports a failed login as mssql-jdbc does (error 18456; H2 says SQL state 28000).
 */
class SecretsManagerConnectionFactoryTest {

    private static SecretsManagerClient secretsManager;

    private final List<String> connects = new ArrayList<>();
    private String secretArn;
    private String h2Url;

    @BeforeAll
    static void startMoto() {
        secretsManager = MotoServer.shared().client(SecretsManagerClient.builder());
    }

    @AfterAll
    static void closeClient() {
        secretsManager.close();
    }

    @BeforeEach
    void createSecretAndDatabase() throws SQLException {
        String unique = UUID.randomUUID().toString().replace("-", "");
        h2Url = "jdbc:h2:mem:" + unique + ";DB_CLOSE_DELAY=-1";
        // The first connection creates the database with this user as its administrator.
        DriverManager.getConnection(h2Url, "poller", "current").close();
        secretArn = secretsManager.createSecret(b -> b.name("tarn/azuresql-" + unique)
                .secretString(secretJson("tarn.database.windows.net", "current"))).arn();
    }

    @Test
    void opensTheSecretsEncryptedUrlWithItsCredentials() throws SQLException {
        try (Connection connection = factory().open(); Statement sql = connection.createStatement();
                ResultSet user = sql.executeQuery("SELECT CURRENT_USER")) {
            assertThat(user.next()).isTrue();
            assertThat(user.getString(1)).isEqualToIgnoringCase("poller");
        }

        assertThat(connects).containsExactly("jdbc:sqlserver://tarn.database.windows.net:1433;databaseName=sales;"
                + "encrypt=true;trustServerCertificate=false;loginTimeout=30 as poller/current");
    }

    @Test
    void secretIsReadOnceAndKeptForLaterConnections() throws SQLException {
        SecretsManagerConnectionFactory factory = factory();
        factory.open().close();
        secretsManager.putSecretValue(b -> b.secretId(secretArn).secretString(secretJson("moved.example.net", "current")));

        factory.open().close();

        assertThat(connects).hasSize(2).allMatch(c -> c.startsWith("jdbc:sqlserver://tarn.database.windows.net:1433;"));
    }

    @Test
    void loginFailureAfterARotationRereadsTheSecretOnceAndConnectsWithTheNewPassword() throws SQLException {
        SecretsManagerConnectionFactory factory = factory();
        factory.open().close();
        rotatePasswordTo("rotated");
        secretsManager.putSecretValue(b -> b.secretId(secretArn)
                .secretString(secretJson("tarn.database.windows.net", "rotated")));

        factory.open().close();
        factory.open().close();

        assertThat(connects).extracting(c -> c.substring(c.indexOf(" as ")))
                .containsExactly(" as poller/current", " as poller/current", " as poller/rotated", " as poller/rotated");
    }

    @Test
    void loginFailureWithAnUnchangedSecretFailsWithTheLoginErrorAfterOneReread() throws SQLException {
        SecretsManagerConnectionFactory factory = factory();
        rotatePasswordTo("elsewhere");

        assertThatThrownBy(factory::open)
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(18456))
                .hasMessageNotContaining("current");
        assertThat(connects).hasSize(1);
    }

    @Test
    void otherConnectionErrorsAreNotRetried() {
        SecretsManagerConnectionFactory factory = new SecretsManagerConnectionFactory(secretsManager, secretArn,
                (url, properties) -> {
                    connects.add(url);
                    throw new SQLException("The TCP/IP connection to the host has failed", "08S01");
                });

        assertThatThrownBy(factory::open).isInstanceOf(SQLException.class)
                .hasMessage("The TCP/IP connection to the host has failed");
        assertThat(connects).hasSize(1);
    }

    @Test
    void missingSecretFailsNamingIt() {
        String missing = secretArn.replace("tarn/azuresql-", "tarn/missing-");
        SecretsManagerConnectionFactory factory = new SecretsManagerConnectionFactory(secretsManager, missing,
                (url, properties) -> {
                    throw new AssertionError("no connection without a secret");
                });

        assertThatThrownBy(factory::open).isInstanceOf(SecretException.class)
                .hasMessage("Secret " + missing + " does not exist, or has no current version");
    }

    @Test
    void secretWithoutAPasswordFailsNamingTheFieldAndTheSecret() {
        secretsManager.putSecretValue(b -> b.secretId(secretArn)
                .secretString("{\"host\": \"db\", \"port\": 1433, \"database\": \"sales\", \"user\": \"poller\"}"));

        assertThatThrownBy(factory()::open).isInstanceOf(SecretException.class)
                .hasMessage("Secret " + secretArn + " has no field 'password'");
        assertThat(connects).isEmpty();
    }

    private SecretsManagerConnectionFactory factory() {
        return new SecretsManagerConnectionFactory(secretsManager, secretArn, this::connect);
    }

    private Connection connect(String url, Properties properties) throws SQLException {
        connects.add(url + " as " + properties.getProperty("user") + "/" + properties.getProperty("password"));
        try {
            return DriverManager.getConnection(h2Url, properties);
        } catch (SQLException e) {
            if ("28000".equals(e.getSQLState())) {
                // mssql-jdbc's SQLServerException for a failed login: state S000 + the server's state 1.
                throw new SQLException("Login failed for user '" + properties.getProperty("user") + "'.", "S0001", 18456, e);
            }
            throw e;
        }
    }

    private void rotatePasswordTo(String password) throws SQLException {
        try (Connection admin = DriverManager.getConnection(h2Url, "poller", "current");
                Statement sql = admin.createStatement()) {
            sql.execute("ALTER USER poller SET PASSWORD '" + password + "'");
        }
    }

    private static String secretJson(String host, String password) {
        return "{\"host\": \"" + host + "\", \"port\": 1433, \"database\": \"sales\", \"user\": \"poller\", \"password\": \""
                + password + "\"}";
    }
}
