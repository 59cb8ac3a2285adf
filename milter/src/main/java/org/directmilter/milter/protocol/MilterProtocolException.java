package org.directmilter.milter.protocol;

import java.io.IOException;

/** The peer broke the milter protocol: the connection cannot go on, but the daemon can. */
public final class MilterProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public MilterProtocolException(String message) {
        super(message);
    }
}
