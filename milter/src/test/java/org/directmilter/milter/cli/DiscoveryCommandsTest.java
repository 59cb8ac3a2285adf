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
        Files.writeString(file, text);
        return file;
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
