package org.directmilter.crypto.trust.bundle;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.directmilter.crypto.testpki.TestPki.Issued;

/** Bundles as trust communities publish them: certs-only p7b (DER, PEM) and signed. */
public final class Bundles {

    private Bundles() {
    }

    public static byte[] p7b(X509Certificate... certificates) throws Exception {
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        generator.addCertificates(new JcaCertStore(List.of(certificates)));
        return generator.generate(new CMSAbsentContent()).getEncoded();
    }

    public static byte[] pem(byte[] p7b) {
        return ("-----BEGIN PKCS7-----\n" + Base64.getMimeEncoder().encodeToString(p7b)
                + "\n-----END PKCS7-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A CMS SignedData whose encapsulated content is {@code p7b}, signed by {@code signer}. */
    public static byte[] signed(byte[] p7b, Issued signer) throws Exception {
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.keys().getPrivate()), signer.cert()));
        generator.addCertificates(new JcaCertStore(List.of(signer.cert())));
        return generator.generate(new CMSProcessableByteArray(p7b), true).getEncoded();
    }
}
