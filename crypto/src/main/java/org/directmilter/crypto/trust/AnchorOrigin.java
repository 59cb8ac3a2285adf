package org.directmilter.crypto.trust;

import java.nio.file.Path;
import java.time.Instant;

/** Where a trust anchor came from, so an operator can tell why a certificate is trusted. */
public sealed interface AnchorOrigin permits AnchorOrigin.File, AnchorOrigin.Bundle {

    /** One line for logs and {@code direct-milter anchors}: "file /etc/…" or "bundle NAME (…)". */
    String describe();

    /** An anchor file under AnchorDir. */
    record File(Path path) implements AnchorOrigin {
        @Override
        public String describe() {
            return "file " + path;
        }
    }

    /**
     * A trust bundle the operator subscribed to.
     *
     * @param name    the bundle's configured name
     * @param url     where it is fetched from
     * @param fetched when the copy in force was fetched
     * @param sha256  lower-case hex SHA-256 of the bundle as fetched (the signed form for signed bundles)
     */
    record Bundle(String name, String url, Instant fetched, String sha256) implements AnchorOrigin {
        @Override
        public String describe() {
            return "bundle " + name + " (" + url + ", fetched " + fetched + ", sha256 " + sha256 + ")";
        }
    }
}
