package org.directmilter.milter.server;

/**
 * One MTA connection as the server sees it: something to run on its own thread, and enough state
 * for the server to reap idle peers and to drain gracefully without cutting a message in half.
 */
public interface ServedConnection extends Runnable {

    /** True between MAIL and the end of that message (EOM reply sent, ABORT, or QUIT). */
    boolean inMessage();

    /** True while handler work (end-of-message) runs: the peer is waiting for us, never reap it. */
    boolean working();

    /** {@link System#nanoTime()} of the last frame read from or written to the peer. */
    long lastActivityNanos();

    /** Closes the transport now; {@link #run()} returns soon after. Idempotent. */
    void close();

    /** Closes the transport once the current message is answered; at once when none is under way. */
    void closeAfterMessage();
}
