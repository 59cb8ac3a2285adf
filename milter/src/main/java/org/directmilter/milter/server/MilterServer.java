package org.directmilter.milter.server;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts MTA connections on one socket and runs each on its own thread (the milter protocol is
 * strictly request/reply, and Postfix keeps one connection per SMTP session, so a thread per connection
 * is the simplest thing that scales far enough). Bounded by {@link ServerSettings#maxConnections()},
 * watched for idle peers, and drained on {@link #stop(Duration)} without cutting a message in half
 * unless the grace period runs out.
 *
 * <p>Lifecycle: {@link #bind} (fails fast, nothing accepted yet), {@link #start}, {@link #stop} or
 * {@link #close}.
 */
public final class MilterServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MilterServer.class);

    static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    /** After close() a connection's run() returns "soon"; how long stop() waits for that before giving up. */
    private static final Duration CUT_WAIT = Duration.ofSeconds(2);
    /** How long a connection thread waits for the next connection before it ends. */
    private static final Duration IDLE_THREAD_KEEP = Duration.ofSeconds(10);

    /**
     * One thread per open connection, kept a while after its connection ends: Postfix opens a connection
     * per message, and starting a thread costs about 0.16 ms of CPU, a tenth of a small message's. At most
     * as many as connections are allowed ({@code serve} refuses beyond), so the pool itself is unbounded.
     */
    private final ThreadPoolExecutor connectionThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE,
            IDLE_THREAD_KEEP.toNanos(), TimeUnit.NANOSECONDS, new SynchronousQueue<>(), task -> {
                Thread t = new Thread(task, "milter-conn");
                // stop() closes every connection; a daemon thread keeps one that ignores close() from pinning the JVM.
                t.setDaemon(true);
                return t;
            });
    /** Pause after a failed accept (typically out of file descriptors) so the acceptor does not spin. */
    private static final long ACCEPT_RETRY_MILLIS = 100;

    private final SocketSpec spec;
    private final ServerSettings settings;
    private final ConnectionFactory factory;
    private final FatalErrors.Handler fatal;
    private final ServerSocketChannel listener;
    private final SocketAddress boundAddress;
    private final Optional<ServerSockets.SocketFile> socketFile;

    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    /** Monitor that connection threads notify as they end, so stop() can wait for the drain. */
    private final Object ended = new Object();
    private final AtomicLong connectionIds = new AtomicLong();
    private final Watchdog watchdog;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean stopping;
    // Guarded by this: start() and stop() must agree on whether there is an acceptor to wait for.
    private Thread acceptor;
    private ScheduledExecutorService scheduler;

    private MilterServer(SocketSpec spec, ServerSettings settings, ConnectionFactory factory, FatalErrors.Handler fatal,
                         ServerSockets.Bound bound) {
        this.spec = spec;
        this.settings = settings;
        this.factory = factory;
        this.fatal = fatal;
        this.listener = bound.channel();
        this.boundAddress = bound.address();
        this.socketFile = bound.socketFile();
        this.watchdog = new Watchdog(spec.toString(), settings, running.values());
    }

    /**
     * Binds the socket now, so a configuration mistake stops the daemon at startup rather than at the
     * first message. Nothing is accepted until {@link #start()}.
     *
     * @throws IOException with a message naming the spec and the likely cause (address in use, directory
     *                     missing or not writable, a non-socket file or a live socket at the path, ...)
     */
    public static MilterServer bind(SocketSpec spec, ServerSettings settings, ConnectionFactory factory)
            throws IOException {
        return bind(spec, settings, factory, FatalErrors.EXIT);
    }

    /** {@link #bind(SocketSpec, ServerSettings, ConnectionFactory)} with another answer to fatal errors (tests). */
    static MilterServer bind(SocketSpec spec, ServerSettings settings, ConnectionFactory factory,
                             FatalErrors.Handler fatal) throws IOException {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(factory, "factory");
        ServerSockets.Bound bound = ServerSockets.open(spec, settings);
        if (bound.address() instanceof InetSocketAddress inet && inet.getAddress().isAnyLocalAddress()) {
            // Anyone who can reach the port could have mail signed or decrypted with our keys.
            log.warn("{}: listening on all interfaces; anyone who can reach port {} can use this milter."
                    + " Bind to 127.0.0.1 unless the MTA runs on another host, and firewall the port.",
                    spec, inet.getPort());
        }
        if (spec instanceof SocketSpec.Local) {
            log.info("listening on {} (mode {}{})", spec, settings.socketModeOctal(),
                    settings.socketGroup().map(g -> ", group " + g).orElse(""));
        } else {
            log.info("listening on {} ({})", spec, hostAndPort((InetSocketAddress) bound.address()));
        }
        return new MilterServer(spec, settings, factory, Objects.requireNonNull(fatal, "fatal"), bound);
    }

    /** The address actually bound: with port 0, the port the system chose. */
    public SocketAddress boundAddress() {
        return boundAddress;
    }

    /** The TCP port bound, or -1 for a Unix socket. */
    public int port() {
        return boundAddress instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** Connections being served right now (refused ones never count). */
    public int activeConnections() {
        return running.size();
    }

    /** Starts the acceptor thread and the idle watchdog. Once only. */
    public synchronized void start() {
        if (stopping) {
            throw new IllegalStateException(spec + ": the server has been stopped");
        }
        if (acceptor != null) {
            throw new IllegalStateException(spec + ": the server is already started");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "milter-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Watchdog.period(settings).toNanos();
        scheduler.scheduleWithFixedDelay(() -> orFatal("the idle watchdog", watchdog), period, period,
                TimeUnit.NANOSECONDS);
        // Not a daemon thread: while the server accepts, the process has a reason to live.
        acceptor = new Thread(() -> orFatal("the acceptor", this::acceptLoop), "milter-acceptor");
        acceptor.start();
    }

    /**
     * Stops accepting (the listening socket closes and a Unix socket file is deleted at once), asks every
     * connection to close after its current message, waits up to {@code grace} for them, then closes
     * the rest. Idempotent: a second call waits for the first to finish.
     */
    public void stop(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (!stopRequested.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            shutdown(grace);
        } finally {
            stopped.countDown();
        }
    }

    /** {@link #stop(Duration)} with a 30-second grace period. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    /** Watchdog passes completed; lets tests see that a connection was examined and left alone. */
    long watchdogPasses() {
        return watchdog.passes();
    }

    /**
     * Runs a task of a thread the server cannot do without: whatever ends it, other than stopping, ends the
     * process (see {@link FatalErrors}).
     */
    private void orFatal(String what, Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            if (!stopping) {
                fatal.fatal(spec + ": " + what, t);
            }
        }
    }

    private void acceptLoop() {
        while (!stopping) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                if (stopping || !listener.isOpen()) {
                    break;
                }
                log.warn("{}: accepting a connection failed: {}", spec, e.toString());
                pauseAfterFailedAccept();
                continue;
            }
            try {
                serve(channel);
            } catch (RuntimeException e) {
                log.warn("{}: could not serve an accepted connection", spec, e);
                ServerSockets.closeQuietly(channel);
            }
        }
        log.debug("{}: acceptor stopped", spec);
    }

    private void serve(SocketChannel channel) {
        String peer = peerOf(channel);
        int open = running.size();
        if (open >= settings.maxConnections()) {
            log.warn("{}: refusing connection from {}: {} connections open, the limit (maxConnections) is {};"
                    + " the MTA applies its milter_default_action", spec, peer, open, settings.maxConnections());
            ServerSockets.closeQuietly(channel);
            return;
        }
        ServedConnection connection;
        try {
            channel.configureBlocking(true);
            connection = Objects.requireNonNull(factory.open(channel, peer), "the connection factory returned null");
        } catch (IOException | RuntimeException e) {
            log.warn("{}: could not set up the connection from {}", spec, peer, e);
            ServerSockets.closeQuietly(channel);
            return;
        }
        long id = connectionIds.incrementAndGet();
        Running r = new Running(id, peer, connection, System.nanoTime());
        running.put(id, r);
        log.debug("{}: accepted {} ({} of {} open)", spec, r, running.size(), settings.maxConnections());
        try {
            connectionThreads.execute(() -> runConnection(r, channel));
        } catch (OutOfMemoryError | RejectedExecutionException e) {
            // "unable to create native thread", or stopped meanwhile: refuse this one, keep accepting once others end.
            running.remove(id);
            log.warn("{}: no thread for {}: {}", spec, r, e.toString());
            safely(r, connection::close);
            ServerSockets.closeQuietly(channel);
            return;
        }
        if (stopping) {
            // stop() may have listed the connections before this one registered.
            safely(r, connection::closeAfterMessage);
        }
    }

    private void runConnection(Running r, SocketChannel channel) {
        Thread.currentThread().setName("milter-conn-" + r.id()); // the log lines' thread name, as before the pool
        try {
            r.connection().run();
        } catch (Throwable t) {
            if (FatalErrors.isFatal(t)) {
                fatal.fatal(spec + ": " + r, t);
            } else if (isPeerDisconnect(t)) {
                log.debug("{}: {}: the peer went away ({})", spec, r, t.toString());
            } else {
                log.warn("{}: {} failed", spec, r, t);
            }
        } finally {
            safely(r, r.connection()::close);
            // The connection owns the channel, but a leaked descriptor per connection would be fatal over time.
            ServerSockets.closeQuietly(channel);
            running.remove(r.id());
            synchronized (ended) {
                ended.notifyAll();
            }
            log.debug("{}: {} closed after {}", spec, r,
                    Durations.human(Duration.ofNanos(System.nanoTime() - r.startNanos())));
            Thread.currentThread().setName("milter-conn");
        }
    }

    private void shutdown(Duration grace) {
        long deadline = System.nanoTime() + Math.max(0, grace.toNanos());
        Thread acceptorThread;
        ScheduledExecutorService watchdogScheduler;
        synchronized (this) {
            stopping = true;
            acceptorThread = acceptor;
            watchdogScheduler = scheduler;
        }
        ServerSockets.closeQuietly(listener);
        socketFile.ifPresent(ServerSockets.SocketFile::delete);
        boolean interrupted = false;
        if (acceptorThread != null) {
            interrupted = !joinUntil(acceptorThread, deadline);
        }

        List<Running> draining = List.copyOf(running.values());
        if (!draining.isEmpty()) {
            log.info("{}: stopping; {} connection(s) may finish their current message (grace {})",
                    spec, draining.size(), Durations.human(grace));
        }
        for (Running r : draining) {
            safely(r, r.connection()::closeAfterMessage);
        }
        if (!interrupted) {
            interrupted = !awaitNoConnections(deadline);
        }

        List<Running> cut = List.copyOf(running.values());
        for (Running r : cut) {
            log.warn("{}: cutting {}{} after the {} grace period", spec, r,
                    inMessage(r) ? " in the middle of a message" : "", Durations.human(grace));
            safely(r, r.connection()::close);
        }
        if (!cut.isEmpty() && !interrupted) {
            interrupted = !awaitNoConnections(System.nanoTime() + CUT_WAIT.toNanos());
        }
        if (watchdogScheduler != null) {
            watchdogScheduler.shutdownNow();
        }
        connectionThreads.shutdown(); // the idle ones end now, any still cut end with their connection
        if (cut.isEmpty()) {
            log.info("{}: stopped", spec);
        } else {
            log.warn("{}: stopped; {} connection(s) cut after the {} grace period", spec, cut.size(),
                    Durations.human(grace));
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return false if interrupted */
    private boolean awaitNoConnections(long deadline) {
        synchronized (ended) {
            while (!running.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(ended, left);
                } catch (InterruptedException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** @return false if interrupted */
    private static boolean joinUntil(Thread thread, long deadline) {
        try {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void awaitStopped() {
        Uninterruptibly.await(stopped);
    }

    private void pauseAfterFailedAccept() {
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean inMessage(Running r) {
        try {
            return r.connection().inMessage();
        } catch (RuntimeException e) {
            return false;
        }
    }

    // A connection's own bug must not stop the server from closing the others.
    private void safely(Running r, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("{}: {} threw while closing", spec, r, e);
        }
    }

    static String peerOf(SocketChannel channel) {
        try {
            return channel.getRemoteAddress() instanceof InetSocketAddress inet ? hostAndPort(inet) : "unix";
        } catch (IOException e) {
            return "unknown peer";
        }
    }

    /** "127.0.0.1:8891" or "[::1]:8891": InetSocketAddress.toString() adds a slash operators do not write. */
    static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Peers hang up mid-conversation all the time; that deserves a DEBUG line, not a stack trace. */
    static boolean isPeerDisconnect(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ClosedChannelException || c instanceof EOFException) {
                return true;
            }
            if (c instanceof IOException && c.getMessage() != null
                    && (c.getMessage().contains("Connection reset") || c.getMessage().contains("Broken pipe"))) {
                return true;
            }
        }
        return false;
    }
}
