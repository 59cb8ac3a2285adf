package org.directmilter.milter.daemon;

import java.util.List;

/**
 * The daemon cannot start, for a reason an operator can fix. The message is one line fit to print
 * as it is; {@link #details()} adds one line per problem (e.g. every configuration error).
 */
public final class StartupException extends Exception {

    private final int exitStatus;
    private final List<String> details;

    StartupException(int exitStatus, String message, List<String> details) {
        super(message, null, false, false); // no stack trace: it would only hide the message
        this.exitStatus = exitStatus;
        this.details = List.copyOf(details);
    }

    StartupException(int exitStatus, String message) {
        this(exitStatus, message, List.of());
    }

    /** One of {@link ExitStatus#CONFIG} or {@link ExitStatus#UNAVAILABLE}. */
    public int exitStatus() {
        return exitStatus;
    }

    public List<String> details() {
        return details;
    }
}
