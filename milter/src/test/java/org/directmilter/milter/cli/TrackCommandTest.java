package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.cli.CheckCommandTest.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.directmilter.milter.cli.CheckCommandTest.Outcome;
import org.directmilter.milter.tracking.JdbcTrackingStore;
import org.directmilter.milter.tracking.Report;
import org.directmilter.milter.tracking.StoreSettings;
import org.directmilter.milter.tracking.TrackedMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code track} reading a store the way the daemon wrote it, and {@code check} opening the store. */
class TrackCommandTest {

    private static final Instant SENT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private Path config(String lines) throws IOException {
        Path file = dir.resolve("direct-milter.conf");
        Files.writeString(file, "Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\nDomains a.example\n"
                + "KeyStore " + dir + "\n" + lines);
        return file;
    }

    private Path database() {
        return dir.resolve("tracking.db");
    }

    /** Writes the store as the daemon would: one plain message, one timely and reliable with progress. */
    private void recordMessages() {
        try (JdbcTrackingStore store = JdbcTrackingStore.open(StoreSettings.sqlite(database()))) {
            store.record(new TrackedMessage("<plain@a.example>", "alice@a.example",
                    List.of("bob@b.example", "carol@c.example"), false, SENT, SENT.plus(Duration.ofHours(1)),
                    Optional.empty(), "4QPLAIN"));
            store.record(new TrackedMessage("<tr@a.example>", "alice@a.example", List.of("dave@d.example"), true,
                    SENT.plusSeconds(60), SENT.plus(Duration.ofHours(1)), Optional.of(SENT.plus(Duration.ofHours(24))),
                    "4QTR"));
            store.correlate(new Report("<plain@a.example>", "bob@b.example", Report.Kind.PROCESSED,
                    SENT.plusSeconds(30), "automatic-action/MDN-sent-automatically; processed\u001b[31m"));
            store.correlate(new Report("<tr@a.example>", "dave@d.example", Report.Kind.PROCESSED,
                    SENT.plusSeconds(90), "processed"));
        }
    }

    @Test
    void aMessageIsShownPerRecipientWithItsTimesAndWhatItWaitsFor() throws IOException {
        recordMessages();
        Outcome outcome = run("track", "-c", config("TrackingDatabase " + database() + "\n").toString(),
                "plain@a.example");

        assertThat(outcome.status()).isZero();
        assertThat(outcome.out().lines()).containsSubsequence(
                "Message-ID: <plain@a.example>",
                "Sender:     alice@a.example",
                "Queue ID:   4QPLAIN",
                "Sent:       2026-01-01T00:00:00Z",
                "Requested:  processed MDN by 2026-01-01T01:00:00Z");
        assertThat(outcome.out()).contains("  bob@b.example    PROCESSED   processed 2026-01-01T00:00:30Z  "
                + "final 2026-01-01T00:00:30Z  (automatic-action/MDN-sent-automatically; processed\\u001b[31m)");
        assertThat(outcome.out()).contains("  carol@c.example  PENDING     waiting for processed MDN until "
                + "2026-01-01T01:00:00Z OVERDUE");
        assertThat(outcome.out()).doesNotContain("\u001b");
    }

    @Test
    void timelyAndReliableShowsTheDispatchedDeadline() throws IOException {
        recordMessages();
        Outcome outcome = run("track", "-c", config("TrackingDatabase " + database() + "\n").toString(),
                "<tr@a.example>");

        assertThat(outcome.status()).isZero();
        assertThat(outcome.out()).contains("Requested:  timely and reliable: processed MDN by 2026-01-01T01:00:00Z, "
                + "dispatched MDN by 2026-01-02T00:00:00Z");
        assertThat(outcome.out()).contains("  dave@d.example  PROCESSED   processed 2026-01-01T00:01:30Z  "
                + "waiting for dispatched MDN until 2026-01-02T00:00:00Z");
    }

    @Test
    void pendingListsTheOpenMessagesOldestFirstWithTheirOpenRecipients() throws IOException {
        recordMessages();
        Path file = config("TrackingDatabase " + database() + "\n");
        Outcome outcome = run("track", "-c", file.toString(), "--pending");

        assertThat(outcome.status()).isZero();
        assertThat(outcome.out().lines()).containsExactly(
                "2026-01-01T00:00:00Z  <plain@a.example>  from alice@a.example  queue 4QPLAIN  1 of 2 open",
                "  carol@c.example  PENDING     waiting for processed MDN until 2026-01-01T01:00:00Z OVERDUE",
                "2026-01-01T00:01:00Z  <tr@a.example>  from alice@a.example  queue 4QTR  1 of 1 open",
                "  dave@d.example  PROCESSED   waiting for dispatched MDN until 2026-01-02T00:00:00Z OVERDUE",
                "2 messages with recipients not yet final");
        assertThat(run("track", "-c", file.toString(), "--pending", "--limit", "1").out().lines())
                .hasSize(3).last().asString().isEqualTo("1 message with recipients not yet final (the oldest 1 "
                        + "shown: --limit N for more)");
    }

    @Test
    void anUnknownMessageIdExitsOne() throws IOException {
        recordMessages();
        Outcome outcome = run("track", "-c", config("TrackingDatabase " + database() + "\n").toString(),
                "<none@a.example>");

        assertThat(outcome.status()).isEqualTo(1);
        assertThat(outcome.err()).contains("direct-milter track: no tracked message <none@a.example> in " + database());
    }

    @Test
    void aMissingDatabaseIsUnavailableAndNotCreated() throws IOException {
        Outcome outcome = run("track", "-c", config("TrackingDatabase " + database() + "\n").toString(), "--pending");

        assertThat(outcome.status()).isEqualTo(69);
        assertThat(outcome.err()).contains(database() + " does not exist");
        assertThat(database()).doesNotExist();
    }

    @Test
    void eitherAMessageIdOrPendingIsRequired() throws IOException {
        Path file = config("TrackingDatabase " + database() + "\n");
        assertThat(run("track", "-c", file.toString()).status()).isEqualTo(64);
        assertThat(run("track", "-c", file.toString(), "--pending", "<m@a.example>").status()).isEqualTo(64);
        assertThat(run("track", "-c", file.toString(), "--pending", "--limit", "0").status()).isEqualTo(64);
    }

    // ---- check ----

    @Test
    void checkOpensAnExistingStoreAndLeavesAMissingOneToTheDaemon() throws IOException {
        recordMessages();
        assertThat(run("check", "-c", config("TrackingDatabase " + database() + "\n").toString()).status()).isZero();

        Path later = dir.resolve("later.db");
        Outcome missing = run("check", "-c", config("TrackingDatabase " + later + "\n").toString());
        assertThat(missing.status()).isZero();
        assertThat(missing.err()).doesNotContain("Tracking");
        assertThat(later).doesNotExist();
    }

    @Test
    void checkFailsOnAStoreThatCannotBeOpened() throws IOException {
        Files.writeString(database(), "not a database, but long enough to look like a file header".repeat(20));
        Outcome outcome = run("check", "-c", config("TrackingDatabase " + database() + "\n").toString());

        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.err()).contains("tracking database " + database());
    }

    @Test
    void checkRefusesAPasswordOthersMayReadAndAPasswordInTheUrl() throws IOException {
        Path password = dir.resolve("tracking.password");
        Files.writeString(password, "secret\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
        Outcome readable = run("check", "-c", config("TrackingDatabase jdbc:postgresql://127.0.0.1:1/t?user=d\n"
                + "TrackingPasswordFile " + password + "\n").toString());
        assertThat(readable.status()).isEqualTo(78);
        assertThat(readable.err()).contains("TrackingPasswordFile " + password + ": is accessible to every user")
                .doesNotContain("secret");

        Outcome inUrl = run("check", "-c",
                config("TrackingDatabase jdbc:postgresql://127.0.0.1:1/t?user=d&password=secret\n").toString());
        assertThat(inUrl.status()).isEqualTo(78);
        assertThat(inUrl.err()).contains("TrackingPasswordFile");
    }
}
