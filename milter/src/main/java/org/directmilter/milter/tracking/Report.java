package org.directmilter.milter.tracking;

import java.time.Instant;

/**
 * What came back about one recipient of an outgoing message: a trusted MDN (verified by the incoming
 * path first) or a failure DSN.
 *
 * @param originalMessageId the Message-ID it reports on (MDN Original-Message-ID; DSN returned header)
 * @param recipient         the Final-Recipient's address, lower-cased
 * @param kind              what it says
 * @param at                when it arrived
 * @param detail            for the operator: the disposition or DSN status, escaped by whoever logs it
 */
public record Report(String originalMessageId, String recipient, Kind kind, Instant at, String detail) {

    /** What a report says. A failed MDN and a failure DSN are both {@link #FAILED}. */
    public enum Kind { PROCESSED, DISPATCHED, FAILED }
}
