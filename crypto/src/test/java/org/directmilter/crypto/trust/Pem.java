package org.directmilter.crypto.trust;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** Encodings operators use for anchor files, produced from test certificates. */
final class Pem {

    private Pem() {
    }

    static byte[] pem(X509Certificate... certs) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            sb.append("subject: ").append(c.getSubjectX500Principal()).append('\n');
            sb.append(block("CERTIFICATE", der(c)));
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#7 certs-only bundle in DER, as .p7b files are distributed. */
    static byte[] p7b(X509Certificate... certs) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertPath(List.of(certs)).getEncoded("PKCS7");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] p7bPem(X509Certificate... certs) {
        return block("PKCS7", p7b(certs)).getBytes(StandardCharsets.US_ASCII);
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
