package org.directmilter.crypto.smime;

import org.directmilter.crypto.spool.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The spools one message's unprotecting opened: closing the set deletes every one of them except the
 * one {@link #keep kept} for the verified message, on every path.
 */
final class SpoolSet implements AutoCloseable {

    private final UnprotectOptions options;
    private final List<Spool> spools = new ArrayList<>();
    private final List<InputStream> opened = new ArrayList<>();
    private Spool kept;

    SpoolSet(UnprotectOptions options) {
        this.options = options;
    }

    /** In memory up to the threshold, or (for content known to be larger) in a file from the first byte. */
    Spool newSpool(boolean large) {
        Spool spool = large ? Spool.onDisk(options.temporaryDirectory())
                : new Spool(options.spoolThreshold(), options.temporaryDirectory());
        spools.add(spool);
        return spool;
    }

    /** For content of about {@code expectedSize} bytes. */
    Spool newSpoolFor(long expectedSize) {
        return newSpool(expectedSize > options.spoolThreshold());
    }

    /**
     * For the decoded base64 of {@code in}: straight to a file when what {@code in} says it holds will
     * not fit under the threshold, so that the threshold's worth of memory is not filled first only to
     * be written out. The size is only a hint here; a stream that cannot tell gets memory first.
     */
    Spool newSpoolForBase64Of(InputStream in) {
        return newSpoolFor(Buffers.known(in) / 4 * 3);
    }

    /** For content about as large as {@code source}: straight to a file when that one is in a file. */
    Spool newSpoolSizedLike(Spool source) {
        return newSpool(!source.inMemory());
    }

    /** A reader of {@code spool} that closing the set closes. */
    InputStream open(Spool spool) {
        InputStream in = spool.open();
        opened.add(in);
        return in;
    }

    /** The spool of the verified message: the caller deletes it, not {@link #close}. */
    void keep(Spool spool) {
        kept = spool;
    }

    /**
     * {@code body} decoded as {@code headers} declare, into a new spool; empty when the transfer encoding
     * is not one S/MIME uses.
     *
     * @throws Base64InputStream.Damaged when the base64 is damaged
     */
    Optional<Spool> decode(InputStream body, MimeHeaders headers) throws IOException {
        Optional<InputStream> decoder = headers.bodyDecoder(body);
        if (decoder.isEmpty()) {
            return Optional.empty();
        }
        Spool spool = newSpoolForBase64Of(body);
        try (InputStream decoded = decoder.get(); OutputStream out = spool.output()) {
            decoded.transferTo(out);
        }
        return Optional.of(spool);
    }

    @Override
    public void close() {
        for (InputStream in : opened) {
            try {
                in.close();
            } catch (IOException ignored) {
                // a read-only stream of our own spool: nothing was lost
            }
        }
        for (Spool spool : spools) {
            if (spool != kept) {
                spool.close();
            }
        }
    }
}
