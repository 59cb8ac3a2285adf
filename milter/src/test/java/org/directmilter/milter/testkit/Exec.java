package org.directmilter.milter.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short-lived commands with a deadline and captures their combined output. */
public final class Exec {

    public record Result(List<String> command, int exitCode, String output) {
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException("command failed with exit code " + exitCode + ": "
                        + String.join(" ", command) + "\n" + output);
            }
            return this;
        }
    }

    private Exec() {
    }

    /** Runs {@code command}, killing it and failing when it outlives {@code timeout}. */
    public static Result run(Duration timeout, List<String> command) {
        return run(timeout, command, null);
    }

    /**
     * Like {@link #run(Duration, List)}, but standard output goes to {@code stdout} when that is
     * not null, and {@link Result#output()} then holds only standard error.
     */
    public static Result run(Duration timeout, List<String> command, Path stdout) {
        Path out = null;
        try {
            out = Files.createTempFile("dm-it-exec-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command);
            if (stdout == null) {
                builder.redirectErrorStream(true).redirectOutput(out.toFile());
            } else {
                builder.redirectOutput(stdout.toFile()).redirectError(out.toFile());
            }
            Process process = builder
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("command did not finish within " + timeout + ": "
                        + String.join(" ", command) + "\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(List.copyOf(command), process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    public static Result check(String... command) {
        return run(Duration.ofSeconds(60), List.of(command)).orThrow();
    }
}
