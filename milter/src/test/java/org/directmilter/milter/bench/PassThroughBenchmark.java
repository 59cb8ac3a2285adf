package org.directmilter.milter.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.RawMessage;

/**
 * Drives a real direct-milter daemon (a child JVM started with `direct-milter run`, heap capped)
 * through the project's milter client with mail that is not Direct mail (neither sender nor recipient
 * in Domains, so the policy passes it untouched), and prints messages per second, MB/s, p50/p99 latency
 * per message and the daemon's peak heap for each size and concurrency: the cost of the milter protocol,
 * the spool and the daemon alone. Not a test: it asserts only that every message was accepted.
 *
 * Usage: PassThroughBenchmark DAEMON_CLASSPATH [MAX_HEAP] — see bin/benchmark.
 */
public final class PassThroughBenchmark {

    record Scenario(String name, int bytes, int connections, int messages) {
    }

    public static void main(String[] args) throws Exception {
        String classpath = args[0];
        String maxHeap = args.length > 1 ? args[1] : "64m";
        Path work = Files.createTempDirectory("dm-bench");
        // The daemon refuses to run without local domains; these see no mail here.
        String config = "TemporaryDirectory " + work + "\nDomains local.invalid\n";
        try (DaemonBench daemon = DaemonBench.start(classpath, maxHeap, work, config)) {
            System.out.printf("direct-milter pass-through benchmark: daemon pid %d, -Xmx%s, %d CPUs, Java %s%n",
                    daemon.pid(), maxHeap, Runtime.getRuntime().availableProcessors(), Runtime.version());
            System.out.printf("%-7s %5s %8s %10s %9s %9s %9s %12s%n",
                    "size", "conns", "messages", "msg/s", "MB/s", "p50 ms", "p99 ms", "heap used MB");
            run(daemon, new Scenario("warmup", 10_000, 4, 2000), false);
            run(daemon, new Scenario("warmup", 1 << 20, 4, 40), false);
            for (Scenario s : List.of(
                    new Scenario("10 KB", 10 * 1024, 1, 3000),
                    new Scenario("10 KB", 10 * 1024, 16, 6000),
                    new Scenario("1 MB", 1 << 20, 1, 100),
                    new Scenario("1 MB", 1 << 20, 16, 320),
                    new Scenario("10 MB", 10 << 20, 1, 12),
                    new Scenario("10 MB", 10 << 20, 16, 48))) {
                run(daemon, s, true);
            }
        }
    }

    private static void run(DaemonBench daemon, Scenario s, boolean print) throws Exception {
        DaemonBench.Figures f = daemon.run(Envelope.of("alice@hisp.example", List.of("bob@partner.example")),
                RawMessage.parse(message(s.bytes())), s.connections(), s.messages());
        if (print) {
            System.out.printf("%-7s %5d %8d %10.1f %9.1f %9.2f %9.2f %12.1f%n", s.name(), s.connections(), f.messages(),
                    f.perSecond(), f.megabytesPerSecond(s.bytes()), f.p50Millis(), f.p99Millis(), f.peakHeap() / 1048576.0);
        }
    }

    /** A plain text message: the header block, then {@code bodyBytes} of text lines. */
    static byte[] message(int bodyBytes) {
        return message("alice@hisp.example", "bob@partner.example", bodyBytes);
    }

    static byte[] message(String from, String to, int bodyBytes) {
        StringBuilder headers = new StringBuilder()
                .append("From: ").append(from).append("\r\nTo: ").append(to).append("\r\nSubject: benchmark\r\n")
                .append("Date: Sat, 28 Nov 2026 12:00:00 +0000\r\nMessage-ID: <bench@hisp.example>\r\n")
                .append("MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n");
        byte[] head = headers.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(head, head.length + bodyBytes);
        byte[] line = "The quick brown fox jumps over the lazy dog, 0123456789 abcdefghijklmnopqrstuv\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = head.length; i < out.length; i++) {
            out[i] = line[(i - head.length) % line.length];
        }
        return out;
    }
}
