package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.server.MilterServer;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.server.SocketSpec;
import org.directmilter.milter.session.MessageHandler;
import org.directmilter.milter.session.MilterSessionFactory;
import org.directmilter.milter.session.SessionSettings;

/**
 * Our own milter server serving one handler, for tests: on a free 127.0.0.1 port, or on a Unix
 * socket in a 0755 scratch directory, mode 0660 and group {@code postfix} so that Postfix's
 * unprivileged smtpd can connect (Sendmail and miltertest run as root). It serves from the
 * constructor on; {@link #close()} stops it.
 */
public final class RunningMilter implements AutoCloseable {

    public static final String SOCKET_GROUP = "postfix";

    private final MilterServer server;
    private final MilterSessionFactory sessions;
    private final SocketSpec spec;

    /** Over TCP with the default session and server settings. */
    public RunningMilter(MessageHandler handler) {
        this(handler, SocketKind.INET);
    }

    /** Over {@code kind} with the default session and server settings. */
    public RunningMilter(MessageHandler handler, SocketKind kind) {
        this(handler, SessionSettings.defaults(), ServerSettings.defaults(), kind);
    }

    /** Over TCP with these session settings. */
    public RunningMilter(MessageHandler handler, SessionSettings sessionSettings) {
        this(handler, sessionSettings, ServerSettings.defaults());
    }

    /** Over TCP with these session and server settings. */
    public RunningMilter(MessageHandler handler, SessionSettings sessionSettings, ServerSettings serverSettings) {
        this(handler, sessionSettings, serverSettings, SocketKind.INET);
    }

    private RunningMilter(MessageHandler handler, SessionSettings sessionSettings, ServerSettings serverSettings,
                          SocketKind kind) {
        ServerSettings settings = serverSettings;
        if (kind == SocketKind.INET) {
            spec = SocketSpec.parse("inet:0@127.0.0.1");
        } else {
            spec = SocketSpec.parse("local:" + Scratch.newDirectory("milter-").resolve("milter.sock"));
            settings = new ServerSettings(settings.maxConnections(), settings.idleTimeout(), settings.readTimeout(),
                    PosixFilePermissions.fromString("rw-rw----"), Optional.of(SOCKET_GROUP));
        }
        sessions = new MilterSessionFactory(handler, sessionSettings);
        try {
            server = MilterServer.bind(spec, settings, sessions);
            server.start();
        } catch (IOException e) {
            sessions.close();
            throw new UncheckedIOException(e);
        }
    }

    /** The TCP port; fails for a Unix socket, which has none. */
    public int port() {
        if (!(spec instanceof SocketSpec.Inet)) {
            throw new IllegalStateException(spec + " has no port");
        }
        return server.port();
    }

    /** {@code inet:127.0.0.1:PORT} or {@code unix:/path}, as Postfix's smtpd_milters wants it. */
    public String postfixSocket() {
        return spec instanceof SocketSpec.Local local ? "unix:" + local.path() : "inet:127.0.0.1:" + port();
    }

    /** {@code inet:PORT@127.0.0.1} or {@code local:/path}, as Sendmail's INPUT_MAIL_FILTER and miltertest want it. */
    public String libmilterSocket() {
        return spec instanceof SocketSpec.Local local ? "local:" + local.path() : "inet:" + port() + "@127.0.0.1";
    }

    /** The server, for tests that watch its connections. */
    public MilterServer server() {
        return server;
    }

    /** The session factory, for tests that watch what sessions hold. */
    public MilterSessionFactory sessions() {
        return sessions;
    }

    /** A new connection to the server: the MTA side of the protocol. */
    public MilterClient client() throws IOException {
        return MilterClient.connect(SocketSpec.parse(libmilterSocket()));
    }

    /**
     * Stops serving (a Unix socket file disappears at once) and waits for connections to end.
     * Idempotent, as stopping the server and closing the session factory are.
     */
    @Override
    public void close() {
        try {
            server.stop(Duration.ofSeconds(5));
        } finally {
            sessions.close();
        }
    }
}
