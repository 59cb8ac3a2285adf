package org.directmilter.milter.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonController;
import org.apache.commons.daemon.DaemonInitException;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.server.SocketSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectMilterDaemonTest {

    private static final Response MUST_BE_PROTECTED =
            new Response.ReplyCode("550 5.7.1 Direct: message must be signed and encrypted");

    private static DaemonContext context(String... args) {
        return new DaemonContext() {
            @Override
            public DaemonController getController() {
                return null;
            }

            @Override
            public String[] getArguments() {
                return args;
            }
        };
    }

    @Test
    void argumentsNameTheConfigFile() throws Exception {
        assertThat(DirectMilterDaemon.configFile(new String[0]))
                .isEqualTo(Path.of("/etc/direct-milter/direct-milter.conf"));
        assertThat(DirectMilterDaemon.configFile(null)).isEqualTo(Path.of("/etc/direct-milter/direct-milter.conf"));
        assertThat(DirectMilterDaemon.configFile(new String[] {"-c", "/x.conf"})).isEqualTo(Path.of("/x.conf"));
        assertThat(DirectMilterDaemon.configFile(new String[] {"--config=/y.conf"})).isEqualTo(Path.of("/y.conf"));
        assertThatThrownBy(() -> DirectMilterDaemon.configFile(new String[] {"-c"}))
                .isInstanceOf(DaemonInitException.class).hasMessageContaining("needs a file name");
        assertThatThrownBy(() -> DirectMilterDaemon.configFile(new String[] {"-x"}))
                .isInstanceOf(DaemonInitException.class).hasMessageContaining("unknown argument \"-x\"");
    }

    /**
     * Serves through the socket jsvc's init bound: plaintext from outside to a local domain is refused at
     * end of data, mail for a domain not ours passes. A reload moves the local domain; a bad file on the
     * next reload leaves the daemon serving with the one before; after stop nothing listens.
     */
    @Test
    void jsvcLifecycleServesReloadsAndStops(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dm.conf");
        Files.writeString(file, config(dir, "a.example"));
        DirectMilterDaemon daemon = new DirectMilterDaemon();
        daemon.init(context("-c", file.toString()));
        daemon.start();
        int port = daemon.runner().port();
        assertThat(endOfDataReply(port, "dave@a.example")).as("to a local domain").isEqualTo(MUST_BE_PROTECTED);
        assertThat(endOfDataReply(port, "dave@b.example")).as("to a domain not ours").isEqualTo(new Response.Accept());

        Files.writeString(file, config(dir, "b.example"));
        daemon.signal();
        assertThat(endOfDataReply(port, "dave@b.example")).as("after the reload").isEqualTo(MUST_BE_PROTECTED);
        assertThat(endOfDataReply(port, "dave@a.example")).as("after the reload").isEqualTo(new Response.Accept());

        Files.writeString(file, "garbage here\n");
        daemon.signal(); // a bad file is logged, not fatal
        assertThat(endOfDataReply(port, "dave@b.example")).as("after a bad reload").isEqualTo(MUST_BE_PROTECTED);

        daemon.stop();
        daemon.destroy();
        daemon.signal(); // after destroy: ignored
        try (Socket late = new Socket()) {
            assertThatThrownBy(() -> late.connect(new InetSocketAddress("127.0.0.1", port), 1_000))
                    .isInstanceOf(IOException.class);
        }
    }

    /** Only {@code domain} local; keys, anchors and certificates in empty directories, DNS at a closed port. */
    private static String config(Path dir, String domain) throws IOException {
        StringBuilder text = new StringBuilder("Socket inet:0@127.0.0.1\nDomains " + domain + "\n"
                + "TemporaryDirectory " + dir + "\nNameservers 127.0.0.1:1\nDNSTimeout 1s\nDNSAttempts 1\n"
                + "TrackingDatabase " + dir.resolve("tracking.db") + "\n");
        for (String key : List.of("KeyStore", "AnchorDir", "CertificateDir")) {
            text.append(key).append(' ').append(Files.createDirectories(dir.resolve(key))).append('\n');
        }
        return text.toString();
    }

    /** Sends a plaintext message from a client outside InternalHosts to {@code recipient}; the reply at end of data. */
    private static Response endOfDataReply(int port, String recipient) throws IOException {
        Envelope envelope = new Envelope("mx.partner.example", "192.0.2.7", "mx.partner.example",
                "bob@partner.example", List.of(recipient), Map.of());
        byte[] message = ("From: bob@partner.example\r\nTo: " + recipient + "\r\nSubject: plain\r\n\r\nbody\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (MilterClient client = MilterClient.connect(SocketSpec.parse("inet:" + port + "@127.0.0.1"))) {
            Exchange.Outcome outcome = Exchange.send(client, envelope, message);
            return outcome.endOfMessage()
                    .orElseThrow(() -> new AssertionError("refused before end of data: " + outcome.steps()))
                    .finalReply();
        }
    }

    @Test
    void initFailsWithTheConfigErrorAsMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dm.conf");
        Files.writeString(file, "Socket nowhere\n");
        assertThatThrownBy(() -> new DirectMilterDaemon().init(context("-c", file.toString())))
                .isInstanceOf(DaemonInitException.class)
                .hasMessageStartingWith(file + ":1: bad value for \"Socket\"");
    }

    @Test
    void destroyAfterInitWithoutStartReleasesTheSocket(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dm.conf");
        Files.writeString(file, "Socket inet:0@127.0.0.1\nDomains a.example\nTemporaryDirectory " + dir + "\n"
                + "TrackingDatabase " + dir.resolve("tracking.db") + "\n");
        DirectMilterDaemon daemon = new DirectMilterDaemon();
        daemon.init(context("-c", file.toString()));
        int port = daemon.runner().port();
        daemon.destroy();
        try (Socket late = new Socket()) {
            assertThatThrownBy(() -> late.connect(new InetSocketAddress("127.0.0.1", port), 1_000))
                    .isInstanceOf(IOException.class);
        }
    }
}
