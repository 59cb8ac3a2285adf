package org.directmilter.resolver;

import java.util.List;

/**
 * What one owner name holds: the unit that is queried, cached and traced.
 *
 * <p>{@link Published}: at least one CERT record of a type we use (PKIX, IPKIX, and type 253 when
 * enabled) — even if no certificate could be read from it. {@link NonePublished}: NXDOMAIN, NODATA, or
 * only CERT records of other types. {@link Unavailable}: the answer is unknown now (SERVFAIL, REFUSED,
 * timeouts, unreachable servers, a certificate URL that cannot be fetched now).
 *
 * <p>An owner may also be an LDAP search ({@link org.directmilter.resolver.ldap.LdapCertLookup#owner}):
 * then {@link #exchanges()} holds the DNS questions for the SRV records and server addresses, and
 * {@link #notes()} the LDAP steps (SRV answer, servers tried, base DNs, filter).
 */
public sealed interface OwnerLookup {

    /** The owner name queried, absolute, in presentation form (e.g. {@code bob.example.org.}). */
    String owner();

    /** Every exchange with a server, in order. */
    List<DnsExchange> exchanges();

    /** Steps that are not DNS exchanges, one line each, for the {@code lookup} command; often empty. */
    List<String> notes();

    /**
     * @param certificates every certificate read from the records
     * @param problems     records that gave no certificate, one line each (unparsable data, dead URL)
     * @param ttlSeconds   the smallest TTL of the records used
     */
    record Published(String owner, List<FoundCertificate> certificates, List<String> problems, long ttlSeconds,
                     List<DnsExchange> exchanges, List<String> notes) implements OwnerLookup {
        public Published {
            certificates = List.copyOf(certificates);
            problems = List.copyOf(problems);
            exchanges = List.copyOf(exchanges);
            notes = List.copyOf(notes);
        }

        public Published(String owner, List<FoundCertificate> certificates, List<String> problems, long ttlSeconds,
                         List<DnsExchange> exchanges) {
            this(owner, certificates, problems, ttlSeconds, exchanges, List.of());
        }
    }

    /**
     * @param reason             {@code NXDOMAIN}, {@code NODATA}, or why the records present were ignored
     * @param negativeTtlSeconds from the SOA in the authority section (RFC 2308), or -1 when absent
     */
    record NonePublished(String owner, String reason, long negativeTtlSeconds, List<DnsExchange> exchanges,
                         List<String> notes) implements OwnerLookup {
        public NonePublished {
            exchanges = List.copyOf(exchanges);
            notes = List.copyOf(notes);
        }

        public NonePublished(String owner, String reason, long negativeTtlSeconds, List<DnsExchange> exchanges) {
            this(owner, reason, negativeTtlSeconds, exchanges, List.of());
        }
    }

    record Unavailable(String owner, String reason, List<DnsExchange> exchanges, List<String> notes)
            implements OwnerLookup {
        public Unavailable {
            exchanges = List.copyOf(exchanges);
            notes = List.copyOf(notes);
        }

        public Unavailable(String owner, String reason, List<DnsExchange> exchanges) {
            this(owner, reason, exchanges, List.of());
        }
    }
}
