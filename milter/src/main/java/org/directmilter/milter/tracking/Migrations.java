package org.directmilter.milter.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The schema's versions: numbered SQL resources applied in order, each recorded in {@code schema_version}
 * in the same transaction as its statements (SQLite and PostgreSQL both change their schema
 * transactionally), so a migration is applied entirely or not at all. Run at every open; applying what is
 * already there is nothing. A database newer than this code is refused rather than written with the old
 * rules (a node not yet upgraded next to one that is).
 */
final class Migrations {

    /** In order; the version of each is its position plus one. A new version is one more file here. */
    static final List<String> SCRIPTS = List.of("001-tracking.sql");

    private Migrations() {
    }

    /** The schema version the database is at once this returned. */
    static int apply(Connection connection, Dialect dialect) throws SQLException {
        dialect.begin(connection, true);
        try {
            dialect.lockSchema(connection);
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                        + "version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)");
            }
            int current = current(connection);
            if (current > SCRIPTS.size()) {
                throw new SQLException("the tracking database's schema is at version " + current
                        + ", newer than this direct-milter knows (" + SCRIPTS.size() + "): upgrade this node");
            }
            for (int version = current + 1; version <= SCRIPTS.size(); version++) {
                try (Statement statement = connection.createStatement()) {
                    for (String sql : statements(SCRIPTS.get(version - 1))) {
                        statement.execute(sql);
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
                    insert.setInt(1, version);
                    insert.setLong(2, Instant.now().toEpochMilli());
                    insert.executeUpdate();
                }
            }
            dialect.commit(connection);
            return SCRIPTS.size();
        } catch (SQLException | RuntimeException e) {
            dialect.rollback(connection);
            throw e;
        }
    }

    private static int current(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** A script's statements: split at a semicolon ending a line; {@code --} comment lines dropped. */
    static List<String> statements(String script) {
        String text;
        try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + script)) {
            if (in == null) {
                throw new IllegalStateException("migration " + script + " is missing from the jar");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String withoutComments = text.lines().filter(line -> !line.strip().startsWith("--"))
                .reduce("", (a, b) -> a + b + "\n");
        return Arrays.stream(withoutComments.split(";\\s*\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
