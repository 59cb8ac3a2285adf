package org.directmilter.milter.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.directmilter.milter.testkit.SmtpSink;

/**
 * The benchmarks' harness: a real daemon ({@code direct-milter run}) in a child JVM with a capped heap,
 * driven by the project's milter client over N connections, each timing its messages one by one; the
 * daemon's heap is sampled over JMX meanwhile. {@link #time} also times any other work the same way, so
 * a benchmark can set bare library calls beside the daemon at the same concurrency.
 */
final class DaemonBench implements AutoCloseable {

    /** Clock ticks per second of /proc's CPU times. */
    static final long CLOCK_TICKS = Long.parseLong(org.directmilter.milter.testkit.Exec.run(
            java.time.Duration.ofSeconds(5), List.of("getconf", "CLK_TCK")).orThrow().output().strip());
    /**
     * Mixed Direct traffic took 16 to 26 rounds (about 20,000 messages over the socket, under two minutes
     * through Postfix) before C2 was done; until then much of the daemon runs as C1 compiled it, and every
     * figure is too high.
     */
    private static final int MAX_WARM_UP_ROUNDS = 40;
    /** Warm when the JIT compilers took less than this share of the daemon's CPU over a warm-up round. */
    private static final double SETTLED_JIT_SHARE = 0.05;

    /** One round of warm-up traffic. */
    interface Round {
        void run() throws Exception;
    }

    /** One thread's share of a run: {@link #once()} is one timed message. */
    interface Worker extends AutoCloseable {
        void once() throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    interface WorkerFactory {
        Worker open() throws Exception;
    }

    /** What a run measured; latencies are sorted, in nanoseconds. */
    /**
     * @param cpuNanos CPU time the work took in the process that did it: the daemon for a daemon run, this
     *                 JVM for bare calls — the cost of a message, whoever else shares the cores
     * @param allocatedBytes heap the daemon allocated meanwhile (0 for bare calls)
     */
    /** {@code jitNanos}: of {@code cpuNanos}, what the JIT compilers took (a cost of the first minutes, not of a message). */
    record Figures(double seconds, long[] latencies, long peakHeap, long cpuNanos, long jitNanos, long allocatedBytes) {
        double cpuMillisPerMessage() {
            return cpuNanos / 1e6 / latencies.length;
        }

        double cpuMillisWithoutJit() {
            return (cpuNanos - jitNanos) / 1e6 / latencies.length;
        }

        double allocatedKilobytesPerMessage() {
            return allocatedBytes / 1024.0 / latencies.length;
        }

        int messages() {
            return latencies.length;
        }

        double perSecond() {
            return latencies.length / seconds;
        }

        double megabytesPerSecond(int bytesPerMessage) {
            return perSecond() * bytesPerMessage / (1 << 20);
        }

        double p50Millis() {
            return latencies[latencies.length / 2] / 1e6;
        }

        double p99Millis() {
            return latencies[Math.min(latencies.length - 1, (int) Math.ceil(latencies.length * 0.99) - 1)] / 1e6;
        }
    }

    private final Process daemon;
    private final JMXConnector jmx;
    private final MemoryMXBean heap;
    private final com.sun.management.OperatingSystemMXBean daemonOs;
    private final AllocationMeter allocation;
    private final SocketSpec socket;

    private DaemonBench(Process daemon, JMXConnector jmx, SocketSpec socket) throws Exception {
        this.daemon = daemon;
        this.jmx = jmx;
        this.heap = ManagementFactory.getPlatformMXBean(jmx.getMBeanServerConnection(), MemoryMXBean.class);
        this.daemonOs = ManagementFactory.getPlatformMXBean(jmx.getMBeanServerConnection(),
                com.sun.management.OperatingSystemMXBean.class);
        this.allocation = new AllocationMeter(jmx.getMBeanServerConnection());
        this.socket = socket;
    }

    /**
     * Starts {@code direct-milter run} with {@code config} plus {@code Socket} (a free loopback port) and
     * {@code MaxConnections 64}, its output in {@code work/daemon.log}; returns once it listens.
     */
    static DaemonBench start(String classpath, String maxHeap, Path work, String config) throws Exception {
        return start(classpath, maxHeap, work, config, 64);
    }

    /** {@link #start(String, String, Path, String)} serving up to {@code maxConnections} at once. */
    static DaemonBench start(String classpath, String maxHeap, Path work, String config, int maxConnections)
            throws Exception {
        int port = freePort();
        Path file = work.resolve("direct-milter.conf");
        String tracking = config.contains("TrackingDatabase ") ? "" : "TrackingDatabase " + work.resolve("tracking.db") + "\n";
        String added = extraConfig();
        if (!added.isEmpty()) {
            System.out.println("the daemon's configuration adds (DM_BENCH_CONFIG): " + added.strip().replace('\n', ';'));
        }
        Files.writeString(file, config + tracking + added + "Socket inet:" + port + "@127.0.0.1\nMaxConnections " + maxConnections + "\n");
        List<String> command = new ArrayList<>(daemonPinning());
        command.addAll(List.of("java", "-Xmx" + maxHeap));
        // e.g. DM_BENCH_DAEMON_OPTS="-XX:StartFlightRecording=filename=/tmp/daemon.jfr,settings=profile"
        String extra = System.getenv().getOrDefault("DM_BENCH_DAEMON_OPTS", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(Arrays.asList(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", classpath, "org.directmilter.milter.cli.DirectMilterCommand", "run", "-c",
                file.toString()));
        Process daemon = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile()).start();
        try {
            waitForPort(port, daemon, work.resolve("daemon.log"));
            return new DaemonBench(daemon, attach(daemon.pid()), SocketSpec.parse("inet:" + port + "@127.0.0.1"));
        } catch (Exception | Error e) {
            daemon.destroy();
            throw e;
        }
    }

    /**
     * {@code DM_BENCH_PIN="MTA_CPUS/DAEMON_CPUS"} (e.g. {@code 0/1}): the daemon runs on CPUs of its own, as on a
     * host that leaves the MTA its cores; {@code bin/benchmark} puts itself, and so Postfix and smtp-source,
     * on the others. Empty: no pinning.
     */
    static List<String> daemonPinning() {
        String pin = System.getenv().getOrDefault("DM_BENCH_PIN", "").strip();
        if (pin.isEmpty()) {
            return List.of();
        }
        String[] cpus = pin.split("/");
        if (cpus.length != 2 || !cpus[0].matches("[0-9,-]+") || !cpus[1].matches("[0-9,-]+")) {
            throw new IllegalArgumentException("DM_BENCH_PIN=" + pin + ": expected MTA_CPUS/DAEMON_CPUS, e.g. 0/1");
        }
        System.out.println("CPUs (DM_BENCH_PIN): the daemon on " + cpus[1] + "; the benchmark, and the MTA and its"
                + " load generator, on " + cpus[0]);
        return List.of("taskset", "-c", cpus[1]);
    }

    /**
     * The lines of {@code DM_BENCH_CONFIG}, separated by ';' (e.g. {@code "NativeCrypto yes"}): the same
     * benchmark beside the default configuration.
     */
    static String extraConfig() {
        StringBuilder out = new StringBuilder();
        for (String line : System.getenv().getOrDefault("DM_BENCH_CONFIG", "").split(";")) {
            if (!line.isBlank()) {
                out.append(line.strip()).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * An smtp-sink for {@code NotificationServer} (DM_BENCH_NOTIFY=smtp): it writes each MDN to a file, as
     * the default notification script does, so the two hand-offs end alike.
     */
    static SmtpSink startMdnSink() throws IOException {
        return SmtpSink.start(Files.createTempDirectory("dm-bench-mdn-sink", // smtp-sink runs as nobody
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"))));
    }

    /**
     * Runs {@code round} until the daemon's JIT compilers take less than 5 % of its CPU over one (at most
     * 40 rounds): they take most of a core for the first minute of mixed Direct traffic, and their CPU is not
     * a message's cost. Prints each round's figures, and says so when the compilers never settled.
     */
    void warmUp(Round round) throws Exception {
        for (int i = 1; i <= MAX_WARM_UP_ROUNDS; i++) {
            long jit = compilerTicks();
            long cpu = cpuTicks();
            long start = System.nanoTime();
            round.run();
            long jitTicks = compilerTicks() - jit;
            long cpuTicks = cpuTicks() - cpu;
            System.out.printf("warm-up round %d: %.1f s, daemon CPU %.1f s, of which JIT compilers %.1f s%n", i,
                    (System.nanoTime() - start) / 1e9, (double) cpuTicks / CLOCK_TICKS, (double) jitTicks / CLOCK_TICKS);
            if (jitTicks < cpuTicks * SETTLED_JIT_SHARE) {
                return;
            }
        }
        System.out.printf("warm-up: the JIT compilers did not settle in %d rounds; the figures include code"
                + " C2 has not compiled yet%n", MAX_WARM_UP_ROUNDS);
    }

    /** utime + stime of the daemon, in clock ticks: fields 14 and 15 of /proc/PID/stat. */
    long cpuTicks() throws IOException {
        return ProcStat.of(daemon.pid()).ownTicks();
    }

    /** utime + stime of the daemon's JIT compiler threads (C1, C2) that are alive now, in clock ticks. */
    long compilerTicks() throws IOException {
        return compilerTicks(daemon.pid());
    }

    /** utime + stime of the JIT compiler threads (C1, C2) of the JVM {@code pid} that are alive now. */
    static long compilerTicks(long pid) throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    ProcStat thread = ProcStat.read(task.resolve("stat"));
                    if (thread.name().contains("CompilerThre")) {
                        ticks += thread.ownTicks();
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // the thread ended while we looked
                }
            }
        }
        return ticks;
    }

    long pid() {
        return daemon.pid();
    }

    /** Heap bytes the daemon allocated since it started serving (see {@link AllocationMeter}). */
    long allocatedBytes() throws IOException, InterruptedException {
        return allocation.allocated();
    }

    /** The daemon's socket in Postfix's syntax, e.g. {@code inet:127.0.0.1:7001}. */
    String postfixSocket() {
        return "inet:127.0.0.1:" + ((SocketSpec.Inet) socket).port();
    }

    /** Open file descriptors of the daemon (Linux: /proc/PID/fd). */
    long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(daemon.pid()), "fd"))) {
            return fds.count();
        }
    }

    /** Threads of the daemon, JVM-internal ones included (Linux: /proc/PID/task). */
    long threads() throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(daemon.pid()), "task"))) {
            return tasks.count();
        }
    }

    boolean alive() {
        return daemon.isAlive();
    }

    /**
     * {@code messages} of {@code message} for {@code envelope} over {@code connections} connections, one
     * message per milter session as Postfix does; fails unless the daemon accepts every one.
     */
    Figures run(Envelope envelope, RawMessage message, int connections, int messages) throws Exception {
        return run(envelope, message, connections, messages, false);
    }

    /**
     * {@link #run(Envelope, RawMessage, int, int)}, with {@code connectionPerMessage} a new milter connection
     * for every message (negotiation included), as Postfix opens one per SMTP session.
     */
    Figures run(Envelope envelope, RawMessage message, int connections, int messages, boolean connectionPerMessage)
            throws Exception {
        System.gc();
        HeapSampler sampler = new HeapSampler(heap);
        sampler.start();
        long cpuBefore = daemonOs.getProcessCpuTime();
        long jitBefore = compilerTicks();
        long allocatedBefore = allocation.allocated();
        Figures timed = time(connections, messages, () -> {
            return new Worker() {
                private MilterClient client = MilterClient.connect(socket);

                @Override
                public void once() throws Exception {
                    if (client == null) {
                        client = MilterClient.connect(socket);
                    }
                    EndOfMessageResult eom = Exchange.send(client, envelope, message).endOfMessage()
                            .orElseThrow(() -> new IllegalStateException("refused before end of message"));
                    if (!(eom.finalReply() instanceof Response.Accept)) {
                        throw new IllegalStateException("not accepted: " + eom.finalReply());
                    }
                    if (connectionPerMessage) {
                        client.close();
                        client = null;
                    } else {
                        client.quitNewConnection();
                    }
                }

                @Override
                public void close() throws IOException {
                    if (client != null) {
                        client.close();
                    }
                }
            };
        });
        long peak = sampler.finish();
        return new Figures(timed.seconds(), timed.latencies(), peak, daemonOs.getProcessCpuTime() - cpuBefore,
                (compilerTicks() - jitBefore) * 1_000_000_000L / CLOCK_TICKS, allocation.allocated() - allocatedBefore);
    }

    /** Runs {@code messages} timed calls spread over {@code threads} threads, each with a worker of its own. */
    static Figures time(int threads, int messages, WorkerFactory workers) throws Exception {
        int perThread = messages / threads;
        long[][] latencies = new long[threads][perThread];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try {
            long cpuBefore = os.getProcessCpuTime();
            long jitBefore = compilerTicks(ProcessHandle.current().pid());
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long[] mine = latencies[t];
                done.add(pool.submit(() -> {
                    try (Worker worker = workers.open()) {
                        for (int i = 0; i < mine.length; i++) {
                            long t0 = System.nanoTime();
                            worker.once();
                            mine[i] = System.nanoTime() - t0;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Figures(seconds, Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray(), 0,
                    os.getProcessCpuTime() - cpuBefore,
                    (compilerTicks(ProcessHandle.current().pid()) - jitBefore) * 1_000_000_000L / CLOCK_TICKS, 0);
        } finally {
            pool.shutdown();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            // the daemon halts after draining, so a flight recording is never dumped at exit: dump it now
            var recording = java.util.regex.Pattern.compile("FlightRecording=.*filename=([^,\\s]+)")
                    .matcher(System.getenv().getOrDefault("DM_BENCH_DAEMON_OPTS", ""));
            if (recording.find()) {
                new ProcessBuilder("jcmd", Long.toString(daemon.pid()), "JFR.dump", "filename=" + recording.group(1))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            }
            jmx.close();
        } finally {
            daemon.destroy();
            daemon.waitFor();
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

    private static void waitForPort(int port, Process daemon, Path log) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("daemon exited with " + daemon.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("daemon did not listen on " + port + " within 30 s:\n" + Files.readString(log));
    }
}
