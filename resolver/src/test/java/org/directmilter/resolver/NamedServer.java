package org.directmilter.resolver;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real BIND ({@code named -g}) on 127.0.0.1 and a free high port, serving the zones a test writes.
 * Ready when it answers a query; stopped by {@link #close()}.
 */
public final class NamedServer implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;

    private NamedServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * @param options extra lines inside {@code options { }}, e.g. {@code recursion no;}
     * @param zones   zone clauses' bodies by zone name, e.g. {@code "type primary; file \"x.zone\";"}
     * @param files   files to write into the server's directory (zone files), by file name
     */
    public static NamedServer start(Path dir, String options, Map<String, String> zones, Map<String, String> files)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.US_ASCII);
        }
        int port = freePort();
        StringBuilder conf = new StringBuilder();
        conf.append("options {\n")
                .append("  directory \"").append(dir).append("\";\n")
                .append("  pid-file \"").append(dir.resolve("named.pid")).append("\";\n")
                .append("  session-keyfile \"").append(dir.resolve("session.key")).append("\";\n")
                .append("  listen-on port ").append(port).append(" { 127.0.0.1; };\n")
                .append("  listen-on-v6 { none; };\n")
                .append("  allow-query { 127.0.0.0/8; };\n")
                .append("  dnssec-validation no;\n")
                .append("  max-cache-size 8m;\n")
                .append(options)
                .append("};\ncontrols { };\n");
        zones.forEach((zone, body) -> conf.append("zone \"").append(zone).append("\" { ").append(body).append(" };\n"));
        Path confFile = dir.resolve("named.conf");
        Files.writeString(confFile, conf, StandardCharsets.US_ASCII);
        Path log = dir.resolve("named.log");
        Process process = new ProcessBuilder("named", "-g", "-c", confFile.toAbsolutePath().toString(),
                "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        NamedServer server = new NamedServer(process, dir, port);
        try {
            server.awaitReady(Duration.ofSeconds(15));
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    public Path directory() {
        return dir;
    }

    /** A port nothing listens on (UDP nor TCP) at the time of the call. */
    public static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        port))) {
                    return port;
                } catch (IOException taken) {
                    // UDP side in use: try another
                }
            }
        }
        throw new IOException("no free port on loopback");
    }

    private void awaitReady(Duration limit) throws IOException, InterruptedException {
        SimpleResolver probe = new SimpleResolver(address());
        probe.setTimeout(Duration.ofMillis(200));
        Message query = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.root, Type.SOA, DClass.IN));
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("named exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                probe.send(query);
                return;
            } catch (IOException notYet) {
                // not listening yet: the probe's own timeout paces the loop
                if (!(notYet instanceof java.net.SocketTimeoutException)) {
                    process.waitFor(50, TimeUnit.MILLISECONDS);
                }
            }
        }
        throw new IOException("named did not answer within " + limit + ":\n" + log());
    }

    public String log() {
        return ServerProcesses.log(dir.resolve("named.log"));
    }

    @Override
    public void close() {
        ServerProcesses.stop(process);
    }

    /** A zone file: SOA (negative TTL {@code minimum}), NS at 127.0.0.1, then the given lines. */
    public static String zone(String origin, long minimum, List<String> lines) {
        StringBuilder z = new StringBuilder("$TTL 300\n$ORIGIN " + origin + ".\n")
                .append("@ IN SOA ns1 hostmaster ( 1 3600 600 86400 ").append(minimum).append(" )\n")
                .append("@ IN NS ns1\nns1 IN A 127.0.0.1\n");
        lines.forEach(l -> z.append(l).append('\n'));
        return z.toString();
    }
}
