package org.directmilter.milter.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.Command;
import org.directmilter.milter.protocol.CommandCodec;
import org.directmilter.milter.protocol.Frame;
import org.directmilter.milter.protocol.FrameReader;
import org.directmilter.milter.protocol.FrameWriter;
import org.directmilter.milter.protocol.MilterProtocolException;
import org.directmilter.milter.protocol.Negotiation;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.protocol.ResponseCodec;
import org.directmilter.milter.server.SocketSpec;

/**
 * The MTA side of the milter protocol: drives a milter over a socket one command at a time, the
 * way Postfix does. Steps the milter asked to skip are not sent, and no reply is awaited where
 * the milter negotiated none. Used by tests, benchmarks and {@code direct-milter probe}.
 */
public final class MilterClient implements AutoCloseable {
    /** What Postfix offers: every action and every protocol step. */
    public static final Command.OptionNegotiation POSTFIX_OFFER =
            new Command.OptionNegotiation(Negotiation.PROTOCOL_VERSION, Actions.ALL, ProtocolFlags.ALL);
    private static final int CHUNK = 65_535;

    private final SocketChannel channel;
    private final FrameReader reader;
    private final FrameWriter writer;
    private Response.OptionNegotiation agreed;

    private MilterClient(SocketChannel channel, int maxFrameBytes) throws IOException {
        this.channel = channel;
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
        this.reader = new FrameReader(in, maxFrameBytes);
        this.writer = new FrameWriter(Channels.newOutputStream(channel));
    }

    public static MilterClient connect(SocketSpec spec) throws IOException {
        SocketAddress address;
        SocketChannel channel;
        if (spec instanceof SocketSpec.Local local) {
            address = UnixDomainSocketAddress.of(local.path());
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            SocketSpec.Inet inet = (SocketSpec.Inet) spec;
            address = new InetSocketAddress(inet.allInterfaces() ? "127.0.0.1" : inet.host(), inet.port());
            channel = SocketChannel.open();
        }
        try {
            channel.connect(address);
            if (address instanceof InetSocketAddress) {
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot connect to the milter at " + spec + ": " + e.getMessage(), e);
        }
        // replies can legitimately be large (a replaced body comes in 64 KiB packets)
        return new MilterClient(channel, 1 << 24);
    }

    /** Sends OPTNEG with the given offer and returns what the milter took. */
    public Response.OptionNegotiation negotiate(Command.OptionNegotiation offer) throws IOException {
        send(offer);
        Response reply = read();
        if (!(reply instanceof Response.OptionNegotiation o)) {
            throw new MilterProtocolException("expected an option negotiation reply, got " + reply);
        }
        agreed = o;
        return o;
    }

    public Response.OptionNegotiation negotiate() throws IOException {
        return negotiate(POSTFIX_OFFER);
    }

    public Response.OptionNegotiation agreed() {
        return agreed;
    }

    /** Sends macros for the command that follows; the milter does not answer. */
    public void macros(char stage, Map<String, String> values) throws IOException {
        send(new Command.Macros(stage, values));
    }

    /** @return the milter's reply, or null where it negotiated none or asked to skip the step */
    public Response connect(String hostname, char family, int port, String address) throws IOException {
        return step(new Command.Connect(hostname, family, port, address), ProtocolFlags.NO_CONNECT, ProtocolFlags.NO_REPLY_CONNECT);
    }

    public Response helo(String name) throws IOException {
        return step(new Command.Helo(name), ProtocolFlags.NO_HELO, ProtocolFlags.NO_REPLY_HELO);
    }

    public Response mail(String sender, String... parameters) throws IOException {
        return step(new Command.Mail(sender, List.of(parameters)), ProtocolFlags.NO_MAIL, ProtocolFlags.NO_REPLY_MAIL);
    }

    public Response recipient(String recipient, String... parameters) throws IOException {
        return step(new Command.Recipient(recipient, List.of(parameters)), ProtocolFlags.NO_RCPT, ProtocolFlags.NO_REPLY_RCPT);
    }

    public Response data() throws IOException {
        return step(new Command.Data(), ProtocolFlags.NO_DATA, ProtocolFlags.NO_REPLY_DATA);
    }

    /** Sends a header as Postfix does: name, and the value with or without its leading space as agreed. */
    public Response header(String name, byte[] value) throws IOException {
        return step(new Command.Header(name.getBytes(StandardCharsets.ISO_8859_1), value),
                ProtocolFlags.NO_HEADERS, ProtocolFlags.NO_REPLY_HEADER);
    }

    public Response endOfHeaders() throws IOException {
        return step(new Command.EndOfHeaders(), ProtocolFlags.NO_EOH, ProtocolFlags.NO_REPLY_EOH);
    }

    /** Sends the body in chunks of at most 65,535 bytes; returns the first reply that is not CONTINUE. */
    public Response body(InputStream body) throws IOException {
        if (has(ProtocolFlags.NO_BODY)) {
            return null;
        }
        byte[] buffer = new byte[CHUNK];
        Response last = null;
        for (int n; (n = body.readNBytes(buffer, 0, CHUNK)) > 0; ) {
            last = step(new Command.BodyChunk(Arrays.copyOf(buffer, n)), ProtocolFlags.NO_BODY, ProtocolFlags.NO_REPLY_BODY);
            if (last != null && !(last instanceof Response.Continue)) {
                return last;
            }
        }
        return last;
    }

    /** Ends the message and collects every change the milter asks for, up to its final reply. */
    public EndOfMessageResult endOfMessage() throws IOException {
        send(new Command.EndOfMessage(new byte[0]));
        List<Response.Modification> modifications = new ArrayList<>();
        int progress = 0;
        while (true) {
            Response reply = read();
            if (reply instanceof Response.Progress) {
                progress++;
            } else if (reply instanceof Response.Modification m) {
                modifications.add(m);
            } else {
                return new EndOfMessageResult(modifications, reply, progress);
            }
        }
    }

    public void abort() throws IOException {
        send(new Command.Abort());
    }

    public void quitNewConnection() throws IOException {
        send(new Command.QuitNewConnection());
    }

    /** Sends a raw frame: for tests of what the milter does with bad input. */
    public void sendRaw(Frame frame) throws IOException {
        writer.write(frame);
        writer.flush();
    }

    /** Reads one reply, or null when the milter closed the connection. */
    public Response read() throws IOException {
        Frame frame = reader.read();
        return frame == null ? null : ResponseCodec.decode(frame);
    }

    public boolean has(int protocolFlag) {
        return agreed != null && (agreed.protocolFlags() & protocolFlag) == protocolFlag;
    }

    private Response step(Command command, int skipFlag, int noReplyFlag) throws IOException {
        if (has(skipFlag)) {
            return null;
        }
        send(command);
        if (has(noReplyFlag)) {
            return null;
        }
        Response reply = read();
        if (reply == null) {
            throw new MilterProtocolException("milter closed the connection instead of answering " + command.getClass().getSimpleName());
        }
        return reply;
    }

    private void send(Command command) throws IOException {
        writer.write(CommandCodec.encode(command));
        writer.flush();
    }

    /** Sends QUIT and closes. */
    @Override
    public void close() throws IOException {
        try {
            if (channel.isOpen()) {
                send(new Command.Quit());
            }
        } catch (IOException e) {
            // the milter may already be gone; closing is all that is left
        } finally {
            channel.close();
        }
    }
}
