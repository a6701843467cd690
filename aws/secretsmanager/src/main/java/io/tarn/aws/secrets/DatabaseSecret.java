package io.tarn.aws.secrets;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The Azure SQL connection held in a Secrets Manager secret: a JSON object with {@code host},
 * {@code port}, {@code database}, {@code user} (or {@code username}, as Secrets Manager's rotation
 * templates write it) and {@code password}. Pure: no SDK, no network.
 *
 * <p>The JDBC URL carries no credentials, so it can be logged; {@link #toString()} hides the
 * password.
 */
public record DatabaseSecret(String host, int port, String database, String user, String password) {

    /** Always TLS with a verified certificate: Azure SQL requires encryption, and a MITM must fail. */
    public static final String URL_OPTIONS = "encrypt=true;trustServerCertificate=false;loginTimeout=30";

    private static final ObjectMapper JSON = new ObjectMapper();
    // Host names and IPv4 addresses only: anything else could smuggle URL properties in (';').
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");

    public DatabaseSecret {
        requireNonNull(host, "host is null");
        requireNonNull(database, "database is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
    }

    /**
     * Reads a secret's string; a value that is not such an object fails naming the secret and the
     * missing or bad field, never echoing the secret's text.
     */
    public static DatabaseSecret parse(String secretArn, String secretString) {
        requireNonNull(secretArn, "secretArn is null");
        JsonNode root;
        try {
            root = secretString == null ? null : JSON.readTree(secretString);
        } catch (JsonProcessingException e) {
            // No cause attached: Jackson's message quotes the text around the error, the password included.
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new SecretException("Secret " + secretArn
                    + " is not a JSON object with host, port, database, user and password");
        }
        String host = text(root, "host", secretArn);
        if (!HOST.matcher(host).matches()) {
            throw new SecretException("Secret " + secretArn + ": field 'host' is not a host name: '" + host + "'");
        }
        String user = root.hasNonNull("user") || !root.hasNonNull("username")
                ? text(root, "user", secretArn)
                : text(root, "username", secretArn);
        return new DatabaseSecret(host, port(root, secretArn), text(root, "database", secretArn), user,
                text(root, "password", secretArn));
    }

    /** {@code jdbc:sqlserver://host:port;databaseName=...;encrypt=true;trustServerCertificate=false;loginTimeout=30}. */
    public String jdbcUrl() {
        return "jdbc:sqlserver://" + host + ":" + port + ";databaseName=" + urlValue(database) + ";" + URL_OPTIONS;
    }

    /** The credentials, passed to the driver beside the URL rather than inside it. */
    public Properties connectionProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        return properties;
    }

    @Override
    public String toString() {
        return "DatabaseSecret[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=****]";
    }

    private static String text(JsonNode root, String field, String secretArn) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw new SecretException("Secret " + secretArn + " has no field '" + field + "'");
        }
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new SecretException("Secret " + secretArn + ": field '" + field + "' must be a non-empty string");
        }
        return value.asText();
    }

    private static int port(JsonNode root, String secretArn) {
        JsonNode value = root.get("port");
        if (value == null || value.isNull()) {
            throw new SecretException("Secret " + secretArn + " has no field 'port'");
        }
        // Secrets Manager's own templates write the port as a number, people often as a string.
        String text = value.asText().trim();
        if ((value.isInt() || value.isTextual()) && text.matches("[0-9]{1,5}")) {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        }
        throw new SecretException("Secret " + secretArn + ": field 'port' must be a TCP port number, got " + value);
    }

    /** mssql-jdbc reads a value with ';', '=' or braces only inside braces, with '}' doubled. */
    private static String urlValue(String value) {
        if (value.chars().noneMatch(c -> c == ';' || c == '=' || c == '{' || c == '}')) {
            return value;
        }
        return "{" + value.replace("}", "}}") + "}";
    }
}
