package org.directmilter.milter.tracking;

import java.time.Instant;

/**
 * A recipient whose deadline passed, claimed by exactly one node: it is already {@link RecipientState#TIMED_OUT}
 * in the store when returned, and its originator must now get one failure DSN.
 *
 * @param message   the tracked message
 * @param recipient the recipient that did not answer in time
 * @param missing   what did not arrive: {@link Report.Kind#PROCESSED} or {@link Report.Kind#DISPATCHED}
 * @param deadline  the deadline that passed
 */
public record Overdue(TrackedMessage message, String recipient, Report.Kind missing, Instant deadline) {}
