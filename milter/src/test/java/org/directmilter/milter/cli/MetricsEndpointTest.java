package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.directmilter.milter.daemon.DaemonRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics endpoint of a running daemon, scraped before and after messages that {@code probe} sends. */
class MetricsEndpointTest {

    private static final Pattern REFUSED_SENDER = Pattern.compile(
            "(?m)^direct_milter_decisions_total\\{code=\"550\",event=\"sender\",outcome=\"no-sender-key\"} (\\S+)$");

    @TempDir
    Path dir;

    @Test
    void decisionsAreCountedAndServedInTheTextFormatOnLoopback() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path keys = Files.createDirectory(dir.resolve("keys"));
        Path config = Files.writeString(dir.resolve("direct-milter.conf"), "Socket inet:0@127.0.0.1\n"
                + "TemporaryDirectory " + dir + "\nTrackingDatabase " + dir.resolve("tracking.db") + "\nDomains hisp.example.org\nKeyStore " + keys + "\n"
                + "AnchorDir " + dir.resolve("anchors") + "\nNameservers 127.0.0.1:9\nMetricsAddress 127.0.0.1:" + port + "\n");
        DaemonRunner runner = DaemonRunner.bind(config);
        try {
            runner.start();
            assertThat(runner.metricsPort()).isEqualTo(port);
            double before = refusedSenders(scrape(port));
            for (int i = 0; i < 3; i++) {
                CheckCommandTest.Outcome probe = CheckCommandTest.run("probe", "--socket",
                        "inet:" + runner.port() + "@127.0.0.1", "--from", "alice@hisp.example.org",
                        "--to", "bob@partner.example");
                assertThat(probe.status()).as(probe.out() + probe.err()).isEqualTo(2);
            }
            String text = scrape(port);
            assertThat(text).contains("# TYPE direct_milter_decisions_total counter");
            assertThat(refusedSenders(text) - before).as(text).isEqualTo(3.0);
        } finally {
            runner.stop(Duration.ofSeconds(5));
        }
    }

    private static String scrape(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        return response.body();
    }

    private static double refusedSenders(String text) {
        Matcher m = REFUSED_SENDER.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void onlyALoopbackAddressWithAPortIsAccepted() throws Exception {
        for (String address : new String[] {"192.0.2.1:9466", "0.0.0.0:9466", "127.0.0.1"}) {
            Path config = Files.writeString(dir.resolve("bad.conf"), "Domains hisp.example.org\nMetricsAddress "
                    + address + "\n");
            CheckCommandTest.Outcome check = CheckCommandTest.run("check", "-c", config.toString());
            assertThat(check.status()).as(address).isEqualTo(78);
            assertThat(check.err()).contains("MetricsAddress");
        }
    }
}
