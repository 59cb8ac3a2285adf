package org.directmilter.milter.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.RawMessage;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Exec;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.SmtpSink;
import org.directmilter.resolver.FoundCertificate;
import org.directmilter.resolver.NamedServer;
import org.directmilter.resolver.dns.ZoneLines;

/**
 * The MTA-level benchmark (issue 18): one throwaway Postfix with three smtpd listeners — no milter, and
 * twice the real daemon ({@code direct-milter run}, child JVM) for outgoing and incoming Direct mail — fed
 * by Postfix's own {@code smtp-source} (parallel sessions, one message per SMTP session, pre-formatted
 * messages), timed until smtp-source has had "250 queued" for every message. Postfix discards what it
 * queued, so delivery costs nothing. The plain and milter listeners run back to back on the same message
 * (plain, milter, plain, milter), so each ratio comes from one moment of the shared machine; beside them
 * the daemon's CPU per message (utime + stime from /proc/PID/stat), the machine's busy share over the
 * milter runs (/proc/stat) and the load average. The same message straight through the daemon's socket
 * with the project's milter client at the same concurrency closes each row: once over kept connections
 * (QUIT_NC between messages), once with a new connection per message as Postfix does. Not a test: it checks only
 * that every message was queued (smtp-source exits non-zero on any other reply).
 *
 * Usage: PostfixBenchmark DAEMON_CLASSPATH [MAX_HEAP [SESSIONS]] — see bin/benchmark.
 */
public final class PostfixBenchmark {

    private static final String ALICE = "alice@" + DirectSetup.LOCAL;
    private static final String DAVE = "dave@" + DirectSetup.LOCAL;
    private static final String BOB = "bob@" + DirectSetup.PARTNER;
    private static final String SMTP_SOURCE = "/usr/sbin/smtp-source";

    /** One row: a direction at a size, its file for smtp-source and its envelope. */
    record Row(String direction, int bytes, Path file, Envelope envelope, RawMessage message, int messages) {
        String size() {
            return bytes >= 1 << 20 ? (bytes >> 20) + " MB" : (bytes >> 10) + " KB";
        }
    }

    /**
     * One smtp-source run: seconds, daemon CPU ticks and heap allocated, Postfix's CPU ticks by process
     * name, machine busy/total jiffies meanwhile.
     */
    record Run(double seconds, long daemonTicks, long busy, long total, long jitTicks, long allocated,
               Map<String, Long> postfix) {
        static final Run NONE = new Run(0, 0, 0, 0, 0, 0, Map.of());

        Run plus(Run other) {
            Map<String, Long> both = new TreeMap<>(postfix);
            other.postfix.forEach((name, ticks) -> both.merge(name, ticks, Long::sum));
            return new Run(seconds + other.seconds, daemonTicks + other.daemonTicks, busy + other.busy,
                    total + other.total, jitTicks + other.jitTicks, allocated + other.allocated, both);
        }

        long postfixTicks() {
            return postfix.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Concurrencies of the sweep that follows the table: CPU and allocation per message should stay flat. */
    private static final int[] SWEEP = {1, 4, 16};

    private final DaemonBench daemon;
    private final long postfixMaster;
    private final int plainPort;
    private final int outgoingPort;
    private final int incomingPort;
    private final int sessions;
    /**
     * Where the MDNs enter this Postfix: its queue directory, which each run waits to be empty, so that
     * the MDNs' own passage through Postfix and the daemon is in the run's time and CPU.
     */
    private final Optional<Path> queue;
    /** Per measured row, Postfix's CPU by process name, plain beside with the milter. */
    private final List<String> breakdown = new ArrayList<>();

    private PostfixBenchmark(DaemonBench daemon, long postfixMaster, int plainPort, int outgoingPort, int incomingPort,
                             int sessions, Optional<Path> queue) {
        this.daemon = daemon;
        this.postfixMaster = postfixMaster;
        this.plainPort = plainPort;
        this.outgoingPort = outgoingPort;
        this.incomingPort = incomingPort;
        this.sessions = sessions;
        this.queue = queue;
    }

    /** Where the incoming rows' MDNs go (DM_BENCH_NOTIFY). */
    enum Notify {
        COMMAND, SMTP, SENDMAIL, POSTFIX;

        static Notify of(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }

        boolean intoPostfix() {
            return this == SENDMAIL || this == POSTFIX;
        }
    }

    public static void main(String[] args) throws Exception {
        String classpath = args[0];
        String maxHeap = args.length > 1 ? args[1] : "256m";
        int sessions = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path work = Files.createTempDirectory("dm-postfix-bench");
        DirectSetup setup = DirectSetup.create(work.resolve("setup"));
        String record = ZoneLines.certLine("bob.partner.example.", 3600, FoundCertificate.PKIX,
                setup.bob.certificate().getEncoded());
        List<Row> rows = List.of(
                outgoing(work, 10 * 1024, 800), incoming(work, setup, 10 * 1024, 800),
                outgoing(work, 1 << 20, 96), incoming(work, setup, 1 << 20, 96));
        int outgoingPort = Ports.free();
        int incomingPort = Ports.free();
        int mdnPort = Ports.free();
        Notify notify = Notify.of(System.getenv().getOrDefault("DM_BENCH_NOTIFY", "command"));
        // smtp: the MDNs go over SMTP (NotificationServer) to an smtp-sink that dumps each to a file, as the
        // default NotificationCommand script does: both hand-offs end in a file, neither in Postfix
        Optional<SmtpSink> mdnSink = notify == Notify.SMTP ? Optional.of(DaemonBench.startMdnSink()) : Optional.empty();
        String handOff = switch (notify) {
            case SMTP -> "NotificationServer 127.0.0.1:" + mdnSink.orElseThrow().port() + "\n";
            case POSTFIX -> "NotificationServer 127.0.0.1:" + mdnPort + "\n";
            case COMMAND, SENDMAIL -> "";
        };
        try (AutoCloseable sinkStopper = () -> mdnSink.ifPresent(SmtpSink::close);
             NamedServer named = NamedServer.start(work.resolve("named"), "  recursion no;\n",
                Map.of(DirectSetup.PARTNER, "type primary; file \"partner.zone\";"),
                Map.of("partner.zone", NamedServer.zone(DirectSetup.PARTNER, 3600, List.of(record))));
             DaemonBench daemon = DaemonBench.start(classpath, maxHeap, work,
                     setup.configLines() + "Nameservers 127.0.0.1:" + named.port() + "\n" + handOff);
             PostfixInstance postfix = PostfixInstance.start(
                     postfixOptions(notify, daemon.postfixSocket(), outgoingPort, incomingPort, mdnPort))) {
            if (notify == Notify.SENDMAIL) {
                setup.submitWith("exec /usr/sbin/sendmail -C " + postfix.dir().resolve("etc") + " -i -t -f '<>'");
            }
            System.out.printf("direct-milter through Postfix: daemon pid %d, -Xmx%s, %d CPUs, Java %s, %s; "
                            + "smtp-source -s %d, one message per SMTP session; RSA-2048, AES-256-CBC, SHA-256%n",
                    daemon.pid(), maxHeap, Runtime.getRuntime().availableProcessors(), Runtime.version(),
                    postfixVersion(postfix), sessions);
            System.out.println("MDNs (DM_BENCH_NOTIFY=" + notify.name().toLowerCase(java.util.Locale.ROOT) + "): "
                    + switch (notify) {
                        case COMMAND -> "NotificationCommand " + setup.submitCommand + " (a shell script: mktemp, cat, a file each)";
                        case SMTP -> "NotificationServer 127.0.0.1:" + mdnSink.orElseThrow().port() + " (smtp-sink, a file each)";
                        case SENDMAIL -> "NotificationCommand: this Postfix's sendmail; pickup passes each MDN to the"
                                + " daemon, which protects it; timed until the queue is empty";
                        case POSTFIX -> "NotificationServer 127.0.0.1:" + mdnPort + ", a listener of this Postfix with"
                                + " the daemon as milter, which protects each MDN; timed until the queue is empty";
                    });
            PostfixBenchmark bench = new PostfixBenchmark(daemon, postfix.masterPid().orElseThrow(), postfix.smtpPort(),
                    outgoingPort, incomingPort, sessions,
                    notify.intoPostfix() ? Optional.of(postfix.dir().resolve("queue")) : Optional.empty());
            bench.warmUp(rows);
            System.out.printf("%-9s %6s %5s | %11s %11s %6s %8s %8s %8s %5s %6s | %9s %9s %9s %9s | %11s %8s %8s | %11s %8s %8s %8s | %s%n",
                    "direction", "size", "msgs", "plain msg/s", "milter msg/s", "ratio", "cpu ms", "w/o jit", "alloc KB",
                    "jit", "busy", "pf plain", "pf milter", "all plain", "all milter", "socket msg/s", "cpu ms",
                    "w/o jit", "conn/msg/s", "cpu ms", "w/o jit", "alloc KB", "load average");
            for (Row row : rows) {
                bench.measure(row);
            }
            System.out.printf("%nPostfix's CPU per message by process, ms: plain -> with the milter%n");
            bench.breakdown.forEach(System.out::println);
            System.out.printf("%nper message at 1, 4 and 16 concurrent sessions (Postfix) and connections (socket,"
                    + " one per message)%n%-9s %6s %5s | %8s %11s %8s %8s | %11s %8s %8s | %s%n", "direction", "size",
                    "conns", "msgs", "milter msg/s", "cpu ms", "alloc KB", "conn/msg/s", "cpu ms", "alloc KB",
                    "load average");
            for (Row row : rows) {
                bench.sweep(row);
            }
        }
    }

    /**
     * Every row through Postfix and the socket until the daemon's JIT compilers have (nearly) stopped (see
     * {@link DaemonBench#warmUp}). Fills the discovery and trust caches and starts Postfix's processes on the way.
     */
    private void warmUp(List<Row> rows) throws Exception {
        daemon.warmUp(() -> {
            for (Row row : rows) {
                int messages = Math.max(sessions * 4, row.messages() / 2);
                source(row, row.direction().equals("outgoing") ? outgoingPort : incomingPort, messages);
                source(row, plainPort, messages);
                daemon.run(row.envelope(), row.message(), sessions, messages, true);
            }
        });
    }

    private void measure(Row row) throws Exception {
        int port = row.direction().equals("outgoing") ? outgoingPort : incomingPort;
        Run plain = Run.NONE;
        Run milter = Run.NONE;
        for (int round = 0; round < 2; round++) { // interleaved: both see the same neighbours
            plain = plain.plus(source(row, plainPort, row.messages() / 2));
            milter = milter.plus(source(row, port, row.messages() / 2));
        }
        DaemonBench.Figures socket = daemon.run(row.envelope(), row.message(), sessions, row.messages());
        DaemonBench.Figures perMessage = daemon.run(row.envelope(), row.message(), sessions, row.messages(), true);
        double plainRate = row.messages() / plain.seconds();
        double milterRate = row.messages() / milter.seconds();
        double cpuMillis = milter.daemonTicks() * 1000.0 / DaemonBench.CLOCK_TICKS;
        System.out.printf("%-9s %6s %5d | %11.1f %11.1f %6.2f %8.2f %8.2f %8.1f %4.0f%% %5.0f%% | %9.2f %9.2f %9.2f %9.2f | %11.1f %8.2f %8.2f | %11.1f %8.2f %8.2f %8.1f | %s%n",
                row.direction(), row.size(), row.messages(), plainRate, milterRate, milterRate / plainRate,
                cpuMillis / row.messages(),
                (milter.daemonTicks() - milter.jitTicks()) * 1000.0 / DaemonBench.CLOCK_TICKS / row.messages(),
                milter.allocated() / 1024.0 / row.messages(),
                milter.daemonTicks() > 0 ? 100.0 * milter.jitTicks() / milter.daemonTicks() : 0,
                100.0 * milter.busy() / milter.total(),
                plain.postfixTicks() * 1000.0 / DaemonBench.CLOCK_TICKS / row.messages(),
                milter.postfixTicks() * 1000.0 / DaemonBench.CLOCK_TICKS / row.messages(),
                plain.busy() * 1000.0 / DaemonBench.CLOCK_TICKS / row.messages(),
                milter.busy() * 1000.0 / DaemonBench.CLOCK_TICKS / row.messages(),
                socket.perSecond(), socket.cpuMillisPerMessage(), socket.cpuMillisWithoutJit(),
                perMessage.perSecond(), perMessage.cpuMillisPerMessage(), perMessage.cpuMillisWithoutJit(),
                perMessage.allocatedKilobytesPerMessage(), loadAverage());
        StringBuilder line = new StringBuilder(String.format("%-9s %6s |", row.direction(), row.size()));
        Set<String> names = new TreeSet<>(plain.postfix().keySet());
        names.addAll(milter.postfix().keySet());
        for (String name : names) {
            double before = plain.postfix().getOrDefault(name, 0L) * 1000.0 / DaemonBench.CLOCK_TICKS / row.messages();
            double after = milter.postfix().getOrDefault(name, 0L) * 1000.0 / DaemonBench.CLOCK_TICKS / row.messages();
            if (before >= 0.005 || after >= 0.005) {
                line.append(String.format(" %s %.2f -> %.2f;", name, before, after));
            }
        }
        breakdown.add(line.toString());
    }

    /** The row's message at each concurrency of {@link #SWEEP}, through Postfix and straight through the socket. */
    private void sweep(Row row) throws Exception {
        int port = row.direction().equals("outgoing") ? outgoingPort : incomingPort;
        for (int conns : SWEEP) {
            int messages = Math.max(conns * 8, row.messages() / 2) / conns * conns;
            Run milter = source(row, port, messages, conns);
            DaemonBench.Figures socket = daemon.run(row.envelope(), row.message(), conns, messages, true);
            System.out.printf("%-9s %6s %5d | %8d %11.1f %8.2f %8.1f | %11.1f %8.2f %8.1f | %s%n", row.direction(),
                    row.size(), conns, messages, messages / milter.seconds(),
                    milter.daemonTicks() * 1000.0 / DaemonBench.CLOCK_TICKS / messages, milter.allocated() / 1024.0 / messages,
                    socket.perSecond(), socket.cpuMillisPerMessage(), socket.allocatedKilobytesPerMessage(),
                    loadAverage());
        }
    }

    /** {@code messages} of the row's file through smtp-source to {@code port}; fails unless all were queued. */
    private Run source(Row row, int port, int messages) throws Exception {
        return source(row, port, messages, sessions);
    }

    private Run source(Row row, int port, int messages, int sessions) throws Exception {
        long allocated = daemon.allocatedBytes();
        long ticks = daemon.cpuTicks();
        long jit = daemon.compilerTicks();
        long[] machine = machineJiffies();
        Map<String, Long> postfixTicks = postfixTicks();
        long start = System.nanoTime();
        Exec.run(Duration.ofMinutes(10), List.of(SMTP_SOURCE, "-4", "-s", Integer.toString(sessions),
                "-m", Integer.toString(messages), "-M", "client.milter-test.invalid",
                "-f", row.envelope().sender(), "-t", row.envelope().recipients().get(0),
                "-F", row.file().toString(), "127.0.0.1:" + port)).orThrow();
        if (queue.isPresent() && !Poll.within(Duration.ofMinutes(10), () -> queued(queue.get()) == 0)) {
            throw new IllegalStateException("Postfix's queue did not empty within 10 minutes (deferred MDNs?)");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = machineJiffies();
        return new Run(seconds, daemon.cpuTicks() - ticks, after[0] - machine[0], after[1] - machine[1],
                daemon.compilerTicks() - jit, daemon.allocatedBytes() - allocated, difference(postfixTicks(), postfixTicks));
    }

    /** The benchmark's Postfix: the plain listener, one for each direction and where {@code notify} needs it one for MDNs. */
    private static PostfixInstance.Options postfixOptions(Notify notify, String milter, int outgoingPort,
                                                         int incomingPort, int mdnPort) {
        PostfixInstance.Options options = PostfixInstance.Options.withoutMilter()
                // what was queued is thrown away: the figures are smtpd, cleanup and the milter
                // processes stay for the whole run, so their CPU is read by name (see postfixTicks)
                .set("max_use", "100000")
                .set("default_transport", "discard:benchmark")
                .set("relay_transport", "discard:benchmark")
                .listener(outgoingPort, Map.of("smtpd_milters", milter))
                .listener(incomingPort, Map.of("smtpd_milters", milter));
        if (notify == Notify.POSTFIX) {
            // the listener an operator adds for NotificationServer: it keeps the milter, which protects the MDN
            options = options.listener(mdnPort, Map.of("smtpd_milters", milter));
        } else if (notify == Notify.SENDMAIL) {
            // the default hand-off in production: sendmail and postdrop queue the MDN, pickup passes it to
            // non_smtpd_milters, which protects it
            options = options.set("non_smtpd_milters", milter);
        }
        return options;
    }

    /** Messages in Postfix's queue not yet delivered (maildrop, incoming, active, deferred). */
    private static long queued(Path queue) {
        long count = 0;
        for (String name : List.of("maildrop", "incoming", "active", "deferred")) {
            try (Stream<Path> files = Files.walk(queue.resolve(name))) {
                count += files.filter(Files::isRegularFile).count();
            } catch (IOException | UncheckedIOException e) {
                return Long.MAX_VALUE; // a file went away while we walked: look again
            }
        }
        return count;
    }

    private static Row outgoing(Path work, int bytes, int messages) throws IOException {
        byte[] plain = PassThroughBenchmark.message(ALICE, BOB, bytes);
        return new Row("outgoing", bytes, file(work, "outgoing-" + bytes, plain), Envelope.of(ALICE, List.of(BOB)),
                RawMessage.parse(plain), messages);
    }

    private static Row incoming(Path work, DirectSetup setup, int bytes, int messages) throws Exception {
        byte[] direct = protect(PassThroughBenchmark.message(BOB, DAVE, bytes), setup.bob, setup.dave);
        return new Row("incoming", bytes, file(work, "incoming-" + bytes, direct), Envelope.of(BOB, List.of(DAVE)),
                RawMessage.parse(direct), messages);
    }

    /** smtp-source -F reads lines and sends each with CRLF, so the file has bare LF endings. */
    private static Path file(Path work, String name, byte[] message) throws IOException {
        String text = new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        Path file = work.resolve(name + ".eml");
        Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        return file;
    }

    /** What a partner HISP sends: {@code plain} signed by {@code signer} and encrypted to {@code recipient}. */
    private static byte[] protect(byte[] plain, PrivateKeyEntry signer, PrivateKeyEntry recipient) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length * 4 / 3 + 8192);
        new Protector(ProtectOptions.DEFAULTS).protectMessage(new ByteArrayInputStream(plain), signer,
                List.of(recipient.certificate()), out);
        return out.toByteArray();
    }

    /**
     * CPU of the whole Postfix instance so far, in clock ticks, by process name (smtpd, cleanup, qmgr,
     * discard, trivial-rewrite...): each living descendant of the master what it used so far, and under
     * "ended" the master's own and what it reaped of children that ended (cutime, cstime). The benchmark's
     * Postfix keeps its processes (max_use), so little ends in between. A difference of two readings is
     * what Postfix spent in between.
     */
    private Map<String, Long> postfixTicks() {
        Map<String, Long> ticks = new TreeMap<>();
        ProcessHandle.of(postfixMaster).ifPresent(master -> {
            for (ProcessHandle process : (Iterable<ProcessHandle>) Stream.concat(
                    Stream.of(master), master.descendants())::iterator) {
                try {
                    ProcStat stat = ProcStat.of(process.pid());
                    if (process.pid() == postfixMaster) {
                        ticks.merge("ended", stat.ownTicks() + stat.reapedTicks(), Long::sum);
                    } else {
                        ticks.merge(stat.name(), stat.ownTicks(), Long::sum);
                    }
                } catch (IOException gone) {
                    // the process ended while we looked: its CPU is in the master's cutime from now on
                }
            }
        });
        return ticks;
    }

    /** {@code after - before}, name by name; a process that ended in between can make a name negative. */
    private static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> out = new TreeMap<>(after);
        before.forEach((name, ticks) -> out.merge(name, -ticks, Long::sum));
        return out;
    }

    /** The machine's busy and total jiffies so far (the "cpu" line of /proc/stat; idle and iowait are idle). */
    private static long[] machineJiffies() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(cpu.length, 9); i++) {
            total += Long.parseLong(cpu[i]);
        }
        long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
        return new long[] {total - idle, total};
    }

    private static String loadAverage() throws IOException {
        String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return load[0] + " " + load[1] + " " + load[2];
    }

    private static String postfixVersion(PostfixInstance postfix) {
        return "Postfix " + Exec.run(Duration.ofSeconds(10), List.of("/usr/sbin/postconf", "-c",
                postfix.dir().resolve("etc").toString(), "-h", "mail_version")).output().strip();
    }
}
