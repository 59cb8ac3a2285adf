package org.directmilter.resolver.dns;

import java.io.ByteArrayInputStream;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads X.509 certificates from DER, PEM, or a certs-only PKCS#7 (DER or PEM). */
public final class Certificates {

    private Certificates() {
    }

    /** @throws CertificateException when the bytes hold no certificate */
    public static List<X509Certificate> parseAll(byte[] data) throws CertificateException {
        Collection<? extends Certificate> parsed =
                CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(data));
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : parsed) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new CertificateException("no certificate in " + data.length + " bytes");
        }
        return out;
    }

    /** Exactly one DER certificate, as a PKIX CERT record holds. */
    public static X509Certificate parseDer(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }
}
