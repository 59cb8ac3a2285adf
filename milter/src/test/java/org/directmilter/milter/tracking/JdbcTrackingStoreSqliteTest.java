package org.directmilter.milter.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on an SQLite file: the shared contract, and what only the embedded file has. */
class JdbcTrackingStoreSqliteTest extends TrackingStoreContract {

    @TempDir
    Path dir;
    private int databases;

    @Override
    StoreSettings freshDatabase() {
        return StoreSettings.sqlite(dir.resolve("tracking-" + ++databases + ".db"));
    }

    @Override
    Connection connect(StoreSettings settings) throws Exception {
        return jdbc("jdbc:sqlite:" + settings.database());
    }

    @Test
    void theFileIsInWriteAheadLogMode() throws Exception {
        try (Connection connection = connect(settings); Statement statement = connection.createStatement();
             var rows = statement.executeQuery("PRAGMA journal_mode")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    /**
     * The first connection to a new file turns it to WAL and SQLite answers a second one opening at that
     * moment BUSY at once, busy timeout or not. Before the opening tried again, one pair in about seventy
     * failed, and this test failed in each of three runs.
     */
    @Test
    void pairsOfNodesOpeningNewFilesAtOnceAllSucceed() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int pair = 0; pair < 60; pair++) {
                for (JdbcTrackingStore node : openTwoAtOnce(freshDatabase(), threads)) {
                    node.verify();
                    node.close(); // a pool each: not a hundred and twenty until the end (closing twice is harmless)
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void onlyABusySqliteDatabaseIsTriedAgain() {
        assertThat(Dialect.SQLITE.busy(new SQLException("database is locked", null, 5))).isTrue();
        assertThat(Dialect.SQLITE.busy(new SQLException("unable to open database file", null, 14))).isFalse();
        assertThat(Dialect.POSTGRESQL.busy(new SQLException("busy?", null, 5))).isFalse();
    }

    @Test
    void theOperatorsViewNeverCreatesAMissingFile() {
        Path missing = dir.resolve("missing.db");
        assertThatThrownBy(() -> open(StoreSettings.sqlite(missing).existingOnly()))
                .isInstanceOf(TrackingStore.TrackingException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        assertThat(missing).doesNotExist();
    }

    @Test
    void aFileThatCannotBeCreatedFailsNamingIt() {
        Path impossible = dir.resolve("no-such-dir/tracking.db");
        assertThatThrownBy(() -> open(StoreSettings.sqlite(impossible)))
                .isInstanceOf(TrackingStore.TrackingException.class)
                .hasMessageContaining(impossible.toString());
        assertThat(Files.exists(impossible.getParent())).isFalse();
    }

    @Test
    void settingsRefuseARelativePathAndHideThePostgresqlQuery() {
        assertThatThrownBy(() -> new StoreSettings("tracking.db", Optional.empty(), 4, true))
                .isInstanceOf(IllegalArgumentException.class);
        StoreSettings shared = new StoreSettings("jdbc:postgresql://db.example/tracking?user=direct",
                Optional.of("secret"), 4, true);
        assertThat(shared.postgresql()).isTrue();
        assertThat(shared.toString()).doesNotContain("secret").doesNotContain("user=");
    }
}
