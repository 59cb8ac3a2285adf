package org.directmilter.milter.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.milter.client.ChangedMessage;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.client.RawMessage;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.server.MilterServer;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.server.SocketSpec;
import org.directmilter.milter.session.MilterSessionFactory;
import org.directmilter.milter.session.SessionSettings;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.resolver.CertificateDiscovery;
import org.directmilter.resolver.FoundCertificate;
import org.directmilter.resolver.OwnerLookup;
import org.directmilter.resolver.OwnerNameMode;

/**
 * The Direct policy as the daemon assembles it, behind a real in-process milter server on loopback:
 * {@link DirectSetup}'s PKI and configuration, with DNS answered from {@link #dns} (bob's certificate
 * published) so policy tests need no named.
 */
final class PolicyMilter implements AutoCloseable {

    /** What the MTA saw: every step's reply, and the message as the MTA would pass it on. */
    record Sent(Exchange.Outcome outcome, ChangedMessage delivered) {
        String reply(String command) {
            return outcome.steps().stream().filter(s -> s.command().startsWith(command)).findFirst()
                    .map(s -> s.reply() instanceof Response.ReplyCode r ? r.text() : s.reply().toString()).orElseThrow();
        }

        String eom() {
            return reply("EOM");
        }

        boolean accepted() {
            return outcome.endOfMessage().orElseThrow().finalReply() instanceof Response.Accept;
        }
    }

    final DirectSetup setup;
    final Map<String, OwnerLookup> dns = new ConcurrentHashMap<>();
    private final AnchorStore anchors;
    private final MilterSessionFactory sessions;
    private final MilterServer server;
    /** Started before the milter, so that no line it logs is missed. */
    private final AuditCapture audit = new AuditCapture();

    private PolicyMilter(Path dir, String extraConfig) throws IOException {
        this(dir, extraConfig, (config, real) -> real.tracker());
    }

    /** Builds the tracker of the policy under test from its configuration and the policy's own. */
    interface Tracking {
        Tracker tracker(MilterConfig config, DirectPolicy real);
    }

    private PolicyMilter(Path dir, String extraConfig, Tracking tracking) throws IOException {
        setup = DirectSetup.create(dir);
        Path file = Files.writeString(dir.resolve("direct-milter.conf"), setup.configLines() + extraConfig);
        MilterConfig config = ((ConfigResult.Valid) new ConfigLoader().load(file)).config();
        anchors = AnchorStore.load(setup.anchors);
        DirectPolicy real = Assembly.policy(config, anchors::anchorsFor, Optional.empty());
        CertificateDiscovery discovery = new CertificateDiscovery(
                owner -> dns.getOrDefault(owner, new OwnerLookup.NonePublished(owner, "NXDOMAIN", 60, List.of())),
                OwnerNameMode.NAIVE);
        DirectPolicy policy = new DirectPolicy(real.settings(), real.keys(), real.validator(), real.resolverSettings(),
                discovery, real.protector(), real.unprotector(), real.spoolThreshold(), real.temporaryDirectory(),
                real.notifier(), tracking.tracker(config, real));
        sessions = new MilterSessionFactory(DirectHandler.create(policy),
                SessionSettings.defaults().withSpool(1 << 20, setup.temporary));
        server = MilterServer.bind(SocketSpec.parse("inet:0@127.0.0.1"), ServerSettings.defaults(), sessions);
        server.start();
        publish(setup.bob);
    }

    /** A milter over {@code dir} with {@code extraConfig} lines appended to DirectSetup's configuration. */
    static PolicyMilter start(Path dir, String extraConfig) throws IOException {
        return new PolicyMilter(dir, extraConfig);
    }

    /** As {@link #start(Path, String)}, with the tracker {@code tracking} builds (tracking tests). */
    static PolicyMilter start(Path dir, String extraConfig, Tracking tracking) throws IOException {
        return new PolicyMilter(dir, extraConfig, tracking);
    }

    /** The audit lines logged since this milter was started, as their text. */
    List<String> auditLines() {
        return audit.lines();
    }

    /** Publishes {@code entity}'s certificate as an address-bound CERT record. */
    void publish(PrivateKeyEntry entity) {
        String owner = DirectSetup.address(entity).replace('@', '.') + ".";
        dns.put(owner, new OwnerLookup.Published(owner,
                List.of(new FoundCertificate(entity.certificate(), FoundCertificate.PKIX, Optional.empty())),
                List.of(), 300, List.of()));
    }

    /** One message through the milter on a new connection, as the MTA sends it. */
    Sent send(Envelope envelope, byte[] message) throws IOException {
        try (MilterClient client = MilterClient.connect(SocketSpec.parse("inet:" + server.port() + "@127.0.0.1"))) {
            Exchange.Outcome outcome = Exchange.send(client, envelope, message);
            ChangedMessage delivered = outcome.endOfMessage().map(eom -> ChangedMessage.apply(envelope,
                    RawMessage.parse(message), eom.modifications(), client.has(ProtocolFlags.HEADER_LEADING_SPACE)))
                    .orElse(null);
            return new Sent(outcome, delivered);
        }
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(5));
        sessions.close();
        anchors.close();
        audit.close();
    }
}
