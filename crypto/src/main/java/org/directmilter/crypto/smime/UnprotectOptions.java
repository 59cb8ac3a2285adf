package org.directmilter.crypto.smime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How incoming messages are opened. {@code allowTripleDes} is off by default (RFC 5751 makes 3DES
 * SHOULD-, Direct 1.3 expects AES); {@code spoolThreshold} is how many bytes stay in memory before a
 * private temporary file in {@code temporaryDirectory} takes over.
 */
public record UnprotectOptions(boolean allowTripleDes, long spoolThreshold, Path temporaryDirectory) {

    public static final long DEFAULT_SPOOL_THRESHOLD = 1024 * 1024;

    public UnprotectOptions {
        Objects.requireNonNull(temporaryDirectory, "temporaryDirectory");
        if (spoolThreshold < 0) {
            throw new IllegalArgumentException("spoolThreshold < 0");
        }
    }

    public static UnprotectOptions defaults() {
        return new UnprotectOptions(false, DEFAULT_SPOOL_THRESHOLD, Path.of(System.getProperty("java.io.tmpdir")));
    }
}
