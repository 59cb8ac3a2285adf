package org.directmilter.milter.daemon;

/** Process exit codes, from sysexits.h so that systemd and scripts can tell failures apart. */
public final class ExitStatus {

    public static final int OK = 0;
    /** Bad command line. */
    public static final int USAGE = 64;
    /** The socket could not be bound (in use, no permission, directory missing). */
    public static final int UNAVAILABLE = 69;
    /** A bug: an unexpected exception. */
    public static final int SOFTWARE = 70;
    /** The configuration is invalid, or names something unusable. */
    public static final int CONFIG = 78;

    private ExitStatus() {
    }
}
