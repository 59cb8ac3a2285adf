package org.directmilter.crypto.keys;

import java.nio.file.Path;

/**
 * A key store that exists but cannot be used: unreadable, corrupt, wrong password, unsafe permissions,
 * or a PKCS#11 token that cannot be opened. The message names the file or the token; it never contains a
 * password, a PIN or key material.
 */
public final class KeyStoreException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public KeyStoreException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    /** A store that is not one file: {@code store} names it (e.g. "PKCS#11 token slot 0"). */
    public KeyStoreException(String store, String reason, Throwable cause) {
        super(store + ": " + reason, cause);
        this.file = null;
    }

    /** The file at fault; null for a store that is not a file. */
    public Path file() {
        return file;
    }
}
