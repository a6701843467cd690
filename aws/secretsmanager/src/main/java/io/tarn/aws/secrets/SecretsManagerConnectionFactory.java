package io.tarn.aws.secrets;

import static java.util.Objects.requireNonNull;

import io.tarn.poll.ConnectionFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * Connections to Azure SQL with the host, database and credentials of a Secrets Manager secret
 * ({@link DatabaseSecret}), through the JDBC driver (mssql-jdbc in the function).
 *
 * <p>The secret is read on first use and kept for the life of the container: a poll opens
 * connections often, and GetSecretValue costs a call and latency each time. When a login fails
 * with the kept secret, the password may have been rotated since: the secret is read once more and,
 * if it changed, the connection is tried again with it.
 */
public final class SecretsManagerConnectionFactory implements ConnectionFactory {

    /** SQL Server's error number for "Login failed for user". */
    static final int SQL_SERVER_LOGIN_FAILED = 18456;

    /** Opens a connection to a URL with properties: {@link DriverManager} in production. */
    @FunctionalInterface
    public interface JdbcDriver {
        Connection connect(String url, Properties properties) throws SQLException;
    }

    private final SecretsManagerClient secretsManager;
    private final String secretArn;
    private final JdbcDriver driver;
    private DatabaseSecret cached;

    public SecretsManagerConnectionFactory(SecretsManagerClient secretsManager, String secretArn) {
        this(secretsManager, secretArn, DriverManager::getConnection);
    }

    public SecretsManagerConnectionFactory(SecretsManagerClient secretsManager, String secretArn, JdbcDriver driver) {
        this.secretsManager = requireNonNull(secretsManager, "secretsManager is null");
        this.secretArn = requireNonNull(secretArn, "secretArn is null");
        this.driver = requireNonNull(driver, "driver is null");
    }

    @Override
    public Connection open() throws SQLException {
        DatabaseSecret secret = secret(false);
        try {
            return driver.connect(secret.jdbcUrl(), secret.connectionProperties());
        } catch (SQLException e) {
            if (!isLoginFailure(e)) {
                throw e;
            }
            DatabaseSecret fresh = secret(true);
            if (fresh.equals(secret)) {
                throw e;
            }
            try {
                return driver.connect(fresh.jdbcUrl(), fresh.connectionProperties());
            } catch (SQLException again) {
                again.addSuppressed(e);
                throw again;
            }
        }
    }

    static boolean isLoginFailure(SQLException e) {
        return e.getErrorCode() == SQL_SERVER_LOGIN_FAILED;
    }

    private synchronized DatabaseSecret secret(boolean refresh) {
        if (cached == null || refresh) {
            cached = DatabaseSecret.parse(secretArn, read());
        }
        return cached;
    }

    private String read() {
        try {
            String value = secretsManager.getSecretValue(b -> b.secretId(secretArn)).secretString();
            if (value == null) {
                throw new SecretException("Secret " + secretArn + " has no SecretString (a binary secret?)");
            }
            return value;
        } catch (ResourceNotFoundException e) {
            throw new SecretException("Secret " + secretArn + " does not exist, or has no current version", e);
        } catch (SecretsManagerException e) {
            throw new SecretException("Cannot read secret " + secretArn + ": "
                    + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorCode()
                            + ": " + e.awsErrorDetails().errorMessage()), e);
        } catch (SdkClientException e) {
            throw new SecretException("Cannot reach Secrets Manager for secret " + secretArn + ": " + e.getMessage(), e);
        }
    }
}
