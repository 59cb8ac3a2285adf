package org.directmilter.crypto.smime;

import org.directmilter.crypto.spool.Spool;
import java.io.BufferedInputStream;
import java.io.InputStream;
import org.bouncycastle.asn1.ASN1InputStream;

/**
 * CMS bytes for a parser: a stream that can go back to its start after the content type was read, the
 * bound Bouncy Castle must hold every claimed length to, and about how many bytes there are.
 */
record CmsInput(InputStream stream, int limit, long expectedSize) {

    /** The parser's input, with the length limit so a forged length cannot make Bouncy Castle allocate it. */
    InputStream asn1() {
        return new ASN1InputStream(stream, limit);
    }

    /**
     * CMS decoded as the parser reads it, from a body of {@code bodyLength} bytes: that length bounds every
     * length the structure may claim (its decoded form is shorter).
     */
    static CmsInput decodedAsRead(InputStream decoded, long bodyLength) {
        return new CmsInput(new BufferedInputStream(decoded, Buffers.SMALLEST),
                (int) Math.max(1, Math.min(Integer.MAX_VALUE, bodyLength)), bodyLength / 4 * 3);
    }

    /** CMS already decoded into {@code spool}; its size bounds the claimed lengths. */
    static CmsInput of(Spool spool, SpoolSet spools) {
        InputStream in = spools.open(spool);
        return new CmsInput(in.markSupported() ? in : new BufferedInputStream(in, 512),
                (int) Math.min(Integer.MAX_VALUE, spool.size()), spool.size());
    }
}
