package org.directmilter.milter.tracking;

import java.time.Instant;

/**
 * A recipient whose deadline passed, held by exactly one node while its originator is told (one failure
 * DSN); the store marks it {@link RecipientState#TIMED_OUT} once that succeeded.
 *
 * @param message   the tracked message
 * @param recipient the recipient that did not answer in time
 * @param missing   what did not arrive: {@link Report.Kind#PROCESSED} or {@link Report.Kind#DISPATCHED}
 * @param deadline  the deadline that passed
 */
public record Overdue(TrackedMessage message, String recipient, Report.Kind missing, Instant deadline) {}
