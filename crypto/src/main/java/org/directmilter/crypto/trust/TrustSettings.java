package org.directmilter.crypto.trust;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the validator uses the network and what it does when revocation cannot be checked.
 *
 * @param fetchTimeout       longest single HTTP fetch (connect, answer and body together)
 * @param validationBudget   longest time all fetches for one validation may take together
 * @param maxFetchBytes      largest CRL or AIA response accepted
 * @param allowedHosts       hosts CRLs and certificates may be fetched from; empty means any (only ever
 *                           over http:)
 * @param unknownRevocation  what an unknown revocation status means
 * @param failureCacheTime   how long a failed fetch is remembered before it is tried again
 * @param maxCacheTime       longest a CRL or fetched certificate is cached (CRLs: until nextUpdate, at most
 *                           this)
 */
public record TrustSettings(Duration fetchTimeout, Duration validationBudget, long maxFetchBytes,
                            Set<String> allowedHosts, UnknownRevocation unknownRevocation,
                            Duration failureCacheTime, Duration maxCacheTime) {

    /** What an unknown revocation status does to the verdict. */
    public enum UnknownRevocation {
        /** usable, with a warning in the verdict and the log (the default, as the reference agent and DCDT) */
        ACCEPT,
        /** unusable, with the reason */
        REJECT
    }

    public TrustSettings {
        allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    public static TrustSettings defaults() {
        return new TrustSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), 4L << 20, Set.of(),
                UnknownRevocation.ACCEPT, Duration.ofSeconds(60), Duration.ofHours(24));
    }

    public TrustSettings withFetchTimeout(Duration timeout, Duration budget) {
        return new TrustSettings(timeout, budget, maxFetchBytes, allowedHosts, unknownRevocation,
                failureCacheTime, maxCacheTime);
    }

    public TrustSettings withUnknownRevocation(UnknownRevocation policy) {
        return new TrustSettings(fetchTimeout, validationBudget, maxFetchBytes, allowedHosts, policy,
                failureCacheTime, maxCacheTime);
    }

    public TrustSettings withAllowedHosts(Set<String> hosts) {
        return new TrustSettings(fetchTimeout, validationBudget, maxFetchBytes, hosts, unknownRevocation,
                failureCacheTime, maxCacheTime);
    }

    public TrustSettings withMaxFetchBytes(long bytes) {
        return new TrustSettings(fetchTimeout, validationBudget, bytes, allowedHosts, unknownRevocation,
                failureCacheTime, maxCacheTime);
    }
}
