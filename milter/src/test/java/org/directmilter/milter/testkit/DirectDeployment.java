package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.milter.cli.DirectMilterCommand;
import org.directmilter.resolver.NamedServer;
import picocli.CommandLine;

/**
 * direct-milter deployed as an operator would, for the end-to-end tests: the keys and anchors of a
 * {@link DirectSetup} on disk, a real named publishing the partner's CERT record for bob@partner.example
 * (made by {@code direct-milter dns-record}; nobody else at partner.example publishes one), and the real
 * daemon process on a fixed inet socket, so a daemon started again after a crash is where the MTA looks.
 */
public final class DirectDeployment implements AutoCloseable {

    public static final String ALICE = "alice@" + DirectSetup.LOCAL;
    public static final String DAVE = "dave@" + DirectSetup.LOCAL;
    public static final String ERIN = "erin@" + DirectSetup.OTHER_LOCAL;
    public static final String BOB = "bob@" + DirectSetup.PARTNER;
    public static final String MALLORY = "mallory@" + DirectSetup.PARTNER;

    public final DirectSetup setup;
    public final PartnerHisp partner;
    private final NamedServer named;
    private final int milterPort;
    private final String extraConfig;
    private DaemonProcess daemon;

    private DirectDeployment(Path dir, DirectSetup setup, NamedServer named, int milterPort, String extraConfig) {
        this.setup = setup;
        this.extraConfig = extraConfig;
        this.named = named;
        this.milterPort = milterPort;
        this.partner = PartnerHisp.in(dir.resolve("partner"), setup);
    }

    public static DirectDeployment start() {
        return start(setup -> "");
    }

    /** {@link #start()} with configuration lines of the test's own, made once the keys and CAs exist. */
    public static DirectDeployment start(Function<DirectSetup, String> extraConfig) {
        Path dir = Scratch.newDirectory("direct-");
        DirectSetup setup = DirectSetup.create(dir.resolve("setup"));
        NamedServer named;
        try {
            String zone = NamedServer.zone(DirectSetup.PARTNER, 60, List.of(dnsRecord(dir, setup)));
            named = NamedServer.start(Scratch.newDirectory("named-"), "  recursion no;\n",
                    Map.of(DirectSetup.PARTNER, "type primary; file \"partner.zone\";"), Map.of("partner.zone", zone));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start named", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        DirectDeployment deployment = new DirectDeployment(dir, setup, named, Ports.free(), extraConfig.apply(setup));
        try {
            deployment.startDaemon();
            return deployment;
        } catch (RuntimeException | AssertionError e) {
            deployment.close();
            throw e;
        }
    }

    /** bob's CERT record as the operator of partner.example publishes it: {@code direct-milter dns-record}. */
    private static String dnsRecord(Path dir, DirectSetup setup) {
        Path pem = TestPki.writePem(dir.resolve("bob.pem"), setup.bob.certificate());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new CommandLine(new DirectMilterCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute("dns-record", pem.toString(), "--owner", BOB, "--ttl", "300");
        if (status != 0 || !out.toString().startsWith("bob.partner.example. 300 IN CERT PKIX 0 0 ")) {
            throw new IllegalStateException("dns-record exited " + status + ":\n" + out + err);
        }
        return out.toString().strip();
    }

    /**
     * The daemon's configuration: the deployment's, DNS at our named only (one quick attempt, so a dead
     * named is a quick 4xx), and the fixed socket.
     */
    public String config() {
        return setup.configLines()
                + "Nameservers 127.0.0.1:" + named.port() + "\n"
                + "DNSTimeout 1s\nDNSAttempts 1\n"
                + "Socket inet:" + milterPort + "@127.0.0.1\n"
                + extraConfig;
    }

    /** Starts the daemon (again) on the same socket; the previous one must be gone. */
    public DaemonProcess startDaemon() {
        return startDaemon("");
    }

    /** Starts the daemon (again) as {@link #startDaemon()} does, with {@code moreConfig} lines added. */
    public DaemonProcess startDaemon(String moreConfig) {
        daemon = DaemonProcess.start(Scratch.newDirectory("direct-daemon-"), config() + moreConfig);
        return daemon;
    }

    /** Stops the daemon and starts it again on the same socket with {@code extraConfig} after the deployment's lines. */
    public DaemonProcess restartDaemon(String extraConfig) {
        return restartDaemon(extraConfig, List.of());
    }

    /** {@link #restartDaemon(String)} with options for the daemon's JVM ({@code -Dname=value}). */
    public DaemonProcess restartDaemon(String extraConfig, List<String> jvmOptions) {
        Resources.closeAll(daemon);
        daemon = DaemonProcess.start(Scratch.newDirectory("direct-daemon-"), config() + extraConfig, jvmOptions);
        return daemon;
    }

    public DaemonProcess daemon() {
        return daemon;
    }

    public int milterPort() {
        return milterPort;
    }

    /** {@code smtpd_milters} syntax. */
    public String postfixSocket() {
        return "inet:127.0.0.1:" + milterPort;
    }

    /** INPUT_MAIL_FILTER's S= syntax. */
    public String libmilterSocket() {
        return "inet:" + milterPort + "@127.0.0.1";
    }

    /** Stops named for good: every lookup from now on fails. */
    public void stopNamed() {
        named.close();
    }

    public String diagnostics() {
        return daemon == null ? "(no daemon)" : daemon.diagnostics();
    }

    @Override
    public void close() {
        Resources.closeAll(daemon, named);
    }

    /** A plain message with the fields a Direct message needs; Date and Message-ID given, so the MTA adds none. */
    public static String message(String from, List<String> to, String messageId, String subject, String body) {
        return "From: " + from + "\n"
                + "To: " + String.join(", ", to) + "\n"
                + "Subject: " + subject + "\n"
                + "Date: Sat, 28 Nov 2026 12:00:00 +0000\n"
                + "Message-ID: <" + messageId + ">\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=us-ascii\n"
                + "\n"
                + body;
    }

    /** The outer routing fields a HISP puts on its S/MIME message (never a Subject). */
    public static String routingHeaders(String from, List<String> to, String messageId) {
        return "From: " + from + "\nTo: " + String.join(", ", to) + "\nDate: Sat, 28 Nov 2026 12:00:00 +0000\n"
                + "Message-ID: <" + messageId + ">\n";
    }
}
