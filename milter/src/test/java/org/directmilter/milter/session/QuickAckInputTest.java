package org.directmilter.milter.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickAckInputTest {

    @Test
    void tcpReadsPassThroughWithQuickAcksOn() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel mta = SocketChannel.open(server.getLocalAddress());
             SocketChannel milter = server.accept()) {
            assumeTrue(milter.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK), "Linux only");
            InputStream in = QuickAckInput.wrap(Channels.newInputStream(milter), milter);
            assertInstanceOf(QuickAckInput.class, in);
            mta.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
            assertEquals(1, in.read());
            byte[] rest = new byte[3];
            assertEquals(3, in.readNBytes(rest, 0, 3));
            assertArrayEquals(new byte[] {2, 3, 4}, rest);
            assertEquals(true, milter.getOption(ExtendedSocketOptions.TCP_QUICKACK));
        }
    }

    @Test
    void unixSocketsAreLeftAlone(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("milter.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(path));
             SocketChannel mta = SocketChannel.open(UnixDomainSocketAddress.of(path));
             SocketChannel milter = server.accept()) {
            InputStream plain = Channels.newInputStream(milter);
            assertSame(plain, QuickAckInput.wrap(plain, milter));
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
