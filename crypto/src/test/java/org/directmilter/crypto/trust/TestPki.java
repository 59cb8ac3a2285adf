package org.directmilter.crypto.trust;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test PKIs built at run time with Bouncy Castle; no key ever touches the disk or the repository. */
final class TestPki {

    private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();
    private static final AtomicLong SERIAL = new AtomicLong(1000);

    private TestPki() {
    }

    /** An RSA key pair, generated once per name and size for the whole test run. */
    static KeyPair rsa(String name, int bits) {
        return KEYS.computeIfAbsent("rsa" + bits + name, k -> generate("RSA", bits, null));
    }

    static KeyPair rsa(String name) {
        return rsa(name, 2048);
    }

    static KeyPair ec(String name, String curve) {
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
    record Issued(X509Certificate cert, KeyPair keys) {
    }

    /** A self-signed root CA. */
    static Issued root(String cn) {
        return cert(cn, rsa(cn)).ca().build();
    }

    /** An intermediate CA under {@code issuer}. */
    static Issued intermediate(String cn, Issued issuer) {
        return cert(cn, rsa(cn)).issuer(issuer).ca().build();
    }

    static Builder cert(String cn, KeyPair keys) {
        return new Builder(cn, keys);
    }

    static final class Builder {
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

        Builder(String cn, KeyPair keys) {
            this.cn = cn;
            this.keys = keys;
        }

        Builder issuer(Issued issuer) {
            this.issuerName = X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded());
            this.issuerKey = issuer.keys().getPrivate();
            return this;
        }

        /** Issuer name = own subject name, but signed with another key (cross-signed "self-issued"). */
        Builder selfIssuedSignedBy(KeyPair signer) {
            this.issuerKey = signer.getPrivate();
            return this;
        }

        /** Overrides the subject DN (e.g. to copy another certificate's). */
        Builder subject(X509Certificate copyFrom) {
            this.subject = X500Name.getInstance(copyFrom.getSubjectX500Principal().getEncoded());
            return this;
        }

        Builder ca() {
            this.ca = true;
            return this;
        }

        Builder validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        Builder keyUsage(int bits) {
            this.keyUsage = bits;
            return this;
        }

        Builder eku(KeyPurposeId... purposes) {
            this.eku = List.of(purposes);
            return this;
        }

        Builder email(String address) {
            sans.add(new GeneralName(GeneralName.rfc822Name, address));
            return this;
        }

        Builder legacyEmail(String address) {
            this.email = address;
            return this;
        }

        Builder dns(String name) {
            sans.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        Builder crl(String url) {
            crlUrls.add(url);
            return this;
        }

        Builder aia(String url) {
            aiaUrls.add(url);
            return this;
        }

        Builder signatureAlgorithm(String name) {
            this.signatureAlgorithm = name;
            return this;
        }

        Builder serial(BigInteger value) {
            this.serial = value;
            return this;
        }

        Builder subjectKeyId(byte[] id) {
            this.subjectKeyId = id;
            return this;
        }

        Issued build() {
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
                    if (keyUsage != null) {
                        b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
                    }
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
    static X509CRL crl(Issued issuer, Instant thisUpdate, Instant nextUpdate, X509Certificate... revoked) {
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

}
