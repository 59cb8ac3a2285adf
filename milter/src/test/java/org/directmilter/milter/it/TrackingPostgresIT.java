package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.directmilter.milter.testkit.DaemonProcess;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostgresServer;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.Scratch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link TrackingPostfixIT} on a real PostgreSQL (a throwaway cluster on 127.0.0.1), and what only a
 * shared database has to prove: two daemons on it, both settling the same overdue recipients every
 * second, send each originator one failure DSN per recipient, never two.
 */
@Tag("integration")
class TrackingPostgresIT extends TrackingPostfixIT {

    private PostgresServer postgres;

    @Override
    Optional<String> database() throws Exception {
        postgres = PostgresServer.start();
        return Optional.of(postgres.createDatabase());
    }

    @AfterAll
    void stopPostgres() {
        Resources.closeAll(postgres);
    }

    @Test
    void twoDaemonsOnOneDatabaseSendEachTimeoutDsnOnce() {
        daemonWith(SHORT);
        // the second node: the same configuration and database, its own socket (no MTA needs it to race)
        String second = deployment.config().replaceAll("(?m)^Socket .*$", "Socket inet:" + Ports.free() + "@127.0.0.1")
                + SHORT;
        try (DaemonProcess other = DaemonProcess.start(Scratch.newDirectory("direct-daemon-b-"), second)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = "track-race-" + i + "@hisp-a.example";
                ids.add(id);
                sendFromAlice(id, List.of(BOB));
            }
            for (String id : ids) {
                awaitTimeoutDsn(id);
            }
            // one more, sent after all of those: once its DSN is here, both timers ran past the others' deadlines
            awaitTimeoutDsnAfter("track-race-last@hisp-a.example");
            String both = deployment.daemon().log() + other.log();
            for (String id : ids) {
                assertThat(timeoutDsns(id)).as("timeout DSNs for <%s>", id).hasSize(1);
                assertThat(both.lines().filter(l -> l.contains("outcome=timed-out") && l.contains("msgid=<" + id + ">")))
                        .as("nodes that settled <%s>", id).hasSize(1);
            }
            System.out.printf("race: node A settled %d, node B %d%n", timedOut(deployment.daemon().log()),
                    timedOut(other.log()));
        }
    }

    private static long timedOut(String log) {
        return log.lines().filter(l -> l.contains("outcome=timed-out") && l.contains("track-race-")).count();
    }

    private void awaitTimeoutDsnAfter(String id) {
        sendFromAlice(id, List.of(BOB));
        awaitTimeoutDsn(id);
    }
}
