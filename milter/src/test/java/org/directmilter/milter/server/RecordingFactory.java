package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Opens {@link FakeConnection}s and hands them to the test in accept order. */
final class RecordingFactory implements ConnectionFactory {

    private final BlockingQueue<FakeConnection> opened = new LinkedBlockingQueue<>();

    @Override
    public ServedConnection open(SocketChannel channel, String peer) {
        FakeConnection connection = new FakeConnection(channel, peer);
        opened.add(connection);
        return connection;
    }

    FakeConnection next() throws InterruptedException {
        FakeConnection connection = opened.poll(10, TimeUnit.SECONDS);
        assertThat(connection).as("a connection reached the factory").isNotNull();
        return connection;
    }

    boolean noneOpened() {
        return opened.isEmpty();
    }
}
