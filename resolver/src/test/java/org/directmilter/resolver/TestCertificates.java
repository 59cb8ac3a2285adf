package org.directmilter.resolver;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates made at run time (EC P-256, small and fast); the keys are thrown away. */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private TestCertificates() {
    }

    /** A certificate for an address (rfc822Name) or a domain (dNSName), valid now. */
    public static X509Certificate valid(String subjectAltName) {
        return make(subjectAltName, false, 0);
    }

    /** Expired yesterday: a test's usability check refuses it. */
    public static X509Certificate expired(String subjectAltName) {
        return make(subjectAltName, true, 0);
    }

    /** Valid, padded with extra dNSNames until its DER exceeds {@code minBytes}. */
    public static X509Certificate large(String subjectAltName, int minBytes) {
        return make(subjectAltName, false, minBytes);
    }

    /** A certs-only PKCS#7 SignedData holding {@code cert}, as {@code userSMIMECertificate} holds it (RFC 2798). */
    public static byte[] pkcs7(X509Certificate cert) {
        try {
            org.bouncycastle.cms.CMSSignedDataGenerator gen = new org.bouncycastle.cms.CMSSignedDataGenerator();
            gen.addCertificates(new org.bouncycastle.cert.jcajce.JcaCertStore(java.util.List.of(cert)));
            return gen.generate(new org.bouncycastle.cms.CMSProcessableByteArray(new byte[0])).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The usability test the tests use: within the validity period. */
    public static boolean currentlyValid(X509Certificate cert) {
        try {
            cert.checkValidity();
            return true;
        } catch (java.security.cert.CertificateException e) {
            return false;
        }
    }

    private static X509Certificate make(String san, boolean expired, int minBytes) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = gen.generateKeyPair();
            Instant now = Instant.now();
            Instant from = expired ? now.minus(Duration.ofDays(30)) : now.minus(Duration.ofHours(1));
            Instant to = expired ? now.minus(Duration.ofDays(1)) : now.plus(Duration.ofDays(30));
            X500Name subject = new X500Name("CN=" + san + ",O=direct-milter tests");
            int padding = minBytes == 0 ? 0 : (minBytes / 40) + 1;
            GeneralName[] names = new GeneralName[1 + padding];
            names[0] = san.contains("@") ? new GeneralName(GeneralName.rfc822Name, san)
                    : new GeneralName(GeneralName.dNSName, san);
            for (int i = 1; i < names.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, "padding-" + i + ".large-certificate.invalid");
            }
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(to), subject,
                    keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            if (cert.getEncoded().length < minBytes) {
                throw new IllegalStateException("padding too small");
            }
            return cert;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
