/**
 * Tracking of outgoing Direct messages to a final outcome per recipient (Direct's timely and reliable
 * delivery, DIRECT-REQUIREMENTS T4–T7): what was sent ({@link org.directmilter.milter.tracking.TrackedMessage}),
 * what came back ({@link org.directmilter.milter.tracking.Report}), what it meant
 * ({@link org.directmilter.milter.tracking.Correlation}) and who is overdue
 * ({@link org.directmilter.milter.tracking.Overdue}), kept in a {@link org.directmilter.milter.tracking.TrackingStore}.
 *
 * <p>It knows nothing of the milter protocol, the policy or S/MIME: the policy records and correlates,
 * a timer in the daemon claims the overdue, the CLI reads. It imports nothing else of ours.
 */
package org.directmilter.milter.tracking;
