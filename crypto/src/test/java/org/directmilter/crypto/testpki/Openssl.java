package org.directmilter.crypto.testpki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code openssl} command line; tests assert on its exit status and output. */
public final class Openssl {

    public record Result(int exit, String stdout, String stderr) {
    }

    private Openssl() {
    }

    public static Result run(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(dir.resolve(".openssl.out").toFile())
                    .redirectError(dir.resolve(".openssl.err").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl did not finish: " + command);
            }
            return new Result(p.exitValue(),
                    java.nio.file.Files.readString(dir.resolve(".openssl.out"), StandardCharsets.ISO_8859_1),
                    java.nio.file.Files.readString(dir.resolve(".openssl.err"), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #run} but fails the test with openssl's own words when it exits non-zero. */
    public static Result ok(Path dir, String... args) {
        Result r = run(dir, args);
        if (r.exit() != 0) {
            throw new AssertionError("openssl " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.stderr());
        }
        return r;
    }
}
