package org.directmilter.milter.notify;

/** The dispositions a receiving HISP reports (RFC 3798 §3.2.6), as the Disposition field writes them. */
public enum Disposition {
    /** Decrypted and its signer trusted (Direct Applicability Statement §3, for every message). */
    PROCESSED("processed"),
    /** Delivered to the recipient's mailbox (timely and reliable delivery, on request). */
    DISPATCHED("dispatched"),
    /** Accepted but never delivered (timely and reliable delivery, on request). */
    FAILED("failed");

    private final String text;

    Disposition(String text) {
        this.text = text;
    }

    /** The disposition-type as the field writes it. */
    public String text() {
        return text;
    }
}
