package org.directmilter.milter.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the daemon does with an {@link Error} that leaves a thread of the server: the decision is to exit,
 * so the service manager (systemd {@code Restart=on-failure}) starts a clean process, rather than go on
 * half-alive (an acceptor that died accepts nothing; after an OutOfMemoryError any shared state may be
 * inconsistent). Memory is bounded by configuration, so an OutOfMemoryError means a bug or a heap set too
 * small for the configured limits, not a peer's doing.
 *
 * <p>Fatal: {@link VirtualMachineError}s (out of memory, internal error) anywhere, and any throwable that
 * ends the acceptor or the watchdog. Not fatal: a {@link StackOverflowError} (it unwinds its own thread's
 * stack and nothing else; a crafted message must not be able to restart the daemon) and other errors of
 * one connection or one message (a {@link LinkageError} in a handler): that connection or message fails,
 * with a tempfail where a reply is still possible.
 */
public final class FatalErrors {
    private static final Logger log = LoggerFactory.getLogger(MilterServer.class);

    /** sysexits EX_SOFTWARE: an internal software error. */
    public static final int EXIT_STATUS = 70;

    /** What to do with a fatal error: exit in the daemon, record it in tests. */
    @FunctionalInterface
    public interface Handler {
        void fatal(String where, Throwable error);
    }

    /**
     * Logs and halts at once: shutdown hooks would wait for connections to drain, which a broken process may
     * never manage. Spool files of this process are removed at the next start.
     */
    public static final Handler EXIT = (where, error) -> {
        try {
            log.error("fatal error in {}; exiting with status {} so the service manager restarts direct-milter",
                    where, EXIT_STATUS, error);
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    };

    private FatalErrors() {
    }

    /** True for an error after which the process must not go on. */
    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }
}
