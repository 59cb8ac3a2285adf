package org.directmilter.milter.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.RawMessage;

/**
 * The load run of issue 19: 200 concurrent connections, each sending 10 MB messages, against a real
 * daemon with a 256 MB heap. Memory must stay bounded by configuration (bodies go to spool files, frames
 * and in-memory bodies share MessageMemory), so: every message accepted, no OutOfMemoryError, and the
 * daemon's open file descriptors and threads back where they were once the connections are gone, and no
 * spool file left. Prints the counts before and after, throughput and the daemon's peak heap; exits
 * non-zero when a check fails.
 *
 * Usage: LoadBenchmark DAEMON_CLASSPATH [MAX_HEAP [CONNECTIONS [MESSAGES_PER_CONNECTION [MB]]]] — see bin/benchmark.
 */
public final class LoadBenchmark {

    public static void main(String[] args) throws Exception {
        String classpath = args[0];
        String maxHeap = args.length > 1 ? args[1] : "256m";
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int perConnection = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int megabytes = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        Path work = Files.createTempDirectory("dm-load");
        Path spool = Files.createDirectory(work.resolve("spool"));
        String config = "TemporaryDirectory " + spool + "\nDomains local.invalid\n";
        boolean ok = true;
        try (DaemonBench daemon = DaemonBench.start(classpath, maxHeap, work, config, connections + 56)) {
            Envelope envelope = Envelope.of("alice@hisp.example", List.of("bob@partner.example"));
            System.out.printf("direct-milter load run: daemon pid %d, -Xmx%s, %d CPUs, %d connections x %d messages"
                    + " of %d MB%n", daemon.pid(), maxHeap, Runtime.getRuntime().availableProcessors(), connections,
                    perConnection, megabytes);
            // warm up, so the worker pool and the JIT are at their steady state before counting
            daemon.run(envelope, RawMessage.parse(PassThroughBenchmark.message(1 << 20)), 16, 64);
            long fdsBefore = daemon.openDescriptors();
            long threadsBefore = daemon.threads();
            System.out.printf("before: %d open file descriptors, %d threads%n", fdsBefore, threadsBefore);

            DaemonBench.Figures f = daemon.run(envelope, RawMessage.parse(PassThroughBenchmark.message(megabytes << 20)),
                    connections, connections * perConnection);
            System.out.printf("%d messages in %.1f s: %.1f msg/s, %.1f MB/s, p50 %.0f ms, p99 %.0f ms,"
                    + " daemon peak heap %.1f MB%n", f.messages(), f.seconds(), f.perSecond(),
                    f.megabytesPerSecond(megabytes << 20), f.p50Millis(), f.p99Millis(), f.peakHeap() / 1048576.0);

            long deadline = System.nanoTime() + 30_000_000_000L;
            long fdsAfter;
            long threadsAfter;
            do {
                Thread.sleep(100); // the daemon ends connection threads after our QUIT: poll until it has
                fdsAfter = daemon.openDescriptors();
                threadsAfter = daemon.threads();
            } while ((fdsAfter > fdsBefore || threadsAfter > threadsBefore) && System.nanoTime() < deadline);
            long spoolFiles;
            try (Stream<Path> files = Files.list(spool)) {
                spoolFiles = files.count();
            }
            System.out.printf("after:  %d open file descriptors, %d threads, %d spool files%n", fdsAfter, threadsAfter,
                    spoolFiles);
            String log = Files.readString(work.resolve("daemon.log"));
            boolean oom = log.contains("OutOfMemoryError");
            ok = daemon.alive() && !oom && fdsAfter <= fdsBefore && threadsAfter <= threadsBefore && spoolFiles == 0;
            System.out.printf("%s: daemon %s, %s, descriptors %+d, threads %+d%n", ok ? "PASS" : "FAIL",
                    daemon.alive() ? "alive" : "dead", oom ? "OutOfMemoryError in its log" : "no OutOfMemoryError",
                    fdsAfter - fdsBefore, threadsAfter - threadsBefore);
        }
        if (!ok) {
            System.exit(1);
        }
    }
}
