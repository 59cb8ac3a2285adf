package org.directmilter.milter.tracking;

/** Where one recipient of a tracked message stands. */
public enum RecipientState {
    /** Nothing trusted has come back yet. */
    PENDING(false),
    /** A processed MDN came back; final unless timely and reliable was asked for. */
    PROCESSED(false),
    /** Processed and dispatched both came back (timely and reliable). */
    DISPATCHED(true),
    /** A failed MDN or a failure DSN came back. */
    FAILED(true),
    /** A deadline passed and the originator was told. */
    TIMED_OUT(true);

    private final boolean terminal;

    RecipientState(boolean terminal) {
        this.terminal = terminal;
    }

    /** Whether nothing can change this recipient's outcome any more. */
    public boolean terminal() {
        return terminal;
    }
}
