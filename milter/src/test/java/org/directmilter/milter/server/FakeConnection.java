package org.directmilter.milter.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stand-in for the milter session: echoes every line, and a few lines change its state the way milter
 * commands would ("begin" = MAIL, "end" = end of message, "work"/"rest" = EOM work, "boom" = a bug,
 * "oom" = out of memory, "assert" = an Error that is not fatal).
 */
final class FakeConnection implements ServedConnection {

    private final SocketChannel channel;
    final String peer;
    private volatile boolean inMessage;
    private volatile boolean working;
    private volatile long lastActivity = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    volatile boolean closeAfterMessageRequested;
    volatile boolean closedInMessage;
    volatile boolean finished;
    /** The thread that ran this connection, and its name meanwhile. */
    volatile Thread ranOn;
    volatile String threadName;

    FakeConnection(SocketChannel channel, String peer) {
        this.channel = channel;
        this.peer = peer;
    }

    @Override
    public void run() {
        ranOn = Thread.currentThread();
        threadName = ranOn.getName();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(channel);
            String line;
            while ((line = in.readLine()) != null) {
                lastActivity = System.nanoTime();
                switch (line) {
                    case "begin" -> inMessage = true;
                    case "end" -> inMessage = false;
                    case "work" -> working = true;
                    case "rest" -> working = false;
                    case "boom" -> throw new IllegalStateException("boom: a bug in the session");
                    case "oom" -> throw new OutOfMemoryError("test: the heap is gone");
                    case "assert" -> throw new AssertionError("test: a bug that is an Error");
                    default -> { }
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (!inMessage && closeAfterMessageRequested) {
                    close();
                    return;
                }
            }
        } catch (IOException e) {
            // closed by us or by the peer: an ordinary end
        } finally {
            finished = true;
        }
    }

    /** Pretends the last frame went by {@code silence} ago, so timeout tests need not wait that long. */
    void silentFor(Duration silence) {
        lastActivity = System.nanoTime() - silence.toNanos();
    }

    boolean closed() {
        return closed.get();
    }

    @Override
    public boolean inMessage() {
        return inMessage;
    }

    @Override
    public boolean working() {
        return working;
    }

    @Override
    public long lastActivityNanos() {
        return lastActivity;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closedInMessage = inMessage;
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }

    @Override
    public void closeAfterMessage() {
        closeAfterMessageRequested = true;
        if (!inMessage) {
            close();
        }
    }
}
