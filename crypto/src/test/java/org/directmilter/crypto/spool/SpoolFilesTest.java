package org.directmilter.crypto.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spool files are named so that the daemon can find its own leftovers — and only those: a file of a
 * process that still runs (a second instance sharing the directory) or of another program stays.
 */
class SpoolFilesTest {

    @TempDir
    Path tmp;

    @Test
    void removesOwnAndDeadProcessesFilesOnly() throws IOException {
        long self = ProcessHandle.current().pid();
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
        long dead = deadPid();
        Path own = Files.writeString(tmp.resolve(Spool.FILE_PREFIX + self + "-1.tmp"), "x");
        Path ofDead = Files.writeString(tmp.resolve(Spool.FILE_PREFIX + dead + "-2.tmp"), "x");
        Path ofLive = Files.writeString(tmp.resolve(Spool.FILE_PREFIX + live + "-3.tmp"), "x");
        Path noPid = Files.writeString(tmp.resolve(Spool.FILE_PREFIX + "x-4.tmp"), "x");
        Path other = Files.writeString(tmp.resolve("direct-milter-other.tmp"), "x");
        Files.createDirectory(tmp.resolve(Spool.FILE_PREFIX + dead + "-5.tmp"));

        assertThat(SpoolFiles.removeLeftovers(tmp)).isEqualTo(2);

        assertThat(own).doesNotExist();
        assertThat(ofDead).doesNotExist();
        assertThat(ofLive).exists();
        assertThat(noPid).exists();
        assertThat(other).exists();
        assertThat(SpoolFiles.removeLeftovers(tmp.resolve("missing"))).isZero();
    }

    @Test
    void bytesInUseCountsThisProcesssSpoolFilesOnly() throws IOException {
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
        Files.writeString(tmp.resolve(Spool.FILE_PREFIX + live + "-3.tmp"), "another process's");
        Files.writeString(tmp.resolve("direct-milter-other.tmp"), "not a spool");
        try (Spool spool = Spool.onDisk(tmp)) {
            try (OutputStream out = spool.output()) {
                out.write(new byte[12_345]);
            }
            assertThat(SpoolFiles.bytesInUse(tmp)).isEqualTo(12_345);
        }
        assertThat(SpoolFiles.bytesInUse(tmp)).isZero();
        assertThat(SpoolFiles.bytesInUse(tmp.resolve("missing"))).isZero();
    }

    @Test
    void aSpoolFileCarriesThePrefixAndThePidAndCloseDeletesIt() throws IOException {
        try (Spool spool = Spool.onDisk(tmp)) {
            try (OutputStream out = spool.output()) {
                out.write(new byte[10]);
            }
            String[] names = tmp.toFile().list();
            assertThat(names).singleElement().asString()
                    .startsWith(Spool.FILE_PREFIX + ProcessHandle.current().pid() + "-").endsWith(".tmp");
        }
        assertThat(tmp.toFile().list()).isEmpty();
    }

    @Test
    void aSharedBudgetSendsSpoolsToDiskEarlyAndIsGivenBack() throws IOException {
        MemoryBudget budget = MemoryBudget.of(40_000);
        byte[] data = new byte[30_000];
        Arrays.fill(data, (byte) 'a');
        try (Spool first = new Spool(1 << 20, tmp, budget); Spool second = new Spool(1 << 20, tmp, budget)) {
            first.output().write(data);
            assertThat(first.inMemory()).isTrue();
            second.output().write(data);
            assertThat(second.inMemory()).as("the budget is used up by the first").isFalse();
            assertThat(budget.used()).isLessThanOrEqualTo(40_000);
            try (OutputStream out = second.output()) {
                out.flush();
            }
            assertThat(second.open().readAllBytes()).isEqualTo(data);
        }
        assertThat(budget.used()).isZero();
        assertThat(tmp.toFile().list()).isEmpty();
    }

    static long deadPid() {
        for (long pid = 4_000_000; pid > 1000; pid--) {
            if (ProcessHandle.of(pid).isEmpty()) {
                return pid;
            }
        }
        throw new IllegalStateException("no free pid");
    }
}
