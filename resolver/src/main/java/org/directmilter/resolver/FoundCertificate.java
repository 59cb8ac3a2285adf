package org.directmilter.resolver;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * A certificate taken from a CERT record: inline (PKIX, type 1) or fetched from the URL an IPKIX
 * (type 4) — or, in compatibility mode, a type 253 — record names; or read from a file the operator
 * placed in the certificate directory ({@link #FILE}); or read from an LDAP entry ({@link #LDAP}).
 */
public record FoundCertificate(X509Certificate certificate, int certType, Optional<URI> url) {

    public static final int PKIX = 1;
    public static final int IPKIX = 4;
    public static final int URI_TYPE = 253;
    /** Not from DNS: a file in the certificate directory. 0 is reserved in RFC 4398, so no record has it. */
    public static final int FILE = 0;
    /** Not from DNS: an LDAP entry; the URL is the search that found it (RFC 4516). No CERT type is negative. */
    public static final int LDAP = -1;

    /** {@code PKIX}, {@code IPKIX <url>} / {@code URI <url>}, or {@code CertificateDir}. */
    public String source() {
        String type = switch (certType) {
            case PKIX -> "PKIX";
            case IPKIX -> "IPKIX";
            case URI_TYPE -> "URI";
            case FILE -> "CertificateDir";
            case LDAP -> "LDAP";
            default -> "type " + certType;
        };
        return url.map(u -> type + " " + u).orElse(type);
    }
}
