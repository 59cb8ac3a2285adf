package org.directmilter.milter.tracking;

import com.zaxxer.hikari.HikariConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The few things SQLite and PostgreSQL do differently; the schema and every other statement are shared.
 *
 * <p>Transactions: PostgreSQL's are the JDBC ones, and rows a node works on are locked with {@code FOR
 * UPDATE} ({@code SKIP LOCKED} when claiming overdue recipients, so two nodes claim different ones). SQLite
 * has no row locks: a writing transaction starts with {@code BEGIN IMMEDIATE}, which takes the database's
 * one write lock at once (waiting up to the busy timeout), so the rows it reads cannot change under it. It
 * is issued as a statement, not through {@code setAutoCommit(false)}, because the driver then opens the next
 * transaction right after each commit and a pooled connection would keep holding the write lock.
 */
enum Dialect {
    SQLITE("", "") {
        @Override
        void configure(HikariConfig config, StoreSettings settings) {
            config.setJdbcUrl("jdbc:sqlite:" + settings.database());
            // per connection: wait for the write lock instead of failing at once; enforce the foreign key
            config.addDataSourceProperty("busy_timeout", String.valueOf(BUSY_TIMEOUT_MILLIS));
            config.addDataSourceProperty("foreign_keys", "true");
            // a commit is on disk before the MTA is told to accept the message it recorded
            config.addDataSourceProperty("synchronous", "FULL");
            // readers do not block the writer, nor it them; kept in the file once set
            config.addDataSourceProperty("journal_mode", "WAL");
        }

        @Override
        void begin(Connection connection, boolean write) throws SQLException {
            execute(connection, write ? "BEGIN IMMEDIATE" : "BEGIN");
        }

        @Override
        void commit(Connection connection) throws SQLException {
            execute(connection, "COMMIT");
        }

        @Override
        void rollback(Connection connection) throws SQLException {
            execute(connection, "ROLLBACK");
        }

        @Override
        void lockSchema(Connection connection) {
            // BEGIN IMMEDIATE already excludes every other writer
        }

        @Override
        boolean busy(SQLException e) {
            return e.getErrorCode() == SQLITE_BUSY;
        }
    },

    POSTGRESQL(" FOR UPDATE", " FOR UPDATE SKIP LOCKED") {
        @Override
        void configure(HikariConfig config, StoreSettings settings) {
            config.setJdbcUrl(settings.database());
            settings.password().ifPresent(config::setPassword);
            config.addDataSourceProperty("ApplicationName", "direct-milter");
            // a database that stops answering fails the call (the policy tempfails) instead of hanging it
            config.addDataSourceProperty("connectTimeout", "5");
            config.addDataSourceProperty("socketTimeout", "60");
        }

        @Override
        void begin(Connection connection, boolean write) throws SQLException {
            connection.setAutoCommit(false);
        }

        @Override
        void commit(Connection connection) throws SQLException {
            connection.commit();
            connection.setAutoCommit(true);
        }

        @Override
        void rollback(Connection connection) throws SQLException {
            connection.rollback();
            connection.setAutoCommit(true);
        }

        @Override
        void lockSchema(Connection connection) throws SQLException {
            // held to the end of the transaction: of two nodes starting at once, the second waits and then
            // finds the migrations applied
            execute(connection, "SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
        }
    };

    /** How long a SQLite writer waits for another (a node settling an overdue recipient holds it meanwhile). */
    static final int BUSY_TIMEOUT_MILLIS = 10_000;
    /** SQLite's result code for a database another connection has locked; the driver's vendor code. */
    private static final int SQLITE_BUSY = 5;
    /** The advisory lock key of the migrations: "dmtrack" in ASCII. */
    private static final long SCHEMA_LOCK = 0x646d747261636bL;

    /** Appended to a query whose rows the transaction will change. */
    final String forUpdate;
    /** Appended to the query that claims overdue recipients: rows another node holds are passed over. */
    final String claim;

    Dialect(String forUpdate, String claim) {
        this.forUpdate = forUpdate;
        this.claim = claim;
    }

    static Dialect of(StoreSettings settings) {
        return settings.postgresql() ? POSTGRESQL : SQLITE;
    }

    /** Sets the URL and the driver's options on the pool's configuration. */
    abstract void configure(HikariConfig config, StoreSettings settings);

    /** Starts a transaction; a writing one holds what it reads until it ends. */
    abstract void begin(Connection connection, boolean write) throws SQLException;

    abstract void commit(Connection connection) throws SQLException;

    abstract void rollback(Connection connection) throws SQLException;

    /** Inside a writing transaction: excludes every other node from migrating the schema at the same time. */
    abstract void lockSchema(Connection connection) throws SQLException;

    /** Whether {@code e} says another connection held the database for a moment, so trying again can succeed. */
    boolean busy(SQLException e) {
        return false;
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
