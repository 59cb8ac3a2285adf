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
import java.nio.file.StandardOpenOption;
import java.util.Date;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;
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

    /** A certs-only PKCS#7 bundle, as trust communities publish them. */
    static byte[] p7b(X509Certificate... certificates) throws Exception {
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        generator.addCertificates(new JcaCertStore(List.of(certificates)));
        return generator.generate(new CMSAbsentContent()).getEncoded();
    }

    @Test
    void listsBundleAnchorsWithTheirOriginAndCheckWarnsWhenABundleCannotBeFetched() throws Exception {
        X509Certificate member = ca("Community Member", Instant.now().plus(Duration.ofDays(400)));
        Path published = dir.resolve("published/community.p7b");
        Files.createDirectories(published.getParent());
        Files.write(published, p7b(member));
        Path bundles = dir.resolve("bundles.d");
        Files.createDirectories(bundles);
        Files.writeString(bundles.resolve("community.conf"), "URL " + published.toUri() + "\n"
                + "Domains hisp.example.org\nDirections both\n");
        Path file = setup(ca("Partner Root", Instant.now().plus(Duration.ofDays(400))));
        Files.writeString(file, "BundleDir " + bundles + "\nBundleStateDir " + dir.resolve("state") + "\n",
                StandardOpenOption.APPEND);

        Outcome never = CheckCommandTest.run("anchors", "-c", file.toString());
        MilterConfig config = ((ConfigResult.Valid) new ConfigLoader().load(file)).config();
        TrustBundles daemon = Assembly.trustBundles(config, Assembly.bundleFiles(config).bundles());
        daemon.refresh("community");
        Outcome listed = CheckCommandTest.run("anchors", "-c", file.toString());
        Files.delete(published);
        Outcome check = CheckCommandTest.run("check", "-c", file.toString());

        assertThat(never.status()).isZero();
        assertThat(never.out()).contains("  community\n", "    fetched    never (no good copy persisted)");
        assertThat(listed.status()).isZero();
        String sha256 = daemon.statuses().get(0).sha256().orElseThrow();
        assertThat(listed.out()).contains(
                "hisp.example.org outgoing:\n  CN=Community Member\n",
                "    sha256     " + Certificates.sha256(member) + "\n",
                "    bundle     community\n    url        " + published.toUri() + "\n",
                "    checksum   sha256 " + sha256 + " (of the bundle)\n",
                "    applies to hisp.example.org incoming, outgoing\n",
                "    signer     none (unsigned bundle)\n",
                "    refresh    6h\n",
                "    anchors    1\n");
        assertThat(check.status()).as("a bundle that cannot be fetched is a warning").isZero();
        assertThat(check.err().lines()).contains(
                "warning: bundle community: cannot be fetched or verified now: NOT_FOUND: no such file")
                .noneMatch(l -> l.contains("not in Domains"));
    }

    @Test
    void aBrokenBundleFileIsAConfigurationError() throws Exception {
        Path bundles = dir.resolve("bundles.d");
        Files.createDirectories(bundles);
        Files.writeString(bundles.resolve("community.conf"), "URL http://bundles.example.org/b.p7b\nDomains hisp.example.org\n");
        Path file = setup(ca("Partner Root", Instant.now().plus(Duration.ofDays(400))));
        Files.writeString(file, "BundleDir " + bundles + "\n", StandardOpenOption.APPEND);

        Outcome check = CheckCommandTest.run("check", "-c", file.toString());

        assertThat(check.status()).isEqualTo(78);
        assertThat(check.err()).contains(bundles.resolve("community.conf") + ":1: bad value for \"URL\": "
                + "\"http://bundles.example.org/b.p7b\" is neither an https: URL with a host nor a file: URL");
    }

    @Test
    void checkWarnsAboutABundleForADomainThatIsNotLocal() throws Exception {
        Path bundles = dir.resolve("bundles.d");
        Files.createDirectories(bundles);
        Files.writeString(bundles.resolve("community.conf"), "URL " + dir.resolve("absent.p7b").toUri() + "\n"
                + "Domains hisp.exmple.org\nDirections incoming\n");
        Path file = setup(ca("Partner Root", Instant.now().plus(Duration.ofDays(400))));
        Files.writeString(file, "BundleDir " + bundles + "\nBundleStateDir " + dir.resolve("state") + "\n",
                StandardOpenOption.APPEND);

        Outcome check = CheckCommandTest.run("check", "-c", file.toString());

        assertThat(check.status()).isZero();
        assertThat(check.err().lines()).contains(
                "warning: bundle community applies to hisp.exmple.org, which is not in Domains: a misspelt domain?");
    }
}
