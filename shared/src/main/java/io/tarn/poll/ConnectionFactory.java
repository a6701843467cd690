package io.tarn.poll;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens connections to the source database: Azure SQL through mssql-jdbc with credentials from
 * Secrets Manager in AWS; locally, the local lake's stand-in for Azure SQL or any SQL Server URL.
 * Whatever it opens is sent SQL Server's statements.
 */
@FunctionalInterface
public interface ConnectionFactory {
    Connection open() throws SQLException;
}
