package org.directmilter.crypto.keys;

import java.io.IOException;

/**
 * A private-key operation could not be done because the key's token failed (removed, session limit,
 * logged out, device error): a temporary failure of ours, not the message's fault. An IOException, so
 * that it takes the way of every other temporary failure (the MTA is told 4xx and retries).
 */
public final class KeyUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    public KeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
