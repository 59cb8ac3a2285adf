package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A throwaway MTA relaying to its own smtp-sink, what the milter tests need of Postfix and Sendmail
 * alike: one 0755 scratch directory under {@code target/it} holding everything, SMTP on a free
 * 127.0.0.1 port, a shutdown hook, and a {@link #close()} that always stops the MTA and the sink.
 * A subclass writes its configuration, launches its daemon and says how it words the replies.
 */
public abstract sealed class Mta implements AutoCloseable permits PostfixInstance, SendmailInstance {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final Path dir;
    private final int smtpPort;
    private final SmtpSink sink;
    private final Thread shutdownHook;
    private boolean closed;

    /** Makes the scratch directory {@code prefix*} and starts the sink; {@link #start()} starts the MTA. */
    Mta(String name, String prefix) {
        this.name = name;
        this.dir = Scratch.newDirectory(prefix);
        this.sink = SmtpSink.start(dir);
        this.smtpPort = Ports.free();
        this.shutdownHook = new Thread(this::close, prefix + "instance-shutdown");
    }

    /** Configures and launches the MTA, relaying to {@link #sinkPort()} and listening on {@link #smtpPort()}. */
    abstract void launch() throws IOException;

    /**
     * Fails at once, with the logs, when the MTA has already died, instead of waiting the whole start
     * timeout for it to listen. Without a process to watch (Postfix's master daemonizes) a no-op.
     */
    void checkAlive() {
    }

    /** Stops the MTA and every process it started, escalating as needed. */
    abstract void stop();

    /** The tail of the MTA's own logs, for failure messages. */
    abstract String logTail();

    /** Launches the MTA and waits until it listens; on any failure closes what started and rethrows. */
    final void start() {
        try {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            launch();
            Poll.until(name + " to listen on 127.0.0.1:" + smtpPort, START_TIMEOUT, () -> {
                checkAlive();
                return Ports.listening(smtpPort);
            }, this::diagnostics);
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start " + name + " in " + dir, e);
        }
    }

    public final int smtpPort() {
        return smtpPort;
    }

    public final int sinkPort() {
        return sink.port();
    }

    /** The instance's scratch directory: the MTA's configuration, queue and logs, and {@code sink/}. */
    public final Path dir() {
        return dir;
    }

    /** Messages that have completely arrived at the sink so far, oldest first; does not wait. */
    public final List<SinkMessage> sinkMessages() {
        return sink.messages();
    }

    /** Waits until at least {@code count} messages arrived at the sink; fails with the logs if not. */
    public final List<SinkMessage> awaitSinkMessages(int count, Duration timeout) {
        return sink.awaitMessages(count, timeout, this::logTail);
    }

    /** Everything the MTA logged so far. */
    public abstract String maillog();

    /** Waits until the maillog contains {@code text}, e.g. a delivery or a milter warning; returns the maillog. */
    public final String awaitMaillog(String text, Duration timeout) {
        Poll.until("\"" + text + "\" in the " + name + " maillog", timeout, () -> maillog().contains(text),
                this::diagnostics);
        return maillog();
    }

    /** The reply to MAIL while the configured milter cannot be reached (it tempfails, never accepts). */
    public abstract String milterUnavailableReply();

    /** The reply line when the milter rejects {@code address} (at MAIL or RCPT) with "550 5.7.1 {@code text}". */
    public abstract String milterRejectReply(String address, String text);

    /** The queue id in the MTA's reply to an accepted message, as its milter sees it in macro {@code i}. */
    public abstract String queueId(SmtpClient.Reply accepted);

    /** Stops the MTA and the sink. Idempotent. */
    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // JVM shutting down, or the hook was never added
        }
        try {
            stop();
        } finally {
            sink.close();
        }
    }

    final String diagnostics() {
        return logTail() + "\n" + sink.diagnostics();
    }
}
