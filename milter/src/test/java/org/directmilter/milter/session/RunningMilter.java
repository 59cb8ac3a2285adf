package org.directmilter.milter.session;

import java.io.IOException;
import java.time.Duration;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.server.MilterServer;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.server.SocketSpec;

/** A real server on an ephemeral loopback port running one handler, for tests. */
final class RunningMilter implements AutoCloseable {
    final MilterServer server;
    final MilterSessionFactory factory;

    RunningMilter(MessageHandler handler, SessionSettings settings) throws IOException {
        this(handler, settings, ServerSettings.defaults());
    }

    RunningMilter(MessageHandler handler, SessionSettings settings, ServerSettings serverSettings) throws IOException {
        factory = new MilterSessionFactory(handler, settings);
        server = MilterServer.bind(SocketSpec.parse("inet:0@127.0.0.1"), serverSettings, factory);
        server.start();
    }

    SocketSpec spec() {
        return SocketSpec.parse("inet:" + server.port() + "@127.0.0.1");
    }

    MilterClient client() throws IOException {
        return MilterClient.connect(spec());
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(5));
        factory.close();
    }
}
