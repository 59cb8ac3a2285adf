package org.directmilter.crypto.trust.bundle;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.crypto.trust.bundle.BundleException.Reason;

/**
 * Turns the bytes of a bundle into its anchors: an unsigned PKCS#7 certs-only (DER or PEM), or, when a
 * signer is configured, a CMS SignedData whose content is that p7b and whose signature the configured
 * signer's key verifies. Only CA certificates become anchors; others are named and skipped.
 */
final class BundleReader {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    /** The anchors of a bundle and what was skipped (certificates that are not CAs). */
    record Content(List<X509Certificate> anchors, List<String> skipped) {
    }

    private BundleReader() {
    }

    static Content read(byte[] bytes, Optional<X509Certificate> signer) throws BundleException {
        byte[] p7b = signer.isPresent() ? unwrap(bytes, signer.get()) : refuseSigned(bytes);
        List<X509Certificate> certificates;
        try {
            certificates = Certificates.parse(p7b);
        } catch (CertificateException e) {
            throw new BundleException(Reason.INVALID_BUNDLE_FORMAT, e.getMessage());
        }
        List<X509Certificate> anchors = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (X509Certificate c : certificates) {
            if (Certificates.isCa(c)) {
                anchors.add(c);
            } else {
                skipped.add("not a CA certificate: " + c.getSubjectX500Principal().getName());
            }
        }
        if (anchors.isEmpty()) {
            // An empty bundle would silently drop every anchor: more likely a broken publication.
            throw new BundleException(Reason.INVALID_BUNDLE_FORMAT, "no CA certificate in the bundle");
        }
        return new Content(List.copyOf(anchors), List.copyOf(skipped));
    }

    /** The p7b inside a signed bundle, once a signature by {@code signer}'s key verified. */
    private static byte[] unwrap(byte[] bytes, X509Certificate signer) throws BundleException {
        CMSSignedData signed = signedData(bytes);
        if (signed == null) {
            throw new BundleException(Reason.INVALID_BUNDLE_FORMAT, "not a CMS SignedData (DER or PEM)");
        }
        CMSTypedData content = signed.getSignedContent();
        if (content == null || !(content.getContent() instanceof byte[] inner)) {
            throw new BundleException(Reason.NOT_SIGNED, "a signer is configured but the bundle is not signed");
        }
        for (SignerInformation info : signed.getSignerInfos()) {
            try {
                if (info.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signer.getPublicKey()))) {
                    return inner;
                }
            } catch (CMSException | OperatorCreationException | RuntimeException e) {
                // Another key, a broken signature or an unknown algorithm: try the next signer info.
            }
        }
        throw new BundleException(Reason.UNMATCHED_SIGNATURE, "not signed by the configured signer "
                + signer.getSubjectX500Principal().getName() + " (serial " + signer.getSerialNumber().toString(16) + ")");
    }

    /** An unsigned bundle as is; a signed one is refused, since its signer's certificate is no anchor. */
    private static byte[] refuseSigned(byte[] bytes) throws BundleException {
        CMSSignedData signed = signedData(bytes);
        if (signed != null && signed.getSignedContent() != null) {
            throw new BundleException(Reason.INVALID_BUNDLE_FORMAT,
                    "the bundle is signed: configure its Signer to use it");
        }
        return bytes;
    }

    /** The SignedData in DER or in the first PEM block; null when it is none. */
    private static CMSSignedData signedData(byte[] bytes) {
        byte[] der = bytes;
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN ")) {
            Matcher m = PEM.matcher(text);
            if (!m.find()) {
                return null;
            }
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        if (der.length == 0 || der[0] != 0x30) {
            return null;
        }
        try {
            return new CMSSignedData(der);
        } catch (CMSException | RuntimeException e) {
            return null;
        }
    }
}
