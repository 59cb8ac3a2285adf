package org.directmilter.milter.demo;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for one demo domain, and the certificates it issues: RSA 2048,
 * SHA-256, with exactly the extensions the trust validator and {@code openssl cms -verify} (purpose
 * smimesign) look for. The CA's key lives only in memory: once the demo's files are written, nothing
 * more is ever issued.
 */
final class DemoAuthority {

    /** Long enough for a demo directory kept around; short enough that nobody mistakes it for a real CA. */
    private static final Duration VALIDITY = Duration.ofDays(2 * 365);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keys;
    private final X509Certificate certificate;

    private DemoAuthority(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A private key with the certificate chain that goes with it, end entity first. */
    record Issued(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {
    }

    static DemoAuthority create(String domain) throws GeneralSecurityException {
        KeyPair keys = rsa();
        X500Name name = new X500Name("O=direct-milter demo, CN=" + domain + " demo CA");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), notBefore(),
                notAfter(), name, keys.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        add(builder, Extension.basicConstraints, true, new BasicConstraints(true));
        add(builder, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        add(builder, Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
        return new DemoAuthority(keys, sign(builder, keys.getPrivate()));
    }

    X509Certificate certificate() {
        return certificate;
    }

    /**
     * A certificate for Direct: an address gets an rfc822Name, a domain a dNSName (the binding the
     * validator checks); keyUsage allows signing and RSA key transport, extendedKeyUsage emailProtection.
     */
    Issued issue(String addressOrDomain) throws GeneralSecurityException {
        KeyPair subject = rsa();
        // The issuer name is taken from the CA certificate itself, so chain building matches it byte for byte.
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), notBefore(),
                notAfter(), new X500Name("O=direct-milter demo, CN=" + addressOrDomain), subject.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        int nameType = addressOrDomain.contains("@") ? GeneralName.rfc822Name : GeneralName.dNSName;
        add(builder, Extension.basicConstraints, true, new BasicConstraints(false));
        add(builder, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        add(builder, Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_emailProtection));
        add(builder, Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(nameType, addressOrDomain)));
        add(builder, Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subject.getPublic()));
        add(builder, Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate));
        return new Issued(subject.getPrivate(), sign(builder, keys.getPrivate()), certificate);
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, RANDOM);
        return generator.generateKeyPair();
    }

    /** RFC 5280: positive, unique, at most 20 octets; 64 random bits make a clash between runs negligible. */
    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    // A day of slack before now, so a partner whose clock is a little behind still accepts the certificates.
    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofDays(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(VALIDITY));
    }

    private static void add(X509v3CertificateBuilder builder, ASN1ObjectIdentifier oid, boolean critical,
                            ASN1Encodable value) throws GeneralSecurityException {
        try {
            builder.addExtension(oid, critical, value);
        } catch (CertIOException e) {
            throw new GeneralSecurityException("cannot encode extension " + oid, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with SHA256withRSA", e);
        }
    }
}
