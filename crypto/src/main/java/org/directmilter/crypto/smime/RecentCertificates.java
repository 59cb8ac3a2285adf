package org.directmilter.crypto.smime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/**
 * The certificates of recent signatures, converted from Bouncy Castle's holders once: a partner signs
 * message after message with the same certificate, and each conversion encoded it again and looked up a
 * {@code CertificateFactory} (about 18 KB of garbage per message).
 *
 * <p>Bounded by the certificates' encoded bytes, not by their number: anyone may sign a message encrypted
 * to us, with certificates as large as the message allows, so a count would let a stranger keep that
 * much of the heap. A stranger's certificates only push older ones out; one larger than the bound is
 * converted and not kept.
 */
final class RecentCertificates {

    /** What the daemon keeps: a thousand certificates of the usual 1 KB. */
    static final long DEFAULT_BYTES = 1 << 20;

    private final Cache<X509CertificateHolder, X509Certificate> converted;

    RecentCertificates(long maxBytes) {
        this.converted = Caffeine.newBuilder().maximumWeight(maxBytes)
                .weigher((X509CertificateHolder holder, X509Certificate cert) -> encodedLength(cert)).build();
    }

    /** The JDK's certificate for {@code holder}; a failure is not kept, so it fails again next time. */
    X509Certificate get(X509CertificateHolder holder) throws CertificateException {
        X509Certificate cert = converted.getIfPresent(holder);
        if (cert == null) {
            cert = new JcaX509CertificateConverter().getCertificate(holder);
            converted.put(holder, cert);
        }
        return cert;
    }

    /** The encoded bytes of the certificates kept now. */
    long bytes() {
        converted.cleanUp();
        return converted.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    private static int encodedLength(X509Certificate cert) {
        try {
            return cert.getEncoded().length;
        } catch (CertificateEncodingException e) {
            return Integer.MAX_VALUE; // never kept
        }
    }
}
