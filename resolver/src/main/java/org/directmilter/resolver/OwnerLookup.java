package org.directmilter.resolver;

import java.util.List;

/**
 * What one owner name holds: the unit that is queried, cached and traced.
 *
 * <p>{@link Published}: at least one CERT record of a type we use (PKIX, IPKIX, and type 253 when
 * enabled) — even if no certificate could be read from it. {@link NonePublished}: NXDOMAIN, NODATA, or
 * only CERT records of other types. {@link Unavailable}: the answer is unknown now (SERVFAIL, REFUSED,
 * timeouts, unreachable servers, a certificate URL that cannot be fetched now).
 */
public sealed interface OwnerLookup {

    /** The owner name queried, absolute, in presentation form (e.g. {@code bob.example.org.}). */
    String owner();

    /** Every exchange with a server, in order. */
    List<DnsExchange> exchanges();

    /**
     * @param certificates every certificate read from the records
     * @param problems     records that gave no certificate, one line each (unparsable data, dead URL)
     * @param ttlSeconds   the smallest TTL of the records used
     */
    record Published(String owner, List<FoundCertificate> certificates, List<String> problems, long ttlSeconds,
                     List<DnsExchange> exchanges) implements OwnerLookup {
        public Published {
            certificates = List.copyOf(certificates);
            problems = List.copyOf(problems);
            exchanges = List.copyOf(exchanges);
        }
    }

    /**
     * @param reason             {@code NXDOMAIN}, {@code NODATA}, or why the records present were ignored
     * @param negativeTtlSeconds from the SOA in the authority section (RFC 2308), or -1 when absent
     */
    record NonePublished(String owner, String reason, long negativeTtlSeconds, List<DnsExchange> exchanges)
            implements OwnerLookup {
        public NonePublished {
            exchanges = List.copyOf(exchanges);
        }
    }

    record Unavailable(String owner, String reason, List<DnsExchange> exchanges) implements OwnerLookup {
        public Unavailable {
            exchanges = List.copyOf(exchanges);
        }
    }
}
