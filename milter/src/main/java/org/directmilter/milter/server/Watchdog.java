package org.directmilter.milter.server;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections whose MTA has gone quiet for too long. Blocking reads have no deadline of their
 * own, so without this a vanished peer (no FIN, e.g. a firewall dropping state) would hold a thread and
 * a connection slot forever.
 */
final class Watchdog implements Runnable {

    // One logger name for every server line, so one entry in logback.xml tunes them all.
    private static final Logger log = LoggerFactory.getLogger(MilterServer.class);

    enum Timeout {
        IDLE, READ
    }

    private final String server;
    private final ServerSettings settings;
    private final Collection<Running> running;
    private final AtomicLong passes = new AtomicLong();

    Watchdog(String server, ServerSettings settings, Collection<Running> running) {
        this.server = server;
        this.settings = settings;
        this.running = running;
    }

    /** Often enough that a timeout is honoured within a tenth of itself, but not more than once a second. */
    static Duration period(ServerSettings settings) {
        Duration smallest = settings.idleTimeout().compareTo(settings.readTimeout()) < 0
                ? settings.idleTimeout() : settings.readTimeout();
        Duration tenth = smallest.dividedBy(10);
        if (tenth.compareTo(Duration.ofMillis(10)) < 0) {
            return Duration.ofMillis(10);
        }
        return tenth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : tenth;
    }

    /** Which timeout, if any, a connection in this state has exceeded. A working connection never has. */
    static Optional<Timeout> exceeded(boolean inMessage, boolean working, long silentNanos, ServerSettings settings) {
        if (working) {
            return Optional.empty();
        }
        if (inMessage) {
            return silentNanos > settings.readTimeout().toNanos() ? Optional.of(Timeout.READ) : Optional.empty();
        }
        return silentNanos > settings.idleTimeout().toNanos() ? Optional.of(Timeout.IDLE) : Optional.empty();
    }

    /** Completed passes, so tests can tell that the watchdog has looked at a connection and left it alone. */
    long passes() {
        return passes.get();
    }

    @Override
    public void run() {
        // An exception escaping a scheduled task would cancel every later run, silently.
        try {
            long now = System.nanoTime();
            for (Running r : running) {
                try {
                    check(r, now);
                } catch (RuntimeException e) {
                    log.warn("{}: watchdog could not check {}", server, r, e);
                }
            }
        } catch (RuntimeException e) {
            log.warn("{}: watchdog pass failed", server, e);
        } finally {
            passes.incrementAndGet();
        }
    }

    private void check(Running r, long now) {
        ServedConnection c = r.connection();
        long silent = now - c.lastActivityNanos();
        Optional<Timeout> timeout = exceeded(c.inMessage(), c.working(), silent, settings);
        if (timeout.isEmpty() || !r.markReaped()) {
            return;
        }
        String quiet = Durations.human(Duration.ofNanos(silent));
        if (timeout.get() == Timeout.IDLE) {
            log.info("{}: closing {}: idle for {} between messages (idle timeout {})",
                    server, r, quiet, Durations.human(settings.idleTimeout()));
        } else {
            log.warn("{}: closing {}: the MTA sent nothing for {} in the middle of a message (read timeout {})",
                    server, r, quiet, Durations.human(settings.readTimeout()));
        }
        c.close();
    }
}
