package org.directmilter.milter.tracking;

import java.util.List;

/** A tracked message with every recipient's record, for the operator. */
public record MessageTrack(TrackedMessage message, List<RecipientTrack> recipients) {
    public MessageTrack {
        recipients = List.copyOf(recipients);
    }
}
