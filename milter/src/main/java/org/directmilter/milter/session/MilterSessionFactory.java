package org.directmilter.milter.session;

import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.MacroStage;
import org.directmilter.milter.protocol.Negotiation;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.server.ConnectionFactory;
import org.directmilter.milter.server.ServedConnection;

/** Makes a {@link MilterSession} per accepted connection; owns the end-of-message worker pool. */
public final class MilterSessionFactory implements ConnectionFactory, AutoCloseable {

    /**
     * What direct-milter asks of an MTA: every action (the agreed set is what the MTA offers),
     * no DATA or unknown-command events, no replies to single headers, header values with their
     * leading space (so header bytes can be rebuilt exactly), and the macros the policy needs,
     * so the administrator does not have to edit milter_*_macros.
     */
    public static final Negotiation DEFAULT_NEGOTIATION = new Negotiation(Negotiation.PROTOCOL_VERSION,
            Actions.ALL,
            ProtocolFlags.NO_DATA | ProtocolFlags.NO_UNKNOWN | ProtocolFlags.NO_REPLY_HEADER
                    | ProtocolFlags.HEADER_LEADING_SPACE,
            Map.of(MacroStage.CONNECT, "j _ {daemon_name} {daemon_addr} {daemon_port} {client_addr} {client_name}",
                    MacroStage.HELO, "{tls_version} {cipher} {cert_subject} {cert_issuer}",
                    MacroStage.MAIL, "i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}",
                    MacroStage.RCPT, "i {rcpt_addr} {rcpt_host} {rcpt_mailer}",
                    MacroStage.END_OF_HEADERS, "i",
                    MacroStage.END_OF_MESSAGE, "i {msg_id}"));

    private final MessageHandler handler;
    private final SessionSettings settings;
    private final Negotiation negotiation;
    private final ExecutorService workers;
    private final AtomicInteger ids = new AtomicInteger();

    public MilterSessionFactory(MessageHandler handler, SessionSettings settings) {
        this(handler, settings, DEFAULT_NEGOTIATION);
    }

    public MilterSessionFactory(MessageHandler handler, SessionSettings settings, Negotiation negotiation) {
        this.handler = handler;
        this.settings = settings;
        this.negotiation = negotiation;
        AtomicInteger workerIds = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "milter-worker-" + workerIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.workers = Executors.newFixedThreadPool(settings.workers(), threads);
    }

    @Override
    public ServedConnection open(SocketChannel channel, String peer) {
        return new MilterSession(channel, peer + "#" + ids.incrementAndGet(), handler, settings, negotiation, workers);
    }

    @Override
    public void close() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(settings.endOfMessageTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
