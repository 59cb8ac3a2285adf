package org.directmilter.resolver;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.directmilter.resolver.cache.CacheStatistics;
import org.directmilter.resolver.cache.CachedCertLookup;
import org.directmilter.resolver.dns.DnsCertLookup;
import org.directmilter.resolver.dns.OwnerNames;

/**
 * Discovers the certificates of a Direct address (DIRECT-REQUIREMENTS §1.6, RFC 4398):
 *
 * <ol>
 *   <li>the address-bound owner name(s), in the configured {@link OwnerNameMode};</li>
 *   <li>only when step 1 found no certificate records at all, the domain-bound name.</li>
 * </ol>
 *
 * The first step that publishes records decides: its usable certificates are returned (all of them), and
 * if none is usable, discovery stops with {@link DiscoveryResult.FoundNoneUsable} — no fallback. Any
 * lookup that cannot be answered now makes the whole result a {@link DiscoveryResult.TemporaryFailure}.
 *
 * <p>Thread-safe; one instance serves the whole daemon.
 */
public final class CertificateDiscovery {

    private final CertLookup lookup;
    private final OwnerNameMode mode;

    public CertificateDiscovery(CertLookup lookup, OwnerNameMode mode) {
        this.lookup = lookup;
        this.mode = mode;
    }

    /** DNS discovery with the shared cache, as the daemon runs it. */
    public static CertificateDiscovery create(ResolverSettings settings) {
        CertLookup dns = DnsCertLookup.create(settings);
        return new CertificateDiscovery(new CachedCertLookup(dns, settings.cache()), settings.ownerNames());
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
        for (String owner : OwnerNames.addressBound(address, mode)) {
            DiscoveryResult decided = step(address, Binding.ADDRESS, owner, usable, steps);
            if (decided != null) {
                return decided;
            }
        }
        DiscoveryResult decided = step(address, Binding.DOMAIN, OwnerNames.domainBound(address), usable, steps);
        return decided != null ? decided : new DiscoveryResult.NotFound(address, steps);
    }

    /** The counters of the shared cache; all zero when this instance has no cache. */
    public CacheStatistics cacheStatistics() {
        return lookup instanceof CachedCertLookup cached ? cached.statistics() : CacheStatistics.NONE;
    }

    /** Returns the result when this owner name decides discovery, null when discovery goes on. */
    private DiscoveryResult step(DirectAddress address, Binding binding, String owner,
                                 Predicate<X509Certificate> usable, List<OwnerLookup> steps) {
        OwnerLookup found = lookup.lookup(owner);
        steps.add(found);
        if (found instanceof OwnerLookup.Unavailable unavailable) {
            return new DiscoveryResult.TemporaryFailure(address, owner + ": " + unavailable.reason(), steps);
        }
        if (!(found instanceof OwnerLookup.Published published)) {
            return null;
        }
        List<DiscoveredCertificate> good = new ArrayList<>();
        List<DiscoveredCertificate> bad = new ArrayList<>();
        for (FoundCertificate cert : published.certificates()) {
            boolean ok = usable.test(cert.certificate());
            (ok ? good : bad).add(new DiscoveredCertificate(cert.certificate(), binding, owner, cert.source(), ok));
        }
        return good.isEmpty()
                ? new DiscoveryResult.FoundNoneUsable(address, binding, bad, steps)
                : new DiscoveryResult.Found(address, binding, good, bad, steps);
    }
}
