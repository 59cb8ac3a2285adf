package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A throwaway Postfix (TEST-INFRA §1): smtpd on a free 127.0.0.1 port, relaying everything to its
 * own smtp-sink, optionally with a milter. Everything lives in one 0755 scratch directory under
 * {@code target/it}; {@link #close()} always stops Postfix and the sink.
 *
 * <pre>{@code
 * try (PostfixInstance postfix = PostfixInstance.start("inet:127.0.0.1:" + milterPort)) {
 *     ... SmtpClient.connect(postfix.smtpPort()) ...
 *     List<SinkMessage> got = postfix.awaitSinkMessages(1, Duration.ofSeconds(20));
 * }
 * }</pre>
 */
public final class PostfixInstance extends Mta {

    /** What smtpd answers at MAIL while the milter is down: {@code milter_default_action = tempfail}. */
    public static final String MILTER_UNAVAILABLE = "451 4.7.1 Service unavailable - try again later";

    private static final String POSTFIX = "/usr/sbin/postfix";
    private static final String POSTCONF = "/usr/sbin/postconf";

    /**
     * What to start.
     *
     * @param milter {@code smtpd_milters} in Postfix syntax ({@code inet:127.0.0.1:PORT},
     *               {@code unix:/path}); empty for no milter at all
     * @param mainCf extra main.cf parameters, written last so they override the defaults
     * @param listeners further smtpd services: 127.0.0.1 port to its {@code -o} overrides of main.cf
     */
    public record Options(Optional<String> milter, Map<String, String> mainCf,
                          Map<Integer, Map<String, String>> listeners) {

        public Options {
            mainCf = Map.copyOf(mainCf);
            listeners = Map.copyOf(listeners);
        }

        public static Options withoutMilter() {
            return new Options(Optional.empty(), Map.of(), Map.of());
        }

        public static Options milter(String postfixSocket) {
            return new Options(Optional.of(postfixSocket), Map.of(), Map.of());
        }

        /** Adds or overrides one main.cf parameter, e.g. {@code set("milter_default_action", "accept")}. */
        public Options set(String parameter, String value) {
            Map<String, String> copy = new LinkedHashMap<>(mainCf);
            copy.put(parameter, value);
            return new Options(milter, copy, listeners);
        }

        /**
         * Adds an smtpd on 127.0.0.1:{@code port} beside the main one, with its own parameters (values
         * without spaces), e.g. {@code listener(port, Map.of("smtpd_milters", "inet:127.0.0.1:7001"))}.
         */
        public Options listener(int port, Map<String, String> overrides) {
            Map<Integer, Map<String, String>> copy = new LinkedHashMap<>(listeners);
            copy.put(port, overrides);
            return new Options(milter, mainCf, copy);
        }
    }

    private final Options options;
    private final Path etc;
    private final Path maillog;

    private PostfixInstance(Options options) {
        super("Postfix", "postfix-");
        this.options = options;
        this.etc = dir().resolve("etc");
        this.maillog = dir().resolve("maillog");
    }

    /** Postfix with {@code smtpd_milters} and {@code non_smtpd_milters} = {@code postfixSocket}. */
    public static PostfixInstance start(String postfixSocket) {
        return start(Options.milter(postfixSocket));
    }

    public static PostfixInstance startWithoutMilter() {
        return start(Options.withoutMilter());
    }

    public static PostfixInstance start(Options options) {
        if (!Files.isExecutable(Path.of(POSTFIX))) {
            throw new IllegalStateException(POSTFIX + " is missing: apt-get install postfix (bash .ci/run does)");
        }
        PostfixInstance postfix = new PostfixInstance(options);
        postfix.start();
        return postfix;
    }

    @Override
    void launch() {
        configure(options);
        Exec.Result started = Exec.run(Duration.ofSeconds(60), List.of(POSTFIX, "-c", etc.toString(), "start"));
        if (started.exitCode() != 0) {
            throw new IllegalStateException("postfix start failed (" + started.exitCode() + "):\n"
                    + started.output() + "\n" + diagnostics());
        }
    }

    @Override
    String logTail() {
        return Scratch.tail("maillog", maillog, 4000);
    }

    /** The whole maillog so far (Postfix writes it through postlogd, a moment after the fact). */
    @Override
    public String maillog() {
        return Scratch.readOrEmpty(maillog);
    }

    @Override
    public String milterUnavailableReply() {
        return MILTER_UNAVAILABLE;
    }

    /** Postfix passes the milter's reply on verbatim. */
    @Override
    public String milterRejectReply(String address, String text) {
        return "550 5.7.1 " + text;
    }

    /** "250 2.0.0 Ok: queued as 4ABC1234" */
    @Override
    public String queueId(SmtpClient.Reply accepted) {
        String text = accepted.last();
        int at = text.indexOf("queued as ");
        if (accepted.code() != 250 || at < 0) {
            throw new IllegalArgumentException("not Postfix's reply to an accepted message: " + text);
        }
        return text.substring(at + "queued as ".length()).strip();
    }

    /**
     * Queue files (incoming, active, deferred, hold, ...) that hold {@code text}, e.g. a Message-ID:
     * what Postfix still has of a message it accepted and has not delivered yet.
     */
    public List<Path> queueFilesContaining(String text) {
        List<Path> found = new java.util.ArrayList<>();
        for (String queue : List.of("maildrop", "incoming", "active", "deferred", "hold", "corrupt")) {
            Path queueDir = dir().resolve("queue").resolve(queue);
            if (!Files.isDirectory(queueDir)) {
                continue;
            }
            try (java.util.stream.Stream<Path> files = Files.walk(queueDir)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    if (contains(file, text)) {
                        found.add(file);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                throw new IllegalStateException("cannot read Postfix's queue " + queueDir, e);
            }
        }
        return found;
    }

    private static boolean contains(Path file, String text) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
        } catch (java.nio.file.NoSuchFileException e) {
            return false; // delivered or removed while we looked
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** postfix stop, then abort, then SIGKILL of the master. */
    @Override
    void stop() {
        OptionalLong master = masterPid();
        if (master.isEmpty()) {
            return;
        }
        Exec.run(Duration.ofSeconds(30), List.of(POSTFIX, "-c", etc.toString(), "stop"));
        if (awaitExit(master.getAsLong(), Duration.ofSeconds(10))) {
            return;
        }
        Exec.run(Duration.ofSeconds(30), List.of(POSTFIX, "-c", etc.toString(), "abort"));
        if (!awaitExit(master.getAsLong(), Duration.ofSeconds(5))) {
            ProcessHandle.of(master.getAsLong()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** The master process's pid while the instance runs (its children are smtpd, cleanup, qmgr...). */
    public OptionalLong masterPid() {
        String pid = Scratch.readOrEmpty(dir().resolve("queue/pid/master.pid")).trim();
        return pid.matches("\\d+") ? OptionalLong.of(Long.parseLong(pid)) : OptionalLong.empty();
    }

    private static boolean awaitExit(long pid, Duration timeout) {
        return Poll.within(timeout, () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    private void configure(Options options) {
        Path dir = dir();
        int smtpPort = smtpPort();
        try {
            Path queue = dir.resolve("queue");
            Path data = dir.resolve("data");
            Scratch.mkdir(etc, Scratch.MODE_755);
            Scratch.mkdir(queue, Scratch.MODE_755);
            Scratch.mkdir(data, Scratch.MODE_755);
            Scratch.chown(data, "postfix"); // else: "warning: not owned by postfix: .../data/."
            Files.copy(Path.of("/etc/postfix/master.cf.proto"), etc.resolve("master.cf"));
            Files.copy(Path.of("/etc/postfix/dynamicmaps.cf"), etc.resolve("dynamicmaps.cf"));

            Map<String, String> main = new LinkedHashMap<>();
            main.put("compatibility_level", "3.6");
            main.put("queue_directory", queue.toString());
            main.put("data_directory", data.toString());
            main.put("myhostname", "mta.milter-test.invalid");
            main.put("mydomain", "milter-test.invalid");
            main.put("myorigin", "$myhostname");
            main.put("mydestination", "");
            main.put("relay_domains", "");
            main.put("inet_interfaces", "127.0.0.1");
            main.put("inet_protocols", "ipv4");
            main.put("mynetworks", "127.0.0.0/8");
            main.put("smtpd_relay_restrictions", "permit_mynetworks, reject");
            main.put("relayhost", "[127.0.0.1]:" + sinkPort());
            main.put("smtp_dns_support_level", "disabled"); // the smtp client never asks DNS
            main.put("alias_maps", "");
            main.put("alias_database", "");
            main.put("local_recipient_maps", "");
            main.put("smtp_tls_security_level", "none");
            main.put("smtpd_tls_security_level", "none");
            main.put("maillog_file", maillog.toString()); // there is no syslog on these machines
            main.put("maillog_file_prefixes", dir.toString());
            main.put("biff", "no");
            main.put("milter_protocol", "6");
            main.put("milter_default_action", "tempfail");
            options.milter().ifPresent(milter -> {
                main.put("smtpd_milters", milter);
                main.put("non_smtpd_milters", "$smtpd_milters");
            });
            main.putAll(options.mainCf());
            StringBuilder text = new StringBuilder("# generated by PostfixInstance\n");
            main.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            Files.writeString(etc.resolve("main.cf"), text, StandardCharsets.UTF_8);

            String c = etc.toString();
            Exec.check(POSTCONF, "-c", c, "-F", "*/*/chroot = n"); // Debian's master.cf chroots most services
            Exec.check(POSTCONF, "-c", c, "-M#", "smtp/inet"); // nothing on :25
            Exec.check(POSTCONF, "-c", c, "-M",
                    "127.0.0.1:" + smtpPort + "/inet = 127.0.0.1:" + smtpPort + " inet n - n - - smtpd");
            for (var listener : options.listeners().entrySet()) {
                StringBuilder service = new StringBuilder("127.0.0.1:" + listener.getKey() + "/inet = 127.0.0.1:"
                        + listener.getKey() + " inet n - n - - smtpd");
                listener.getValue().forEach((k, v) -> service.append(" -o ").append(k).append('=').append(v));
                Exec.check(POSTCONF, "-c", c, "-M", service.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Postfix configuration in " + dir, e);
        }
    }
}
