package org.directmilter.milter.tracking;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where tracked messages live: an embedded SQLite file by default, PostgreSQL when several MTA nodes share
 * one. Every method is one transaction; a {@link TrackingException} means nothing was changed and the
 * caller must not pretend it was (the policy tempfails the message it could not record).
 */
public interface TrackingStore extends AutoCloseable {

    /** Records a message before it is accepted; recording the same Message-ID again adds nothing. */
    void record(TrackedMessage message);

    /** Applies what came back and says what it meant; a report for no tracked recipient is {@link Correlation.Unknown}. */
    Correlation correlate(Report report);

    /**
     * Hands up to {@code limit} recipients whose deadline is before {@code now} to {@code handler}, one at a
     * time, and marks each timed out once its handler returned: of several nodes doing this at once, each
     * recipient goes to exactly one (row locks held while the handler runs). A handler that throws leaves
     * its recipient as it was, to be tried at the next call; returns how many were marked.
     */
    int settleOverdue(Instant now, int limit, OverdueHandler handler);

    /** Tells the originator of an overdue recipient (a failure DSN); throws when it could not be handed over. */
    @FunctionalInterface
    interface OverdueHandler {
        void notify(Overdue overdue) throws Exception;
    }

    /** One message and its recipients, if tracked. */
    Optional<MessageTrack> find(String messageId);

    /** Messages with a recipient not yet final, oldest first. */
    List<MessageTrack> pending(int limit);

    /** Forgets messages sent before {@code before} whose recipients are all final; returns how many. */
    int purge(Instant before);

    @Override
    void close();

    /** The store could not be read or written; the message says why, without message content. */
    final class TrackingException extends RuntimeException {
        public TrackingException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
