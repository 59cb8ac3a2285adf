package org.directmilter.milter.config;

import java.util.List;
import java.util.Optional;
import org.directmilter.resolver.ResolverSettings;
import org.directmilter.resolver.cache.CacheSettings;

/** The resolver's settings as the configuration file gives them. */
public final class DiscoverySettings {

    private DiscoverySettings() {
    }

    public static ResolverSettings from(MilterConfig c) {
        CacheSettings cache = new CacheSettings(c.get(ConfigKeys.DISCOVERY_CACHE_SIZE),
                c.get(ConfigKeys.DISCOVERY_CACHE_MIN_TTL), c.get(ConfigKeys.DISCOVERY_CACHE_MAX_TTL),
                c.get(ConfigKeys.DISCOVERY_CACHE_NEGATIVE_MIN_TTL), c.get(ConfigKeys.DISCOVERY_CACHE_NEGATIVE_MAX_TTL),
                c.get(ConfigKeys.DISCOVERY_CACHE_FAILURE_TTL));
        return new ResolverSettings(c.get(ConfigKeys.NAMESERVERS).stream().map(HostPort::socketAddress).toList(),
                c.get(ConfigKeys.DNS_TIMEOUT), c.get(ConfigKeys.DNS_ATTEMPTS), c.get(ConfigKeys.DNS_BUFFER_SIZE),
                c.get(ConfigKeys.OWNER_NAMES), c.get(ConfigKeys.CERT_URL_TIMEOUT), c.get(ConfigKeys.CERT_URL_MAX_SIZE),
                c.get(ConfigKeys.CERT_TYPE_253_IS_URL), cache, Optional.of(c.get(ConfigKeys.CERTIFICATE_DIR)));
    }

    /** The defaults of every key, for commands run without a configuration file. */
    public static ResolverSettings defaults() {
        return ResolverSettings.defaults(List.of())
                .withCertificateDirectory(Optional.of(ConfigKeys.CERTIFICATE_DIR.defaultValue()));
    }
}
