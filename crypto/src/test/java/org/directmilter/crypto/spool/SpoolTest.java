package org.directmilter.crypto.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Any range reads back what was written, whether it lies in one in-memory chunk, spans several, or is on disk. */
class SpoolTest {

    @TempDir
    Path tmp;

    @Test
    void rangesReadBackInMemoryAndOnDisk() throws IOException {
        Random random = new Random(0x5b001L);
        byte[] data = new byte[100_000];
        random.nextBytes(data);
        for (Spool spool : new Spool[] {new Spool(1 << 20, tmp), new Spool(40_000, tmp), Spool.onDisk(tmp)}) {
            try (spool) {
                try (OutputStream out = spool.output()) {
                    int pos = 0;
                    while (pos < data.length) {
                        // large writes and runs of small ones: chunks are sized to both
                        int n = Math.min(data.length - pos, random.nextInt(4) == 0 ? random.nextInt(100)
                                : random.nextInt(20_000));
                        out.write(data, pos, n);
                        pos += n;
                    }
                }
                assertThat(spool.size()).isEqualTo(data.length);
                for (int i = 0; i < 200; i++) {
                    int from = random.nextInt(data.length + 1);
                    int to = from + random.nextInt(data.length - from + 1);
                    try (InputStream in = spool.open(from, to)) {
                        byte[] read = switch (i % 3) {
                            case 0 -> in.readAllBytes();
                            case 1 -> byteByByte(in);
                            default -> transferred(in);
                        };
                        assertThat(read).isEqualTo(Arrays.copyOfRange(data, from, to));
                    }
                }
            }
        }
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void anEmptySpoolReadsAsEmpty() throws IOException {
        try (Spool spool = new Spool(1 << 20, tmp)) {
            spool.output().close();
            try (InputStream in = spool.open()) {
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }

    private static byte[] transferred(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static byte[] byteByByte(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
        }
        return out.toByteArray();
    }
}
