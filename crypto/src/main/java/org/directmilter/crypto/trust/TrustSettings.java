package org.directmilter.crypto.trust;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the validator uses the network and what it does when revocation cannot be checked.
 *
 * @param fetchTimeout      longest single HTTP fetch (connect, answer and body together)
 * @param perMessage        what the validations of one message may spend together (certificates judged,
 *                          fetches, seconds)
 * @param maxFetchBytes     largest CRL or AIA response accepted
 * @param allowedHosts      hosts CRLs and certificates may be fetched from; empty means any host for CRLs
 *                          and, for AIA issuers, only the hosts the anchors name (only ever over http:)
 * @param unknownRevocation what an unknown revocation status means
 * @param crlGrace          how long past its nextUpdate a CRL still counts when no newer one can be had
 * @param failureCacheTime  how long a failed fetch is remembered before it is tried again
 * @param maxCacheTime      longest a CRL or fetched certificate is cached (CRLs: until nextUpdate, at most
 *                          this)
 */
public record TrustSettings(Duration fetchTimeout, ValidationBudget.Limits perMessage, long maxFetchBytes,
                            Set<String> allowedHosts, UnknownRevocation unknownRevocation, Duration crlGrace,
                            Duration failureCacheTime, Duration maxCacheTime) {

    /** What an unknown revocation status does to the result. */
    public enum UnknownRevocation {
        /** unusable for now: the caller answers with a temporary failure and the sender retries (the default) */
        TEMPFAIL,
        /** unusable, as an untrusted certificate */
        REJECT,
        /** usable, with a warning (fails open: an operator's explicit choice) */
        ACCEPT
    }

    public TrustSettings {
        allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    public static TrustSettings defaults() {
        return new TrustSettings(Duration.ofSeconds(5), new ValidationBudget.Limits(8, 10, Duration.ofSeconds(10)),
                4L << 20, Set.of(), UnknownRevocation.TEMPFAIL, Duration.ofHours(6), Duration.ofSeconds(60),
                Duration.ofHours(24));
    }

    /** The single-fetch timeout, and the time all fetches of one message may take together. */
    public TrustSettings withFetchTimeout(Duration timeout, Duration perMessageTime) {
        return new TrustSettings(timeout, new ValidationBudget.Limits(perMessage.certificates(),
                perMessage.fetches(), perMessageTime), maxFetchBytes, allowedHosts, unknownRevocation, crlGrace,
                failureCacheTime, maxCacheTime);
    }

    public TrustSettings withPerMessage(ValidationBudget.Limits limits) {
        return new TrustSettings(fetchTimeout, limits, maxFetchBytes, allowedHosts, unknownRevocation, crlGrace,
                failureCacheTime, maxCacheTime);
    }

    public TrustSettings withUnknownRevocation(UnknownRevocation policy) {
        return new TrustSettings(fetchTimeout, perMessage, maxFetchBytes, allowedHosts, policy, crlGrace,
                failureCacheTime, maxCacheTime);
    }

    public TrustSettings withAllowedHosts(Set<String> hosts) {
        return new TrustSettings(fetchTimeout, perMessage, maxFetchBytes, hosts, unknownRevocation, crlGrace,
                failureCacheTime, maxCacheTime);
    }

    public TrustSettings withMaxFetchBytes(long bytes) {
        return new TrustSettings(fetchTimeout, perMessage, bytes, allowedHosts, unknownRevocation, crlGrace,
                failureCacheTime, maxCacheTime);
    }

    public TrustSettings withCrlGrace(Duration grace) {
        return new TrustSettings(fetchTimeout, perMessage, maxFetchBytes, allowedHosts, unknownRevocation, grace,
                failureCacheTime, maxCacheTime);
    }
}
