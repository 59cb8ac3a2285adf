package org.directmilter.resolver;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.directmilter.resolver.cache.CacheSettings;
import org.directmilter.resolver.ldap.LdapSettings;

/**
 * Everything discovery can be configured with.
 *
 * @param nameservers    servers asked in order; empty means the system resolver's
 * @param timeout        per exchange (one UDP or TCP question to one server)
 * @param attempts       rounds over all servers before giving up (at least 1)
 * @param ednsPayload    EDNS0 UDP payload size advertised; 0 disables EDNS0
 * @param ownerNames     owner-name form(s) for address-bound records
 * @param urlTimeout     connect and read timeout for IPKIX URLs
 * @param urlMaxBytes    largest certificate object fetched from a URL
 * @param type253AsUrl   treat CERT type 253 (URI) like IPKIX, as the Direct reference implementation publishes
 * @param cache          cache bounds
 * @param certificateDirectory partners' certificates placed by the operator, consulted before DNS;
 *                       skipped when empty or when the directory does not exist
 * @param ldap           LDAP discovery, asked when DNS publishes no CERT record for the address or domain
 */
public record ResolverSettings(List<InetSocketAddress> nameservers, Duration timeout, int attempts, int ednsPayload,
                               OwnerNameMode ownerNames, Duration urlTimeout, long urlMaxBytes,
                               boolean type253AsUrl, CacheSettings cache,
                               Optional<Path> certificateDirectory, LdapSettings ldap) {

    public ResolverSettings {
        nameservers = List.copyOf(nameservers);
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /** The defaults the configuration file documents, with these nameservers. */
    public static ResolverSettings defaults(List<InetSocketAddress> nameservers) {
        return new ResolverSettings(nameservers, Duration.ofSeconds(2), 2, 1232, OwnerNameMode.BOTH,
                Duration.ofSeconds(5), 64 * 1024, false, CacheSettings.DEFAULTS, Optional.empty(), LdapSettings.DEFAULTS);
    }

    public ResolverSettings withNameservers(List<InetSocketAddress> servers) {
        return new ResolverSettings(servers, timeout, attempts, ednsPayload, ownerNames, urlTimeout, urlMaxBytes,
                type253AsUrl, cache, certificateDirectory, ldap);
    }

    public ResolverSettings withTimeout(Duration perExchange, int rounds) {
        return new ResolverSettings(nameservers, perExchange, rounds, ednsPayload, ownerNames, urlTimeout,
                urlMaxBytes, type253AsUrl, cache, certificateDirectory, ldap);
    }

    public ResolverSettings withOwnerNames(OwnerNameMode mode) {
        return new ResolverSettings(nameservers, timeout, attempts, ednsPayload, mode, urlTimeout, urlMaxBytes,
                type253AsUrl, cache, certificateDirectory, ldap);
    }

    public ResolverSettings withType253AsUrl(boolean on) {
        return new ResolverSettings(nameservers, timeout, attempts, ednsPayload, ownerNames, urlTimeout, urlMaxBytes,
                on, cache, certificateDirectory, ldap);
    }

    public ResolverSettings withCache(CacheSettings settings) {
        return new ResolverSettings(nameservers, timeout, attempts, ednsPayload, ownerNames, urlTimeout, urlMaxBytes,
                type253AsUrl, settings, certificateDirectory, ldap);
    }

    public ResolverSettings withCertificateDirectory(Optional<Path> directory) {
        return new ResolverSettings(nameservers, timeout, attempts, ednsPayload, ownerNames, urlTimeout, urlMaxBytes,
                type253AsUrl, cache, directory, ldap);
    }

    public ResolverSettings withLdap(LdapSettings settings) {
        return new ResolverSettings(nameservers, timeout, attempts, ednsPayload, ownerNames, urlTimeout, urlMaxBytes,
                type253AsUrl, cache, certificateDirectory, settings);
    }
}
