package org.directmilter.crypto.trust.bundle;

import java.time.Instant;
import java.util.Optional;

/**
 * What {@code anchors} and {@code check} show for one bundle.
 *
 * @param name        the configured name
 * @param url         where it is fetched from
 * @param fetched     when the copy in force was fetched (or last confirmed unchanged); empty: none in force
 * @param sha256      SHA-256 of the copy in force as fetched
 * @param anchors     how many anchors the copy in force holds
 * @param lastAttempt when a fetch was last tried
 * @param lastError   why the last attempt failed ("REASON: detail", untrusted text); empty when it worked
 * @param stale       no copy in force, or the one in force is older than the staleness limit
 */
public record BundleStatus(String name, String url, Optional<Instant> fetched, Optional<String> sha256, int anchors,
                           Optional<Instant> lastAttempt, Optional<String> lastError, boolean stale) {

    /** In force, current and its last refresh worked. */
    public boolean healthy() {
        return fetched.isPresent() && lastError.isEmpty() && !stale;
    }
}
