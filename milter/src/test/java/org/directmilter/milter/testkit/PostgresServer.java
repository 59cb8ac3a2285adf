package org.directmilter.milter.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 for one test class (docs: TEST-INFRA §10): initdb with trust
 * authentication for the role {@code direct}, started with pg_ctl on a free port, its socket in the scratch
 * directory, fsync off; stopped by {@link #close()}. As root, the server runs as the user postgres (it
 * refuses to run as root). Start it inside the network namespace the tests run in.
 */
public final class PostgresServer implements AutoCloseable {

    /** The role every database belongs to; trust authentication, so no password. */
    public static final String ROLE = "direct";

    private final Path dir;
    private final Path bin;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    /** Initialises and starts a cluster in a new scratch directory. */
    public static PostgresServer start() throws IOException {
        Path bin = binaries();
        Path dir = Scratch.newDirectory("postgres-");
        if (root()) {
            Scratch.chown(dir, "postgres");
        }
        PostgresServer server = new PostgresServer(dir, bin, Ports.free());
        server.run(Duration.ofSeconds(60), "initdb", "-D", server.data().toString(), "-A", "trust", "-U", ROLE,
                "-E", "UTF8", "--no-sync");
        server.run(Duration.ofSeconds(60), "pg_ctl", "-D", server.data().toString(), "-l", server.log().toString(),
                "-w", "-o", "-p " + server.port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start");
        return server;
    }

    /** A new, empty database; its JDBC URL, role included. */
    public String createDatabase() throws SQLException {
        String name = "tracking_" + databases.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(url("postgres"));
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    /** The JDBC URL of database {@code name} as {@link #ROLE}. */
    public String url(String name) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?user=" + ROLE;
    }

    public int port() {
        return port;
    }

    /** The server's log, for failure messages. */
    public String logTail() {
        return Scratch.tail("postgres log", log(), 4000);
    }

    @Override
    public void close() {
        run(Duration.ofSeconds(60), "pg_ctl", "-D", data().toString(), "-m", "fast", "-w", "stop");
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path log() {
        return dir.resolve("postgres.log");
    }

    private void run(Duration timeout, String program, String... args) {
        List<String> command = new ArrayList<>();
        if (root()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        Exec.Result result = Exec.run(timeout, command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "):\n"
                    + result.output() + "\n" + logTail());
        }
    }

    /** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/VERSION/bin). */
    private static Path binaries() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            throw new IOException("PostgreSQL is not installed (no " + base + "): apt-get install postgresql");
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new IOException("no initdb under " + base));
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }
}
