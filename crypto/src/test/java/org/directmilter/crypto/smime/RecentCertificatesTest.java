package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.Test;

class RecentCertificatesTest {

    private static final TestPki PKI = TestPki.create("Recent certificates CA");

    private static List<X509Certificate> certificates(int count) {
        List<X509Certificate> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(PKI.ecEntity("signer" + i + "@partner.example").certificate());
        }
        return out;
    }

    @Test
    void aCertificateSeenAgainIsTheOneConvertedBefore() throws Exception {
        X509Certificate cert = certificates(1).get(0);
        RecentCertificates recent = new RecentCertificates(RecentCertificates.DEFAULT_BYTES);

        X509Certificate first = recent.get(new X509CertificateHolder(cert.getEncoded()));
        X509Certificate again = recent.get(new X509CertificateHolder(cert.getEncoded()));

        assertThat(first).isEqualTo(cert);
        assertThat(again).isSameAs(first);
        assertThat(recent.bytes()).isEqualTo(cert.getEncoded().length);
    }

    /** What a stranger's signatures can make it keep is the bound in bytes, however many or large they are. */
    @Test
    void whatIsKeptStaysWithinItsBytesAndALargerCertificateIsNotKept() throws Exception {
        List<X509Certificate> certs = certificates(8);
        long one = certs.get(0).getEncoded().length;
        RecentCertificates recent = new RecentCertificates(3 * one + one / 2);
        for (X509Certificate cert : certs) {
            assertThat(recent.get(new X509CertificateHolder(cert.getEncoded()))).isEqualTo(cert);
        }
        assertThat(recent.bytes()).isPositive().isLessThanOrEqualTo(3 * one + one / 2);

        RecentCertificates tiny = new RecentCertificates(one / 2);
        assertThat(tiny.get(new X509CertificateHolder(certs.get(0).getEncoded()))).isEqualTo(certs.get(0));
        assertThat(tiny.bytes()).isZero();
    }
}
