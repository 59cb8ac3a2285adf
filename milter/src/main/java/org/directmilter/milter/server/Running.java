package org.directmilter.milter.server;

import java.util.concurrent.atomic.AtomicBoolean;

/** A served connection plus what the server needs to log about it and to close it only once. */
final class Running {

    private final long id;
    private final String peer;
    private final ServedConnection connection;
    private final long startNanos;
    private final AtomicBoolean reaped = new AtomicBoolean();

    Running(long id, String peer, ServedConnection connection, long startNanos) {
        this.id = id;
        this.peer = peer;
        this.connection = connection;
        this.startNanos = startNanos;
    }

    long id() {
        return id;
    }

    String peer() {
        return peer;
    }

    ServedConnection connection() {
        return connection;
    }

    long startNanos() {
        return startNanos;
    }

    /** True the first time only: the watchdog logs a reaped connection once, not on every pass until it ends. */
    boolean markReaped() {
        return reaped.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + peer;
    }
}
