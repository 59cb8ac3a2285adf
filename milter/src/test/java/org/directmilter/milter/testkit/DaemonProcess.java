package org.directmilter.milter.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.directmilter.milter.cli.DirectMilterCommand;

/**
 * The real daemon as an operator runs it: {@code java -cp CLASSPATH DirectMilterCommand run -c FILE}
 * in a child JVM, with its stdout and stderr in {@code daemon.log} beside the config file.
 *
 * <p>The classpath is this test JVM's {@code java.class.path} without the test classes, i.e.
 * {@code target/classes} and every dependency. Not {@code target/lib}: Surefire runs in the test
 * phase, before {@code package} fills that directory, so it is missing in a fresh clone and stale
 * after a dependency change. Surefire sets {@code java.class.path} in the forked JVM to the real
 * test classpath, also when it boots from a manifest-only jar; {@link #classpath()} checks that.
 */
public final class DaemonProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final Thread shutdownHook;

    private DaemonProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.shutdownHook = new Thread(process::destroyForcibly, "daemon-process-shutdown");
    }

    /**
     * Writes {@code config} to {@code dir/direct-milter.conf}, with {@code TemporaryDirectory dir/tmp},
     * {@code Domains a.example} and empty key, anchor and certificate directories under {@code dir} unless
     * it sets them itself, starts {@code direct-milter run} on it and waits for its "serving on" line.
     */
    public static DaemonProcess start(Path dir, String config) {
        return start(dir, config, List.of());
    }

    /** {@link #start(Path, String)} with options for the daemon's JVM ({@code -Dname=value}), before the class path. */
    public static DaemonProcess start(Path dir, String config, List<String> jvmOptions) {
        try {
            StringBuilder text = new StringBuilder(config);
            if (!config.contains("TemporaryDirectory ")) {
                Path tmp = Scratch.mkdir(dir.resolve("tmp"), PosixFilePermissions.fromString("rwx------"));
                text.append("TemporaryDirectory ").append(tmp).append('\n');
            }
            if (!config.contains("TrackingDatabase ")) {
                text.append("TrackingDatabase ").append(dir.resolve("tracking.db")).append('\n');
            }
            if (!config.contains("Domains ")) {
                text.append("Domains a.example\n"); // the daemon refuses to start without local domains
            }
            // Never this machine's /etc/direct-milter, which a package test may have made or removed.
            for (String key : List.of("KeyStore", "AnchorDir", "CertificateDir")) {
                if (!config.contains(key + " ")) {
                    text.append(key).append(' ').append(Scratch.mkdir(dir.resolve(key.toLowerCase(Locale.ROOT)),
                            Scratch.MODE_755)).append('\n');
                }
            }
            Path file = dir.resolve("direct-milter.conf");
            Files.writeString(file, text);
            Path log = dir.resolve("daemon.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx64m"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", classpath(), DirectMilterCommand.class.getName(), "run", "-c",
                    file.toString()));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile()) // a file, not a pipe: the output after SIGTERM matters
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            Files.writeString(dir.resolve("daemon.pid"), process.pid() + "\n"); // for .ci/run's reaper
            DaemonProcess daemon = new DaemonProcess(process, log);
            Runtime.getRuntime().addShutdownHook(daemon.shutdownHook);
            try {
                Poll.until("the daemon's \"serving on\" line", START_TIMEOUT, () -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the daemon exited with " + process.exitValue()
                                + "\n" + daemon.diagnostics());
                    }
                    return daemon.log().contains(" serving on ");
                }, daemon::diagnostics);
            } catch (RuntimeException | AssertionError e) {
                daemon.close();
                throw e;
            }
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the daemon in " + dir, e);
        }
    }

    /** The configuration file it runs with: rewrite it, then {@link #reload()}. */
    public Path configFile() {
        return log.resolveSibling("direct-milter.conf");
    }

    /** Everything the daemon printed so far. */
    public String log() {
        return Scratch.readOrEmpty(log);
    }

    public String diagnostics() {
        return Scratch.tail("daemon log", log, 4000);
    }

    /** SIGTERM, as systemd and Ctrl-C send it; returns the exit status, or fails if it takes longer than {@code timeout}. */
    public int terminate(Duration timeout) {
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the daemon did not exit within " + timeout + " of SIGTERM\n" + diagnostics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the daemon to exit", e);
        }
        return process.exitValue();
    }

    /** SIGHUP: {@code direct-milter run} reloads its configuration (it logs "configuration reloaded"). */
    public void reload() {
        Exec.check("kill", "-HUP", Long.toString(process.pid()));
    }

    /** SIGSTOP: the daemon keeps its connections open but answers nothing until {@link #kill()}. */
    public void freeze() {
        Exec.check("kill", "-STOP", Long.toString(process.pid()));
    }

    /** SIGKILL, as the OOM killer or {@code kill -9} would end it: no drain, no shutdown hook. */
    public void kill() {
        process.destroyForcibly(); // SIGKILL on Linux; it also ends a stopped process
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the daemon outlived SIGKILL by 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the killed daemon", e);
        }
    }

    /** Kills the daemon if it still runs. Idempotent. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // JVM shutting down, or the hook was already removed
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** This JVM's classpath without the test classes; fails unless it holds the main classes. */
    static String classpath() {
        Path testClasses;
        try {
            testClasses = Path.of(DaemonProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().equals(testClasses.toAbsolutePath()))
                .toList();
        if (entries.stream().noneMatch(entry -> entry.endsWith("target" + File.separator + "classes"))) {
            throw new IllegalStateException("java.class.path has no target/classes (a manifest-only jar?): " + entries);
        }
        return String.join(File.pathSeparator, entries);
    }
}
