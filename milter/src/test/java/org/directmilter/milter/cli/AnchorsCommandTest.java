package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.milter.cli.CheckCommandTest.Outcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnchorsCommandTest {

    static KeyPair keys;

    @TempDir
    Path dir;

    @BeforeAll
    static void key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        keys = g.generateKeyPair();
    }

    /** A self-signed CA certificate built at run time; its key is never written anywhere. */
    static X509Certificate ca(String cn, Instant notAfter) throws Exception {
        X500Name name = new X500Name("CN=" + cn);
        var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(cn.hashCode() & 0xffff),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(notAfter), name, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private Path setup(X509Certificate incoming) throws Exception {
        Path anchors = dir.resolve("anchors");
        Files.createDirectories(anchors.resolve("hisp.example.org/incoming"));
        Files.writeString(anchors.resolve("hisp.example.org/incoming/partner.pem"), pem(incoming));
        Files.writeString(anchors.resolve("hisp.example.org/incoming/broken.pem"), "-----BEGIN CERTIFICATE-----\nAAA");
        Path file = dir.resolve("direct-milter.conf");
        Files.writeString(file, "Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\nDomains hisp.example.org\n"
                + "AnchorDir " + anchors + "\nKeyStore " + dir + "\n", StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void listsAnchorsPerDomainAndDirectionWithFingerprintExpiryFileAndWarnings() throws Exception {
        Instant soon = Instant.now().plus(Duration.ofDays(10)).plus(Duration.ofHours(1));
        X509Certificate partner = ca("Partner Root", soon);
        Path file = setup(partner);

        Outcome o = CheckCommandTest.run("anchors", "-c", file.toString());

        assertThat(o.status()).isZero();
        Path anchors = dir.resolve("anchors");
        assertThat(o.out()).contains(
                "AnchorDir " + anchors,
                "hisp.example.org incoming:\n  CN=Partner Root\n",
                "    sha256     " + Certificates.sha256(partner) + "\n",
                "    not after  " + soon.atOffset(ZoneOffset.UTC).toLocalDate() + "\n",
                "    file       " + anchors.resolve("hisp.example.org/incoming/partner.pem") + "\n",
                "    WARNING    expires in 10 days",
                "hisp.example.org outgoing:\n  (none)\n",
                "skipped:\n  " + anchors.resolve("hisp.example.org/incoming/broken.pem") + ": ");
    }

    @Test
    void checkWarnsAboutSkippedFilesAndDomainsWithoutAnchorsButStillPasses() throws Exception {
        Path file = setup(ca("Partner Root", Instant.now().plus(Duration.ofDays(400))));

        Outcome o = CheckCommandTest.run("check", "-c", file.toString());

        assertThat(o.status()).isZero();
        assertThat(o.out()).startsWith(file + ": OK: ");
        assertThat(o.err().lines()).containsExactly(
                "warning: anchors: " + dir.resolve("anchors/hisp.example.org/incoming/broken.pem")
                        + ": no complete PEM CERTIFICATE or PKCS7 block",
                "warning: hisp.example.org has no outgoing anchors: no recipient will be trusted",
                "warning: hisp.example.org has no key in " + dir + " (neither hisp.example.org.p12 nor "
                        + "ADDRESS@hisp.example.org.p12): every outgoing message from it would be refused "
                        + "(On-NoSenderKey reject)");
    }
}
