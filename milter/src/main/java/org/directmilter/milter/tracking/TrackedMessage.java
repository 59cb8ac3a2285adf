package org.directmilter.milter.tracking;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One outgoing message as it was accepted for delivery: recorded (committed) before the MTA is told to
 * accept it, so a daemon that dies afterwards still knows what it is waiting for.
 *
 * @param messageId         the Message-ID field as sent, angle brackets included
 * @param sender            the originator the outcome is reported to (the inner From's address)
 * @param recipients        the recipients the message was protected for, lower-cased addr-specs
 * @param timelyAndReliable whether the message asked for dispatched MDNs (X-DIRECT-FINAL-DESTINATION-DELIVERY)
 * @param sent              when it was accepted
 * @param processedBy       the deadline for each recipient's processed MDN
 * @param dispatchedBy      the deadline for the dispatched MDN, present exactly when timely and reliable
 * @param queueId           the MTA's queue id, for the operator
 */
public record TrackedMessage(String messageId, String sender, List<String> recipients, boolean timelyAndReliable,
                             Instant sent, Instant processedBy, Optional<Instant> dispatchedBy, String queueId) {
    public TrackedMessage {
        recipients = List.copyOf(recipients);
        if (timelyAndReliable != dispatchedBy.isPresent()) {
            throw new IllegalArgumentException("a dispatched deadline exactly when timely and reliable");
        }
    }
}
