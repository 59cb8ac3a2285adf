package org.directmilter.crypto.spool;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Spool files a process left behind (killed, crashed, cut off by the operating system). They hold
 * decrypted mail, so they must not outlive the process that wrote them.
 */
public final class SpoolFiles {
    private SpoolFiles() {
    }

    /**
     * Deletes the spool files in {@code directory} written by this process or by a process that no longer
     * runs: only regular files named like {@link Spool}'s, never anything else, never a live process's
     * (a second instance may share the directory).
     *
     * @return how many files were deleted
     */
    public static int removeLeftovers(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        long self = ProcessHandle.current().pid();
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, Spool.FILE_PREFIX + "*" + Spool.FILE_SUFFIX)) {
            for (Path file : files) {
                Optional<Long> writer = writerPid(file.getFileName().toString());
                if (writer.isEmpty() || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long pid = writer.get();
                if (pid == self || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                    if (Files.deleteIfExists(file)) {
                        removed++;
                    }
                }
            }
        }
        return removed;
    }

    /**
     * The bytes this process's spool files in {@code directory} hold on disk now (for the daemon's
     * metrics); 0 when the directory does not exist. Files that vanish while they are counted count 0.
     */
    public static long bytesInUse(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        long self = ProcessHandle.current().pid();
        long bytes = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, Spool.FILE_PREFIX + "*" + Spool.FILE_SUFFIX)) {
            for (Path file : files) {
                if (writerPid(file.getFileName().toString()).filter(pid -> pid == self).isPresent()) {
                    try {
                        bytes += Files.size(file);
                    } catch (IOException e) {
                        // deleted since it was listed: its message has ended
                    }
                }
            }
        }
        return bytes;
    }

    /** The pid in {@code direct-milter-spool-<pid>-<random>.tmp}. */
    static Optional<Long> writerPid(String name) {
        String rest = name.substring(Spool.FILE_PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(rest.substring(0, dash)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
