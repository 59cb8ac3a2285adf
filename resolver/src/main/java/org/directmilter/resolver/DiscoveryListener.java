package org.directmilter.resolver;

import java.time.Duration;

/**
 * What discovery did, for whoever counts it (the daemon's metrics). Called on the looking-up thread, so
 * an implementation is quick and thread-safe, and never throws. Only the source's kind and the kind of
 * answer matter here: the owner names and certificates stay in the {@link OwnerLookup}, for the caller to
 * keep out of anything it exposes.
 */
public interface DiscoveryListener {

    /** Hears nothing: for tools and tests. */
    DiscoveryListener NONE = new DiscoveryListener() {
    };

    /** Where an owner name's answer came from when the cache did not have it. */
    enum Source {
        DNS, LDAP
    }

    /** {@code count} owner names answered from the discovery cache. */
    default void cacheHits(int count) {
    }

    /** {@code count} owner names the cache did not hold, so they were looked up at their source. */
    default void cacheMisses(int count) {
    }

    /** One owner name looked up at {@code source} (DNS CERT records, or an LDAP search), and how long it took. */
    default void lookedUp(Source source, OwnerLookup answer, Duration took) {
    }
}
