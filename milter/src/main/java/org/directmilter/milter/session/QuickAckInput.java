package org.directmilter.milter.session;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA's side of a TCP connection acknowledged at once: before each read, TCP_QUICKACK (Linux) takes the
 * socket out of delayed-ACK mode, which the kernel re-enters whenever we reply.
 *
 * <p>Why: with {@code SMFIP_NR_HDR} the MTA sends header after header without waiting for an answer, and
 * Postfix leaves Nagle's algorithm on for its milter sockets. So its second header waits until our kernel
 * acknowledges the first, and our kernel, having just replied to the MTA, delays that ACK by its 40 ms
 * timer: one 40 ms stall per message, which capped 8 Postfix sessions at about 150 messages a second on an
 * idle machine. An immediate ACK releases the held headers at once. Costs one setsockopt per read; where the
 * option does not exist (Unix sockets, other systems) this is a plain pass-through.
 */
final class QuickAckInput extends FilterInputStream {
    private static final Logger log = LoggerFactory.getLogger(QuickAckInput.class);

    private final SocketChannel channel;

    private QuickAckInput(InputStream in, SocketChannel channel) {
        super(in);
        this.channel = channel;
    }

    /** {@code in} (reading {@code channel}) with quick ACKs where the channel supports them, else {@code in} itself. */
    static InputStream wrap(InputStream in, SocketChannel channel) {
        return channel.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK)
                ? new QuickAckInput(in, channel) : in;
    }

    @Override
    public int read() throws IOException {
        quickAck();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        quickAck();
        return super.read(b, off, len);
    }

    private void quickAck() {
        try {
            channel.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        } catch (IOException | UnsupportedOperationException e) {
            // closed meanwhile: the read reports it; anything else only costs the stall this avoids
            log.trace("cannot set TCP_QUICKACK: {}", e.toString());
        }
    }
}
