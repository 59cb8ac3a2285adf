package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.directmilter.milter.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * The fake connections pretend their last frame was long ago, so the watchdog's decisions show at its
 * next pass instead of after a real timeout.
 */
@Timeout(60)
class MilterServerTimeoutTest {

    private static final Duration LONG_AGO = Duration.ofHours(2);

    private final RecordingFactory factory = new RecordingFactory();
    private MilterServer server;

    @RegisterExtension
    final StopServerAfterEach stopServer = new StopServerAfterEach(() -> server);

    private void start(Duration idle, Duration read) throws Exception {
        ServerSettings defaults = ServerSettings.defaults();
        server = MilterServer.bind(SocketSpec.parse("inet:0@127.0.0.1"),
                new ServerSettings(8, idle, read, defaults.socketMode(), Optional.empty()), factory);
        server.start();
    }

    @Test
    void idleTimeoutReapsAnIdleConnectionButNotAWorkingOne() throws Exception {
        start(Duration.ofSeconds(1), Duration.ofHours(1));
        try (Client busy = Client.connect(server.boundAddress());
             Client idle = Client.connect(server.boundAddress())) {
            assertThat(busy.call("work")).isEqualTo("work");
            FakeConnection working = factory.next();
            assertThat(idle.call("hello")).isEqualTo("hello");
            FakeConnection silent = factory.next();

            working.silentFor(LONG_AGO);
            silent.silentFor(LONG_AGO);

            Poll.until("the idle connection is reaped", silent::closed);
            assertThat(idle.readLine()).isNull();
            awaitTwoMoreWatchdogPasses();
            assertThat(working.closed()).as("a working connection is never reaped").isFalse();
            assertThat(busy.call("rest")).isEqualTo("rest");
            Poll.until("only the working connection is left", () -> server.activeConnections() == 1);
        }
    }

    @Test
    void readTimeoutReapsAConnectionSilentInTheMiddleOfAMessage() throws Exception {
        start(Duration.ofHours(1), Duration.ofSeconds(1));
        try (Client betweenMessages = Client.connect(server.boundAddress());
             Client midMessage = Client.connect(server.boundAddress())) {
            assertThat(betweenMessages.call("hello")).isEqualTo("hello");
            FakeConnection idle = factory.next();
            assertThat(midMessage.call("begin")).isEqualTo("begin");
            FakeConnection stalled = factory.next();

            idle.silentFor(Duration.ofSeconds(10));
            stalled.silentFor(Duration.ofSeconds(10));

            Poll.until("the stalled message is reaped", stalled::closed);
            assertThat(stalled.closedInMessage).isTrue();
            assertThat(midMessage.readLine()).isNull();
            awaitTwoMoreWatchdogPasses();
            assertThat(idle.closed()).as("10 s between messages is within the idle timeout").isFalse();
            assertThat(betweenMessages.call("still open")).isEqualTo("still open");
        }
    }

    @Test
    void aWorkingConnectionInsideAMessageOutlivesTheReadTimeout() throws Exception {
        start(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.call("begin")).isEqualTo("begin");
            assertThat(client.call("work")).isEqualTo("work");
            FakeConnection connection = factory.next();
            connection.silentFor(LONG_AGO);

            awaitTwoMoreWatchdogPasses();

            assertThat(connection.closed()).isFalse();
            assertThat(client.call("rest")).isEqualTo("rest");
        }
    }

    private void awaitTwoMoreWatchdogPasses() {
        long seen = server.watchdogPasses();
        Poll.until("the watchdog has passed twice more", () -> server.watchdogPasses() >= seen + 2);
    }
}
