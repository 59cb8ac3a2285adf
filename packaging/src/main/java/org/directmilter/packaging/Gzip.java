package org.directmilter.packaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip as {@code gzip -9n} writes it: no name, no timestamp (the package is reproducible), and the
 * header's "maximum compression" flag, which lintian checks on man pages and changelogs.
 * {@link java.util.zip.GZIPOutputStream} leaves that flag at 0.
 */
final class Gzip {

    private static final int XFL_MAXIMUM_COMPRESSION = 2;
    private static final int OS_UNIX = 3;

    private Gzip() {
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, compress(text.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] compress(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 3 + 64);
        // magic, CM=deflate, FLG=0, MTIME=0 (4 bytes), XFL, OS
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, XFL_MAXIMUM_COMPRESSION, OS_UNIX});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(data);
            deflater.finish();
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        writeLittleEndian(out, crc.getValue());
        writeLittleEndian(out, data.length & 0xffffffffL);
        return out.toByteArray();
    }

    private static void writeLittleEndian(ByteArrayOutputStream out, long value) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }
}
