package org.directmilter.milter.policy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.directmilter.milter.notify.Submission;
import org.directmilter.milter.tracking.Correlation;
import org.directmilter.milter.tracking.Overdue;
import org.directmilter.milter.tracking.Report;
import org.directmilter.milter.tracking.TrackedMessage;
import org.directmilter.milter.tracking.TrackingStore;

/**
 * The policy's side of tracking (DIRECT-REQUIREMENTS T4–T7): what an outgoing message is recorded as,
 * what a trusted report that comes back means for the originator, and the failure DSN an overdue
 * recipient's originator gets. The store outlives reloads; a reload builds a new tracker around it with
 * the new settings.
 */
public final class Tracker {

    /** How many overdue recipients one timer run settles; the next run takes the rest. */
    static final int SETTLE_BATCH = 100;

    /**
     * @param processedWithin  how long a recipient's processed MDN may take
     * @param dispatchedWithin how long its dispatched MDN may take when timely and reliable was asked for
     * @param deliverProcessed whether a processed MDN that matched a tracked recipient still reaches the
     *                         originator (T6: {@code false} swallows it)
     */
    public record Settings(Duration processedWithin, Duration dispatchedWithin, boolean deliverProcessed) {}

    private final TrackingStore store;
    private final Settings settings;
    private final Submission submission;
    private final Clock clock;

    /** Tracks in {@code store}; failure DSNs are handed to {@code submission}, as the MDNs are. */
    public Tracker(TrackingStore store, Settings settings, Submission submission, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.submission = submission;
        this.clock = clock;
    }

    /** No tracking ({@code Tracking no}, and tools that only judge messages): nothing recorded or correlated. */
    public static Tracker off() {
        return new Tracker(null, new Settings(Duration.ofHours(1), Duration.ofHours(24), true), (recipient, message) -> {
            throw new Submission.SubmissionException("tracking is off");
        }, Clock.systemUTC());
    }

    public boolean on() {
        return store != null;
    }

    /** The store, kept by a reload. */
    public Optional<TrackingStore> store() {
        return Optional.ofNullable(store);
    }

    Settings settings() {
        return settings;
    }

    Instant now() {
        return clock.instant();
    }

    /**
     * Records an outgoing message about to be accepted, with its deadlines counted from now; throws
     * {@link TrackingStore.TrackingException} when the store did not take it.
     */
    TrackedMessage record(String messageId, String originator, List<String> recipients, boolean timelyAndReliable,
                          String queueId) {
        Instant sent = clock.instant();
        TrackedMessage message = new TrackedMessage(messageId, originator, recipients, timelyAndReliable, sent,
                sent.plus(settings.processedWithin()),
                timelyAndReliable ? Optional.of(sent.plus(settings.dispatchedWithin())) : Optional.empty(), queueId);
        store.record(message);
        return message;
    }

    /** What {@code report} means; throws {@link TrackingStore.TrackingException} when the store could not say. */
    Correlation correlate(Report report) {
        return store.correlate(report);
    }

    /**
     * Settles the recipients overdue now (at most {@link #SETTLE_BATCH}): each originator gets one failure
     * DSN through the submission; one that could not be handed over stays overdue for the next run.
     * Returns how many were settled. The daemon's timer calls this; nothing here waits for the MTA.
     */
    public int settleOverdue() {
        if (store == null) {
            return 0;
        }
        return store.settleOverdue(clock.instant(), SETTLE_BATCH, this::notifyOriginator);
    }

    private void notifyOriginator(Overdue overdue) throws Submission.SubmissionException {
        TrackedMessage message = overdue.message();
        String reason = TimeoutNotice.reason(overdue);
        AuditLine line = AuditLine.of("tracking", "timed-out").with("queue", message.queueId())
                .with("msgid", message.messageId()).with("originator", message.sender())
                .with("rcpt", overdue.recipient()).with("reason", reason);
        Optional<TimeoutNotice> notice = TimeoutNotice.of(overdue, clock);
        if (notice.isEmpty()) {
            // An originator no DSN can be addressed to: nothing to retry; the record says timed out all the same.
            line.with("dsn", "not-sent: originator is not a plain address").log();
            return;
        }
        try {
            submission.submit(notice.get().originator(), notice.get().render());
        } catch (Submission.SubmissionException e) {
            AuditLine.of("tracking", "dsn-failed").with("queue", message.queueId()).with("msgid", message.messageId())
                    .with("rcpt", overdue.recipient()).with("reason", e.getMessage()).log();
            throw e;
        }
        line.with("dsn", notice.get().messageId()).log();
    }
}
