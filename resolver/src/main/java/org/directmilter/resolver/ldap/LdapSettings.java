package org.directmilter.resolver.ldap;

import java.time.Duration;

/**
 * How certificates are looked up in LDAP.
 *
 * @param enabled     ask LDAP when DNS publishes no CERT record for the address or its domain
 * @param timeout     connecting to one server, and waiting for each of its answers; the search's time limit
 * @param ttl         how long an answer that found certificates is cached (LDAP answers carry no TTL)
 * @param negativeTtl how long "nothing published" (no SRV record, no entry) is cached
 * @param maxEntries  entries read per search at most (the search's size limit)
 */
public record LdapSettings(boolean enabled, Duration timeout, Duration ttl, Duration negativeTtl, int maxEntries) {

    public static final LdapSettings DEFAULTS = new LdapSettings(true, Duration.ofSeconds(5), Duration.ofHours(1),
            Duration.ofMinutes(1), 16);

    public LdapSettings {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("LDAP timeout must be positive");
        }
        if (ttl.isNegative() || negativeTtl.isNegative()) {
            throw new IllegalArgumentException("LDAP cache times must not be negative");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
    }
}
