package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.directmilter.milter.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MilterServerShutdownTest {

    private final RecordingFactory factory = new RecordingFactory();
    private MilterServer server;

    @RegisterExtension
    final StopServerAfterEach stopServer = new StopServerAfterEach(() -> server);

    private void start() throws Exception {
        server = MilterServer.bind(SocketSpec.parse("inet:0@127.0.0.1"), ServerSettings.defaults(), factory);
        server.start();
    }

    @Test
    void stopLetsAMessageInProgressFinishAndClosesIdleConnectionsAtOnce() throws Exception {
        start();
        SocketAddress address = server.boundAddress();
        try (Client sending = Client.connect(address);
             Client idle = Client.connect(address)) {
            assertThat(sending.call("begin")).isEqualTo("begin");
            FakeConnection inMessage = factory.next();
            assertThat(idle.call("hello")).isEqualTo("hello");
            FakeConnection betweenMessages = factory.next();

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(30)));

            Poll.until("the connections were asked to close after their message",
                    () -> inMessage.closeAfterMessageRequested && betweenMessages.closed());
            assertThat(idle.readLine()).isNull();
            assertThat(refuses(address)).as("no new connections while draining").isTrue();
            assertThat(stopping).as("stop waits for the message in progress").isNotDone();

            assertThat(sending.call("body")).isEqualTo("body");
            assertThat(sending.call("end")).isEqualTo("end");
            assertThat(sending.readLine()).isNull();
            stopping.get(10, TimeUnit.SECONDS);

            assertThat(inMessage.closedInMessage).as("the message was not cut").isFalse();
            assertThat(server.activeConnections()).isZero();
        }
    }

    @Test
    void stopCutsAMessageThatOutlastsTheGracePeriod() throws Exception {
        start();
        try (Client sending = Client.connect(server.boundAddress())) {
            assertThat(sending.call("begin")).isEqualTo("begin");
            FakeConnection inMessage = factory.next();
            long before = System.nanoTime();

            server.stop(Duration.ofMillis(300));

            assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(inMessage.closeAfterMessageRequested).isTrue();
            assertThat(inMessage.closedInMessage).as("cut in the middle of the message").isTrue();
            assertThat(sending.readLine()).isNull();
            assertThat(server.activeConnections()).isZero();
        }
    }

    @Test
    void aSecondStopWaitsForTheFirst() throws Exception {
        start();
        try (Client sending = Client.connect(server.boundAddress())) {
            assertThat(sending.call("begin")).isEqualTo("begin");
            FakeConnection inMessage = factory.next();
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(30)));
            Poll.until("the first stop is draining", () -> inMessage.closeAfterMessageRequested);

            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> server.stop(Duration.ZERO));
            assertThat(sending.call("end")).isEqualTo("end");
            second.get(10, TimeUnit.SECONDS);

            // the first stop's caller returns just after the second is released: wait for it, not race it
            first.get(10, TimeUnit.SECONDS);
            // with no grace of its own, the second stop would have cut the message had it not waited
            assertThat(inMessage.closedInMessage).isFalse();
        }
    }

    @Test
    void closeIsStopWithTheDefaultGrace() throws Exception {
        start();
        SocketAddress address = server.boundAddress();

        server.close();

        assertThat(MilterServer.DEFAULT_GRACE).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> SocketChannel.open(address).close()).isInstanceOf(IOException.class);
    }

    private static boolean refuses(SocketAddress address) {
        try (SocketChannel ignored = SocketChannel.open(address)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
