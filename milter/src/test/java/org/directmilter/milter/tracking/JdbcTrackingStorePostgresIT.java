package org.directmilter.milter.tracking;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.Optional;
import org.directmilter.milter.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The store on a real PostgreSQL (a throwaway cluster on 127.0.0.1, one database per test): the same
 * contract as on SQLite — two nodes racing over the same overdue recipients included, which here is
 * {@code FOR UPDATE SKIP LOCKED} between two pools — and what only a server has.
 */
@Tag("integration")
class JdbcTrackingStorePostgresIT extends TrackingStoreContract {

    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    StoreSettings freshDatabase() throws Exception {
        return new StoreSettings(server.createDatabase(), Optional.empty(), 4, true);
    }

    @Override
    Connection connect(StoreSettings settings) throws Exception {
        return jdbc(settings.database());
    }

    @Test
    void anUnreachableServerFailsNamingTheDatabaseButNotItsQuery() {
        String url = "jdbc:postgresql://127.0.0.1:1/tracking?user=direct";
        assertThatThrownBy(() -> open(new StoreSettings(url, Optional.of("secret"), 2, true)))
                .isInstanceOf(TrackingStore.TrackingException.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/tracking")
                .hasMessageNotContaining("secret");
    }

    @Test
    void aMissingDatabaseFailsNamingIt() {
        String url = server.url("no_such_database");
        assertThatThrownBy(() -> open(new StoreSettings(url, Optional.empty(), 2, true)))
                .isInstanceOf(TrackingStore.TrackingException.class)
                .hasMessageContaining("no_such_database");
    }
}
