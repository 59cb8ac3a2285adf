package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.directmilter.milter.testkit.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An Error never leaves the server half-alive: a fatal one (out of memory) in a connection thread or
 * anything that ends the acceptor goes to the fatal-error handler (in the daemon: exit 70, systemd
 * restarts it); a non-fatal one ends its connection only and the server keeps serving.
 */
@Timeout(60)
class MilterServerFatalErrorTest {

    record Fatal(String where, Throwable error) {
    }

    private final List<Fatal> fatal = new CopyOnWriteArrayList<>();
    private MilterServer server;

    @RegisterExtension
    final StopServerAfterEach stopServer = new StopServerAfterEach(() -> server);

    private void start(ConnectionFactory factory) throws Exception {
        server = MilterServer.bind(SocketSpec.parse("inet:0@127.0.0.1"), ServerSettings.defaults(), factory,
                (where, error) -> fatal.add(new Fatal(where, error)));
        server.start();
    }

    @Test
    void outOfMemoryInAConnectionThreadIsFatal() throws Exception {
        start(new RecordingFactory());
        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.call("hello")).isEqualTo("hello");
            client.send("oom");
            Poll.until("the fatal-error handler is called", () -> !fatal.isEmpty());
        }
        assertThat(fatal).singleElement().satisfies(f -> {
            assertThat(f.error()).isInstanceOf(OutOfMemoryError.class);
            assertThat(f.where()).contains("connection 1");
        });
    }

    @Test
    void anotherErrorEndsItsConnectionOnlyAndTheServerKeepsServing() throws Exception {
        start(new RecordingFactory());
        try (Client client = Client.connect(server.boundAddress())) {
            client.send("assert");
            assertThat(client.readLine()).as("that connection is closed").isNull();
        }
        try (Client next = Client.connect(server.boundAddress())) {
            assertThat(next.call("still serving")).isEqualTo("still serving");
        }
        assertThat(fatal).isEmpty();
    }

    @Test
    void anythingThatEndsTheAcceptorIsFatal() throws Exception {
        start((channel, peer) -> {
            throw new StackOverflowError("test: the acceptor itself fails");
        });
        try (Client client = Client.connect(server.boundAddress())) {
            Poll.until("the fatal-error handler is called", () -> !fatal.isEmpty());
        }
        assertThat(fatal).singleElement().satisfies(f -> {
            assertThat(f.error()).isInstanceOf(StackOverflowError.class);
            assertThat(f.where()).contains("the acceptor");
        });
    }

    @Test
    void theRuleNamesOutOfMemoryFatalAndAStackOverflowNot() {
        assertThat(FatalErrors.isFatal(new OutOfMemoryError())).isTrue();
        assertThat(FatalErrors.isFatal(new InternalError())).isTrue();
        assertThat(FatalErrors.isFatal(new StackOverflowError())).isFalse();
        assertThat(FatalErrors.isFatal(new AssertionError())).isFalse();
        assertThat(FatalErrors.isFatal(new IllegalStateException())).isFalse();
    }
}
