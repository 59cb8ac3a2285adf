package org.directmilter.milter.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.directmilter.milter.tracking.Correlation.Completed;
import org.directmilter.milter.tracking.Correlation.Duplicate;
import org.directmilter.milter.tracking.Correlation.Progress;
import org.directmilter.milter.tracking.Correlation.Unknown;
import org.directmilter.milter.tracking.Report.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TrackingStore} on a database does, run against SQLite ({@link JdbcTrackingStoreSqliteTest})
 * and a real PostgreSQL ({@link JdbcTrackingStorePostgresIT}): each test gets an empty database.
 */
abstract class TrackingStoreContract {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant PROCESSED_BY = T0.plus(Duration.ofHours(1));
    static final Instant DISPATCHED_BY = T0.plus(Duration.ofHours(24));

    StoreSettings settings;
    JdbcTrackingStore store;
    private final List<JdbcTrackingStore> opened = new ArrayList<>();

    /** Settings of a new, empty database. */
    abstract StoreSettings freshDatabase() throws Exception;

    /** A JDBC connection to the same database, beside the store, for changing it behind its back. */
    abstract Connection connect(StoreSettings settings) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        settings = freshDatabase();
        store = open(settings);
    }

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcTrackingStore::close);
    }

    JdbcTrackingStore open(StoreSettings settings) {
        JdbcTrackingStore opening = JdbcTrackingStore.open(settings);
        opened.add(opening);
        return opening;
    }

    static TrackedMessage plain(String id, String... recipients) {
        return new TrackedMessage(id, "alice@a.example", List.of(recipients), false, T0, PROCESSED_BY,
                Optional.empty(), "4QUEUE");
    }

    static TrackedMessage timelyAndReliable(String id, String... recipients) {
        return new TrackedMessage(id, "alice@a.example", List.of(recipients), true, T0, PROCESSED_BY,
                Optional.of(DISPATCHED_BY), "4QUEUE");
    }

    static Report report(String id, String recipient, Kind kind) {
        return new Report(id, recipient, kind, T0.plusSeconds(60), kind.name().toLowerCase());
    }

    RecipientTrack track(String id, String recipient) {
        return store.find(id).orElseThrow().recipients().stream().filter(r -> r.recipient().equals(recipient))
                .findFirst().orElseThrow();
    }

    // ---- record and find ----

    @Test
    void aRecordedMessageIsFoundWithEveryRecipientPending() {
        TrackedMessage sent = timelyAndReliable("<m1@a.example>", "bob@b.example", "carol@c.example");
        store.record(sent);

        MessageTrack track = store.find("<m1@a.example>").orElseThrow();
        assertThat(track.message()).isEqualTo(sent);
        assertThat(track.recipients()).extracting(RecipientTrack::recipient)
                .containsExactly("bob@b.example", "carol@c.example");
        assertThat(track.recipients()).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo(RecipientState.PENDING);
            assertThat(r.processedAt()).isEmpty();
            assertThat(r.dispatchedAt()).isEmpty();
            assertThat(r.finalAt()).isEmpty();
        });
    }

    @Test
    void recordingTheSameMessageIdAgainAddsNothing() {
        store.record(plain("<m1@a.example>", "bob@b.example"));
        store.record(new TrackedMessage("<m1@a.example>", "mallory@a.example", List.of("bob@b.example", "eve@e.example"),
                false, T0.plusSeconds(5), PROCESSED_BY, Optional.empty(), "5OTHER"));

        MessageTrack track = store.find("<m1@a.example>").orElseThrow();
        assertThat(track.message().sender()).isEqualTo("alice@a.example");
        assertThat(track.recipients()).extracting(RecipientTrack::recipient).containsExactly("bob@b.example");
    }

    @Test
    void messageIdsWithoutAngleBracketsAndRecipientsInCapitalsMatch() {
        store.record(plain("m1@a.example", "Bob@B.example", "bob@b.example"));

        assertThat(store.find("<m1@a.example>")).isPresent();
        assertThat(store.find(" m1@a.example ")).isPresent();
        assertThat(store.find("<m1@a.example>").orElseThrow().recipients()).extracting(RecipientTrack::recipient)
                .containsExactly("bob@b.example");
        assertThat(store.correlate(report("m1@a.example", "BOB@b.example", Kind.PROCESSED)))
                .isEqualTo(new Completed(RecipientState.PROCESSED));
    }

    @Test
    void anUntrackedMessageIsNotFound() {
        assertThat(store.find("<none@a.example>")).isEmpty();
    }

    // ---- correlate ----

    @Test
    void aReportOnNoTrackedMessageOrRecipientIsUnknown() {
        store.record(plain("<m1@a.example>", "bob@b.example"));

        assertThat(store.correlate(report("<other@a.example>", "bob@b.example", Kind.PROCESSED)))
                .isEqualTo(new Unknown());
        assertThat(store.correlate(report("<m1@a.example>", "eve@e.example", Kind.FAILED))).isEqualTo(new Unknown());
        assertThat(track("<m1@a.example>", "bob@b.example").state()).isEqualTo(RecipientState.PENDING);
    }

    @Test
    void aPlainRequestIsCompleteOnProcessedAndLaterReportsAreDuplicates() {
        store.record(plain("<m1@a.example>", "bob@b.example", "carol@c.example"));

        assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", Kind.PROCESSED)))
                .isEqualTo(new Completed(RecipientState.PROCESSED));
        RecipientTrack bob = track("<m1@a.example>", "bob@b.example");
        assertThat(bob.state()).isEqualTo(RecipientState.PROCESSED);
        assertThat(bob.processedAt()).contains(T0.plusSeconds(60));
        assertThat(bob.finalAt()).contains(T0.plusSeconds(60));
        assertThat(bob.detail()).isEqualTo("processed");

        for (Kind kind : Kind.values()) {
            assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", kind)))
                    .isEqualTo(new Duplicate(RecipientState.PROCESSED));
        }
        assertThat(track("<m1@a.example>", "bob@b.example").state()).isEqualTo(RecipientState.PROCESSED);
        assertThat(track("<m1@a.example>", "carol@c.example").state()).isEqualTo(RecipientState.PENDING);
    }

    @Test
    void timelyAndReliableIsCompleteOnlyWhenDispatchedFollowsProcessed() {
        store.record(timelyAndReliable("<m1@a.example>", "bob@b.example"));

        assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", Kind.PROCESSED)))
                .isEqualTo(new Progress(RecipientState.PROCESSED));
        assertThat(track("<m1@a.example>", "bob@b.example").finalAt()).isEmpty();
        assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", Kind.PROCESSED)))
                .isEqualTo(new Duplicate(RecipientState.PROCESSED));

        Report dispatched = new Report("<m1@a.example>", "bob@b.example", Kind.DISPATCHED, T0.plusSeconds(120),
                "dispatched");
        assertThat(store.correlate(dispatched)).isEqualTo(new Completed(RecipientState.DISPATCHED));
        RecipientTrack bob = track("<m1@a.example>", "bob@b.example");
        assertThat(bob.state()).isEqualTo(RecipientState.DISPATCHED);
        assertThat(bob.processedAt()).contains(T0.plusSeconds(60));
        assertThat(bob.dispatchedAt()).contains(T0.plusSeconds(120));
        assertThat(bob.finalAt()).contains(T0.plusSeconds(120));

        assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", Kind.FAILED)))
                .isEqualTo(new Duplicate(RecipientState.DISPATCHED));
    }

    @Test
    void aDispatchedBeforeAnyProcessedCompletesTheRecipient() {
        store.record(timelyAndReliable("<m1@a.example>", "bob@b.example"));

        assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", Kind.DISPATCHED)))
                .isEqualTo(new Completed(RecipientState.DISPATCHED));
        RecipientTrack bob = track("<m1@a.example>", "bob@b.example");
        assertThat(bob.processedAt()).isEmpty();
        assertThat(bob.dispatchedAt()).contains(T0.plusSeconds(60));
        assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", Kind.PROCESSED)))
                .isEqualTo(new Duplicate(RecipientState.DISPATCHED));
    }

    @Test
    void aFailureIsFinalWhetherPendingOrProcessed() {
        store.record(timelyAndReliable("<m1@a.example>", "bob@b.example", "carol@c.example"));
        store.correlate(report("<m1@a.example>", "carol@c.example", Kind.PROCESSED));

        Report failure = new Report("<m1@a.example>", "bob@b.example", Kind.FAILED, T0.plusSeconds(60), "5.1.1");
        assertThat(store.correlate(failure)).isEqualTo(new Completed(RecipientState.FAILED));
        assertThat(store.correlate(report("<m1@a.example>", "carol@c.example", Kind.FAILED)))
                .isEqualTo(new Completed(RecipientState.FAILED));

        RecipientTrack bob = track("<m1@a.example>", "bob@b.example");
        assertThat(bob.state()).isEqualTo(RecipientState.FAILED);
        assertThat(bob.detail()).isEqualTo("5.1.1");
        assertThat(bob.finalAt()).contains(T0.plusSeconds(60));
        assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", Kind.PROCESSED)))
                .isEqualTo(new Duplicate(RecipientState.FAILED));
        assertThat(store.pending(10)).isEmpty();
    }

    // ---- settleOverdue ----

    @Test
    void nothingIsOverdueBeforeItsDeadline() {
        store.record(plain("<m1@a.example>", "bob@b.example"));
        List<Overdue> handled = new ArrayList<>();

        assertThat(store.settleOverdue(PROCESSED_BY, 10, handled::add)).isZero();
        assertThat(handled).isEmpty();
    }

    @Test
    void aMissingProcessedMdnTimesOutOnceItsHandlerReturned() {
        TrackedMessage sent = plain("<m1@a.example>", "bob@b.example", "carol@c.example");
        store.record(sent);
        store.correlate(report("<m1@a.example>", "carol@c.example", Kind.PROCESSED));
        List<Overdue> handled = new ArrayList<>();
        Instant now = PROCESSED_BY.plusMillis(1);

        assertThat(store.settleOverdue(now, 10, handled::add)).isEqualTo(1);

        assertThat(handled).containsExactly(new Overdue(sent, "bob@b.example", Kind.PROCESSED, PROCESSED_BY));
        RecipientTrack bob = track("<m1@a.example>", "bob@b.example");
        assertThat(bob.state()).isEqualTo(RecipientState.TIMED_OUT);
        assertThat(bob.finalAt()).contains(now);
        assertThat(bob.detail()).contains("no processed MDN");
        assertThat(store.settleOverdue(now.plusSeconds(3600), 10, handled::add)).isZero();
        assertThat(handled).hasSize(1);
        assertThat(store.correlate(report("<m1@a.example>", "bob@b.example", Kind.PROCESSED)))
                .isEqualTo(new Duplicate(RecipientState.TIMED_OUT));
    }

    @Test
    void underTimelyAndReliableAProcessedRecipientWaitsForTheDispatchedDeadline() {
        TrackedMessage sent = timelyAndReliable("<m1@a.example>", "bob@b.example");
        store.record(sent);
        store.correlate(report("<m1@a.example>", "bob@b.example", Kind.PROCESSED));
        List<Overdue> handled = new ArrayList<>();

        assertThat(store.settleOverdue(PROCESSED_BY.plusSeconds(1), 10, handled::add)).isZero();
        assertThat(store.settleOverdue(DISPATCHED_BY.plusSeconds(1), 10, handled::add)).isEqualTo(1);

        assertThat(handled).containsExactly(new Overdue(sent, "bob@b.example", Kind.DISPATCHED, DISPATCHED_BY));
        assertThat(track("<m1@a.example>", "bob@b.example").state()).isEqualTo(RecipientState.TIMED_OUT);
    }

    @Test
    void underTimelyAndReliableNoProcessedMdnTimesOutAtTheProcessedDeadline() {
        store.record(timelyAndReliable("<m1@a.example>", "bob@b.example"));
        List<Overdue> handled = new ArrayList<>();

        assertThat(store.settleOverdue(PROCESSED_BY.plusSeconds(1), 10, handled::add)).isEqualTo(1);
        assertThat(handled).extracting(Overdue::missing).containsExactly(Kind.PROCESSED);
    }

    @Test
    void aHandlerThatThrowsLeavesItsRecipientForTheNextCallAndTheOthersAreSettled() {
        store.record(plain("<m1@a.example>", "bob@b.example", "carol@c.example"));
        List<String> handled = new ArrayList<>();
        Instant now = PROCESSED_BY.plusSeconds(1);

        int marked = store.settleOverdue(now, 10, overdue -> {
            if (overdue.recipient().equals("bob@b.example")) {
                throw new IllegalStateException("submission failed");
            }
            handled.add(overdue.recipient());
        });

        assertThat(marked).isEqualTo(1);
        assertThat(handled).containsExactly("carol@c.example");
        RecipientTrack bob = track("<m1@a.example>", "bob@b.example");
        assertThat(bob.state()).isEqualTo(RecipientState.PENDING);
        assertThat(bob.finalAt()).isEmpty();
        assertThat(store.settleOverdue(now, 10, overdue -> handled.add(overdue.recipient()))).isEqualTo(1);
        assertThat(handled).containsExactly("carol@c.example", "bob@b.example");
    }

    @Test
    void anInterruptedHandlerStopsTheSettlingAndKeepsTheInterrupt() {
        store.record(plain("<m1@a.example>", "bob@b.example", "carol@c.example"));
        List<String> handled = new ArrayList<>();
        try {
            int marked = store.settleOverdue(PROCESSED_BY.plusSeconds(1), 10, overdue -> {
                handled.add(overdue.recipient());
                throw new InterruptedException("stopping");
            });
            assertThat(marked).isZero();
            assertThat(handled).hasSize(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(store.pending(10)).singleElement().satisfies(track -> assertThat(track.recipients())
                .extracting(RecipientTrack::state).containsOnly(RecipientState.PENDING));
    }

    @Test
    void settlingStopsAtTheLimitOldestDeadlineFirst() {
        for (int i = 0; i < 5; i++) {
            store.record(new TrackedMessage("<m" + i + "@a.example>", "alice@a.example", List.of("bob@b.example"),
                    false, T0, PROCESSED_BY.plusSeconds(10 - i), Optional.empty(), "Q" + i));
        }
        List<String> handled = new ArrayList<>();
        Instant now = PROCESSED_BY.plusSeconds(60);

        assertThat(store.settleOverdue(now, 2, o -> handled.add(o.message().messageId()))).isEqualTo(2);
        assertThat(handled).containsExactly("<m4@a.example>", "<m3@a.example>");
        assertThat(store.pending(10)).hasSize(3);
    }

    // ---- pending and purge ----

    @Test
    void pendingListsOpenMessagesOldestFirstUpToTheLimit() {
        store.record(new TrackedMessage("<new@a.example>", "alice@a.example", List.of("bob@b.example"), false,
                T0.plusSeconds(10), PROCESSED_BY, Optional.empty(), "Q2"));
        store.record(plain("<old@a.example>", "bob@b.example", "carol@c.example"));
        store.record(plain("<done@a.example>", "bob@b.example"));
        store.correlate(report("<done@a.example>", "bob@b.example", Kind.PROCESSED));
        store.correlate(report("<old@a.example>", "bob@b.example", Kind.PROCESSED));

        List<MessageTrack> pending = store.pending(10);
        assertThat(pending).extracting(t -> t.message().messageId()).containsExactly("<old@a.example>", "<new@a.example>");
        assertThat(pending.get(0).recipients()).extracting(RecipientTrack::state)
                .containsExactly(RecipientState.PROCESSED, RecipientState.PENDING);
        assertThat(store.pending(1)).extracting(t -> t.message().messageId()).containsExactly("<old@a.example>");
    }

    @Test
    void purgeForgetsOldFinalMessagesOnly() {
        store.record(plain("<old-final@a.example>", "bob@b.example"));
        store.correlate(report("<old-final@a.example>", "bob@b.example", Kind.FAILED));
        store.record(plain("<old-open@a.example>", "bob@b.example"));
        store.record(new TrackedMessage("<new-final@a.example>", "alice@a.example", List.of("bob@b.example"), false,
                T0.plus(Duration.ofDays(40)), PROCESSED_BY, Optional.empty(), "Q"));
        store.correlate(report("<new-final@a.example>", "bob@b.example", Kind.FAILED));

        assertThat(store.purge(T0.plus(Duration.ofDays(30)))).isEqualTo(1);

        assertThat(store.find("<old-final@a.example>")).isEmpty();
        assertThat(store.find("<old-open@a.example>")).isPresent();
        assertThat(store.find("<new-final@a.example>")).isPresent();
        assertThat(store.correlate(report("<old-final@a.example>", "bob@b.example", Kind.FAILED)))
                .isEqualTo(new Unknown());
        assertThat(store.purge(T0.plus(Duration.ofDays(30)))).isZero();
    }

    // ---- opening ----

    @Test
    void reopeningKeepsTheRecordsAndAppliesNoMigrationTwice() throws Exception {
        store.record(plain("<m1@a.example>", "bob@b.example"));
        store.close();

        JdbcTrackingStore again = open(settings);
        assertThat(again.find("<m1@a.example>")).isPresent();
        again.verify();
        try (Connection connection = connect(settings); Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT COUNT(*), MAX(version) FROM schema_version")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(Migrations.SCRIPTS.size());
            assertThat(rows.getInt(2)).isEqualTo(Migrations.SCRIPTS.size());
        }
    }

    @Test
    void aSchemaNewerThanThisCodeIsRefused() throws Exception {
        try (Connection connection = connect(settings); Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)");
        }
        assertThatThrownBy(() -> open(settings)).isInstanceOf(TrackingStore.TrackingException.class)
                .hasMessageContaining("version 99").hasMessageContaining("newer");
    }

    @Test
    void aClosedStoreFailsWithATrackingException() {
        store.close();
        assertThatThrownBy(() -> store.record(plain("<m1@a.example>", "bob@b.example")))
                .isInstanceOf(TrackingStore.TrackingException.class)
                .hasMessageContaining("cannot record <m1@a.example>");
    }

    // ---- two nodes ----

    @Test
    void twoNodesOpeningAnEmptyDatabaseAtOnceBothSucceed() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (JdbcTrackingStore node : openTwoAtOnce(freshDatabase(), threads)) {
                node.verify();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** Two nodes opening {@code settings} at the same moment, on {@code threads}; closed after the test. */
    List<JdbcTrackingStore> openTwoAtOnce(StoreSettings settings, ExecutorService threads) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<JdbcTrackingStore>> nodes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            nodes.add(threads.submit(() -> {
                start.await();
                return JdbcTrackingStore.open(settings);
            }));
        }
        start.countDown();
        List<JdbcTrackingStore> out = new ArrayList<>();
        for (Future<JdbcTrackingStore> node : nodes) {
            JdbcTrackingStore store = node.get(60, TimeUnit.SECONDS);
            opened.add(store);
            out.add(store);
        }
        return out;
    }

    @Test
    void twoNodesSettlingTheSameOverdueRecipientsHandleEachExactlyOnce() throws Exception {
        int messages = 60;
        for (int i = 0; i < messages; i++) {
            store.record(plain("<m" + i + "@a.example>", "bob@b.example", "carol@c.example", "dave@d.example"));
        }
        int recipients = messages * 3;
        JdbcTrackingStore other = open(settings);
        Map<String, AtomicInteger> notices = new ConcurrentHashMap<>();
        Instant now = PROCESSED_BY.plusSeconds(1);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> nodes = new ArrayList<>();
            for (JdbcTrackingStore node : List.of(store, other, store, other)) {
                nodes.add(threads.submit(() -> {
                    start.await();
                    int marked = 0;
                    int round;
                    // small batches, so the nodes take turns over the same rows
                    while ((round = node.settleOverdue(now, 7, overdue -> {
                        notices.computeIfAbsent(overdue.message().messageId() + " " + overdue.recipient(),
                                k -> new AtomicInteger()).incrementAndGet();
                        Thread.yield();
                    })) > 0) {
                        marked += round;
                    }
                    return marked;
                }));
            }
            start.countDown();
            int marked = 0;
            for (Future<Integer> node : nodes) {
                marked += node.get(120, TimeUnit.SECONDS);
            }

            assertThat(marked).isEqualTo(recipients);
            assertThat(notices).hasSize(recipients);
            assertThat(notices.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
            assertThat(store.pending(messages)).isEmpty();
        } finally {
            threads.shutdownNow();
        }
    }

    /** For subclasses: a plain JDBC connection from a URL. */
    static Connection jdbc(String url) throws Exception {
        return DriverManager.getConnection(url);
    }
}
