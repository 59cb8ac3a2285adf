package org.directmilter.crypto.trust;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * A trust anchor: the CA certificate whose key ends every trusted path.
 *
 * @param certificate the anchor (a CA; need not be self-signed)
 * @param origin      the file or trust bundle it came from
 * @param domain      the local domain it applies to, or empty for every local domain
 * @param direction   incoming or outgoing
 */
public record Anchor(X509Certificate certificate, AnchorOrigin origin, Optional<String> domain, Direction direction) {

    /** An anchor read from a file under AnchorDir. */
    public Anchor(X509Certificate certificate, Path file, Optional<String> domain, Direction direction) {
        this(certificate, new AnchorOrigin.File(file), domain, direction);
    }

    public String subject() {
        return certificate.getSubjectX500Principal().getName();
    }

    /** The bundle it came from, when it came from one. */
    public Optional<String> bundle() {
        return origin instanceof AnchorOrigin.Bundle b ? Optional.of(b.name()) : Optional.empty();
    }

    public String sha256() {
        return Certificates.sha256(certificate);
    }
}
