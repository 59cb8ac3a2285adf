package org.directmilter.crypto.smime;

/** A message could not be protected: the input is not a message, or a key or certificate is unusable. */
public final class ProtectException extends Exception {

    private static final long serialVersionUID = 1L;

    public ProtectException(String message) {
        super(message);
    }

    public ProtectException(String message, Throwable cause) {
        super(message, cause);
    }
}
