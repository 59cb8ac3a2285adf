package org.directmilter.milter.daemon;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.security.GeneralSecurityException;
import java.util.stream.Collectors;
import org.directmilter.crypto.jca.NativeProvider;
import org.directmilter.crypto.trust.AnchorSource;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs11KeyStore;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.milter.config.BundleFiles;
import org.directmilter.milter.config.ConfigError;
import org.directmilter.milter.config.ConfigKey;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.HostPort;
import org.directmilter.milter.metrics.Metrics;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.policy.DirectHandler;
import org.directmilter.milter.policy.DirectPolicy;
import org.directmilter.milter.notify.Submission;
import org.directmilter.milter.server.MilterServer;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.server.Uninterruptibly;
import org.directmilter.milter.session.MessageLimits;
import org.directmilter.milter.session.MilterSessionFactory;
import org.directmilter.milter.session.SessionSettings;
import org.directmilter.milter.tracking.TrackingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's life, shared by jsvc ({@link DirectMilterDaemon}) and {@code direct-milter run}:
 * {@link #bind} (load the configuration, open the socket: jsvc's init),
 * {@link #start}, {@link #reload}, {@link #stop}.
 */
public final class DaemonRunner {

    /**
     * How long a stop waits for messages in flight. Below systemd's TimeoutStopSec (60 s in the shipped
     * unit) so that we, not SIGKILL, decide what happens to a message cut short: the MTA sees the
     * connection close and applies its milter_default_action (tempfail), so nothing is lost.
     */
    public static final Duration DRAIN_GRACE = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(DaemonRunner.class);

    private final ConfigLoader loader;
    private final MilterConfig startupConfig;
    private final MilterServer server;
    private final MilterSessionFactory sessions;
    private final AnchorStore anchors;
    private final TrustBundles bundles;
    private final AnchorSource anchorSource;
    /** Opened at start and kept across reloads: a process logs in to its token once. */
    private final Optional<Pkcs11KeyStore> token;
    private final DirectHandler handler;
    /** The current policy's hand-off of notifications; a reload makes a new one and closes this one. */
    private volatile Submission submission;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile MilterConfig currentConfig;
    private volatile HTTPServer metrics;
    /** The tracking store, opened at start and kept across reloads (Tracking yes); empty when off. */
    private final Optional<TrackingStore> trackingStore;
    /** Settles overdue recipients every TrackingInterval; the policy's tracker (current after a reload) does the work. */
    private final ScheduledExecutorService trackingTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tracking-timeouts");
        t.setDaemon(true);
        return t;
    });
    private final DaemonState state;
    private final ScheduledExecutorService expiryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "expiry-check");
        t.setDaemon(true);
        return t;
    });

    private DaemonRunner(ConfigLoader loader, MilterConfig config, MilterServer server, MilterSessionFactory sessions,
                         AnchorStore anchors, TrustBundles bundles, AnchorSource anchorSource, DirectHandler handler,
                         Optional<Pkcs11KeyStore> token, Optional<TrackingStore> trackingStore, Submission submission) {
        this.trackingStore = trackingStore;
        this.submission = submission;
        this.anchors = anchors;
        this.bundles = bundles;
        this.anchorSource = anchorSource;
        this.token = token;
        this.handler = handler;
        this.loader = loader;
        this.startupConfig = config;
        this.currentConfig = config;
        this.server = server;
        this.sessions = sessions;
        this.state = new DaemonState(server::activeConnections, sessions::memoryInUse,
                config.get(ConfigKeys.TEMPORARY_DIRECTORY), anchors, bundles);
    }

    /** The policy new messages get (tests look at its key store). */
    DirectPolicy policy() {
        return handler.policy();
    }

    /** Loads {@code configFile} and binds its socket; nothing is served until {@link #start()}. */
    public static DaemonRunner bind(Path configFile) throws StartupException {
        ConfigLoader loader = new ConfigLoader();
        ConfigResult result = loader.load(configFile);
        if (result instanceof ConfigResult.Invalid invalid) {
            throw configErrors(invalid);
        }
        return bind(loader, ((ConfigResult.Valid) result).config());
    }

    static DaemonRunner bind(ConfigLoader loader, MilterConfig config) throws StartupException {
        ServerSettings serverSettings;
        SessionSettings sessionSettings;
        try {
            serverSettings = Assembly.serverSettings(config);
            sessionSettings = Assembly.sessionSettings(config);
        } catch (IllegalArgumentException e) {
            // The config parser should have refused this already; say so rather than fail vaguely.
            throw new StartupException(ExitStatus.CONFIG, config.source() + ": " + e.getMessage());
        }
        var noDomains = EnvironmentChecks.domains(config);
        if (noDomains.isPresent()) {
            throw new StartupException(ExitStatus.CONFIG, noDomains.get().toString());
        }
        // Before any key, anchor or certificate is read: from here on every default JCA lookup may be native.
        Assembly.nativeCrypto(config).ifPresent(DaemonRunner::logNativeCrypto);
        // Read once here, at start-up, so a problem is in the start-up log; the watcher keeps it current.
        AnchorStore anchors = AnchorStore.load(config.get(ConfigKeys.ANCHOR_DIR));
        TrustBundles bundles = trustBundles(config);
        // AnchorDir first: a certificate both there and in a bundle shows (and is audited) as the file.
        AnchorSource anchorSource = AnchorSource.both(anchors::anchorsFor, bundles);
        Optional<Pkcs11KeyStore> token = openToken(config);
        Optional<TrackingStore> store = openTrackingStore(config);
        Submission submission = Assembly.submission(config);
        DirectHandler handler = DirectHandler.create(Assembly.policy(config, anchorSource, Optional.empty(), token, store,
                submission));
        MilterSessionFactory sessions = new MilterSessionFactory(handler, sessionSettings);
        try {
            MilterServer server = MilterServer.bind(config.get(ConfigKeys.SOCKET), serverSettings, sessions);
            return new DaemonRunner(loader, config, server, sessions, anchors, bundles, anchorSource, handler, token,
                    store, submission);
        } catch (IOException e) {
            sessions.close();
            store.ifPresent(TrackingStore::close);
            submission.close();
            throw new StartupException(ExitStatus.UNAVAILABLE, e.getMessage());
        } catch (RuntimeException e) {
            sessions.close();
            store.ifPresent(TrackingStore::close);
            submission.close();
            throw e;
        }
    }

    /** One line: INFO when the native provider is in use, WARN with the reason when the JDK's providers are. */
    private static void logNativeCrypto(NativeProvider.Installation installation) {
        if (installation instanceof NativeProvider.Installation.Installed) {
            log.info("native crypto: {}", installation.describe());
        } else {
            log.warn("native crypto: {}", LogSafe.escape(installation.describe()));
        }
    }

    /**
     * The tracking store (Tracking yes), opened once and kept across reloads: a daemon that cannot record
     * what it sends does not start (each message would be tempfailed).
     */
    private static Optional<TrackingStore> openTrackingStore(MilterConfig config) throws StartupException {
        if (!config.get(ConfigKeys.TRACKING)) {
            return Optional.empty();
        }
        return Optional.of(TrackingStores.open(config, true));
    }

    /** Forgets messages final for longer than TrackingRetentionDays; a failure waits for the next run. */
    private void purgeTracked() {
        try {
            Instant before = Instant.now().minus(Duration.ofDays(startupConfig.get(ConfigKeys.TRACKING_RETENTION_DAYS)));
            int purged = trackingStore.map(s -> s.purge(before)).orElse(0);
            if (purged > 0) {
                log.info("tracking: {} finished messages purged", purged);
            }
        } catch (RuntimeException e) {
            log.error("tracking: cannot purge: {}", LogSafe.escape(String.valueOf(e.getMessage())));
        }
    }

    /** One timer run: settles the overdue recipients; a failure is logged and the next run tries again. */
    private void settleOverdue() {
        try {
            int settled = handler.policy().tracker().settleOverdue();
            if (settled > 0) {
                log.info("tracking: {} overdue {} reported to the originator", settled,
                        settled == 1 ? "recipient" : "recipients");
            }
        } catch (RuntimeException e) {
            log.error("tracking: cannot settle overdue recipients: {}", LogSafe.escape(String.valueOf(e.getMessage())));
        }
    }

    /**
     * The bundles of BundleDir with their persisted copies in force: until the refresher's first fetch
     * (and whenever the publishers are unreachable) the daemon trusts what it trusted before the restart.
     */
    private static TrustBundles trustBundles(MilterConfig config) throws StartupException {
        BundleFiles.Loaded files = Assembly.bundleFiles(config);
        if (!files.errors().isEmpty()) {
            throw new StartupException(ExitStatus.CONFIG, files.errors().stream().map(ConfigError::toString)
                    .collect(Collectors.joining("; ")));
        }
        TrustBundles bundles;
        try {
            bundles = Assembly.trustBundles(config, files.bundles());
        } catch (IOException | GeneralSecurityException e) {
            throw new StartupException(ExitStatus.CONFIG, ConfigKeys.BUNDLE_TRUST_STORE.name() + " "
                    + config.format(ConfigKeys.BUNDLE_TRUST_STORE) + ": " + e.getMessage());
        }
        if (!files.bundles().isEmpty()) {
            log.info("trust bundles: {}", BundleFiles.names(files.bundles()));
        }
        bundles.loadPersisted();
        return bundles;
    }

    /**
     * Starts serving. Under jsvc this runs after the switch to the daemon user, so the spool directory
     * check here is made with the privileges that will use it.
     */
    public void start() throws StartupException {
        var spool = EnvironmentChecks.temporaryDirectory(startupConfig);
        if (spool.isPresent()) {
            stop(Duration.ZERO); // release the socket: nothing was served yet
            throw new StartupException(ExitStatus.CONFIG, spool.get().toString());
        }
        // As the daemon user (after jsvc's switch): the key files as the daemon will read them, said as check says it.
        EnvironmentChecks.startupWarnings(startupConfig).forEach(w -> log.warn("{}", w));
        sessions.removeLeftoverSpoolFiles();
        server.start();
        anchors.watch(startupConfig.get(ConfigKeys.ANCHOR_CHECK_INTERVAL));
        // As the daemon user, so the persisted copies are written by the user that reads them.
        bundles.start();
        warnOfExpiry();
        expiryTimer.scheduleAtFixedRate(this::warnOfExpiry, 1, 1, TimeUnit.DAYS);
        if (trackingStore.isPresent()) {
            long every = startupConfig.get(ConfigKeys.TRACKING_INTERVAL).toMillis();
            // Soon after start: deadlines that passed while the daemon was down are reported now.
            trackingTimer.scheduleWithFixedDelay(this::settleOverdue, Math.min(every, 1000), every, TimeUnit.MILLISECONDS);
            trackingTimer.scheduleWithFixedDelay(this::purgeTracked, 1, 60, TimeUnit.MINUTES);
        }
        Metrics.observe(state);
        startupConfig.get(ConfigKeys.METRICS_ADDRESS).ifPresent(this::serveMetrics);
        log.info("direct-milter {} serving on {} ({}), pid {}", MilterVersion.get(),
                startupConfig.get(ConfigKeys.SOCKET), printable(server.boundAddress()), ProcessHandle.current().pid());
    }

    /**
     * Stops accepting, lets messages in flight finish for up to {@code grace}, then closes the rest and
     * the worker pool. Idempotent; later callers wait for the first.
     */
    public void stop(Duration grace) {
        if (!stopRequested.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            log.info("stopping: no new connections, waiting up to {}s for messages in flight", grace.toSeconds());
            server.stop(grace);
            sessions.close();
            sessions.removeLeftoverSpoolFiles();
            anchors.close();
            bundles.close();
            expiryTimer.shutdownNow();
            trackingTimer.shutdownNow();
            // A run cut short leaves its recipient overdue (its lock released): the next start reports it.
            try {
                trackingTimer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            trackingStore.ifPresent(TrackingStore::close);
            submission.close(); // QUIT on the kept connections to NotificationServer
            if (metrics != null) {
                metrics.close();
            }
            log.info("stopped");
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStopped() {
        Uninterruptibly.await(stopped);
    }

    /**
     * Serves in the foreground until SIGTERM or SIGINT, then drains and ends the process with status 0.
     * Returns only if {@link #stop} is called from elsewhere.
     */
    public void runInForeground() throws StartupException {
        // A JVM that ends on a signal exits with 128+signal even when its shutdown hooks drained
        // cleanly; halting with 0 reports the clean drain. Nothing here calls System.exit while serving,
        // so there is no other exit status this could hide.
        Thread hook = new Thread(() -> {
            stop(DRAIN_GRACE);
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(ExitStatus.OK);
        }, "direct-milter-shutdown");
        start();
        Runtime.getRuntime().addShutdownHook(hook);
        reloadOnHangup();
        awaitStopped();
    }

    /**
     * In the foreground SIGHUP reloads, as for most daemons. SIGUSR2 is jsvc's reload signal, but a plain
     * JVM uses it internally, so it cannot be ours here.
     */
    private void reloadOnHangup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reload());
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP cannot be handled here ({}); reload by restarting", e.getMessage());
        }
    }

    /** The outcome of a reload, for logs and tests. */
    public sealed interface ReloadResult {
        /** The file was valid. {@code needRestart} lists changed keys that only a restart applies. */
        record Reloaded(List<ConfigKey<?>> changed, List<ConfigKey<?>> needRestart) implements ReloadResult {
        }

        /** The file was invalid; the running configuration is unchanged. */
        record Rejected(List<ConfigError> errors) implements ReloadResult {
        }
    }

    /**
     * Reads the anchors and the configuration file again (SIGUSR2). A bad file is logged and ignored: the
     * daemon keeps running with what it has. Keys that apply on reload take effect for messages that
     * start afterwards (messages in flight finish under the policy they began with); private keys are
     * re-read whenever their files change.
     */
    public synchronized ReloadResult reload() {
        Path file = startupConfig.source();
        log.info("reloading configuration from {}", file);
        anchors.reload();
        // The bundle files are read at start only; a reload fetches the bundles subscribed to at once.
        bundles.refreshSoon();
        ConfigResult result = loader.load(file);
        if (result instanceof ConfigResult.Invalid invalid) {
            invalid.errors().forEach(error -> log.error("{}", error));
            log.error("{}: {} {}; still running with the previous configuration", file,
                    invalid.errors().size(), invalid.errors().size() == 1 ? "error" : "errors");
            return new ReloadResult.Rejected(invalid.errors());
        }
        MilterConfig next = ((ConfigResult.Valid) result).config();
        var noDomains = EnvironmentChecks.domains(next);
        if (noDomains.isPresent()) {
            // Without Domains every message would pass untouched: keep protecting with what we have.
            log.error("{}; still running with the previous configuration", noDomains.get());
            return new ReloadResult.Rejected(List.of(noDomains.get()));
        }
        List<ConfigKey<?>> changed = new ArrayList<>();
        List<ConfigKey<?>> needRestart = new ArrayList<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            if (key.applies() == ConfigKey.Applies.ON_RESTART) {
                // Compared with what is running, so the warning repeats until the restart happens.
                if (!Objects.equals(startupConfig.get(key), next.get(key))) {
                    needRestart.add(key);
                    log.warn("{} is now {} but the daemon runs with {}: restart to apply it", key,
                            next.format(key), startupConfig.format(key));
                }
            } else if (!Objects.equals(currentConfig.get(key), next.get(key))) {
                changed.add(key);
                log.info("{} changed: {} -> {}", key, currentConfig.format(key), next.format(key));
            }
        }
        currentConfig = next;
        // FlushCacheOnReload: an operator who fixed a partner's DNS reloads to stop waiting out the TTLs
        Optional<org.directmilter.milter.policy.DirectPolicy> previous = next.get(ConfigKeys.FLUSH_CACHE_ON_RELOAD)
                ? Optional.empty() : Optional.of(handler.policy());
        // A new hand-off (NotificationServer or NotificationCommand may have changed); the old one keeps no
        // connection from now on, and messages in flight under the old policy still hand theirs over.
        Submission replaced = submission;
        submission = Assembly.submission(next);
        handler.replace(Assembly.policy(next, anchorSource, previous, token, trackingStore, submission));
        replaced.close();
        warnOfExpiry();
        if (changed.isEmpty() && needRestart.isEmpty()) {
            log.info("configuration reloaded, nothing changed");
        } else {
            log.info("configuration reloaded: {} changed, {} waiting for a restart", changed, needRestart);
        }
        return new ReloadResult.Reloaded(List.copyOf(changed), List.copyOf(needRestart));
    }

    /** The metrics endpoint; a port already taken costs the graphs, never the mail: logged, not fatal. */
    private void serveMetrics(HostPort address) {
        try {
            metrics = Metrics.serve(address.socketAddress());
            log.info("metrics on http://{}/metrics", printable(new InetSocketAddress(address.address(), metrics.getPort())));
        } catch (IOException e) {
            log.error("MetricsAddress {}: cannot serve metrics: {}", address, e.getMessage());
        }
    }

    /** The metrics endpoint's port, 0 when there is none. */
    public int metricsPort() {
        return metrics == null ? 0 : metrics.getPort();
    }

    /** Certificates of ours and anchors expired or expiring soon: at start, at reload, daily (ExpiryWarningDays). */
    private void warnOfExpiry() {
        try {
            List<org.directmilter.crypto.trust.Anchor> all = new ArrayList<>(anchors.current().anchors());
            all.addAll(bundles.current().anchors());
            ExpiryWarnings.all(currentConfig, all, Instant.now()).forEach(w -> log.warn("{}", LogSafe.escape(w)));
            state.keysChecked(ExpiryWarnings.earliestKeyExpiry(currentConfig));
        } catch (RuntimeException e) {
            log.error("expiry check failed", e);
        }
    }

    /** The latest valid configuration (the startup one until a reload succeeds). */
    public MilterConfig currentConfig() {
        return currentConfig;
    }

    public SocketAddress boundAddress() {
        return server.boundAddress();
    }

    public int port() {
        return server.port();
    }

    private static String printable(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort()
                : String.valueOf(address);
    }

    /**
     * The PKCS#11 token, opened once for the life of the process (its keys are restart keys). A wrong PIN
     * refuses the start and is not tried again: a module locks its PIN after a few wrong tries. Any other
     * failure to open it refuses the start too, naming the module and slot; once running, a token that
     * fails tempfails the messages that need it.
     */
    private static Optional<Pkcs11KeyStore> openToken(MilterConfig config) throws StartupException {
        try {
            Optional<Pkcs11KeyStore> token = Assembly.openToken(config);
            token.ifPresent(t -> log.info("{}: {} key(s) with certificates", t.settings().describe(), keyCount(t)));
            return token;
        } catch (Pkcs11KeyStore.WrongPinException e) {
            throw new StartupException(ExitStatus.CONFIG, ConfigKeys.PKCS11_PIN_FILE.name() + ": " + e.getMessage());
        } catch (KeyStoreException e) {
            throw new StartupException(ExitStatus.UNAVAILABLE, ConfigKeys.PKCS11_LIBRARY.name() + ": "
                    + e.getMessage());
        }
    }

    private static int keyCount(Pkcs11KeyStore token) {
        try {
            return token.allKeys().size();
        } catch (KeyStoreException e) {
            return 0;
        }
    }

    static StartupException configErrors(ConfigResult.Invalid invalid) {
        List<String> lines = invalid.errors().stream().map(ConfigError::toString).toList();
        String summary = lines.size() == 1 ? lines.get(0)
                : invalid.file() + ": " + lines.size() + " configuration errors";
        return new StartupException(ExitStatus.CONFIG, summary, lines);
    }
}
