package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.directmilter.milter.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MilterServerInetTest {

    private static final SocketSpec LOOPBACK = SocketSpec.parse("inet:0@127.0.0.1");

    private final RecordingFactory factory = new RecordingFactory();
    private MilterServer server;

    @RegisterExtension
    final StopServerAfterEach stopServer = new StopServerAfterEach(() -> server);

    private MilterServer started(ServerSettings settings, ConnectionFactory connections) throws IOException {
        server = MilterServer.bind(LOOPBACK, settings, connections);
        server.start();
        return server;
    }

    @Test
    void bindsAnEphemeralPortAndServesTwoConnectionsAtOnce() throws Exception {
        started(ServerSettings.defaults(), factory);

        assertThat(server.port()).isPositive();
        assertThat(server.boundAddress())
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), server.port()));
        try (Client first = Client.connect(server.boundAddress());
             Client second = Client.connect(server.boundAddress())) {
            assertThat(first.call("hello from one")).isEqualTo("hello from one");
            assertThat(second.call("hello from two")).isEqualTo("hello from two");
            assertThat(first.call("again")).isEqualTo("again");
            assertThat(server.activeConnections()).isEqualTo(2);
            assertThat(factory.next().peer).startsWith("127.0.0.1:");
        }
        Poll.until("both connections have ended", () -> server.activeConnections() == 0);
    }

    @Test
    void aConnectionAfterAnotherEndedRunsOnTheSameThread() throws Exception {
        started(ServerSettings.defaults(), factory);
        try (Client first = Client.connect(server.boundAddress())) {
            assertThat(first.call("one")).isEqualTo("one");
        }
        FakeConnection firstServed = factory.next();
        Poll.until("the first connection's thread waits for the next one",
                () -> server.activeConnections() == 0 && firstServed.ranOn.getState() == Thread.State.TIMED_WAITING);
        try (Client second = Client.connect(server.boundAddress())) {
            assertThat(second.call("two")).isEqualTo("two");
        }
        FakeConnection secondServed = factory.next();

        // Postfix opens a connection per message: a thread started for each would cost more than the protocol
        assertThat(secondServed.ranOn).isSameAs(firstServed.ranOn);
        assertThat(firstServed.threadName).isEqualTo("milter-conn-1");
        assertThat(secondServed.threadName).isEqualTo("milter-conn-2");
    }

    @Test
    void portInUseFailsFastNamingTheSpec() throws Exception {
        started(ServerSettings.defaults(), factory);
        SocketSpec taken = SocketSpec.parse("inet:" + server.port() + "@127.0.0.1");

        assertThatThrownBy(() -> MilterServer.bind(taken, ServerSettings.defaults(), factory))
                .isInstanceOf(BindException.class)
                .hasMessage("inet:" + server.port() + "@127.0.0.1: address already in use"
                        + " — is another direct-milter or milter running?");
    }

    @Test
    void addressNotOfThisHostFailsFast() {
        SocketSpec foreign = SocketSpec.parse("inet:0@192.0.2.1");

        assertThatThrownBy(() -> MilterServer.bind(foreign, ServerSettings.defaults(), factory))
                .isInstanceOf(BindException.class)
                .hasMessage("inet:0@192.0.2.1: '192.0.2.1' is not an address of this host");
    }

    @Test
    void unresolvableHostFailsFast() {
        SocketSpec nowhere = SocketSpec.parse("inet:0@no-such-host.invalid");

        assertThatThrownBy(() -> MilterServer.bind(nowhere, ServerSettings.defaults(), factory))
                .isInstanceOf(IOException.class)
                .hasMessage("inet:0@no-such-host.invalid: cannot resolve host 'no-such-host.invalid'");
    }

    @Test
    void servesIpv6LoopbackWhenTheHostHasIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback here");
        server = MilterServer.bind(SocketSpec.parse("inet6:0@[::1]"), ServerSettings.defaults(), factory);
        server.start();

        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.call("over v6")).isEqualTo("over v6");
            assertThat(factory.next().peer).startsWith("[0:0:0:0:0:0:0:1]:");
        }
    }

    @Test
    void refusesConnectionsBeyondTheLimitWhileTheOthersKeepWorking() throws Exception {
        started(settings(2), factory);

        try (Client first = Client.connect(server.boundAddress());
             Client second = Client.connect(server.boundAddress())) {
            assertThat(first.call("one")).isEqualTo("one");
            assertThat(second.call("two")).isEqualTo("two");
            factory.next();
            factory.next();

            try (Client extra = Client.connect(server.boundAddress())) {
                assertThat(extra.readLine()).as("the extra connection is closed at once").isNull();
            }
            assertThat(factory.noneOpened()).as("the factory never saw the extra connection").isTrue();
            assertThat(first.call("still here")).isEqualTo("still here");
            assertThat(second.call("me too")).isEqualTo("me too");
            assertThat(server.activeConnections()).isEqualTo(2);

            first.close();
            Poll.until("the first connection has ended", () -> server.activeConnections() == 1);
            try (Client third = Client.connect(server.boundAddress())) {
                assertThat(third.call("a slot is free again")).isEqualTo("a slot is free again");
            }
        }
    }

    @Test
    void aFactoryThatThrowsDoesNotStopTheAcceptor() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        started(ServerSettings.defaults(), (channel, peer) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("factory bug");
            }
            return factory.open(channel, peer);
        });

        try (Client broken = Client.connect(server.boundAddress())) {
            assertThat(broken.readLine()).isNull();
        }
        try (Client fine = Client.connect(server.boundAddress())) {
            assertThat(fine.call("served")).isEqualTo("served");
        }
        assertThat(calls).hasValue(2);
    }

    @Test
    void aConnectionThatThrowsDoesNotStopTheAcceptor() throws Exception {
        started(ServerSettings.defaults(), factory);

        try (Client buggy = Client.connect(server.boundAddress())) {
            buggy.send("boom");
            assertThat(buggy.readLine()).isNull();
        }
        Poll.until("the failed connection is gone", () -> server.activeConnections() == 0);
        try (Client fine = Client.connect(server.boundAddress())) {
            assertThat(fine.call("served")).isEqualTo("served");
        }
    }

    @Test
    void afterStopThePortNoLongerAccepts() throws Exception {
        started(ServerSettings.defaults(), factory);
        InetSocketAddress address = (InetSocketAddress) server.boundAddress();
        try (Client client = Client.connect(address)) {
            assertThat(client.call("before")).isEqualTo("before");
        }

        server.stop(Duration.ofSeconds(5));

        assertThatThrownBy(() -> SocketChannel.open(address).close()).isInstanceOf(IOException.class);
        assertThat(server.activeConnections()).isZero();
    }

    @Test
    void lifecycleMisuseIsRefusedAndStopIsIdempotent() throws Exception {
        started(ServerSettings.defaults(), factory);

        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
        server.stop(Duration.ofSeconds(1));
        server.stop(Duration.ofSeconds(1));
        server.close();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has been stopped");
    }

    @Test
    void stopWithoutStartReleasesThePort() throws Exception {
        server = MilterServer.bind(LOOPBACK, ServerSettings.defaults(), factory);
        InetSocketAddress address = (InetSocketAddress) server.boundAddress();

        server.close();

        try (ServerSocketChannel again = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            again.bind(address);
        }
    }

    static ServerSettings settings(int maxConnections) {
        ServerSettings defaults = ServerSettings.defaults();
        return new ServerSettings(maxConnections, defaults.idleTimeout(), defaults.readTimeout(),
                defaults.socketMode(), Optional.empty());
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
