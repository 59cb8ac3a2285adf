package org.directmilter.resolver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real OpenLDAP slapd on 127.0.0.1 for one test class: a throwaway slapd.conf (core, cosine and
 * inetOrgPerson schemas, one mdb database, anonymous read), entries loaded with slapadd, and the
 * server started in the foreground with connection logging, so a test can count the connections made.
 */
public final class SlapdServer implements AutoCloseable {

    /** An inetOrgPerson entry under {@code ou=people}: its mail value and certificates in an attribute. */
    public record Entry(String cn, String mail, String attribute, List<byte[]> values) {

        public static Entry withCertificates(String cn, String mail, X509Certificate... certificates) {
            List<byte[]> values = new ArrayList<>();
            for (X509Certificate c : certificates) {
                try {
                    values.add(c.getEncoded());
                } catch (CertificateEncodingException e) {
                    throw new IllegalStateException(e);
                }
            }
            return new Entry(cn, mail, "userCertificate;binary", values);
        }
    }

    private static final Pattern ACCEPT = Pattern.compile("conn=\\d+ fd=\\d+ ACCEPT from");

    private final Process process;
    private final Path dir;
    private final int port;

    private SlapdServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Loads {@code entries} under {@code suffix} (e.g. {@code dc=test}) and starts slapd on a free port. */
    public static SlapdServer start(Path dir, String suffix, List<Entry> entries)
            throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("db"));
        String conf = "include /etc/ldap/schema/core.schema\n"
                + "include /etc/ldap/schema/cosine.schema\n"
                + "include /etc/ldap/schema/inetorgperson.schema\n"
                + "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
                + "pidfile " + dir.resolve("slapd.pid") + "\n"
                + "database mdb\nmaxsize 10485760\n"
                + "suffix \"" + suffix + "\"\n"
                + "rootdn \"cn=admin," + suffix + "\"\nrootpw secret\n"
                + "directory " + dir.resolve("db") + "\n"
                + "index mail eq\n"
                + "access to * by * read\n";
        Path confFile = dir.resolve("slapd.conf");
        Files.writeString(confFile, conf, StandardCharsets.US_ASCII);
        String first = suffix.split(",", 2)[0];
        String rdn = first.substring(first.indexOf('=') + 1);
        StringBuilder ldif = new StringBuilder()
                .append("dn: ").append(suffix).append("\nobjectClass: dcObject\nobjectClass: organization\n")
                .append("o: ").append(rdn).append("\ndc: ").append(rdn).append("\n\n")
                .append("dn: ou=people,").append(suffix).append("\nobjectClass: organizationalUnit\nou: people\n\n");
        for (Entry e : entries) {
            ldif.append("dn: cn=").append(e.cn()).append(",ou=people,").append(suffix).append('\n')
                    .append("objectClass: inetOrgPerson\ncn: ").append(e.cn())
                    .append("\nsn: ").append(e.cn()).append('\n')
                    .append("mail: ").append(e.mail()).append('\n');
            for (byte[] v : e.values()) {
                ldif.append(e.attribute()).append(":: ").append(Base64.getEncoder().encodeToString(v)).append('\n');
            }
            ldif.append('\n');
        }
        Path ldifFile = dir.resolve("data.ldif");
        Files.writeString(ldifFile, ldif, StandardCharsets.US_ASCII);
        run(dir, "slapadd", "-q", "-f", confFile.toString(), "-l", ldifFile.toString());

        int port = NamedServer.freePort();
        Path log = dir.resolve("slapd.log");
        // -d 256 (stats): one "ACCEPT from" line per connection, and slapd stays in the foreground
        Process process = new ProcessBuilder("slapd", "-h", "ldap://127.0.0.1:" + port + "/", "-f",
                confFile.toString(), "-d", "256")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        SlapdServer server = new SlapdServer(process, dir, port);
        try {
            server.awaitListening(Duration.ofSeconds(15));
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Path out = dir.resolve(command[0] + ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + Files.readString(out));
        }
    }

    private void awaitListening(Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("slapd exited with " + process.exitValue() + ":\n" + log());
            }
            try (Socket probe = new Socket()) {
                probe.connect(address(), 200);
                return;
            } catch (IOException notYet) {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
        throw new IOException("slapd did not listen within " + limit + ":\n" + log());
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Connections slapd has accepted so far (its readiness probe included). */
    public int connections() {
        Matcher m = ACCEPT.matcher(log());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    public String log() {
        return ServerProcesses.log(dir.resolve("slapd.log"));
    }

    @Override
    public void close() {
        ServerProcesses.stop(process);
    }
}
