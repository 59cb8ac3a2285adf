package org.directmilter.milter.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.directmilter.crypto.bench.SmimeBenchmark;
import org.directmilter.crypto.jca.NativeProvider;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.RawMessage;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.SmtpSink;
import org.directmilter.resolver.FoundCertificate;
import org.directmilter.resolver.NamedServer;
import org.directmilter.resolver.dns.ZoneLines;

/**
 * The Direct policy through a real daemon (child JVM, {@code direct-milter run}) driven by the project's
 * milter client, no MTA: outgoing messages (alice@hisp-a.example to bob@partner.example: discovery and
 * trust at RCPT, sign and encrypt at end of data) and incoming ones (signed by bob, encrypted to dave:
 * decrypt, verify, judge the signer), 10 KB and 1 MB, over 1 and 16 connections. bob's certificate comes
 * from a real named on loopback once; the warm-up fills the daemon's discovery cache (the record's TTL
 * outlives the run), so the figures are for a warm cache. Beside each row, the same cryptographic work as
 * bare Bouncy Castle CMS calls in this JVM at the same concurrency (sign then envelope; decrypt then verify;
 * no MIME, no trust, no milter protocol), and daemon/bare as a ratio. Not a test: it checks only that the
 * daemon accepts every message.
 *
 * Usage: DirectBenchmark DAEMON_CLASSPATH [MAX_HEAP] — see bin/benchmark.
 */
public final class DirectBenchmark {

    private static final String ALICE = "alice@" + DirectSetup.LOCAL;
    private static final String DAVE = "dave@" + DirectSetup.LOCAL;
    private static final String BOB = "bob@" + DirectSetup.PARTNER;

    /** One row: a direction at a size and concurrency; the daemon's message and the bare call's input. */
    record Row(String direction, int bytes, int connections, int messages) {
    }

    public static void main(String[] args) throws Exception {
        String classpath = args[0];
        String maxHeap = args.length > 1 ? args[1] : "256m";
        Path work = Files.createTempDirectory("dm-direct-bench");
        if (DaemonBench.extraConfig().matches("(?s).*(?i:NativeCrypto)\\s+(?i:yes).*")) {
            // like with like: bare on the same provider as the daemon, its keys made after (as the daemon's are read)
            System.out.println("bare: " + NativeProvider.install().describe());
        }
        PostfixBenchmark.Notify notify = PostfixBenchmark.Notify.of(System.getenv().getOrDefault("DM_BENCH_NOTIFY", "command"));
        if (notify.intoPostfix()) {
            throw new IllegalArgumentException("DM_BENCH_NOTIFY=" + notify + " needs Postfix: bin/benchmark postfix");
        }
        Optional<SmtpSink> mdnSink = notify == PostfixBenchmark.Notify.SMTP ? Optional.of(DaemonBench.startMdnSink())
                : Optional.empty();
        DirectSetup setup = DirectSetup.create(work.resolve("setup"));
        String record = ZoneLines.certLine("bob.partner.example.", 3600, FoundCertificate.PKIX,
                setup.bob.certificate().getEncoded());
        try (NamedServer named = NamedServer.start(work.resolve("named"), "  recursion no;\n",
                Map.of(DirectSetup.PARTNER, "type primary; file \"partner.zone\";"),
                Map.of("partner.zone", NamedServer.zone(DirectSetup.PARTNER, 3600, List.of(record))));
             AutoCloseable sinkStopper = () -> mdnSink.ifPresent(SmtpSink::close);
             DaemonBench daemon = DaemonBench.start(classpath, maxHeap, work,
                     setup.configLines() + "Nameservers 127.0.0.1:" + named.port() + "\n"
                             + mdnSink.map(sink -> "NotificationServer 127.0.0.1:" + sink.port() + "\n").orElse(""))) {
            System.out.println(mdnSink.map(sink -> "MDNs (DM_BENCH_NOTIFY=smtp): NotificationServer 127.0.0.1:"
                    + sink.port() + " (smtp-sink, a file each)").orElse("MDNs (DM_BENCH_NOTIFY=command): NotificationCommand "
                    + setup.submitCommand + " (a shell script: mktemp, cat, a file each)"));
            System.out.printf("direct-milter Direct benchmark: daemon pid %d, -Xmx%s, %d CPUs, Java %s; RSA-2048, "
                            + "AES-256-CBC, SHA-256; bare = Bouncy Castle CMS in the client JVM%n",
                    daemon.pid(), maxHeap, Runtime.getRuntime().availableProcessors(), Runtime.version());
            DirectBenchmark bench = new DirectBenchmark(daemon, setup);
            // both JVMs warm: the daemon until its JIT compilers settle, bare along with it
            daemon.warmUp(() -> {
                for (String direction : List.of("outgoing", "incoming")) {
                    bench.run(new Row(direction, 10 * 1024, 4, 400), false);
                    bench.run(new Row(direction, 1 << 20, 4, 16), false);
                }
            });
            System.out.printf("%-9s %6s %5s %6s %8s %7s %8s %8s %8s %7s %7s %9s | %10s %8s %8s %7s %7s | %11s %9s %9s%n",
                    "direction", "size", "conns", "msgs", "msg/s", "MB/s", "p50 ms", "p99 ms", "heap MB", "cpu ms",
                    "w/o jit", "alloc KB", "bare msg/s", "p50 ms", "p99 ms", "cpu ms", "w/o jit", "daemon/bare", "cpu ratio",
                    "w/o jit");
            // DM_BENCH_MESSAGES lengthens the 10 KB rows over 16 connections, long enough to profile one
            int rowMessages = Integer.parseInt(System.getenv().getOrDefault("DM_BENCH_MESSAGES", "1600"));
            for (String direction : List.of("outgoing", "incoming")) {
                bench.run(new Row(direction, 10 * 1024, 1, 400), true);
                bench.run(new Row(direction, 10 * 1024, 16, rowMessages), true);
                bench.run(new Row(direction, 1 << 20, 1, 24), true);
                bench.run(new Row(direction, 1 << 20, 16, 64), true);
            }
        }
    }

    private final DaemonBench daemon;
    private final DirectSetup setup;

    private DirectBenchmark(DaemonBench daemon, DirectSetup setup) {
        this.daemon = daemon;
        this.setup = setup;
    }

    private void run(Row row, boolean print) throws Exception {
        DaemonBench.Figures ours;
        DaemonBench.Figures bare;
        if (row.direction().equals("outgoing")) {
            byte[] plain = PassThroughBenchmark.message(ALICE, BOB, row.bytes());
            ours = daemon.run(Envelope.of(ALICE, List.of(BOB)), RawMessage.parse(plain), row.connections(),
                    row.messages());
            bare = DaemonBench.time(row.connections(), row.messages(),
                    () -> () -> SmimeBenchmark.bareProtect(plain, setup.alice, setup.bob));
        } else {
            byte[] plain = PassThroughBenchmark.message(BOB, DAVE, row.bytes());
            ours = daemon.run(Envelope.of(BOB, List.of(DAVE)), RawMessage.parse(protect(plain, setup.bob, setup.dave)),
                    row.connections(), row.messages());
            byte[] enveloped = SmimeBenchmark.bareProtect(plain, setup.bob, setup.dave);
            bare = DaemonBench.time(row.connections(), row.messages(),
                    () -> () -> SmimeBenchmark.bareUnprotect(enveloped, setup.dave));
        }
        if (print) {
            // "cpu ms" is CPU per message in the process doing the work; "cpu ratio" is bare's over the
            // daemon's, so like msg/s higher is better, and it does not depend on who else shares the cores.
            System.out.printf("%-9s %6s %5d %6d %8.1f %7.1f %8.2f %8.2f %8.1f %7.2f %7.2f %9.1f | %10.1f %8.2f %8.2f %7.2f %7.2f | %11.2f %9.2f %9.2f%n",
                    row.direction(), row.bytes() >= 1 << 20 ? (row.bytes() >> 20) + " MB" : (row.bytes() >> 10) + " KB",
                    row.connections(), ours.messages(), ours.perSecond(), ours.megabytesPerSecond(row.bytes()),
                    ours.p50Millis(), ours.p99Millis(), ours.peakHeap() / 1048576.0, ours.cpuMillisPerMessage(),
                    ours.cpuMillisWithoutJit(), ours.allocatedKilobytesPerMessage(), bare.perSecond(), bare.p50Millis(), bare.p99Millis(),
                    bare.cpuMillisPerMessage(), bare.cpuMillisWithoutJit(), ours.perSecond() / bare.perSecond(),
                    bare.cpuMillisPerMessage() / ours.cpuMillisPerMessage(),
                    bare.cpuMillisWithoutJit() / ours.cpuMillisWithoutJit());
        }
    }

    /** What a partner HISP sends: {@code plain} signed by {@code signer} and encrypted to {@code recipient}. */
    private static byte[] protect(byte[] plain, PrivateKeyEntry signer, PrivateKeyEntry recipient) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length * 4 / 3 + 8192);
        new Protector(ProtectOptions.DEFAULTS).protectMessage(new ByteArrayInputStream(plain), signer,
                List.of(recipient.certificate()), out);
        return out.toByteArray();
    }
}
