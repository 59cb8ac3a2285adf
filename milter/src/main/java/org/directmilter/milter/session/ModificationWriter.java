package org.directmilter.milter.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.FrameWriter;
import org.directmilter.milter.protocol.Negotiation;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.protocol.ResponseCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a handler's answer at end of message: the changes, in the form the negotiated options want,
 * then the verdict. A change the MTA did not allow turns the whole answer into a tempfail, so a message
 * never leaves without a change the policy required (unencrypted, say).
 */
final class ModificationWriter {
    private static final Logger log = LoggerFactory.getLogger(MilterSession.class);
    static final int MAX_BODY_CHUNK = 65_535;

    private final FrameWriter writer;
    private final Negotiation agreed;
    private final Runnable activity;

    /** @param activity called after each packet written, so the idle watchdog sees a long body as progress */
    ModificationWriter(FrameWriter writer, Negotiation agreed, Runnable activity) {
        this.writer = writer;
        this.agreed = agreed;
        this.activity = activity;
    }

    void write(EndOfMessage result) throws IOException {
        for (Modification m : result.modifications()) {
            if (!agreed.allows(m.requiredAction())) {
                log.error("handler asked for {} but the MTA did not allow {}; answering {} so nothing leaves unchanged",
                        m.getClass().getSimpleName(), Actions.describe(m.requiredAction()), MilterSession.INTERNAL_ERROR);
                send(MilterSession.response(Verdict.tempfail(MilterSession.INTERNAL_ERROR)));
                writer.flush();
                return;
            }
        }
        Modification.ReplaceBody replacement = null;
        for (Modification m : result.modifications()) {
            if (m instanceof Modification.ReplaceBody r) {
                replacement = r;
            } else {
                send(wire(m));
            }
        }
        if (replacement != null) {
            sendBody(replacement.body());
        }
        send(MilterSession.response(result.verdict()));
        writer.flush();
    }

    /**
     * REPLBODY packets must form one unbroken run, each at most 65,535 bytes. The body's size is known, so
     * each packet is announced before its bytes and they go from where the body lies (a spool's chunks)
     * to the connection's buffer: no copy of the body on the way.
     */
    private void sendBody(ByteSource replacement) throws IOException {
        long size = replacement.size();
        if (size == 0) {
            writer.write((byte) 'b', new byte[0], 0, 0);
            return;
        }
        BodyPackets packets = new BodyPackets(size);
        try (InputStream in = replacement.openStream()) {
            in.transferTo(packets);
        }
        if (packets.remaining > 0) {
            throw new IOException("the new body ended " + packets.remaining + " bytes before its size");
        }
    }

    /** The body's bytes as REPLBODY packets of at most 65,535 bytes, each announced before its bytes. */
    private final class BodyPackets extends OutputStream {
        private long remaining;
        private int packetLeft;

        BodyPackets(long size) {
            this.remaining = size;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > remaining) {
                throw new IOException("the new body is longer than its size");
            }
            while (len > 0) {
                if (packetLeft == 0) {
                    packetLeft = (int) Math.min(MAX_BODY_CHUNK, remaining);
                    writer.startFrame((byte) 'b', packetLeft);
                    activity.run();
                }
                int n = Math.min(len, packetLeft);
                writer.writePayload(b, off, n);
                packetLeft -= n;
                remaining -= n;
                off += n;
                len -= n;
            }
        }
    }

    private Response wire(Modification m) {
        if (m instanceof Modification.AddHeader a) {
            return new Response.AddHeader(a.header().name(), wireValue(a.header()));
        } else if (m instanceof Modification.InsertHeader i) {
            return new Response.InsertHeader(i.index(), i.header().name(), wireValue(i.header()));
        } else if (m instanceof Modification.ChangeHeader c) {
            return new Response.ChangeHeader(c.occurrence(), c.header().name(), wireValue(c.header()));
        } else if (m instanceof Modification.DeleteHeader d) {
            return new Response.ChangeHeader(d.occurrence(), d.name(), new byte[0]);
        } else if (m instanceof Modification.AddRecipient a) {
            return a.parameters().isEmpty() ? new Response.AddRecipient(a.recipient())
                    : new Response.AddRecipientWithArgs(a.recipient(), a.parameters());
        } else if (m instanceof Modification.DeleteRecipient d) {
            return new Response.DeleteRecipient(d.recipient());
        } else if (m instanceof Modification.ChangeFrom c) {
            return new Response.ChangeFrom(c.sender(), c.parameters());
        } else if (m instanceof Modification.Quarantine q) {
            return new Response.Quarantine(q.reason());
        }
        throw new IllegalArgumentException("not sent as a single packet: " + m);
    }

    /**
     * The value as the MTA wants it: without HDR_LEADSPC the MTA writes ": " itself, so our one
     * leading space goes; folds are sent as LF plus white space, as libmilter documents.
     */
    private byte[] wireValue(HeaderField header) {
        byte[] raw = header.rawValue();
        int start = !agreed.has(ProtocolFlags.HEADER_LEADING_SPACE) && raw.length > 0 && raw[0] == ' ' ? 1 : 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = start; i < raw.length; i++) {
            if (raw[i] == '\r' && i + 1 < raw.length && raw[i + 1] == '\n') {
                continue;
            }
            out.write(raw[i]);
        }
        return out.toByteArray();
    }

    private void send(Response response) throws IOException {
        writer.write(ResponseCodec.encode(response));
        activity.run();
    }
}
