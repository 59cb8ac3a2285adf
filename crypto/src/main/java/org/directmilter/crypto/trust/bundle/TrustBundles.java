package org.directmilter.crypto.trust.bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.crypto.trust.Anchor;
import org.directmilter.crypto.trust.AnchorOrigin;
import org.directmilter.crypto.trust.AnchorSet;
import org.directmilter.crypto.trust.AnchorSource;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.bundle.BundleFetcher.Fetched;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust bundles the operator subscribed to, each with the copy in force, kept current by one
 * refresher thread.
 *
 * <p>A fetched bundle replaces the copy in force only once it was read and, for a signed bundle,
 * verified against the configured signer; the anchors of every bundle are then swapped in as one new
 * {@link AnchorSet}, so a validation sees the old set or the new one, never a mix. Any failure (no answer,
 * an error status, a body too large, garbage, the wrong signer) is logged with its reason and leaves the
 * copy in force untouched. Each good copy is written to the state directory, and read back (and verified
 * again) at start, so a restart works while the publisher is unreachable. Anchors a new copy no longer
 * holds stop being trusted when it is applied.
 */
public final class TrustBundles implements AnchorSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrustBundles.class);

    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final BundleFetcher fetcher;
    private final BundleStateDir state;
    private final Clock clock;
    private final Duration staleAfter;
    private volatile AnchorSet current = AnchorSet.EMPTY;
    private ScheduledExecutorService refresher;

    /** A copy in force. */
    private record Copy(List<X509Certificate> anchors, Instant fetched, String sha256, Optional<String> etag,
                        Optional<String> lastModified) {
    }

    private static final class Subscription {
        final BundleSpec spec;
        volatile Copy inForce;
        volatile Instant lastAttempt;
        volatile String lastError;

        Subscription(BundleSpec spec) {
            this.spec = spec;
        }
    }

    /**
     * @param specs      the bundles, in configuration order
     * @param staleAfter a copy in force older than this is logged at WARN on every attempt
     */
    public TrustBundles(List<BundleSpec> specs, BundleFetcher fetcher, BundleStateDir state, Clock clock,
                        Duration staleAfter) {
        for (BundleSpec spec : specs) {
            if (subscriptions.put(spec.name(), new Subscription(spec)) != null) {
                throw new IllegalArgumentException("two bundles named " + spec.name());
            }
        }
        this.fetcher = fetcher;
        this.state = state;
        this.clock = clock;
        this.staleAfter = staleAfter;
    }

    @Override
    public List<Anchor> anchorsFor(String localDomain, Direction direction) {
        return current.anchorsFor(localDomain, direction);
    }

    /** Every bundle anchor in force, one per certificate, domain and direction. */
    public AnchorSet current() {
        return current;
    }

    /** Where the last good copies are kept. */
    public Path stateDir() {
        return state.dir();
    }

    public List<BundleSpec> specs() {
        return subscriptions.values().stream().map(s -> s.spec).toList();
    }

    /**
     * Puts the persisted copies in force, each verified again with the current configuration (a copy
     * of another URL, or no longer matching the configured signer, is not used), logging what it did.
     * Called once at start.
     */
    public void loadPersisted() {
        putPersistedInForce(true);
        subscriptions.values().forEach(this::warnIfStale);
    }

    /**
     * {@link #loadPersisted()} without logging, for commands that print for themselves: the problems met,
     * one line each ("bundle NAME: …").
     */
    public List<String> readPersisted() {
        return putPersistedInForce(false);
    }

    private List<String> putPersistedInForce(boolean logging) {
        List<String> problems = new ArrayList<>();
        for (Subscription s : subscriptions.values()) {
            String name = s.spec.name();
            String problem = null;
            try {
                Optional<BundleStateDir.Saved> saved = state.load(name);
                if (saved.isEmpty()) {
                    problem = "no persisted copy in " + state.dir() + "; its anchors apply once it is fetched";
                } else if (!saved.get().url().equals(s.spec.url().toString())) {
                    problem = "the persisted copy is of " + saved.get().url() + ", not the configured URL; not used";
                } else if (!sha256(saved.get().bytes()).equals(saved.get().sha256())) {
                    problem = "the persisted copy is damaged (checksum mismatch); not used";
                } else {
                    BundleStateDir.Saved copy = saved.get();
                    BundleReader.Content content = BundleReader.read(copy.bytes(), s.spec.signer());
                    s.inForce = new Copy(content.anchors(), copy.fetched(), copy.sha256(), copy.etag(),
                            copy.lastModified());
                    if (logging) {
                        log.info("bundle {}: persisted copy in force, {} anchors, fetched {}, sha256 {}", name,
                                content.anchors().size(), copy.fetched(), copy.sha256());
                    }
                }
            } catch (IOException e) {
                problem = "cannot read the persisted copy: " + e.getMessage();
            } catch (BundleException e) {
                problem = "the persisted copy is refused, " + e.describe();
            }
            if (problem != null) {
                problems.add("bundle " + name + ": " + problem);
                if (logging) {
                    log.warn("bundle {}: {}", name, LogSafe.escape(problem));
                }
            }
        }
        rebuild();
        return problems;
    }

    /**
     * Fetches {@code name} now and reads and verifies it as a refresh would, without applying or
     * persisting it: what {@code check} asks. Returns how many anchors it holds.
     */
    public int probe(String name) throws BundleException {
        Subscription s = subscriptions.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no bundle named " + name);
        }
        Fetched fetched = fetcher.fetch(s.spec.url(), Optional.empty(), Optional.empty());
        if (!(fetched instanceof Fetched.Body body)) {
            throw new BundleException(BundleException.Reason.INVALID_BUNDLE_FORMAT, "304 to an unconditional GET");
        }
        return BundleReader.read(body.bytes(), s.spec.signer()).anchors().size();
    }

    /**
     * Fetches {@code name} now and applies it when it is good; the status afterwards. Failures are logged
     * and reported in the status, never thrown.
     */
    public BundleStatus refresh(String name) {
        Subscription s = subscriptions.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no bundle named " + name);
        }
        synchronized (s) {
            refresh(s);
        }
        return status(s);
    }

    private void refresh(Subscription s) {
        BundleSpec spec = s.spec;
        Copy old = s.inForce;
        s.lastAttempt = clock.instant();
        try {
            Fetched fetched = fetcher.fetch(spec.url(), old == null ? Optional.empty() : old.etag(),
                    old == null ? Optional.empty() : old.lastModified());
            Copy next;
            byte[] bytes = null;
            if (fetched instanceof Fetched.Body body) {
                bytes = body.bytes();
                BundleReader.Content content = BundleReader.read(bytes, spec.signer());
                content.skipped().forEach(why -> log.warn("bundle {}: skipped {}", spec.name(), LogSafe.escape(why)));
                next = new Copy(content.anchors(), clock.instant(), sha256(bytes), body.etag(), body.lastModified());
            } else if (old != null) {
                next = new Copy(old.anchors(), clock.instant(), old.sha256(), old.etag(), old.lastModified());
            } else {
                throw new BundleException(BundleException.Reason.INVALID_BUNDLE_FORMAT, "304 without a copy in hand");
            }
            s.inForce = next;
            s.lastError = null;
            rebuild();
            report(spec, old, next);
            persist(spec, next, bytes);
        } catch (BundleException e) {
            s.lastError = e.describe();
            log.warn("bundle {}: refresh from {} failed, {}; {}", spec.name(), spec.url(),
                    LogSafe.escape(e.describe()), old == null ? "its anchors are not in force"
                            : "the copy fetched " + old.fetched() + " stays in force");
        }
        warnIfStale(s);
    }

    private static void report(BundleSpec spec, Copy old, Copy next) {
        if (old != null && old.sha256().equals(next.sha256())) {
            log.debug("bundle {}: unchanged, {} anchors", spec.name(), next.anchors().size());
            return;
        }
        Set<X509Certificate> before = old == null ? Set.of() : new HashSet<>(old.anchors());
        Set<X509Certificate> after = new HashSet<>(next.anchors());
        long added = after.stream().filter(c -> !before.contains(c)).count();
        long dropped = before.stream().filter(c -> !after.contains(c)).count();
        log.info("bundle {}: applied, {} anchors ({} added, {} dropped), sha256 {}", spec.name(),
                next.anchors().size(), added, dropped, next.sha256());
    }

    private void persist(BundleSpec spec, Copy copy, byte[] bytes) {
        try {
            byte[] toSave = bytes;
            if (toSave == null) {
                // 304: the bytes on disk are the copy in force; only its fetch time moved on.
                Optional<BundleStateDir.Saved> saved = state.load(spec.name());
                if (saved.isEmpty() || !saved.get().sha256().equals(copy.sha256())) {
                    return;
                }
                toSave = saved.get().bytes();
            }
            state.save(spec.name(), new BundleStateDir.Saved(spec.url().toString(), toSave, copy.fetched(),
                    copy.sha256(), copy.etag(), copy.lastModified()));
        } catch (IOException e) {
            log.error("bundle {}: cannot persist the copy in force to {} (a restart without the network will "
                    + "lack it): {}", spec.name(), LogSafe.escape(state.dir()), LogSafe.escape(e.getMessage()));
        }
    }

    private void warnIfStale(Subscription s) {
        Copy copy = s.inForce;
        if (copy == null) {
            log.warn("bundle {}: no good copy yet; its anchors are not in force", s.spec.name());
        } else if (stale(copy)) {
            log.warn("bundle {}: stale, the copy in force was fetched {} (more than {} ago)", s.spec.name(),
                    copy.fetched(), staleAfter);
        }
    }

    private boolean stale(Copy copy) {
        return copy.fetched().plus(staleAfter).isBefore(clock.instant());
    }

    /** The anchors of every copy in force, swapped in as one set. */
    private synchronized void rebuild() {
        List<Anchor> anchors = new ArrayList<>();
        for (Subscription s : subscriptions.values()) {
            Copy copy = s.inForce;
            if (copy == null) {
                continue;
            }
            AnchorOrigin origin = new AnchorOrigin.Bundle(s.spec.name(), s.spec.url().toString(), copy.fetched(),
                    copy.sha256());
            for (X509Certificate certificate : copy.anchors()) {
                for (String domain : s.spec.domains()) {
                    for (Direction direction : Direction.values()) {
                        if (s.spec.directions().contains(direction)) {
                            anchors.add(new Anchor(certificate, origin, BundleSpec.scope(domain), direction));
                        }
                    }
                }
            }
        }
        current = new AnchorSet(anchors, List.of());
    }

    /** The status of every bundle, in configuration order. */
    public List<BundleStatus> statuses() {
        return subscriptions.values().stream().map(this::status).toList();
    }

    private BundleStatus status(Subscription s) {
        Copy copy = s.inForce;
        return new BundleStatus(s.spec.name(), s.spec.url().toString(),
                copy == null ? Optional.empty() : Optional.of(copy.fetched()),
                copy == null ? Optional.empty() : Optional.of(copy.sha256()),
                copy == null ? 0 : copy.anchors().size(), Optional.ofNullable(s.lastAttempt),
                Optional.ofNullable(s.lastError), copy == null || stale(copy));
    }

    /**
     * Starts the refresher: each bundle is fetched soon (a few seconds of jitter) when its copy in force
     * is missing or due, else when it falls due; then every refresh interval plus up to a tenth more, so
     * many HISPs do not all ask the publisher at the same second.
     */
    public void start() {
        start(Duration.ofSeconds(10));
    }

    /** {@link #start()} with the first fetch of a due bundle at most {@code firstJitter} from now. */
    synchronized void start(Duration firstJitter) {
        if (refresher != null || subscriptions.isEmpty()) {
            return;
        }
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bundle-refresh");
            t.setDaemon(true);
            return t;
        });
        for (Subscription s : subscriptions.values()) {
            Copy copy = s.inForce;
            Duration due = copy == null ? Duration.ZERO
                    : Duration.between(clock.instant(), copy.fetched().plus(s.spec.refresh()));
            Duration first = (due.isNegative() ? Duration.ZERO : due).plus(jitter(firstJitter));
            schedule(s, first);
        }
    }

    /**
     * Fetches every bundle at once on the refresher thread (a reload asks for it), without waiting for
     * the fetches; the regular schedule stays as it was. Nothing happens before {@link #start()}.
     */
    public synchronized void refreshSoon() {
        if (refresher == null) {
            return;
        }
        refresher.execute(() -> {
            for (Subscription s : subscriptions.values()) {
                try {
                    synchronized (s) {
                        refresh(s);
                    }
                } catch (RuntimeException e) {
                    log.error("bundle {}: refresh failed unexpectedly; the copy in force stays", s.spec.name(), e);
                }
            }
        });
    }

    private synchronized void schedule(Subscription s, Duration delay) {
        if (refresher == null) {
            return;
        }
        refresher.schedule(() -> {
            try {
                synchronized (s) {
                    refresh(s);
                }
            } catch (RuntimeException e) {
                log.error("bundle {}: refresh failed unexpectedly; the copy in force stays", s.spec.name(), e);
            } finally {
                schedule(s, s.spec.refresh().plus(jitter(s.spec.refresh().dividedBy(10))));
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Duration jitter(Duration max) {
        long millis = max.toMillis();
        return millis <= 0 ? Duration.ZERO : Duration.ofMillis(ThreadLocalRandom.current().nextLong(millis + 1));
    }

    @Override
    public synchronized void close() {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher = null;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
