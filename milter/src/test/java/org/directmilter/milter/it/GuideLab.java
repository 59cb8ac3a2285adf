package org.directmilter.milter.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.directmilter.milter.testkit.Exec;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Scratch;

/**
 * The machine the administrator's guide is followed on: a private mount and network namespace in
 * which the guide's commands run literally, as root, with the system paths they name replaced by
 * scratch directories. Nothing is substituted in the commands themselves.
 *
 * <p>In the namespace:
 * <ul>
 *   <li>{@code /etc} is a copy of the host's, with what the guide takes as given: a Postfix
 *       configured as the Internet site {@code mx.hisp.example.org}, a BIND serving
 *       {@code hisp.example.org} and answering recursive questions from a private root zone (so a
 *       name nobody serves is NXDOMAIN, never a query to the Internet), and {@code /etc/resolv.conf}
 *       pointing at that BIND;</li>
 *   <li>{@code /opt/direct-milter} is this repository, read-only, built: the source checkout the
 *       guide installs from (chapter 1), so its {@code bin/direct-milter} runs the code under test;</li>
 *   <li>{@code /var/lib} is the host's seen through an overlay whose writes stay in the scratch tree (the
 *       guide creates {@code /var/lib/direct-milter});</li>
 *   <li>{@code /var/spool/postfix}, {@code /var/lib/postfix}, {@code /var/cache/bind},
 *       {@code /var/log}, {@code /usr/local/bin} and {@code /tmp} are empty scratch directories;</li>
 *   <li>only {@code lo} exists, so the guide may use the standard ports (25, 53, 587) and nothing can
 *       leave 127.0.0.0/8.</li>
 * </ul>
 * Postfix and named are running before the first chapter, as on a configured server. Every process
 * in the namespace is ended by {@link #close()}; the scratch tree stays under target/it for reading.
 */
final class GuideLab implements AutoCloseable {

    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final Path home;
    private final Process holder;
    private final String namespace;
    private final Thread shutdownHook;
    private boolean closed;

    private GuideLab(Path root, Path home, Process holder) {
        this.root = root;
        this.home = home;
        this.holder = holder;
        this.namespace = netNamespace(holder.pid());
        this.shutdownHook = new Thread(this::close, "guide-lab-shutdown");
    }

    /** Builds the scratch tree from {@code repository}'s files and starts Postfix and named in it. */
    static GuideLab start(Path repository) {
        Path root = Scratch.newDirectory("guide-");
        try {
            Path home = Scratch.mkdir(root.resolve("home"), Scratch.MODE_755);
            checkBuilt(repository);
            prepareEtc(root);
            prepareDirectories(root);
            Process holder = startNamespace(root, repository);
            GuideLab lab = new GuideLab(root, home, holder);
            Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
            try {
                lab.startServers();
            } catch (RuntimeException | AssertionError e) {
                lab.close();
                throw e;
            }
            return lab;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the guide's lab in " + root, e);
        }
    }

    Path root() {
        return root;
    }

    /**
     * Runs {@code script} with {@code bash -euo pipefail} in the namespace, as root, in the operator's
     * home directory; returns its exit status and combined output.
     */
    Exec.Result run(String script, Duration timeout) {
        try {
            Path file = Files.createTempFile(root, "block-", ".sh");
            Files.writeString(file, "cd ~\n" + script, StandardCharsets.UTF_8);
            return Exec.run(timeout, List.of("nsenter", "-t", Long.toString(holder.pid()), "-m", "-n", "--",
                    "env", "-i", "HOME=" + home, "USER=root", "LOGNAME=root", "LANG=C.UTF-8", "TERM=dumb",
                    "PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "bash", "-euo", "pipefail", file.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends a block, its exit status and its output to transcript.txt in the scratch tree. */
    void transcript(String where, String script, Exec.Result result) {
        String entry = "==== " + where + "\n" + script.replaceAll("(?m)^", "\\$ ") + "---- exit " + result.exitCode()
                + "\n" + result.output() + (result.output().endsWith("\n") || result.output().isEmpty() ? "" : "\n");
        try {
            Files.writeString(root.resolve("transcript.txt"), entry, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Leaves the lab running after this JVM exits; returns the command that opens a shell in it. */
    String keep() {
        dropShutdownHook();
        return shell();
    }

    /** The command that opens a root shell in the lab, as the guide's blocks run. */
    String shell() {
        return "nsenter -t " + holder.pid() + " -m -n -- env -i HOME=" + home + " USER=root LOGNAME=root"
                + " LANG=C.UTF-8 TERM=xterm PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -l"
                + "   (end the lab: kill " + holder.pid() + ", and the processes it still holds)";
    }

    private Exec.Result setup(String script) {
        Exec.Result result = run(script, SETUP_TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("lab setup failed (" + result.exitCode() + "): " + script + "\n"
                    + result.output() + "\n" + diagnostics());
        }
        return result;
    }

    /** Logs worth reading when something in the lab went wrong. */
    String diagnostics() {
        return Scratch.tail("named", root.resolve("log/named.log"), 800) + "\n"
                + Scratch.tail("mail.log", root.resolve("log/mail.log"), 3000) + "\n"
                + Scratch.tail("direct-milter.log", root.resolve("log/direct-milter.log"), 3000);
    }

    // ---- the host the guide starts from -------------------------------------------------------

    /**
     * The host's /etc, then the lab's own files over it (test resources under guide-lab/etc): Postfix's
     * main.cf, BIND's options, zones and root zone. Postfix gets Debian's master.cf without chroot.
     */
    private static void prepareEtc(Path root) throws IOException {
        Path etc = root.resolve("etc");
        Exec.check("cp", "-a", "/etc", etc.toString());
        // a machine direct-milter was never installed on, whatever this host has
        Exec.check("rm", "-rf", etc.resolve("direct-milter").toString());
        Files.deleteIfExists(etc.resolve("resolv.conf"));
        Files.writeString(etc.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
        Path postfix = etc.resolve("postfix");
        Exec.check("find", postfix.toString(), "-maxdepth", "1", "-name", "*.cf", "-delete");
        Exec.check("cp", postfix.resolve("master.cf.proto").toString(), postfix.resolve("master.cf").toString());
        Exec.check("cp", "/etc/postfix/dynamicmaps.cf", postfix.toString());
        Exec.check("cp", "-r", "--no-preserve=mode,ownership", overlay().toString() + "/.", etc.toString());
        Exec.check("postconf", "-c", postfix.toString(), "-F", "*/*/chroot = n");
        Path rndcKey = etc.resolve("bind/rndc.key");
        Exec.check("rndc-confgen", "-a", "-c", rndcKey.toString());
        // as Debian's bind9 has it; rndc-confgen gives it to user bind, which named running as root
        // (without CAP_DAC_OVERRIDE) then cannot read
        Exec.check("chown", "root:bind", rndcKey.toString());
    }

    private static Path overlay() {
        try {
            return Path.of(GuideLab.class.getResource("/guide-lab/etc").toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource guide-lab/etc is missing", e);
        }
    }

    /**
     * The guide runs the checkout's bin/direct-milter, which builds the project when its jar is missing
     * or older than a source; in the lab that cannot work (no network, a read-only checkout), so the
     * build must be there and current before the lab starts.
     */
    private static void checkBuilt(Path repository) {
        Exec.Result stale = Exec.run(Duration.ofSeconds(30), List.of("bash", "-c",
                "cd \"$1\" && jar=$(ls milter/target/direct-milter-*.jar 2>/dev/null | grep -v -e -sources -e -javadoc -e -tests"
                        + " | sed -n 1p) && [ -n \"$jar\" ] && [ -d milter/target/lib ]"
                        + " && [ -z \"$(find pom.xml */pom.xml */src/main -newer \"$jar\" -print -quit)\" ]",
                "check", repository.toString()));
        if (stale.exitCode() != 0) {
            throw new IllegalStateException("the guide runs " + repository.resolve("bin/direct-milter")
                    + ", which needs a current build: run 'mvn -B -DskipTests package' first (bash .ci/run does)\n"
                    + stale.output());
        }
    }


    private static void prepareDirectories(Path root) throws IOException {
        Path etc = root.resolve("etc");
        Scratch.mkdir(root.resolve("queue"), Scratch.MODE_755); // .ci/run reaps queue/pid/master.pid
        Path data = Scratch.mkdir(root.resolve("postfix-data"), Scratch.MODE_755);
        Exec.check("chown", id(etc.resolve("passwd"), "postfix") + ":" + id(etc.resolve("group"), "postfix"),
                data.toString());
        Scratch.mkdir(root.resolve("bind-cache"), Scratch.MODE_755);
        Scratch.mkdir(root.resolve("var-lib/upper"), Scratch.MODE_755);
        Scratch.mkdir(root.resolve("var-lib/work"), Scratch.MODE_755);
        Scratch.mkdir(root.resolve("log"), Scratch.MODE_755);
        Scratch.mkdir(root.resolve("bin"), Scratch.MODE_755);
        Scratch.mkdir(root.resolve("opt/direct-milter"), Scratch.MODE_755);
        Scratch.mkdir(root.resolve("tmp"), Scratch.MODE_755);
        Exec.check("chmod", "1777", root.resolve("tmp").toString());
    }

    /** The namespace: a process that only holds it, with the scratch directories mounted in place. */
    private static Process startNamespace(Path root, Path repository) throws IOException {
        String mounts = String.join("\n",
                "set -e",
                "mount --bind " + root.resolve("etc") + " /etc",
                "mount --bind " + root.resolve("queue") + " /var/spool/postfix",
                "mount -t overlay overlay -o lowerdir=/var/lib,upperdir=" + root.resolve("var-lib/upper")
                        + ",workdir=" + root.resolve("var-lib/work") + " /var/lib",
                "mount --bind " + root.resolve("postfix-data") + " /var/lib/postfix",
                "mount --bind " + root.resolve("bind-cache") + " /var/cache/bind",
                "mount --bind " + root.resolve("log") + " /var/log",
                "mount --bind " + root.resolve("bin") + " /usr/local/bin",
                "mount --bind " + root.resolve("opt") + " /opt",
                "mount --bind " + repository + " /opt/direct-milter",
                "mount -o remount,bind,ro /opt/direct-milter",
                // /tmp last: a checkout (and so this scratch tree) may live under /tmp. The tree is kept
                // in view at its own path, where the block scripts are, through a bind made before.
                "mount --bind " + root + " /mnt",
                "mount --bind " + root.resolve("tmp") + " /tmp",
                "mkdir -p " + root,
                "mount --bind /mnt " + root,
                "ip link set lo up",
                "echo ready",
                "exec sleep infinity",
                "");
        Path log = root.resolve("namespace.log");
        Process holder = new ProcessBuilder("unshare", "--mount", "--net", "--propagation", "private", "--",
                "bash", "-c", mounts)
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Files.writeString(root.resolve("namespace.pid"), holder.pid() + "\n");
        Poll.until("the lab's namespace", SETUP_TIMEOUT, () -> {
            if (!holder.isAlive()) {
                throw new IllegalStateException("unshare exited with " + holder.exitValue() + "\n"
                        + Scratch.readOrEmpty(log));
            }
            return Scratch.readOrEmpty(log).contains("ready");
        }, () -> Scratch.readOrEmpty(log));
        return holder;
    }

    private void startServers() {
        setup("named -c /etc/bind/named.conf -L /var/log/named.log\n"
                + "for i in $(seq 100); do dig +short +time=1 +tries=1 @127.0.0.1 SOA hisp.example.org | grep -q . && break;"
                + " sleep 0.1; done\n"
                + "dig +short @127.0.0.1 SOA hisp.example.org | grep -q 2026120101\n");
        setup("postfix check\npostfix start\n"
                + "for i in $(seq 100); do ss -ltn | grep -q '0.0.0.0:25 ' && break; sleep 0.1; done\n"
                + "ss -ltn | grep -q '0.0.0.0:25 '\n");
    }

    // ---- the end ---------------------------------------------------------------------------------

    /** Stops Postfix and named, then ends every process left in the namespace (and the namespace). Idempotent. */
    @Override
    public void close() {
        if (markClosed()) {
            dropShutdownHook();
            stopServers();
            endNamespace();
        }
    }

    private synchronized boolean markClosed() {
        boolean first = !closed;
        closed = true;
        return first;
    }

    private void dropShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // JVM shutting down, or the hook was never added
        }
    }

    private void stopServers() {
        if (!holder.isAlive()) {
            return;
        }
        try {
            run("postfix stop >/dev/null 2>&1 || true; rndc stop >/dev/null 2>&1 || true", Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            // carry on: endNamespace() ends them
        }
    }

    private void endNamespace() {
        List<ProcessHandle> left = processesInNamespace();
        left.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : left) {
            try {
                p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        holder.destroyForcibly();
    }

    /** Every process whose network namespace is the lab's: they were all started by the guide or the lab. */
    private List<ProcessHandle> processesInNamespace() {
        if (namespace == null) {
            return List.of();
        }
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != holder.pid() && namespace.equals(netNamespace(p.pid())))
                .toList();
    }

    private static String netNamespace(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** The numeric id of {@code name} in an /etc/passwd or /etc/group file. */
    private static String id(Path file, String name) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(":");
            if (f.length > 2 && f[0].equals(name)) {
                return f[2];
            }
        }
        throw new IllegalStateException("no " + name + " in " + file);
    }
}
