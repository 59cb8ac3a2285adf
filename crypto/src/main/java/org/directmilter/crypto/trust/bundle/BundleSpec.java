package org.directmilter.crypto.trust.bundle;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.Direction;

/**
 * One bundle the operator subscribed to: what to fetch and where its anchors apply.
 *
 * @param name       a short name (letters, digits, '.', '_', '-'): names the persisted copy, logs, audit lines
 * @param url        {@code https:} or {@code file:}
 * @param domains    the local domains its anchors apply to, lower case; {@link AnchorStore#ALL_DOMAINS}
 *                   for every local domain
 * @param directions incoming, outgoing or both
 * @param signer     for a signed bundle, the certificate whose key must have signed it; empty: the bundle
 *                   is an unsigned certs-only PKCS#7 and a signed one is refused
 * @param refresh    how often it is fetched again (a random extra of up to a tenth is added)
 */
public record BundleSpec(String name, URI url, List<String> domains, Set<Direction> directions,
                         Optional<X509Certificate> signer, Duration refresh) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public BundleSpec {
        Objects.requireNonNull(name);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bundle name must be 1-64 letters, digits, '.', '_' or '-': " + name);
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("file")) {
            throw new IllegalArgumentException("bundle URL must be https: or file:, not " + url);
        }
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("bundle " + name + " applies to no domain");
        }
        if (directions.isEmpty()) {
            throw new IllegalArgumentException("bundle " + name + " applies to no direction");
        }
        if (refresh.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("bundle refresh interval must be at least 1m");
        }
        domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).distinct().toList();
        directions = Set.copyOf(directions);
    }

    /** The scope {@link org.directmilter.crypto.trust.Anchor} uses: empty for every local domain. */
    static Optional<String> scope(String domain) {
        return domain.equals(AnchorStore.ALL_DOMAINS) ? Optional.empty() : Optional.of(domain);
    }
}
