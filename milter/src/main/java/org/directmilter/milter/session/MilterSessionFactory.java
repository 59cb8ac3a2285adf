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
     * no DATA or unknown-command events, header values with their leading space (so header bytes can
     * be rebuilt exactly), and the macros the handler declares ({@link MessageHandler#macros()}), so the
     * administrator does not have to edit milter_*_macros.
     *
     * <p>No reply is asked for where the answer could only be CONTINUE, because each reply is a round
     * trip the MTA waits for (Postfix opens a connection per message): HELO (the handler never sees it),
     * single headers and body chunks (a message that broke a header limit is refused at end of headers,
     * before any body chunk), and CONNECT when the handler keeps the default {@link MessageHandler#connect}.
     * MAIL, RCPT, end of headers and end of message are always answered.
     */
    public static Negotiation negotiationFor(MessageHandler handler) {
        int flags = ProtocolFlags.NO_DATA | ProtocolFlags.NO_UNKNOWN | ProtocolFlags.NO_REPLY_HEADER
                | ProtocolFlags.NO_REPLY_HELO | ProtocolFlags.NO_REPLY_BODY | ProtocolFlags.HEADER_LEADING_SPACE;
        if (!decidesAtConnect(handler)) {
            flags |= ProtocolFlags.NO_REPLY_CONNECT;
        }
        return new Negotiation(Negotiation.PROTOCOL_VERSION, Actions.ALL, flags, handler.macros().lists());
    }

    /** False when the handler keeps the default {@link MessageHandler#connect}, which only continues. */
    static boolean decidesAtConnect(MessageHandler handler) {
        try {
            return handler.getClass().getMethod("connect", Client.class, Macros.class).getDeclaringClass()
                    != MessageHandler.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("MessageHandler.connect is gone", e);
        }
    }

    private final MessageHandler handler;
    private final SessionSettings settings;
    private final Negotiation negotiation;
    private final ExecutorService workers;
    private final ExecutorService blocking;
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
        // Completions wait (for the MTA's submission command, a tracking commit) rather than compute, so they get threads of
        // their own, made when needed and ended after a minute idle: at most one per connection waiting for
        // its answer (each has one message at a time), plus any a timeout abandoned, until they finish.
        AtomicInteger completionIds = new AtomicInteger();
        this.blocking = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "milter-completion-" + completionIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.endOfMessageCall = new EndOfMessageCall(handler, workers, blocking, settings, fatal);
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
        long deadline = System.nanoTime() + settings.endOfMessageTimeout().toNanos();
        try {
            // the workers first: until they stop, one may still hand a completion on
            if (!workers.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                workers.shutdownNow();
            }
            blocking.shutdown();
            if (!blocking.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                blocking.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            blocking.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
