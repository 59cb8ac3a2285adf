package org.directmilter.milter.policy;

import java.security.cert.X509Certificate;
import org.directmilter.crypto.trust.Anchor;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.crypto.trust.ValidationResult;

/** How a certificate is named in audit lines and the trace header: serial, issuer, SHA-256, anchor, and the trust bundle the anchor came from. */
final class CertificateIdentity {

    private CertificateIdentity() {
    }

    static String describe(ValidationResult verdict) {
        X509Certificate c = verdict.certificate();
        return "serial:" + c.getSerialNumber().toString(16) + ",issuer:" + c.getIssuerX500Principal().getName()
                + ",sha256:" + Certificates.sha256(c)
                + verdict.anchor().map(Anchor::subject).map(a -> ",anchor:" + a).orElse("")
                + verdict.anchor().flatMap(Anchor::bundle).map(b -> ",bundle:" + b).orElse("")
                + (verdict.warnings().isEmpty() ? "" : ",warning:" + String.join("; ", verdict.warnings()));
    }
}
