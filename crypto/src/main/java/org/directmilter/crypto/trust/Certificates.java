package org.directmilter.crypto.trust;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading certificates in the forms operators and CAs publish them, and small facts about them. */
public final class Certificates {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private Certificates() {
    }

    /**
     * Every certificate in {@code bytes}: PEM (CERTIFICATE or PKCS7 blocks, several allowed), a DER
     * certificate, or a DER PKCS#7 certs-only bundle (.p7b/.p7c).
     *
     * @throws CertificateException with a reason fit for a log line when nothing can be read
     */
    public static List<X509Certificate> parse(byte[] bytes) throws CertificateException {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN ")) {
            return parsePem(text);
        }
        if (bytes.length == 0 || bytes[0] != 0x30) {
            throw new CertificateException("neither PEM nor DER (a certificate or PKCS#7 bundle)");
        }
        return parseDer(bytes);
    }

    private static List<X509Certificate> parsePem(String text) throws CertificateException {
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            if (!type.equals("CERTIFICATE") && !type.equals("X509 CERTIFICATE") && !type.equals("PKCS7")) {
                continue;
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new CertificateException("bad base64 in PEM " + type + " block");
            }
            out.addAll(parseDer(der));
        }
        if (out.isEmpty()) {
            throw new CertificateException("no complete PEM CERTIFICATE or PKCS7 block");
        }
        return out;
    }

    private static List<X509Certificate> parseDer(byte[] der) throws CertificateException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (Certificate c : factory().generateCertificates(new ByteArrayInputStream(der))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException | RuntimeException e) {
            throw new CertificateException("unreadable certificate or PKCS#7 bundle (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) {
            throw new CertificateException("no certificate in it");
        }
        return out;
    }

    static CertificateFactory factory() throws CertificateException {
        return CertificateFactory.getInstance("X.509");
    }

    /** Lower-case hex SHA-256 of the DER encoding, the fingerprint operators compare. */
    public static String sha256(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when basicConstraints says CA. */
    public static boolean isCa(X509Certificate certificate) {
        return certificate.getBasicConstraints() >= 0;
    }

    /** True when {@code issuer}'s key verifies {@code subject}'s signature and the names chain. */
    static boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** A short human name: the subject and serial. */
    static String describe(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName() + " (serial "
                + certificate.getSerialNumber().toString(16) + ")";
    }
}
