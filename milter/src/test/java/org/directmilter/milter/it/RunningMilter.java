package org.directmilter.milter.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.directmilter.milter.server.MilterServer;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.server.SocketSpec;
import org.directmilter.milter.session.MessageHandler;
import org.directmilter.milter.session.MilterSessionFactory;
import org.directmilter.milter.session.SessionSettings;

/** Our own milter server on a free 127.0.0.1 port, serving one handler, for the MTA tests. */
final class RunningMilter implements AutoCloseable {

    private final MilterServer server;
    private final MilterSessionFactory sessions;

    private RunningMilter(MilterServer server, MilterSessionFactory sessions) {
        this.server = server;
        this.sessions = sessions;
    }

    static RunningMilter start(MessageHandler handler) {
        MilterSessionFactory sessions = new MilterSessionFactory(handler, SessionSettings.defaults());
        try {
            MilterServer server = MilterServer.bind(SocketSpec.parse("inet:0@127.0.0.1"), ServerSettings.defaults(), sessions);
            server.start();
            return new RunningMilter(server, sessions);
        } catch (IOException e) {
            sessions.close();
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.port();
    }

    /** {@code inet:127.0.0.1:PORT}, as Postfix's smtpd_milters wants it. */
    String postfixSocket() {
        return "inet:127.0.0.1:" + port();
    }

    /** {@code inet:PORT@127.0.0.1}, as Sendmail's INPUT_MAIL_FILTER and miltertest want it. */
    String libmilterSocket() {
        return "inet:" + port() + "@127.0.0.1";
    }

    @Override
    public void close() {
        try {
            server.stop(Duration.ofSeconds(5));
        } finally {
            sessions.close();
        }
    }
}
