package org.directmilter.milter.session;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.directmilter.crypto.spool.MemoryBudget;
import org.directmilter.crypto.spool.SpoolFiles;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.Negotiation;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.server.ConnectionFactory;
import org.directmilter.milter.server.FatalErrors;
import org.directmilter.milter.server.ServedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes a {@link MilterSession} per accepted connection; owns the end-of-message worker pool. */
public final class MilterSessionFactory implements ConnectionFactory, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MilterSessionFactory.class);

    /**
     * What direct-milter asks of an MTA: every action (the agreed set is what the MTA offers),
     * no DATA or unknown-command events, no replies to single headers, header values with their
     * leading space (so header bytes can be rebuilt exactly), and the macros the handler declares
     * ({@link MessageHandler#macros()}), so the administrator does not have to edit milter_*_macros.
     */
    public static Negotiation negotiationFor(MessageHandler handler) {
        return new Negotiation(Negotiation.PROTOCOL_VERSION, Actions.ALL,
                ProtocolFlags.NO_DATA | ProtocolFlags.NO_UNKNOWN | ProtocolFlags.NO_REPLY_HEADER
                        | ProtocolFlags.HEADER_LEADING_SPACE,
                handler.macros().lists());
    }

    private final MessageHandler handler;
    private final SessionSettings settings;
    private final Negotiation negotiation;
    private final ExecutorService workers;
    private final EndOfMessageCall endOfMessageCall;
    private final MemoryBudget memory;
    private final AtomicInteger ids = new AtomicInteger();

    public MilterSessionFactory(MessageHandler handler, SessionSettings settings) {
        this(handler, settings, negotiationFor(handler));
    }

    public MilterSessionFactory(MessageHandler handler, SessionSettings settings, Negotiation negotiation) {
        this(handler, settings, negotiation, FatalErrors.EXIT);
    }

    /**
     * @param fatal what a worker does with a fatal error that no connection will see any more (its message
     *              was abandoned); in the daemon the process exits, as for any fatal error of the server
     */
    MilterSessionFactory(MessageHandler handler, SessionSettings settings, Negotiation negotiation,
                         FatalErrors.Handler fatal) {
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
        this.endOfMessageCall = new EndOfMessageCall(handler, workers, settings, fatal);
        this.memory = MemoryBudget.of(settings.limits().messageMemoryBytes());
    }

    /**
     * Deletes the spool files a previous run of the daemon left in the spool directory (killed, crashed,
     * cut off): they hold message plaintext. Call at start and after stopping.
     *
     * @return how many were deleted
     */
    public int removeLeftoverSpoolFiles() {
        try {
            int removed = SpoolFiles.removeLeftovers(settings.spoolDirectory());
            if (removed > 0) {
                log.info("removed {} spool file(s) left behind in {}", removed, settings.spoolDirectory());
            }
            return removed;
        } catch (IOException e) {
            log.warn("could not look for spool files left behind in {}: {}", settings.spoolDirectory(), e.toString());
            return 0;
        }
    }

    /** Heap that frames and bodies in memory take right now, across connections. */
    public long memoryInUse() {
        return memory.used();
    }

    @Override
    public ServedConnection open(SocketChannel channel, String peer) {
        return new MilterSession(channel, peer + "#" + ids.incrementAndGet(), handler, settings, negotiation,
                endOfMessageCall, memory);
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
