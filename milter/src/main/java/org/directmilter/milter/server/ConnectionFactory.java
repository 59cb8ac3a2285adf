package org.directmilter.milter.server;

import java.nio.channels.SocketChannel;

/** Turns an accepted socket into a connection the server runs on its own thread. */
@FunctionalInterface
public interface ConnectionFactory {

    /**
     * @param channel a connected, blocking channel (TCP or Unix domain); the connection owns it
     * @param peer    a printable description of the peer for log lines ("127.0.0.1:40312", "unix")
     */
    ServedConnection open(SocketChannel channel, String peer);
}
