package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.directmilter.milter.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The log lines are the operator's interface to the server: check what they say and what they leave out. */
@Timeout(60)
class MilterServerLoggingTest {

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };
    private Logger logger;
    private Level previousLevel;
    private MilterServer server;

    @BeforeEach
    void capture() {
        Assumptions.assumeTrue(LoggerFactory.getLogger(MilterServer.class) instanceof Logger, "logback is not bound");
        logger = (Logger) LoggerFactory.getLogger(MilterServer.class);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
        if (logger != null) {
            logger.detachAppender(appender);
            logger.setLevel(previousLevel);
        }
    }

    private void start(ServerSettings settings, ConnectionFactory factory) throws IOException {
        server = MilterServer.bind(SocketSpec.parse("inet:0@127.0.0.1"), settings, factory);
        server.start();
    }

    @Test
    void aRefusedConnectionIsAWarningNamingTheLimit() throws Exception {
        RecordingFactory factory = new RecordingFactory();
        start(MilterServerInetTest.settings(1), factory);
        try (Client first = Client.connect(server.boundAddress())) {
            assertThat(first.call("hello")).isEqualTo("hello");
            try (Client extra = Client.connect(server.boundAddress())) {
                assertThat(extra.readLine()).isNull();
            }
        }

        assertThat(lines(Level.WARN)).anySatisfy(line -> assertThat(line)
                .startsWith("inet:0@127.0.0.1: refusing connection from 127.0.0.1:")
                .endsWith(": 1 connections open, the limit (maxConnections) is 1;"
                        + " the MTA applies its milter_default_action"));
    }

    @Test
    void anOrdinaryDisconnectIsOneDebugLineWithoutAStackTrace() throws Exception {
        start(ServerSettings.defaults(), (channel, peer) -> throwing(channel,
                new UncheckedIOException(new IOException("Connection reset by peer"))));
        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.readLine()).isNull();
        }
        Poll.until("the connection has ended", () -> server.activeConnections() == 0
                && lines(Level.DEBUG).stream().anyMatch(line -> line.contains(" closed after ")));

        assertThat(events).filteredOn(e -> e.getMessage().contains("went away")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
                    assertThat(e.getThrowableProxy()).isNull();
                });
        assertThat(lines(Level.WARN)).isEmpty();
        assertThat(lines(Level.DEBUG)).anySatisfy(line -> assertThat(line).contains("accepted connection 1 from"));
    }

    @Test
    void aBugInAConnectionIsAWarningWithItsStackTrace() throws Exception {
        start(ServerSettings.defaults(), (channel, peer) -> throwing(channel, new IllegalStateException("bug")));
        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.readLine()).isNull();
        }
        Poll.until("the failure is logged", () -> !lines(Level.WARN).isEmpty());

        assertThat(events).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .satisfies(e -> assertThat(e.getThrowableProxy().getMessage()).isEqualTo("bug"));
    }

    @Test
    void reapingNamesThePeerAndTheTimeout() throws Exception {
        RecordingFactory factory = new RecordingFactory();
        ServerSettings defaults = ServerSettings.defaults();
        start(new ServerSettings(4, Duration.ofSeconds(1), Duration.ofMinutes(5), defaults.socketMode(),
                Optional.empty()), factory);
        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.call("hello")).isEqualTo("hello");
            FakeConnection connection = factory.next();
            connection.silentFor(Duration.ofMinutes(90));
            Poll.until("the connection is reaped", connection::closed);
        }

        assertThat(lines(Level.INFO)).anySatisfy(line -> assertThat(line)
                .matches("inet:0@127\\.0\\.0\\.1: closing connection 1 from 127\\.0\\.0\\.1:\\d+:"
                        + " idle for 1h30m between messages \\(idle timeout 1s\\)"));
    }

    @Test
    void listeningOnAllInterfacesIsAWarning() throws Exception {
        server = MilterServer.bind(SocketSpec.parse("inet:0"), ServerSettings.defaults(), new RecordingFactory());

        assertThat(server.port()).isPositive();
        assertThat(lines(Level.WARN)).singleElement().asString()
                .startsWith("inet:0: listening on all interfaces; anyone who can reach port " + server.port());
    }

    private List<String> lines(Level level) {
        return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static ServedConnection throwing(SocketChannel channel, RuntimeException failure) {
        return new ServedConnection() {
            @Override
            public void run() {
                throw failure;
            }

            @Override
            public boolean inMessage() {
                return false;
            }

            @Override
            public boolean working() {
                return false;
            }

            @Override
            public long lastActivityNanos() {
                return System.nanoTime();
            }

            @Override
            public void close() {
                ServerSockets.closeQuietly(channel);
            }

            @Override
            public void closeAfterMessage() {
                close();
            }
        };
    }
}
