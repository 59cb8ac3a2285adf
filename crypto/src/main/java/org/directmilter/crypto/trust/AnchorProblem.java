package org.directmilter.crypto.trust;

import java.nio.file.Path;

/** A file (or a certificate in it) under the anchor directory that was skipped, and why. */
public record AnchorProblem(Path file, String reason) {

    @Override
    public String toString() {
        return file + ": " + reason;
    }
}
