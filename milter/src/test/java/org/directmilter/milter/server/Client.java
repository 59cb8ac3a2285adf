package org.directmilter.milter.server;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** The MTA side for tests: line in, line out, over TCP or a Unix socket. */
final class Client implements Closeable {

    private final SocketChannel channel;
    private final BufferedReader in;

    private Client(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    }

    static Client connect(SocketAddress address) throws IOException {
        return new Client(SocketChannel.open(address));
    }

    void send(String line) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The next line, or null once the server has closed the connection. */
    String readLine() throws IOException {
        try {
            return in.readLine();
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("Connection reset")) {
                return null;
            }
            throw e;
        }
    }

    String call(String line) throws IOException {
        send(line);
        return readLine();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
