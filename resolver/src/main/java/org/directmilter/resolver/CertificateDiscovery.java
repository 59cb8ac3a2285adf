package org.directmilter.resolver;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.directmilter.resolver.cache.CacheStatistics;
import org.directmilter.resolver.cache.CachedCertLookup;
import org.directmilter.resolver.dns.DnsCertLookup;
import org.directmilter.resolver.dns.OwnerNames;
import org.directmilter.resolver.ldap.LdapCertLookup;

/**
 * Discovers the certificates of a Direct address (DIRECT-REQUIREMENTS §1.6, RFC 4398):
 *
 * <ol>
 *   <li>when a certificate directory is configured and exists, the operator's files there:
 *       {@code <address>.pem}, else {@code <domain>.pem};</li>
 *   <li>only when neither file exists, the address-bound owner name(s), in the configured
 *       {@link OwnerNameMode};</li>
 *   <li>only when step 2 found no certificate records at all, the domain-bound name;</li>
 *   <li>only when DNS published no CERT record for either, and LDAP discovery is on: LDAP
 *       ({@link LdapCertLookup}), {@code (mail=<address>)}, then {@code (mail=<domain>)}.</li>
 * </ol>
 *
 * The first step that publishes certificates decides: its usable certificates are returned (all of
 * them), and if none is usable, discovery stops with {@link DiscoveryResult.FoundNoneUsable} — no
 * fallback, whether the step was a file, DNS or LDAP (DCDT D5, D7). Any step that cannot be answered now makes the whole
 * result a {@link DiscoveryResult.TemporaryFailure}.
 *
 * <p>Thread-safe; one instance serves the whole daemon.
 */
public final class CertificateDiscovery {

    private final CertLookup lookup;
    private final OwnerNameMode mode;
    private final Optional<CertificateDir> files;
    private final boolean ldap;

    /** DNS only. */
    public CertificateDiscovery(CertLookup lookup, OwnerNameMode mode) {
        this(lookup, mode, Optional.empty());
    }

    /** The certificate directory and DNS, no LDAP. */
    public CertificateDiscovery(CertLookup lookup, OwnerNameMode mode, Optional<Path> certificateDirectory) {
        this(lookup, mode, certificateDirectory, false);
    }

    /**
     * @param certificateDirectory the operator's {@code <address>.pem} and {@code <domain>.pem} files,
     *                             consulted before DNS; a directory that does not exist is skipped
     * @param ldap                 whether to ask {@code lookup} for {@link LdapCertLookup#owner} names after DNS
     */
    public CertificateDiscovery(CertLookup lookup, OwnerNameMode mode, Optional<Path> certificateDirectory,
                                boolean ldap) {
        this.lookup = lookup;
        this.mode = mode;
        this.files = certificateDirectory.map(CertificateDir::new);
        this.ldap = ldap;
    }

    /**
     * The certificate directory, then DNS, then LDAP, as the daemon runs it: DNS and LDAP answers share
     * one cache (and its single-flight loading per owner name).
     */
    public static CertificateDiscovery create(ResolverSettings settings) {
        return create(settings, DiscoveryListener.NONE);
    }

    /** {@link #create(ResolverSettings)} telling {@code listener} of cache hits and of each DNS and LDAP lookup. */
    public static CertificateDiscovery create(ResolverSettings settings, DiscoveryListener listener) {
        CertLookup dns = heard(DnsCertLookup.create(settings), DiscoveryListener.Source.DNS, listener);
        CertLookup ldap = heard(LdapCertLookup.create(settings), DiscoveryListener.Source.LDAP, listener);
        CertLookup both = owner -> LdapCertLookup.isOwner(owner) ? ldap.lookup(owner) : dns.lookup(owner);
        return new CertificateDiscovery(new CachedCertLookup(both, settings.cache(), listener), settings.ownerNames(),
                settings.certificateDirectory(), settings.ldap().enabled());
    }

    /** {@code lookup}, timed, each answer passed to {@code listener}. */
    static CertLookup heard(CertLookup lookup, DiscoveryListener.Source source, DiscoveryListener listener) {
        return owner -> {
            long start = System.nanoTime();
            OwnerLookup answer = lookup.lookup(owner);
            listener.lookedUp(source, answer, Duration.ofNanos(System.nanoTime() - start));
            return answer;
        };
    }

    /**
     * @param address a Direct address, {@code local@domain}
     * @param usable  the caller's usability test (trust validation); may be called from this thread only
     * @throws IllegalArgumentException when {@code address} is not an address
     */
    public DiscoveryResult discover(String address, Predicate<X509Certificate> usable) {
        return discover(DirectAddress.parse(address), usable);
    }

    public DiscoveryResult discover(DirectAddress address, Predicate<X509Certificate> usable) {
        List<OwnerLookup> steps = new ArrayList<>();
        if (files.isPresent() && files.get().exists()) {
            CertificateDir dir = files.get();
            DiscoveryResult decided = decide(address, Binding.ADDRESS, dir.addressBound(address), usable, steps);
            if (decided == null) {
                decided = decide(address, Binding.DOMAIN, dir.domainBound(address), usable, steps);
            }
            if (decided != null) {
                return decided;
            }
        }
        for (String owner : OwnerNames.addressBound(address, mode)) {
            DiscoveryResult decided = decide(address, Binding.ADDRESS, lookup.lookup(owner), usable, steps);
            if (decided != null) {
                return decided;
            }
        }
        DiscoveryResult decided = decide(address, Binding.DOMAIN, lookup.lookup(OwnerNames.domainBound(address)),
                usable, steps);
        if (decided == null && ldap) {
            decided = decide(address, Binding.ADDRESS, lookup.lookup(LdapCertLookup.owner(address.toString())),
                    usable, steps);
            if (decided == null) {
                decided = decide(address, Binding.DOMAIN, lookup.lookup(LdapCertLookup.owner(address.domain())),
                        usable, steps);
            }
        }
        return decided != null ? decided : new DiscoveryResult.NotFound(address, steps);
    }

    /** The counters of the shared cache; all zero when this instance has no cache. */
    public CacheStatistics cacheStatistics() {
        return lookup instanceof CachedCertLookup cached ? cached.statistics() : CacheStatistics.NONE;
    }

    /** Records one step; returns the result when it decides discovery, null when discovery goes on. */
    private static DiscoveryResult decide(DirectAddress address, Binding binding, OwnerLookup found,
                                          Predicate<X509Certificate> usable, List<OwnerLookup> steps) {
        steps.add(found);
        if (found instanceof OwnerLookup.Unavailable unavailable) {
            return new DiscoveryResult.TemporaryFailure(address, found.owner() + ": " + unavailable.reason(), steps);
        }
        if (!(found instanceof OwnerLookup.Published published)) {
            return null;
        }
        List<DiscoveredCertificate> good = new ArrayList<>();
        List<DiscoveredCertificate> bad = new ArrayList<>();
        for (FoundCertificate cert : published.certificates()) {
            boolean ok = usable.test(cert.certificate());
            (ok ? good : bad).add(new DiscoveredCertificate(cert.certificate(), binding, found.owner(), cert.source(),
                    ok));
        }
        return good.isEmpty()
                ? new DiscoveryResult.FoundNoneUsable(address, binding, bad, steps)
                : new DiscoveryResult.Found(address, binding, good, bad, steps);
    }
}
