package org.directmilter.milter.tracking;

/** What a {@link Report} meant for its tracked message, and so whether the originator should see it. */
public sealed interface Correlation {

    /** No tracked message or recipient matches: not ours, purged, or forged; deliver it untouched. */
    record Unknown() implements Correlation {}

    /** Recorded, the recipient is not final yet (processed under timely and reliable). */
    record Progress(RecipientState state) implements Correlation {}

    /** This report made the recipient final: the originator should see it. */
    record Completed(RecipientState state) implements Correlation {}

    /** The recipient already had this report or was already final: suppress it (T4). */
    record Duplicate(RecipientState state) implements Correlation {}
}
