package org.directmilter.milter.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A throwaway Sendmail (TEST-INFRA §2), run from the extracted .debs under {@code dm.sendmail.root}
 * (default {@value #DEFAULT_ROOT}), listening on a free 127.0.0.1 port and relaying everything to
 * its own smtp-sink, optionally with one INPUT_MAIL_FILTER.
 *
 * <p>Sendmail looks up its own host name before reading its configuration and asks real DNS when
 * the name has no dot. The test JVM must therefore run inside {@code unshare -mn} with an
 * /etc/hosts that maps this host to a dotted name, as {@code .ci/run} arranges; otherwise
 * {@link #start} fails at once with instructions.
 */
public final class SendmailInstance extends Mta {

    /** What Sendmail answers at MAIL while a filter with F=T is down. */
    public static final String MILTER_UNAVAILABLE = "451 4.3.2 Please try again later";

    static final String DEFAULT_ROOT = "/var/cache/direct-milter-ci/sendmail-root";

    /**
     * What to start.
     *
     * @param milter   libmilter syntax ({@code inet:PORT@127.0.0.1}, {@code local:/path}); empty for none
     * @param flags    the filter's F= ({@code T}: tempfail when the milter is unavailable)
     * @param timeouts the filter's T= (connect; send; read; end-of-message)
     * @param extraMc  more .mc lines placed before the MAILER lines, e.g. a confMILTER_MACROS_* define
     */
    public record Options(Optional<String> milter, String flags, String timeouts, List<String> extraMc) {

        public Options {
            extraMc = List.copyOf(extraMc);
        }

        public static Options withoutMilter() {
            return new Options(Optional.empty(), "T", "C:5s;S:10s;R:10s;E:30s", List.of());
        }

        public static Options milter(String libmilterSocket) {
            return new Options(Optional.of(libmilterSocket), "T", "C:5s;S:10s;R:10s;E:30s", List.of());
        }

        public Options withFlags(String newFlags) {
            return new Options(milter, newFlags, timeouts, extraMc);
        }

        public Options withTimeouts(String newTimeouts) {
            return new Options(milter, flags, newTimeouts, extraMc);
        }

        public Options withMc(String line) {
            List<String> lines = new ArrayList<>(extraMc);
            lines.add(line);
            return new Options(milter, flags, timeouts, lines);
        }
    }

    private final Path root;
    private final Options options;
    private final Path trafficLog;
    private final Path stdout;
    private Process process;

    private SendmailInstance(Path root, Options options) {
        super("Sendmail", "sendmail-");
        this.root = root;
        this.options = options;
        this.trafficLog = dir().resolve("traffic.log");
        this.stdout = dir().resolve("sendmail.out");
    }

    /** Sendmail with {@code INPUT_MAIL_FILTER(S=libmilterSocket, F=T)}. */
    public static SendmailInstance start(String libmilterSocket) {
        return start(Options.milter(libmilterSocket));
    }

    public static SendmailInstance startWithoutMilter() {
        return start(Options.withoutMilter());
    }

    public static SendmailInstance start(Options options) {
        Path root = sendmailRoot();
        requireDottedHostName();
        SendmailInstance sendmail = new SendmailInstance(root, options);
        sendmail.start();
        return sendmail;
    }

    @Override
    void launch() throws IOException {
        Path cf = configure(root, options);
        process = new ProcessBuilder(root.resolve("usr/libexec/sendmail/sendmail").toString(),
                "-C", cf.toString(), "-bD", "-q1m", "-X", trafficLog.toString())
                .directory(dir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(stdout.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    @Override
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("sendmail exited with " + process.exitValue() + "\n" + diagnostics());
        }
    }

    /**
     * Sendmail's SMTP traffic log ({@code -X}): both its server side and its relay to the sink.
     * There is no syslog on these machines, so this and stdout are all the logging there is.
     */
    @Override
    public String maillog() {
        return Scratch.readOrEmpty(trafficLog) + Scratch.readOrEmpty(stdout);
    }

    @Override
    public String milterUnavailableReply() {
        return MILTER_UNAVAILABLE;
    }

    /** Sendmail puts the address in front of the milter's text. */
    @Override
    public String milterRejectReply(String address, String text) {
        return "550 5.7.1 <" + address + ">... " + text;
    }

    /** "250 2.0.0 5ASC1x9u012345 Message accepted for delivery" */
    @Override
    public String queueId(SmtpClient.Reply accepted) {
        String[] words = accepted.last().split(" ");
        if (accepted.code() != 250 || words.length < 4 || !accepted.last().endsWith("Message accepted for delivery")) {
            throw new IllegalArgumentException("not Sendmail's reply to an accepted message: " + accepted.last());
        }
        return words[2];
    }

    /** Stops the daemon and every child it forked: SIGTERM, then SIGKILL. */
    @Override
    void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        if (!exited(process.toHandle(), children, Duration.ofSeconds(10))) {
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            exited(process.toHandle(), children, Duration.ofSeconds(5));
        }
    }

    static Path sendmailRoot() {
        Path root = Path.of(System.getProperty("dm.sendmail.root", DEFAULT_ROOT));
        if (!Files.isExecutable(root.resolve("usr/libexec/sendmail/sendmail"))
                || !Files.isRegularFile(root.resolve("usr/share/sendmail/cf/m4/cf.m4"))) {
            throw new IllegalStateException("no extracted Sendmail under " + root
                    + " (-Ddm.sendmail.root): run bash .ci/run once, it downloads and extracts sendmail-bin, "
                    + "sendmail-cf and sendmail-base there without installing them");
        }
        return root;
    }

    /** Fails unless /etc/hosts gives this host a dotted name, which is what .ci/run's namespace does. */
    static void requireDottedHostName() {
        String host = Scratch.readOrEmpty(Path.of("/proc/sys/kernel/hostname")).trim();
        String hosts = Scratch.readOrEmpty(Path.of("/etc/hosts"));
        boolean dotted = host.contains(".") || hosts.lines()
                .map(line -> line.replaceFirst("#.*", "").trim().split("\\s+"))
                .anyMatch(f -> f.length >= 3 && f[1].startsWith(host + ".") && List.of(f).contains(host));
        if (!dotted) {
            throw new IllegalStateException("/etc/hosts has no dotted name for this host '" + host
                    + "', so Sendmail would query real DNS and sleep 60 s: run the integration tests through "
                    + "bash .ci/run (unshare -mn with a bind-mounted /etc/hosts, see TEST-INFRA §2)");
        }
    }

    private Path configure(Path root, Options options) throws IOException {
        Path dir = dir();
        Path etc = Scratch.mkdir(dir.resolve("etc"), Scratch.MODE_755);
        Path queue = Scratch.mkdir(dir.resolve("mqueue"), PosixFilePermissions.fromString("rwx------"));
        Files.writeString(etc.resolve("service.switch"), "hosts files\naliases files\n");
        Files.writeString(etc.resolve("aliases"), "");
        Files.writeString(etc.resolve("local-host-names"), "");
        Files.writeString(dir.resolve("statistics"), "");

        List<String> mc = new ArrayList<>();
        mc.add("divert(-1)");
        mc.add("divert(0)dnl");
        mc.add("OSTYPE(`linux')dnl"); // not debian: that one includes absolute /usr/share paths
        mc.add("FEATURE(`no_default_msa')dnl"); // else it also binds 0.0.0.0:587
        mc.add("define(`confDOMAIN_NAME', `sm.milter-test.invalid')dnl");
        mc.add("define(`confSERVICE_SWITCH_FILE', `" + etc.resolve("service.switch") + "')dnl");
        mc.add("define(`QUEUE_DIR', `" + queue + "')dnl");
        mc.add("define(`ALIAS_FILE', `" + etc.resolve("aliases") + "')dnl");
        mc.add("define(`confCW_FILE', `" + etc.resolve("local-host-names") + "')dnl");
        mc.add("define(`STATUS_FILE', `" + dir.resolve("statistics") + "')dnl");
        mc.add("define(`confPID_FILE', `" + dir.resolve("sendmail.pid") + "')dnl");
        mc.add("define(`confDONT_BLAME_SENDMAIL', `GroupWritableDirPathSafe,TrustStickyBit')dnl");
        mc.add("define(`confTO_IDENT', `0')dnl");
        mc.add("define(`confBIND_OPTS', `-DNSRCH -DEFNAMES')dnl");
        mc.add("define(`SMART_HOST', `relay:[127.0.0.1]')dnl");
        mc.add("define(`RELAY_MAILER_ARGS', `TCP $h " + sinkPort() + "')dnl");
        mc.add("define(`confDELIVERY_MODE', `background')dnl");
        mc.add("FEATURE(`nocanonify')dnl");
        mc.add("FEATURE(`promiscuous_relay')dnl");
        mc.add("FEATURE(`accept_unresolvable_domains')dnl");
        mc.add("FEATURE(`accept_unqualified_senders')dnl");
        mc.add("DAEMON_OPTIONS(`Family=inet, Addr=127.0.0.1, Port=" + smtpPort() + ", Name=MTA-test')dnl");
        options.milter().ifPresent(milter -> mc.add("INPUT_MAIL_FILTER(`direct-milter', `S=" + milter
                + ", F=" + options.flags() + ", T=" + options.timeouts() + "')dnl"));
        mc.addAll(options.extraMc());
        mc.add("MAILER(`local')dnl");
        mc.add("MAILER(`smtp')dnl");
        Path mcFile = dir.resolve("test.mc");
        Files.write(mcFile, mc, StandardCharsets.UTF_8);

        Path cfDir = root.resolve("usr/share/sendmail/cf");
        Path cf = dir.resolve("test.cf");
        Exec.run(Duration.ofSeconds(30), List.of("m4", "-D_CF_DIR_=" + cfDir + "/",
                cfDir.resolve("m4/cf.m4").toString(), mcFile.toString()), cf).orThrow();
        return cf;
    }

    @Override
    String logTail() {
        return Scratch.tail("sendmail traffic log", trafficLog, 4000) + "\n" + Scratch.tail("sendmail output", stdout, 2000);
    }

    private static boolean exited(ProcessHandle main, List<ProcessHandle> children, Duration timeout) {
        return Poll.within(timeout, () -> !main.isAlive() && children.stream().noneMatch(ProcessHandle::isAlive));
    }
}
