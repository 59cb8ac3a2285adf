package org.directmilter.crypto.trust;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * A trust anchor loaded from disk: the CA certificate whose key ends every trusted path.
 *
 * @param certificate the anchor (a CA; need not be self-signed)
 * @param source      the file it came from
 * @param domain      the local domain it applies to, or empty for the all-domains directory
 * @param direction   incoming or outgoing
 */
public record Anchor(X509Certificate certificate, Path source, Optional<String> domain, Direction direction) {

    public String subject() {
        return certificate.getSubjectX500Principal().getName();
    }

    public String sha256() {
        return Certificates.sha256(certificate);
    }
}
