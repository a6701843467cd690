package io.tarn.poll;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens connections to the source database: Azure SQL through mssql-jdbc with credentials from
 * Secrets Manager in AWS, any JDBC URL locally (H2 in MS SQL Server mode).
 */
@FunctionalInterface
public interface ConnectionFactory {
    Connection open() throws SQLException;
}
