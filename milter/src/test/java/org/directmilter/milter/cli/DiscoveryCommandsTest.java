package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lookup against an in-process nameserver on 127.0.0.1, and dns-record. */
class DiscoveryCommandsTest {

    @TempDir
    static Path dir;

    static Path rsaPem;
    static byte[] rsaDer;

    @BeforeAll
    static void makeCertificate() throws Exception {
        // the JDK's keytool makes a throwaway self-signed certificate; the key store stays in the temp dir
        Path keystore = dir.resolve("ks.p12");
        rsaPem = dir.resolve("bob.pem");
        exec("keytool", "-genkeypair", "-keystore", keystore.toString(), "-storepass", "changeit", "-alias", "bob",
                "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=bob@partner.test", "-validity", "30");
        exec("keytool", "-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-alias", "bob", "-file", rsaPem.toString());
        String pem = Files.readString(rsaPem);
        rsaDer = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static void exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    private static CheckCommandTest.Outcome run(String... args) {
        return CheckCommandTest.run(args);
    }

    private static Path config(String text) throws IOException {
        Path file = Files.createTempFile(dir, "lookup", ".conf");
        // Never the host's /etc/direct-milter/certs (an installed package creates it): an absent
        // directory, unless the test names its own.
        String certificates = text.contains("CertificateDir ") ? "" : "CertificateDir " + dir.resolve("no-certs") + "\n";
        Files.writeString(file, certificates + text);
        return file;
    }

    /** A CA in hisp.test's outgoing anchors, and bob's certificate issued by it (keytool, throwaway keys). */
    private static byte[] anchoredBob(Path anchors) throws Exception {
        Path keystore = dir.resolve("pki.p12");
        String[] store = {"-keystore", keystore.toString(), "-storepass", "changeit"};
        exec(concat(new String[] {"keytool", "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048",
            "-dname", "CN=Test HISP CA", "-ext", "bc:c", "-ext", "ku:c=keyCertSign,cRLSign", "-validity", "30"}, store));
        exec(concat(new String[] {"keytool", "-genkeypair", "-alias", "bob2", "-keyalg", "RSA", "-keysize", "2048",
            "-dname", "CN=bob2@partner.test", "-validity", "30"}, store));
        Path csr = dir.resolve("bob2.csr");
        Path cert = dir.resolve("bob2.pem");
        exec(concat(new String[] {"keytool", "-certreq", "-alias", "bob2", "-file", csr.toString()}, store));
        exec(concat(new String[] {"keytool", "-gencert", "-alias", "ca", "-infile", csr.toString(), "-outfile",
            cert.toString(), "-rfc", "-ext", "san=email:bob2@partner.test", "-ext", "ku=digitalSignature,keyEncipherment",
            "-validity", "20"}, store));
        Path outgoing = Files.createDirectories(anchors.resolve("hisp.test").resolve("outgoing"));
        exec(concat(new String[] {"keytool", "-exportcert", "-rfc", "-alias", "ca", "-file",
            outgoing.resolve("ca.pem").toString()}, store));
        return Base64.getMimeDecoder().decode(Files.readString(cert).replaceAll("-----[A-Z ]+-----", ""));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void lookupJudgesCertificatesByTheLocalDomainsOutgoingAnchors() throws Exception {
        Path anchors = dir.resolve("anchors");
        byte[] bob2 = anchoredBob(anchors);
        try (FakeDnsServer dns = new FakeDnsServer()) {
            dns.publish("bob2.partner.test.", bob2);
            dns.publish("bob.partner.test.", rsaDer);
            Path conf = config("Nameservers " + dns.hostPort() + "\nDomains hisp.test\nAnchorDir " + anchors + "\n");

            CheckCommandTest.Outcome trusted = run("lookup", "bob2@partner.test", "-c", conf.toString());
            assertThat(trusted.status()).as(trusted.out() + trusted.err()).isZero();
            assertThat(trusted.out()).contains("trust: outgoing anchors of hisp.test", "verdict:  usable via anchor",
                    "Test HISP CA");

            CheckCommandTest.Outcome selfSigned = run("lookup", "bob@partner.test", "-c", conf.toString(),
                    "--from", "alice@hisp.test");
            assertThat(selfSigned.status()).as(selfSigned.out()).isEqualTo(LookupCommand.NONE_USABLE);
            assertThat(selfSigned.out()).contains("verdict:  NOT usable: ", "no path to any outgoing anchor of hisp.test",
                    "RESULT: certificates found, none usable");
        }
    }

    @Test
    void lookupFreshAsksDnsEveryRunSoAFixedRecordIsSeenAtOnce() throws Exception {
        try (FakeDnsServer dns = new FakeDnsServer()) {
            Path conf = config("Nameservers " + dns.hostPort() + "\n");
            CheckCommandTest.Outcome before = run("lookup", "--fresh", "bob@partner.test", "-c", conf.toString());
            assertThat(before.status()).as(before.out()).isEqualTo(LookupCommand.NOT_FOUND);

            dns.publish("bob.partner.test.", rsaDer); // the partner fixes its DNS
            CheckCommandTest.Outcome after = run("lookup", "--fresh", "bob@partner.test", "-c", conf.toString());
            assertThat(after.status()).as(after.out()).isZero();
            assertThat(after.out()).contains("RESULT: 1 usable certificate(s), address-bound");
        }
    }

    @Test
    void lookupPrintsEachStepAndCertificateAndExitsZeroWhenUsable() throws Exception {
        try (FakeDnsServer dns = new FakeDnsServer()) {
            dns.publish("bob.partner.test.", rsaDer);
            Path conf = config("Nameservers " + dns.hostPort() + "\n");

            CheckCommandTest.Outcome outcome = run("lookup", "Bob@Partner.test", "-c", conf.toString());

            assertThat(outcome.status()).as(outcome.err()).isZero();
            assertThat(outcome.out()).contains(
                    "step 1: bob.partner.test. CERT (address-bound)",
                    "127.0.0.1:" + dns.hostPort().split(":")[1] + " UDP NOERROR answers=1",
                    "found 1 certificate(s), TTL 300s",
                    "subject:  CN=bob@partner.test",
                    "sha-256:  ",
                    "verdict:  usable",
                    "RESULT: 1 usable certificate(s), address-bound");
        }
    }

    @Test
    void lookupShowsTheCertificateDirectoryStepsAndAsksNoDnsWhenAFileDecides() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Files.copy(rsaPem, certs.resolve("partner.test.pem"));
        try (FakeDnsServer dns = new FakeDnsServer()) {
            Path conf = config("Nameservers " + dns.hostPort() + "\nCertificateDir " + certs + "\n");

            CheckCommandTest.Outcome outcome = run("lookup", "bob@partner.test", "-c", conf.toString());

            assertThat(outcome.status()).as(outcome.out() + outcome.err()).isZero();
            Path domainFile = certs.resolve("partner.test.pem");
            assertThat(outcome.out()).contains(
                    "step 1: file:" + certs.resolve("bob@partner.test.pem") + " (address-bound, CertificateDir)",
                    "  none published: no such file\n",
                    "step 2: file:" + domainFile + " (domain-bound, CertificateDir)",
                    "  found 1 certificate(s)\n",
                    "certificate (domain-bound, CertificateDir at file:" + domainFile + ")",
                    "RESULT: 1 usable certificate(s), domain-bound")
                    .doesNotContain(" CERT (", "UDP");
        }
    }

    @Test
    void lookupOfAnUnpublishedAddressShowsBothStepsAndExitsTwo() throws Exception {
        try (FakeDnsServer dns = new FakeDnsServer()) {
            CheckCommandTest.Outcome outcome = run("lookup", "nobody@partner.test", "-c", config("").toString(),
                    "--nameserver", dns.hostPort());

            assertThat(outcome.status()).isEqualTo(LookupCommand.NOT_FOUND);
            assertThat(outcome.out()).contains("step 1: nobody.partner.test. CERT (address-bound)",
                    "step 2: partner.test. CERT (domain-bound)", "none published: NXDOMAIN, negative TTL 60s",
                    "RESULT: no certificate published");
        }
    }

    @Test
    void lookupWithASilentNameserverIsATemporaryFailure() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Path conf = config("Nameservers 127.0.0.1:" + silent.getLocalPort() + "\nDNSTimeout 1s\nDNSAttempts 1\n");

            CheckCommandTest.Outcome outcome = run("lookup", "bob@partner.test", "-c", conf.toString());

            assertThat(outcome.status()).isEqualTo(LookupCommand.TEMPFAIL);
            assertThat(outcome.out()).contains("UDP TIMEOUT", "RESULT: temporary failure");
        }
    }

    @Test
    void dnsRecordPrintsBothOwnerFormsForADottedLocalPartAndWarnsAbove512Bytes() {
        CheckCommandTest.Outcome outcome = run("dns-record", rsaPem.toString(), "--owner", "John.Smith@Partner.test");

        assertThat(outcome.status()).as(outcome.err()).isZero();
        String b64 = Base64.getEncoder().encodeToString(rsaDer);
        assertThat(outcome.out().lines()).containsExactly(
                "john.smith.partner.test. 3600 IN CERT PKIX 0 0 " + b64,
                "john\\.smith.partner.test. 3600 IN CERT PKIX 0 0 " + b64);
        assertThat(outcome.err()).contains("; DNS answer: ").contains("WARNING: over 512 bytes")
                .doesNotContain("over 1232");
    }

    @Test
    void dnsRecordWithAUrlMakesAnIpkixRecordForTheDomain() {
        CheckCommandTest.Outcome outcome = run("dns-record", "--url", "https://certs.partner.test/org.der",
                "--owner", "partner.test", "--ttl", "300");

        assertThat(outcome.status()).isZero();
        assertThat(outcome.out().lines()).containsExactly("partner.test. 300 IN CERT IPKIX 0 0 "
                + Base64.getEncoder().encodeToString("https://certs.partner.test/org.der".getBytes()));
        assertThat(outcome.err()).doesNotContain("WARNING");
    }

    @Test
    void dnsRecordRefusesAFileWithoutACertificate() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");

        assertThat(run("dns-record", junk.toString(), "--owner", "bob@partner.test").status())
                .isEqualTo(DnsRecordCommand.NO_INPUT);
    }
}
