package org.directmilter.milter.notify;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Submits a notification over SMTP to a listener of the local MTA on a loopback address
 * ({@code NotificationServer}), over connections kept between submissions: the null sender, one
 * recipient, the message dot-stuffed with CRLF line ends. It returns at the MTA's 2xx after the final
 * dot, when the MTA has queued the message. That listener runs direct-milter as its milter, so the 2xx
 * comes only after the notification's own pass through this daemon (which signs and encrypts it); the
 * caller waits on a completion thread, never on an end-of-message worker, so that pass can run.
 *
 * <p>An idle connection is reused by the next submission (the most recently used first), closed with
 * QUIT after {@code keepIdle} without use, and at {@link #close()}. There are never more connections
 * than submissions under way at once. A kept connection the server has closed meanwhile (its timeout,
 * a restart, a {@code 421}) is given up and the submission made once more on a fresh connection — but
 * only when the failure came before the message's data was sent, so the MTA cannot have queued it:
 * never two copies of one notification.
 *
 * <p>{@code timeout} bounds each submission: the connection, every reply. Writes are not timed: a
 * notification (a few KB) fits in the socket's buffer, and a reply must follow every write.
 */
public final class SmtpSubmission implements Submission {

    /**
     * How long an unused connection is kept: well below Postfix's smtpd_timeout (300 s), so the MTA
     * does not end it first, and long enough to carry a quiet hour's MDNs over a few connections.
     */
    public static final Duration KEEP_IDLE = Duration.ofSeconds(60);

    /** What may go into {@code RCPT TO:<>}: printable, no brackets, one {@code @}. Compiled once: asked per MDN. */
    private static final Pattern PLAIN_ADDRESS = Pattern.compile("[\\x21-\\x7e&&[^<>]]+@[\\x21-\\x7e&&[^<>@]]+");
    /** Longest reply line read; RFC 5321 §4.5.3.1.5 allows 512 octets with the CRLF. */
    private static final int MAX_LINE = 1000;
    private static final int MAX_REPLY_LINES = 100;
    /** How much of a reply a failure's reason quotes: the MTA's words, escaped, shortened. */
    private static final int MAX_QUOTED = 200;
    /** QUIT on an idle connection waits this long for the 221; nothing depends on it. */
    private static final int QUIT_WAIT_MILLIS = 1000;

    private final InetSocketAddress server;
    private final String serverName;
    private final Duration timeout;
    private final Duration keepIdle;
    /** Idle connections, most recently used first. Guarded by this. */
    private final Deque<Connection> idle = new ArrayDeque<>();
    /** Guarded by this. */
    private boolean closed;
    /** Whether a reap of idle connections is scheduled. Guarded by this. */
    private boolean reapScheduled;
    /** Closes idle connections; its one thread ends while none is kept. */
    private final ScheduledThreadPoolExecutor reaper;

    /**
     * @param server   the MTA's listener; a loopback address (the configuration refuses any other, for
     *                 the notification goes there in plaintext)
     * @param timeout  longest one submission may take (NotificationTimeout)
     * @param keepIdle how long an unused connection is kept, well below the server's own idle timeout
     */
    public SmtpSubmission(InetSocketAddress server, Duration timeout, Duration keepIdle) {
        if (!server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException(server + " is not a loopback address");
        }
        this.server = server;
        this.serverName = hostPort(server);
        this.timeout = timeout;
        this.keepIdle = keepIdle;
        this.reaper = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "notification-smtp-reaper");
            thread.setDaemon(true);
            return thread;
        });
        reaper.setKeepAliveTime(5, TimeUnit.SECONDS);
        reaper.allowCoreThreadTimeOut(true);
        reaper.setRemoveOnCancelPolicy(true);
    }

    /** "127.0.0.1:10027", "[::1]:10027": the server as failures name it. */
    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return address.getAddress() instanceof Inet6Address ? "[" + host + "]:" + address.getPort()
                : host + ":" + address.getPort();
    }

    @Override
    public void submit(String recipient, byte[] message) throws SubmissionException {
        if (!PLAIN_ADDRESS.matcher(recipient).matches()) {
            throw new SubmissionException("recipient is not a plain address");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] data = data(message);
        Connection kept = takeIdle();
        if (kept != null) {
            try {
                transaction(kept, recipient, data, deadline);
                release(kept);
                return;
            } catch (Stale e) {
                // The server closed the kept connection before the message was sent: one fresh try.
                kept.abandon();
            } catch (SubmissionException e) {
                kept.quitAndClose();
                throw e;
            }
        }
        Connection fresh = open(deadline);
        onFreshConnection(fresh, () -> transaction(fresh, recipient, data, deadline));
        release(fresh);
    }

    /**
     * Connects as a submission would (greeting, EHLO), then QUIT, keeping nothing: what {@code check}
     * reports. Returns the greeting's text.
     */
    public String probe() throws SubmissionException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Connection connection = open(deadline);
        connection.quitAndClose();
        return quoted(connection.greeting);
    }

    /** Closes the idle connections with QUIT and keeps none from now on; a later submit still works. */
    @Override
    public void close() {
        List<Connection> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(idle);
            idle.clear();
        }
        all.forEach(Connection::quitAndClose);
    }

    /** How many connections are kept idle now (for tests). */
    synchronized int idleConnections() {
        return idle.size();
    }

    private synchronized Connection takeIdle() {
        return idle.pollFirst();
    }

    private void release(Connection connection) {
        synchronized (this) {
            if (!closed) {
                connection.idleSince = System.nanoTime();
                idle.addFirst(connection);
                if (!reapScheduled) {
                    reapScheduled = true;
                    reaper.schedule(this::reap, keepIdle.toNanos(), TimeUnit.NANOSECONDS);
                }
                return;
            }
        }
        connection.quitAndClose();
    }

    /** Closes the connections idle for keepIdle; again at the next one's time while any is kept. */
    private void reap() {
        List<Connection> expired = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            // the least recently used are at the end
            while (!idle.isEmpty() && now - idle.peekLast().idleSince >= keepIdle.toNanos()) {
                expired.add(idle.pollLast());
            }
            if (idle.isEmpty()) {
                reapScheduled = false;
            } else {
                long next = idle.peekLast().idleSince + keepIdle.toNanos() - now;
                reaper.schedule(this::reap, Math.max(next, 0), TimeUnit.NANOSECONDS);
            }
        }
        expired.forEach(Connection::quitAndClose);
    }

    private Connection open(long deadline) throws SubmissionException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(server, (int) Math.max(1, remainingMillis(deadline)));
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new SubmissionException("no connection to " + serverName + " within " + within());
        } catch (IOException e) {
            closeQuietly(socket);
            throw new SubmissionException("cannot connect to " + serverName + ": " + e.getMessage());
        }
        Connection connection;
        try {
            connection = new Connection(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new SubmissionException("cannot connect to " + serverName + ": " + e.getMessage());
        }
        onFreshConnection(connection, () -> {
            connection.greeting = String.join(" ", connection.expect(null, "the greeting", 220, deadline));
            connection.expect("EHLO " + heloName(socket.getLocalAddress()), "EHLO", 250, deadline);
        });
        return connection;
    }

    /**
     * Runs {@code step} on a connection just opened: there is no other to fall back on, so a closed one
     * is a failure like any other; the connection is closed either way when it fails.
     */
    private static void onFreshConnection(Connection connection, Step step) throws SubmissionException {
        try {
            step.run();
        } catch (Stale e) {
            connection.abandon();
            throw new SubmissionException(e.getMessage());
        } catch (SubmissionException e) {
            connection.quitAndClose();
            throw e;
        }
    }

    /** A part of the SMTP dialogue. */
    private interface Step {
        void run() throws Stale, SubmissionException;
    }

    /**
     * Our end's address literal (RFC 5321 §4.1.3): true, and no name lookup on the way of every
     * notification. The MTA names a loopback client localhost in its log all the same.
     */
    private static String heloName(InetAddress local) {
        return local instanceof Inet6Address ? "[IPv6:" + local.getHostAddress().replaceFirst("%.*", "") + "]"
                : "[" + local.getHostAddress() + "]";
    }

    /**
     * One message on an open connection. Up to the 354 a failure that says the server closed the
     * connection is {@link Stale}; from the first byte of data on every failure is final, for the MTA
     * may have queued the message.
     */
    private void transaction(Connection c, String recipient, byte[] data, long deadline)
            throws Stale, SubmissionException {
        c.expect("MAIL FROM:<>", "MAIL FROM", 250, deadline);
        c.expect("RCPT TO:<" + recipient + ">", "RCPT TO", 250, deadline);
        c.expect("DATA", "DATA", 354, deadline);
        try {
            c.out.write(data);
            c.out.flush();
        } catch (IOException e) {
            throw new SubmissionException(serverName + " closed the connection during the message: " + e.getMessage());
        }
        try {
            c.expect(null, "the message's end", 250, deadline);
        } catch (Stale e) {
            throw new SubmissionException(e.getMessage()); // the MTA may have queued it: no second try
        }
    }

    /** The message as DATA sends it: CRLF line ends, a line starting with '.' doubled, the final dot. */
    static byte[] data(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 16 + 8);
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (lineStart && b == '.') {
                out.write('.');
            }
            if (b == '\n') {
                out.write('\r');
                out.write('\n');
                lineStart = true;
            } else if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < message.length && message[i + 1] == '\n') {
                    i++;
                }
                lineStart = true;
            } else {
                out.write(b);
                lineStart = false;
            }
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    /** NotificationTimeout as a reason says it: "30s", "300ms". */
    private String within() {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    }

    private static long remainingMillis(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    /** The server's words for a reason: printable ASCII, anything else as \xNN, shortened. */
    static String quoted(String reply) {
        StringBuilder out = new StringBuilder(Math.min(reply.length(), MAX_QUOTED) + 8);
        for (int i = 0; i < reply.length() && out.length() < MAX_QUOTED; i++) {
            char c = reply.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\x%02X", c & 0xff));
            }
        }
        return reply.length() > MAX_QUOTED && out.length() >= MAX_QUOTED ? out + "..." : out.toString();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }

    /** The kept connection was closed by the server before the message was sent; the reason names it. */
    private static final class Stale extends Exception {
        private static final long serialVersionUID = 1L;

        Stale(String reason) {
            super(reason, null, false, false);
        }
    }

    /** One SMTP connection to the server, used by one submission at a time. */
    private final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        /** When it was last released, System.nanoTime(). */
        long idleSince;
        /** The server's greeting, all its lines. */
        String greeting = "";
        /** False once the server let a reply time out or sent a malformed one: no QUIT then, only close. */
        boolean answering = true;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 1024);
            this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        }

        /**
         * Sends {@code command} (null: only reads, the greeting or the reply after the data) and reads
         * the reply, which must be {@code code}; {@code what} names the step in a failure's reason.
         */
        List<String> expect(String command, String what, int code, long deadline) throws Stale, SubmissionException {
            if (command != null) {
                try {
                    out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    throw new Stale(serverName + " closed the connection at " + what + ": " + e.getMessage());
                }
            }
            List<String> reply = read(what, deadline);
            String last = reply.get(reply.size() - 1);
            int got = Integer.parseInt(last.substring(0, 3));
            if (got == 421) {
                throw new Stale(serverName + " closed the connection at " + what + ": " + quoted(String.join(" ", reply)));
            }
            if (got != code && !(code == 250 && got == 251)) {
                throw new SubmissionException(serverName + " answered " + what + " with " + quoted(String.join(" ", reply)));
            }
            return reply;
        }

        /** A reply's lines: each starting with the same three digits, '-' on all but the last. */
        private List<String> read(String what, long deadline) throws Stale, SubmissionException {
            List<String> lines = new ArrayList<>(2);
            while (true) {
                String line = readLine(what, deadline);
                boolean wellFormed = line.length() >= 3 && Character.isDigit(line.charAt(0))
                        && line.charAt(0) >= '2' && line.charAt(0) <= '5' && Character.isDigit(line.charAt(1))
                        && Character.isDigit(line.charAt(2))
                        && (line.length() == 3 || line.charAt(3) == ' ' || line.charAt(3) == '-')
                        && (lines.isEmpty() || line.startsWith(lines.get(0).substring(0, 3)));
                if (!wellFormed || lines.size() == MAX_REPLY_LINES) {
                    answering = false;
                    throw new SubmissionException(serverName + " sent a malformed reply to " + what + ": " + quoted(line));
                }
                lines.add(line);
                if (line.length() == 3 || line.charAt(3) == ' ') {
                    return lines;
                }
            }
        }

        private String readLine(String what, long deadline) throws Stale, SubmissionException {
            StringBuilder line = new StringBuilder(64);
            try {
                while (true) {
                    long left = remainingMillis(deadline);
                    if (left <= 0) {
                        throw new SocketTimeoutException();
                    }
                    socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
                    int b = in.read();
                    if (b < 0) {
                        throw new Stale(serverName + " closed the connection at " + what);
                    }
                    if (b == '\n') {
                        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                        return line.substring(0, end);
                    }
                    if (line.length() == MAX_LINE) {
                        answering = false;
                        throw new SubmissionException(serverName + " sent a malformed reply to " + what + ": "
                                + quoted(line.toString()));
                    }
                    line.append((char) b);
                }
            } catch (SocketTimeoutException e) {
                answering = false;
                throw new SubmissionException("no answer from " + serverName + " to " + what + " within " + within());
            } catch (IOException e) {
                throw new Stale(serverName + " closed the connection at " + what + ": " + e.getMessage());
            }
        }

        /**
         * Ends the session politely (QUIT, a short wait for the 221), then closes; closes at once a
         * connection whose server stopped answering, so a failure never waits beyond the timeout.
         */
        void quitAndClose() {
            if (!answering) {
                abandon();
                return;
            }
            try {
                socket.setSoTimeout(QUIT_WAIT_MILLIS);
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                while (in.read() >= 0 && in.available() > 0) {
                    // the 221; what it says does not matter
                }
            } catch (IOException e) {
                // closing anyway
            }
            abandon();
        }

        /** Closes without a word: the server is gone, or the session is in a state QUIT would not fix. */
        void abandon() {
            closeQuietly(socket);
        }
    }
}
