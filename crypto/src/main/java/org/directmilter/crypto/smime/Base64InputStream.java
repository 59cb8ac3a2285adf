package org.directmilter.crypto.smime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Decodes a MIME base64 body (RFC 2045 §6.8) as it streams past, a block at a time.
 *
 * <p>Why not {@code Base64.getMimeDecoder().wrap(in)}: the JDK 17 stream decoder pulls its input
 * one {@code read()} call per character, which measured about 25 ms per megabyte — nine tenths of
 * unprotecting a large message. This one reads 64 KB at a time and decodes with a table lookup.
 *
 * <p>It accepts exactly what the JDK's MIME stream decoder accepts (a test compares them over seeded
 * random input): bytes outside the alphabet are skipped; {@code =} ends the data, after two or three
 * characters of a quantum, and {@code xx=} must be followed at once by a second {@code =}; what comes
 * after the padding is not read; a missing final padding is tolerated, a single dangling character is
 * not. Damage is a {@link Damaged}, whose text is constant: it may be decoding decrypted content.
 */
final class Base64InputStream extends BlockTransformInputStream {

    private static final byte[] VALUES = new byte[256];
    // The value of each character already shifted to its place in a quantum, -1 (all bits) outside the
    // alphabet: OR-ing four lookups gives the quantum, or a negative number if any character is not one.
    private static final int[] AT_18 = new int[256];
    private static final int[] AT_12 = new int[256];
    private static final int[] AT_6 = new int[256];
    private static final int[] AT_0 = new int[256];

    static {
        Arrays.fill(VALUES, (byte) -1);
        Arrays.fill(AT_18, -1);
        Arrays.fill(AT_12, -1);
        Arrays.fill(AT_6, -1);
        Arrays.fill(AT_0, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            char c = alphabet.charAt(i);
            VALUES[c] = (byte) i;
            AT_18[c] = i << 18;
            AT_12[c] = i << 12;
            AT_6[c] = i << 6;
            AT_0[c] = i;
        }
    }

    private int bits;
    private int count; // characters of the current quantum seen so far, 0..3
    private boolean secondPadExpected;

    Base64InputStream(InputStream in) {
        super(in);
    }

    @Override
    int outputCapacity(int block) {
        // three bytes out per four in, plus the up to two of a padded final quantum
        return block / 4 * 3 + 3;
    }

    /**
     * Decoding writes three bytes for every four characters read, so it stays behind its input, except
     * that a quantum begun in the block before (up to three characters) completes after as few as one
     * character of this one: the output may then lead by two bytes, and shrinks from there.
     */
    @Override
    int sharedArrayHeadroom() {
        return 4;
    }

    @Override
    int transform(byte[] encoded, int from, int length, byte[] decoded) throws IOException {
        int out = 0;
        int i = from;
        int n = from + length;
        while (i < n) {
            if (count == 0 && !secondPadExpected) {
                // The common case, runs of whole quanta of alphabet characters (a 76-column line is 19),
                // two at a time: this loop is most of the work of unprotecting a large message.
                while (i + 8 <= n) {
                    int first = quantum(encoded, i);
                    int second = quantum(encoded, i + 4);
                    if ((first | second) < 0) {
                        break;
                    }
                    put(decoded, out, first);
                    put(decoded, out + 3, second);
                    i += 8;
                    out += 6;
                }
                if (i + 4 <= n) {
                    int single = quantum(encoded, i);
                    if (single >= 0) {
                        put(decoded, out, single);
                        i += 4;
                        out += 3;
                        continue;
                    }
                }
                if (i == n) {
                    break;
                }
            }
            int c = encoded[i++] & 0xff;
            if (secondPadExpected) {
                if (c != '=') {
                    throw new Damaged("Illegal base64 ending sequence: '=' expected after 'xx='");
                }
                secondPadExpected = false;
                endOfData();
                break;
            }
            int v = VALUES[c];
            if (v >= 0) {
                bits = bits << 6 | v;
                if (++count == 4) {
                    decoded[out++] = (byte) (bits >> 16);
                    decoded[out++] = (byte) (bits >> 8);
                    decoded[out++] = (byte) bits;
                    bits = 0;
                    count = 0;
                }
            } else if (c == '=') {
                if (count < 2) {
                    throw new Damaged("Illegal base64 ending sequence: '=' after fewer than two characters");
                }
                out = flushPartial(decoded, out);
                boolean padded = count == 3;
                secondPadExpected = count == 2;
                count = 0;
                if (padded) {
                    endOfData();
                    break;
                }
            }
            // anything else is line structure or noise, which RFC 2045 says to ignore
        }
        return out;
    }

    private static int quantum(byte[] encoded, int i) {
        return AT_18[encoded[i] & 0xff] | AT_12[encoded[i + 1] & 0xff] | AT_6[encoded[i + 2] & 0xff]
                | AT_0[encoded[i + 3] & 0xff];
    }

    private static void put(byte[] decoded, int at, int quantum) {
        decoded[at] = (byte) (quantum >> 16);
        decoded[at + 1] = (byte) (quantum >> 8);
        decoded[at + 2] = (byte) quantum;
    }

    /** The underlying stream ended: a final quantum may lack its padding, but not be one character. */
    @Override
    int finish(byte[] decoded) throws IOException {
        if (secondPadExpected) {
            throw new Damaged("Illegal base64 ending sequence: the data ends after 'xx='");
        }
        if (count == 1) {
            throw new Damaged("Base64 stream has one un-decoded dangling byte.");
        }
        int out = flushPartial(decoded, 0);
        count = 0;
        return out;
    }

    /** Writes the one or two bytes of a two- or three-character quantum at {@code out}. */
    private int flushPartial(byte[] decoded, int out) {
        if (count == 2) {
            decoded[out++] = (byte) (bits >> 4);
        } else if (count == 3) {
            decoded[out++] = (byte) (bits >> 10);
            decoded[out++] = (byte) (bits >> 2);
        }
        bits = 0;
        return out;
    }

    /** The base64 is not valid. The text is one of a few constants: no input byte is ever quoted. */
    static final class Damaged extends IOException {
        private static final long serialVersionUID = 1L;

        Damaged(String constantText) {
            super(constantText);
        }
    }
}
