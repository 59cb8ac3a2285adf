package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink on a free loopback port, dumping one file per message into {@code sink/}.
 *
 * <p>smtp-sink creates a dump file at MAIL and closes it after the final dot, so a file is only
 * complete once smtp-sink no longer holds it open; {@link #messages()} checks /proc/PID/fd for that
 * instead of guessing from sizes or times.
 */
public final class SmtpSink implements AutoCloseable {

    private static final String SMTP_SINK = "/usr/sbin/smtp-sink";

    private final Path dumpDir;
    private final Path log;
    private final int port;
    private final Process process;

    private SmtpSink(Path dumpDir, Path log, int port, Process process) {
        this.dumpDir = dumpDir;
        this.log = log;
        this.port = port;
        this.process = process;
    }

    /** Starts smtp-sink with its files under {@code dir} (which must exist) and waits until it listens. */
    public static SmtpSink start(Path dir) {
        try {
            if (!Files.isExecutable(Path.of(SMTP_SINK))) {
                throw new IllegalStateException(SMTP_SINK + " is missing: apt-get install postfix (bash .ci/run does)");
            }
            Path dumpDir = Scratch.mkdir(dir.resolve("sink"), Scratch.MODE_755).toRealPath(); // as /proc shows it
            Scratch.chown(dumpDir, "nobody"); // smtp-sink -u nobody writes here
            Path log = dir.resolve("smtp-sink.log");
            int port = Ports.free();
            Process process = new ProcessBuilder(SMTP_SINK, "-u", "nobody", "-h", "sink.milter-test.invalid",
                    "-d", dumpDir + "/%Y%m%d%H%M%S.", "127.0.0.1:" + port, "10")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Files.writeString(dir.resolve("smtp-sink.pid"), process.pid() + "\n");
            SmtpSink sink = new SmtpSink(dumpDir, log, port, process);
            try {
                Poll.until("smtp-sink to listen on 127.0.0.1:" + port, Duration.ofSeconds(10),
                        () -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException("smtp-sink exited with " + process.exitValue()
                                        + "\n" + Scratch.tail("smtp-sink log", log, 2000));
                            }
                            return Ports.listening(port);
                        },
                        sink::diagnostics);
            } catch (RuntimeException | AssertionError e) {
                sink.close();
                throw e;
            }
            return sink;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start smtp-sink", e);
        }
    }

    public int port() {
        return port;
    }

    /** Every completely received message so far, oldest first. */
    public List<SinkMessage> messages() {
        try {
            List<Path> files;
            try (Stream<Path> list = Files.list(dumpDir)) {
                files = list.toList(); // listed first: a file created after this is simply not seen
            }
            Set<Path> open = openFiles(); // ...then anything still open is still being written
            List<SinkMessage> done = new ArrayList<>();
            for (Path file : files) {
                if (open.contains(file)) {
                    continue;
                }
                try {
                    done.add(new SinkMessage(file, Files.readAllBytes(file)));
                } catch (NoSuchFileException e) {
                    // smtp-sink deletes the dump of a transaction that was reset or aborted
                }
            }
            done.sort(Comparator.comparing(SmtpSink::modified).thenComparing(SinkMessage::file));
            return List.copyOf(done);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dumpDir, e);
        }
    }

    /** Waits until at least {@code count} complete messages arrived; returns all of them. */
    List<SinkMessage> awaitMessages(int count, Duration timeout, java.util.function.Supplier<String> mtaDiagnostics) {
        List<List<SinkMessage>> last = new ArrayList<>(List.of(List.of()));
        Poll.until(count + " message(s) at smtp-sink", timeout,
                () -> {
                    last.set(0, messages());
                    return last.get(0).size() >= count;
                },
                () -> "got " + last.get(0).size() + "\n" + mtaDiagnostics.get() + "\n" + diagnostics());
        return last.get(0);
    }

    String diagnostics() {
        return Scratch.tail("smtp-sink log", log, 2000)
                + (process.isAlive() ? "" : "\nsmtp-sink has exited with " + process.exitValue());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private Set<Path> openFiles() throws IOException {
        Set<Path> open = new HashSet<>();
        Path fds = Path.of("/proc", Long.toString(process.pid()), "fd");
        try (Stream<Path> list = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                try {
                    open.add(Files.readSymbolicLink(fd));
                } catch (NoSuchFileException e) {
                    // closed while we looked: complete
                }
            }
        } catch (NoSuchFileException e) {
            // smtp-sink is gone, so nothing is open; awaitMessages() reports the exit
        }
        return open;
    }

    private static FileTime modified(SinkMessage message) {
        try {
            return Files.getLastModifiedTime(message.file());
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
