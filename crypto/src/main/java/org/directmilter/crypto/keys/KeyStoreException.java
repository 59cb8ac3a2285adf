package org.directmilter.crypto.keys;

import java.nio.file.Path;

/**
 * A key store that exists but cannot be used: unreadable, corrupt, wrong password, or with unsafe
 * permissions. The message names the file; it never contains a password or key material.
 */
public final class KeyStoreException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public KeyStoreException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
