package org.directmilter.milter.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A whole message at end of data: the transaction, the headers as the MTA passed them (the MTA's
 * own Received line is not among them) and the body. {@link #openStream()} gives the RFC 5322
 * message byte for byte; the body is read from its spool, never held in memory twice.
 */
public final class Message implements ByteSource {
    private static final byte[] CRLF = {'\r', '\n'};
    private final Transaction transaction;
    private final List<HeaderField> headers;
    private final ByteSource body;

    public Message(Transaction transaction, List<HeaderField> headers, ByteSource body) {
        this.transaction = transaction;
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    public Transaction transaction() {
        return transaction;
    }

    public List<HeaderField> headers() {
        return headers;
    }

    public ByteSource body() {
        return body;
    }

    /** Values of every header of that name, in order, as text. */
    public List<String> headerValues(String name) {
        List<String> values = new ArrayList<>(1);
        for (HeaderField header : headers) {
            if (header.named(name)) {
                values.add(header.text());
            }
        }
        return Collections.unmodifiableList(values);
    }

    /** The header block with its terminating empty line. */
    public byte[] headerBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(headers.size() * 64 + 2);
        for (HeaderField header : headers) {
            out.writeBytes(header.toBytes());
        }
        out.writeBytes(CRLF);
        return out.toByteArray();
    }

    @Override
    public InputStream openStream() throws IOException {
        return new SequenceInputStream(new java.io.ByteArrayInputStream(headerBytes()), body.openStream());
    }

    @Override
    public long size() {
        long size = CRLF.length + body.size();
        for (HeaderField header : headers) {
            size += header.name().length() + header.rawLength() + 3;
        }
        return size;
    }
}
