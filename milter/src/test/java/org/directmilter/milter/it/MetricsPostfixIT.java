package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.MALLORY;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.milter.testkit.DirectDeployment;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Exec;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.Scratch;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The metrics endpoint of the real daemon behind a real Postfix (issue 21): three protected outgoing
 * messages, one recipient refused at RCPT for want of a certificate, one incoming message verified and
 * one refused for a signer no anchor vouches for, then the endpoint scraped over
 * HTTP and read by the Prometheus project's own text-format parser (Debian's python3-prometheus-client),
 * so what an operator's Prometheus would read is what is asserted.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsPostfixIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CAROL = "carol@partner.example"; // publishes no certificate

    /** Prints each family's name and type, then each sample as {@code name{k="v",...} value}, labels sorted. */
    private static final String PARSER = String.join("\n",
            "import sys",
            "from prometheus_client.parser import text_string_to_metric_families",
            "for f in text_string_to_metric_families(open(sys.argv[1]).read()):",
            "    print('# ' + f.name + ' ' + f.type)",
            "    for s in f.samples:",
            "        labels = ','.join('%s=\"%s\"' % kv for kv in sorted(s.labels.items()))",
            "        print(s.name + '{' + labels + '} ' + repr(float(s.value)))");

    private final int metricsPort = Ports.free();
    private DirectDeployment deployment;
    private DirectSetup setup;
    private PostfixInstance mta;

    @BeforeAll
    void start() {
        deployment = DirectDeployment.start(unused -> "MetricsAddress 127.0.0.1:" + metricsPort + "\n");
        setup = deployment.setup;
        mta = PostfixInstance.start(deployment.postfixSocket());
    }

    @AfterAll
    void stop() {
        Resources.closeAll(mta, deployment);
    }

    @Test
    void theEndpointShowsWhatWasSentThroughPostfixInTheTextFormat() throws Exception {
        for (int i = 1; i <= 3; i++) {
            String id = "metrics-" + i + "@hisp-a.example";
            List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), ALICE, List.of(BOB),
                    message(ALICE, List.of(BOB), id, "counted", "Lab results, " + i + ".\n"));
            assertThat(replies).as("message %d", i).allMatch(SmtpClient.Reply::positive);
        }
        List<SmtpClient.Reply> refused = SmtpClient.send(mta.smtpPort(), ALICE, List.of(CAROL),
                message(ALICE, List.of(CAROL), "metrics-refused@hisp-a.example", "refused", "Not for carol.\n"));
        assertThat(refused.get(refused.size() - 1).last()).as("RCPT %s", CAROL)
                .isEqualTo(mta.milterRejectReply(CAROL, "Direct: no certificate found for <" + CAROL + ">"));
        assertThat(sendIncoming(BOB, setup.bob, "metrics-in@partner.example"))
                .allMatch(SmtpClient.Reply::positive);
        List<SmtpClient.Reply> untrusted = sendIncoming(MALLORY, setup.mallory, "metrics-untrusted@partner.example");
        assertThat(untrusted.get(untrusted.size() - 1).last()).startsWith("550 5.7.1 Direct: sender not trusted: ");
        mta.awaitSinkMessages(4, WAIT);

        Map<String, Double> samples;
        try (SmtpClient held = SmtpClient.connect(mta.smtpPort())) {
            assertThat(held.ehlo("client.milter-test.invalid").code()).isEqualTo(250);
            // Postfix connects to the milter when its client connects: one connection open while this one is
            Poll.until("one open milter connection", WAIT,
                    () -> parse(scrape()).getOrDefault("direct_milter_open_connections{}", -1.0) == 1.0,
                    deployment::diagnostics);
            samples = parse(scrape());
        }

        assertThat(samples).containsEntry("# direct_milter_decisions counter", 0.0)
                .containsEntry("# direct_milter_end_of_message_seconds histogram", 0.0)
                .containsEntry("# direct_milter_open_connections gauge", 0.0)
                .containsEntry("direct_milter_decisions_total{code=\"accept\",event=\"outgoing\",outcome=\"protected\"}", 3.0)
                .containsEntry("direct_milter_decisions_total{code=\"continue\",event=\"recipient\",outcome=\"usable\"}", 3.0)
                .containsEntry("direct_milter_decisions_total{code=\"550\",event=\"recipient\",outcome=\"no-certificate\"}", 1.0)
                .containsEntry("direct_milter_end_of_message_seconds_count{direction=\"outgoing\"}", 3.0)
                .containsEntry("direct_milter_decisions_total{code=\"accept\",event=\"incoming\",outcome=\"verified\"}", 1.0)
                .containsEntry("direct_milter_decisions_total{code=\"550\",event=\"incoming\",outcome=\"untrusted\"}", 1.0)
                .containsEntry("direct_milter_end_of_message_seconds_count{direction=\"incoming\"}", 2.0)
                .containsEntry("direct_milter_open_connections{}", 1.0)
                .containsEntry("direct_milter_certificate_earliest_expiry_timestamp_seconds{kind=\"key\"}",
                        (double) earliestKeyExpiry());
        assertThat(samples.get("direct_milter_discovery_lookup_seconds_count{result=\"published\",source=\"dns\"}"))
                .as("bob's certificate found in DNS").isGreaterThanOrEqualTo(1.0);
        assertThat(samples.get("direct_milter_discovery_cache_requests_total{result=\"hit\"}"))
                .as("bob's second and third RCPT answered from the cache").isGreaterThanOrEqualTo(2.0);
        assertThat(samples.get("direct_milter_dns_exchanges_total{outcome=\"noerror\",transport=\"udp\"}"))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(samples.get("direct_milter_certificate_validations_total{result=\"usable\"}"))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(samples.get("direct_milter_certificate_refusals_total{reason=\"no_trusted_path\"}"))
                .as("mallory's signer, under a CA no anchor names").isGreaterThanOrEqualTo(1.0);
        assertThat(samples).as("no address, domain or Message-ID in a label")
                .allSatisfy((series, value) -> assertThat(series).doesNotContain("example", "@"));
    }

    /** A message from the partner HISP (openssl) to dave, signed by {@code signer}. */
    private List<SmtpClient.Reply> sendIncoming(String from, PrivateKeyEntry signer, String id) {
        String sent = deployment.partner.protect(message(from, List.of(DAVE), id, "from the partner", "Referral.\n"),
                signer, List.of(setup.dave), routingHeaders(from, List.of(DAVE), id));
        return SmtpClient.send(mta.smtpPort(), from, List.of(DAVE), sent);
    }

    /** The first notAfter of every certificate in the deployment's key files (alice's, dave's, erin's chains). */
    private long earliestKeyExpiry() {
        return Stream.of(setup.alice, setup.dave, setup.erin)
                .flatMap(entry -> entry.chain().stream()).map(X509Certificate::getNotAfter)
                .mapToLong(d -> d.toInstant().getEpochSecond()).min().orElseThrow();
    }

    private String scrape() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("scraping the metrics endpoint: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The samples as the Prometheus client library's parser reads them, keyed {@code name{labels}}, and
     * each family as {@code "# name type"} (with 0): a text it cannot parse fails the test.
     */
    private static Map<String, Double> parse(String text) {
        try {
            Path dir = Scratch.newDirectory("metrics-");
            Path scraped = Files.writeString(dir.resolve("scrape.txt"), text);
            Path script = Files.writeString(dir.resolve("parse.py"), PARSER + "\n");
            Exec.Result parsed = Exec.run(WAIT, List.of("/usr/bin/python3", script.toString(), scraped.toString()))
                    .orThrow();
            Map<String, Double> out = new HashMap<>();
            for (String line : parsed.output().lines().toList()) {
                int space = line.lastIndexOf(' ');
                if (line.startsWith("# ")) {
                    out.put(line, 0.0);
                } else {
                    out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                }
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
