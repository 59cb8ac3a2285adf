package org.directmilter.crypto.testpki;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.X509ObjectIdentifiers;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.directmilter.crypto.keys.PrivateKeyEntry;

/**
 * The test PKI of every module (never checked in: certificates and keys are made at test run time).
 * Static builders make any certificate a test needs ({@link #root}, {@link #cert}, {@link #crl}); an
 * instance is one CA that issues end entities for Direct addresses that sign and encrypt, as openssl's
 * {@code -purpose smimesign} expects them, with helpers to write them as PEM and PKCS#12.
 */
public final class TestPki {

    private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private final Issued ca;

    private TestPki(Issued ca) {
        this.ca = ca;
    }

    /** A new CA with a fresh key. */
    public static TestPki create(String name) {
        return new TestPki(cert(name, rsa(2048)).subjectName(new X500Name("CN=" + name + ", O=direct-milter tests"))
                .ca().build());
    }

    public X509Certificate caCertificate() {
        return ca.cert();
    }

    /** An RSA end entity for {@code address} with a fresh key of {@code bits}. */
    public PrivateKeyEntry rsaEntity(String address, int bits) {
        return entity(address, rsa(bits));
    }

    /** An ECDSA P-256 end entity with a fresh key (signing only in practice: key transport needs RSA). */
    public PrivateKeyEntry ecEntity(String address) {
        return entity(address, generate("EC", 0, "secp256r1"));
    }

    public PrivateKeyEntry entity(String address, KeyPair keys) {
        return entity(address, keys, UnaryOperator.identity());
    }

    /** An end entity as {@link #entity(String, KeyPair)}, with more set on its builder (a CRL URL, say). */
    public PrivateKeyEntry entity(String address, KeyPair keys, UnaryOperator<Builder> more) {
        boolean rsa = "RSA".equals(keys.getPublic().getAlgorithm());
        Issued issued = more.apply(cert(address, keys)
                .subjectName(new X500Name("CN=" + address + ", O=direct-milter tests"))
                .issuer(ca).endEntity().authorityKeyId()
                .keyUsage(KeyUsage.digitalSignature | (rsa ? KeyUsage.keyEncipherment : KeyUsage.keyAgreement))
                .eku(KeyPurposeId.id_kp_emailProtection).email(address)).build();
        return new PrivateKeyEntry(keys.getPrivate(), List.of(issued.cert(), ca.cert()));
    }

    /** A fresh RSA key pair (not shared with any other caller). */
    public static KeyPair rsa(int bits) {
        return generate("RSA", bits, null);
    }

    /** An RSA key pair, generated once per name and size for the whole test run. */
    public static KeyPair rsa(String name, int bits) {
        return KEYS.computeIfAbsent("rsa" + bits + name, k -> generate("RSA", bits, null));
    }

    public static KeyPair rsa(String name) {
        return rsa(name, 2048);
    }

    public static KeyPair ec(String name, String curve) {
        return KEYS.computeIfAbsent("ec" + curve + name, k -> generate("EC", 0, curve));
    }

    private static KeyPair generate(String algorithm, int bits, String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                g.initialize(new ECGenParameterSpec(curve));
            } else {
                g.initialize(bits);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate with its key pair. */
    public record Issued(X509Certificate cert, KeyPair keys) {
    }

    /** A self-signed root CA. */
    public static Issued root(String cn) {
        return cert(cn, rsa(cn)).ca().build();
    }

    /** An intermediate CA under {@code issuer}. */
    public static Issued intermediate(String cn, Issued issuer) {
        return cert(cn, rsa(cn)).issuer(issuer).ca().build();
    }

    public static Builder cert(String cn, KeyPair keys) {
        return new Builder(cn, keys);
    }

    public static final class Builder {
        private final String cn;
        private final KeyPair keys;
        private X500Name subject;
        private X500Name issuerName;
        private PrivateKey issuerKey;
        private Instant notBefore = Instant.now().minus(Duration.ofDays(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(365));
        private boolean ca;
        private Integer keyUsage;
        private List<KeyPurposeId> eku;
        private final List<GeneralName> sans = new ArrayList<>();
        private String email;
        private final List<String> crlUrls = new ArrayList<>();
        private final List<String> aiaUrls = new ArrayList<>();
        private String signatureAlgorithm;
        private BigInteger serial = BigInteger.valueOf(SERIAL.incrementAndGet());
        private byte[] subjectKeyId;
        private X509Certificate issuerCert;
        private boolean endEntity;
        private boolean authorityKeyId;

        Builder(String cn, KeyPair keys) {
            this.cn = cn;
            this.keys = keys;
        }

        public Builder issuer(Issued issuer) {
            this.issuerName = X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded());
            this.issuerKey = issuer.keys().getPrivate();
            this.issuerCert = issuer.cert();
            return this;
        }

        /** The subject DN exactly as given (else "O=Test, CN=cn"). */
        public Builder subjectName(X500Name name) {
            this.subject = name;
            return this;
        }

        /** basicConstraints cA=false, critical, as openssl's smimesign purpose likes it. */
        public Builder endEntity() {
            this.endEntity = true;
            return this;
        }

        /** An authorityKeyIdentifier from the issuer's key (needs {@link #issuer}). */
        public Builder authorityKeyId() {
            this.authorityKeyId = true;
            return this;
        }

        /** Issuer name = own subject name, but signed with another key (cross-signed "self-issued"). */
        public Builder selfIssuedSignedBy(KeyPair signer) {
            this.issuerKey = signer.getPrivate();
            return this;
        }

        /** Overrides the subject DN (e.g. to copy another certificate's). */
        public Builder subject(X509Certificate copyFrom) {
            this.subject = X500Name.getInstance(copyFrom.getSubjectX500Principal().getEncoded());
            return this;
        }

        public Builder ca() {
            this.ca = true;
            return this;
        }

        public Builder validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        public Builder keyUsage(int bits) {
            this.keyUsage = bits;
            return this;
        }

        public Builder eku(KeyPurposeId... purposes) {
            this.eku = List.of(purposes);
            return this;
        }

        public Builder email(String address) {
            sans.add(new GeneralName(GeneralName.rfc822Name, address));
            return this;
        }

        public Builder legacyEmail(String address) {
            this.email = address;
            return this;
        }

        public Builder dns(String name) {
            sans.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        /** An iPAddress subjectAltName, for a TLS server reached by address (e.g. 127.0.0.1). */
        public Builder ip(String address) {
            sans.add(new GeneralName(GeneralName.iPAddress, address));
            return this;
        }

        public Builder crl(String url) {
            crlUrls.add(url);
            return this;
        }

        public Builder aia(String url) {
            aiaUrls.add(url);
            return this;
        }

        public Builder signatureAlgorithm(String name) {
            this.signatureAlgorithm = name;
            return this;
        }

        public Builder serial(BigInteger value) {
            this.serial = value;
            return this;
        }

        public Builder subjectKeyId(byte[] id) {
            this.subjectKeyId = id;
            return this;
        }

        public Issued build() {
            try {
                X500Name subjectName = subject;
                if (subjectName == null) {
                    X500NameBuilder nb = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Test")
                            .addRDN(BCStyle.CN, cn);
                    if (email != null) {
                        nb.addRDN(BCStyle.EmailAddress, email);
                    }
                    subjectName = nb.build();
                }
                X500Name issuer = issuerName == null ? subjectName : issuerName;
                PrivateKey signer = issuerKey == null ? keys.getPrivate() : issuerKey;
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial,
                        Date.from(notBefore), Date.from(notAfter), subjectName, keys.getPublic());
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                b.addExtension(Extension.subjectKeyIdentifier, false, subjectKeyId != null
                        ? new org.bouncycastle.asn1.x509.SubjectKeyIdentifier(subjectKeyId)
                        : utils.createSubjectKeyIdentifier(keys.getPublic()));
                if (ca) {
                    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                    b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage != null ? keyUsage
                            : KeyUsage.keyCertSign | KeyUsage.cRLSign));
                } else {
                    if (endEntity) {
                        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    }
                    if (keyUsage != null) {
                        b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
                    }
                }
                if (authorityKeyId && issuerCert != null) {
                    b.addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(issuerCert));
                }
                if (eku != null) {
                    b.addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(eku.toArray(KeyPurposeId[]::new)));
                }
                if (!sans.isEmpty()) {
                    b.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                if (!crlUrls.isEmpty()) {
                    DistributionPoint[] points = crlUrls.stream().map(u -> new DistributionPoint(
                            new DistributionPointName(new GeneralNames(
                                    new GeneralName(GeneralName.uniformResourceIdentifier, u))), null, null))
                            .toArray(DistributionPoint[]::new);
                    b.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(points));
                }
                if (!aiaUrls.isEmpty()) {
                    AccessDescription[] ads = aiaUrls.stream().map(u -> new AccessDescription(
                            X509ObjectIdentifiers.id_ad_caIssuers,
                            new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String(u))))
                            .toArray(AccessDescription[]::new);
                    b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(ads));
                }
                String alg = signatureAlgorithm != null ? signatureAlgorithm
                        : signer.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
                X509Certificate cert = new JcaX509CertificateConverter()
                        .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
                return new Issued(cert, keys);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A CRL signed by {@code issuer}, valid from now for {@code lifetime}, listing {@code revoked}. */
    public static X509CRL crl(Issued issuer, Instant thisUpdate, Instant nextUpdate, X509Certificate... revoked) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(
                    X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded()),
                    Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            for (X509Certificate r : revoked) {
                b.addCRLEntry(r.getSerialNumber(), Date.from(Instant.parse("2026-05-02T10:00:00Z")),
                        org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
            }
            return new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder(
                    issuer.keys().getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                    .build(issuer.keys().getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM text of certificates or keys. */
    public static String pem(Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                // private keys as PKCS#8, which openssl reads for RSA and EC alike
                writer.writeObject(o instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /**
     * Writes {@code entry} as a PKCS#12 file sealed with {@code password}, mode 0600 as a key store wants
     * its files.
     */
    public static Path writePkcs12(Path file, PrivateKeyEntry entry, String password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", entry.key(), password.toCharArray(), entry.chain().toArray(Certificate[]::new));
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path writePem(Path file, Object... objects) {
        try {
            return Files.writeString(file, pem(objects));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
