package org.directmilter.crypto.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.Test;

class UrlsTest {

    private static final TestPki.Issued ROOT = TestPki.root("Urls Root");

    @Test
    void readsTheCrlDistributionPointsAndCaIssuersOfACertificate() {
        X509Certificate cert = TestPki.cert("with urls", TestPki.rsa(2048)).issuer(ROOT)
                .crl("http://crl.example/a.crl").crl("http://crl.example/b.crl").aia("http://ca.example/ca.cer")
                .build().cert();

        assertThat(Urls.crlDistributionPoints(cert)).containsExactly("http://crl.example/a.crl", "http://crl.example/b.crl");
        assertThat(Urls.caIssuers(cert)).containsExactly("http://ca.example/ca.cer");
    }

    @Test
    void aCertificateWithoutTheExtensionsNamesNone() {
        X509Certificate cert = TestPki.cert("no urls", TestPki.rsa(2048)).issuer(ROOT).build().cert();

        assertThat(Urls.crlDistributionPoints(cert)).isEmpty();
        assertThat(Urls.caIssuers(cert)).isEmpty();
    }

    @Test
    void theListsCannotBeChangedByACaller() {
        X509Certificate cert = TestPki.cert("fixed", TestPki.rsa(2048)).issuer(ROOT).crl("http://crl.example/c.crl")
                .build().cert();
        List<String> urls = Urls.crlDistributionPoints(cert);

        assertThatThrownBy(() -> urls.add("http://evil.example/")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Urls.crlDistributionPoints(cert)).containsExactly("http://crl.example/c.crl");
    }

    @Test
    void aCertificateIsReadOnceAndACopyOfItAgrees() throws Exception {
        X509Certificate cert = TestPki.cert("twice", TestPki.rsa(2048)).issuer(ROOT).aia("http://ca.example/x.cer")
                .build().cert();
        X509Certificate copy = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert.getEncoded()));

        assertThat(Urls.caIssuers(copy)).isEqualTo(Urls.caIssuers(cert));
        assertThat(Urls.caIssuers(cert)).isSameAs(Urls.caIssuers(cert));
    }
}
