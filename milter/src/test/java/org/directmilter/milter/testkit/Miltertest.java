package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs OpenDKIM's miltertest (a libmilter-style MTA side driven by Lua) on a script from
 * {@code src/test/resources/miltertest/}.
 *
 * <p>Every run defines {@code socket} ({@code inet:PORT@127.0.0.1} or {@code local:/path}),
 * {@code scripts} (the scripts' directory) and, against a port, {@code port}; so a script can
 * start with {@code dofile(scripts .. "/lib.lua")} for {@code check()} and {@code expect_reply()}.
 * miltertest swallows the text of {@code error()}: scripts print why they fail and
 * {@code os.exit(1)}, which {@link Result#output()} then shows.
 */
public final class Miltertest {

    private static final String MILTERTEST = "/usr/bin/miltertest";

    public record Result(List<String> command, int exitCode, String output) {

        public boolean passed() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "miltertest exit " + exitCode + ": " + String.join(" ", command) + "\n" + output;
        }
    }

    private Miltertest() {
    }

    /** Runs {@code script} against a milter on 127.0.0.1:port, with a 60 s limit. */
    public static Result run(String script, int port) {
        return run(script, port, Map.of(), Duration.ofSeconds(60));
    }

    /**
     * @param script    a file name under the {@code miltertest/} test resources
     * @param port      the milter's TCP port on 127.0.0.1
     * @param variables more {@code -D name=value} globals for the script
     * @param timeout   the run is killed and this fails after that long
     */
    public static Result run(String script, int port, Map<String, String> variables, Duration timeout) {
        Map<String, String> globals = new TreeMap<>(variables);
        globals.putIfAbsent("port", Integer.toString(port));
        return run(script, "inet:" + port + "@127.0.0.1", globals, timeout);
    }

    /**
     * Runs {@code script} against the milter at {@code socket} ({@code inet:PORT@127.0.0.1} or
     * {@code local:/path}), with a 60 s limit; the global {@code port} is then undefined.
     */
    public static Result run(String script, String socket) {
        return run(script, socket, Map.of(), Duration.ofSeconds(60));
    }

    private static Result run(String script, String socket, Map<String, String> variables, Duration timeout) {
        if (!Files.isExecutable(Path.of(MILTERTEST))) {
            throw new IllegalStateException(MILTERTEST + " is missing: apt-get install miltertest (bash .ci/run does)");
        }
        Path file = scriptFile(script);
        Map<String, String> globals = new TreeMap<>(variables);
        globals.putIfAbsent("socket", socket);
        globals.putIfAbsent("scripts", file.getParent().toString());
        List<String> command = new ArrayList<>(List.of(MILTERTEST));
        globals.forEach((name, value) -> command.addAll(List.of("-D", name + "=" + value)));
        command.addAll(List.of("-s", file.toString()));
        Exec.Result result = Exec.run(timeout, command);
        return new Result(result.command(), result.exitCode(), result.output());
    }

    private static Path scriptFile(String script) {
        URL url = Miltertest.class.getResource("/miltertest/" + script);
        if (url == null) {
            throw new IllegalArgumentException("no test resource miltertest/" + script);
        }
        try {
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI());
            }
            Path dir = Scratch.newDirectory("miltertest-");
            Path copy = dir.resolve(script);
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy);
            }
            URL lib = Miltertest.class.getResource("/miltertest/lib.lua");
            if (lib != null) {
                try (InputStream in = lib.openStream()) {
                    Files.copy(in, dir.resolve("lib.lua"));
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
