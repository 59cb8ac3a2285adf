package org.directmilter.milter.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.directmilter.milter.client.EndOfMessageResult;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.client.RawMessage;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.server.SocketSpec;

/**
 * Drives a real direct-milter daemon (a child JVM started with `direct-milter run`, heap capped)
 * through the project's milter client with the pass-through handler, and prints messages per
 * second, MB/s, p50/p99 latency per message and the daemon's peak heap for each size and
 * concurrency. Not a test: it asserts only that every message was accepted, and prints figures.
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
        int port = freePort();
        Path config = work.resolve("direct-milter.conf");
        Files.writeString(config, "Socket inet:" + port + "@127.0.0.1\n"
                + "TemporaryDirectory " + work + "\n"
                + "MaxConnections 64\n");
        Process daemon = new ProcessBuilder("java", "-Xmx" + maxHeap, "-cp", classpath,
                "org.directmilter.milter.cli.DirectMilterCommand", "run", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile()).start();
        try {
            waitForPort(port, daemon);
            try (JMXConnector jmx = attach(daemon.pid())) {
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                MemoryMXBean heap = ManagementFactory.getPlatformMXBean(mbeans, MemoryMXBean.class);
                System.out.printf("direct-milter pass-through benchmark: daemon pid %d, -Xmx%s, %d CPUs, Java %s%n",
                        daemon.pid(), maxHeap, Runtime.getRuntime().availableProcessors(), Runtime.version());
                System.out.printf("%-7s %5s %8s %10s %9s %9s %9s %12s%n",
                        "size", "conns", "messages", "msg/s", "MB/s", "p50 ms", "p99 ms", "heap used MB");
                SocketSpec spec = SocketSpec.parse("inet:" + port + "@127.0.0.1");
                run(spec, new Scenario("warmup", 10_000, 4, 2000), heap, false);
                run(spec, new Scenario("warmup", 1 << 20, 4, 40), heap, false);
                for (Scenario s : List.of(
                        new Scenario("10 KB", 10 * 1024, 1, 3000),
                        new Scenario("10 KB", 10 * 1024, 16, 6000),
                        new Scenario("1 MB", 1 << 20, 1, 100),
                        new Scenario("1 MB", 1 << 20, 16, 320),
                        new Scenario("10 MB", 10 << 20, 1, 12),
                        new Scenario("10 MB", 10 << 20, 16, 48))) {
                    run(spec, s, heap, true);
                }
            }
        } finally {
            daemon.destroy();
            daemon.waitFor();
        }
    }

    private static void run(SocketSpec spec, Scenario s, MemoryMXBean memory, boolean print) throws Exception {
        RawMessage message = RawMessage.parse(message(s.bytes()));
        Envelope envelope = Envelope.of("alice@hisp.example", List.of("bob@partner.example"));
        System.gc();
        HeapSampler sampler = new HeapSampler(memory);
        sampler.start();
        int perConnection = s.messages() / s.connections();
        long[][] latencies = new long[s.connections()][perConnection];
        ExecutorService pool = Executors.newFixedThreadPool(s.connections());
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < s.connections(); c++) {
            long[] mine = latencies[c];
            done.add(pool.submit(() -> {
                try (MilterClient client = MilterClient.connect(spec)) {
                    for (int i = 0; i < mine.length; i++) {
                        long t0 = System.nanoTime();
                        EndOfMessageResult eom = Exchange.send(client, envelope, message).endOfMessage().orElseThrow();
                        mine[i] = System.nanoTime() - t0;
                        if (!(eom.finalReply() instanceof Response.Accept)) {
                            throw new IllegalStateException("not accepted: " + eom.finalReply());
                        }
                        client.quitNewConnection();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long peak = sampler.finish();
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        int total = all.length;
        if (print) {
            System.out.printf("%-7s %5d %8d %10.1f %9.1f %9.2f %9.2f %12.1f%n", s.name(), s.connections(), total,
                    total / seconds, total * (double) s.bytes() / seconds / (1 << 20),
                    all[total / 2] / 1e6, all[Math.min(total - 1, (int) Math.ceil(total * 0.99) - 1)] / 1e6, peak / 1048576.0);
        }
    }

    /** Samples the daemon's used heap every 20 ms: the peak it reports is what the daemon really held at once. */
    private static final class HeapSampler extends Thread {
        private final MemoryMXBean memory;
        private volatile boolean running = true;
        private long peak;

        HeapSampler(MemoryMXBean memory) {
            super("heap-sampler");
            setDaemon(true);
            this.memory = memory;
        }

        @Override
        public void run() {
            while (running) {
                peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long finish() throws InterruptedException {
            running = false;
            join();
            return peak;
        }
    }

    private static byte[] message(int bodyBytes) {
        StringBuilder headers = new StringBuilder()
                .append("From: alice@hisp.example\r\nTo: bob@partner.example\r\nSubject: benchmark\r\n")
                .append("Message-ID: <bench@hisp.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n");
        byte[] head = headers.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(head, head.length + bodyBytes);
        byte[] line = "The quick brown fox jumps over the lazy dog, 0123456789 abcdefghijklmnopqrstuv\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = head.length; i < out.length; i++) {
            out[i] = line[(i - head.length) % line.length];
        }
        return out;
    }

    private static JMXConnector attach(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try {
            return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
        } finally {
            vm.detach();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port, Process daemon) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("daemon exited with " + daemon.exitValue());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("daemon did not listen on " + port + " within 30 s");
    }
}
