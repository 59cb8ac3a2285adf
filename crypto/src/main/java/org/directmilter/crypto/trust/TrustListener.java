package org.directmilter.crypto.trust;

import java.time.Duration;
import java.util.Optional;

/**
 * What the trust validator did, for whoever counts it (the daemon's metrics). Called on the validating
 * thread, so an implementation is quick and thread-safe, and never throws.
 */
public interface TrustListener {

    /** Hears nothing: for tools and tests. */
    TrustListener NONE = new TrustListener() {
    };

    /** What was fetched over HTTP. */
    enum Fetch {
        /** a certificate revocation list */
        CRL,
        /** issuer certificates at an AIA caIssuers URL */
        AIA
    }

    /** One certificate judged: usable, or refused for {@link ValidationResult#problems()}. */
    default void judged(ValidationResult result) {
    }

    /**
     * One fetch tried (one not answered from the validator's cache) and how long it took.
     *
     * @param failure empty when it gave a usable answer; else why not, in a few words of a fixed set
     *                ({@code timeout}, {@code unreachable}, {@code http_error}, {@code too_large},
     *                {@code unreadable}, {@code not_allowed}, {@code budget_spent}, {@code busy})
     */
    default void fetched(Fetch what, Optional<String> failure, Duration took) {
    }
}
