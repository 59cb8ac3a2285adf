package org.directmilter.crypto.trust;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.directmilter.crypto.text.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust anchors under one directory, kept current while the daemon runs.
 *
 * <p>Layout: {@code <root>/<domain>/incoming/} and {@code <root>/<domain>/outgoing/} for one local
 * domain, and {@code <root>/all-domains/incoming|outgoing/} for anchors every local domain shares.
 * Files ending in .pem, .crt, .cer, .der, .p7b or .p7c hold one or more certificates (PEM, DER or a
 * PKCS#7 certs-only bundle). Hidden files are ignored; any other file, an unreadable file and a
 * certificate that is not a CA are skipped with a log line naming the file and the reason.
 *
 * <p>A reload reads everything into a new {@link AnchorSet} and swaps it in at once; readers never see
 * half a reload. When a file that loaded before can no longer be read (e.g. it is being written), its
 * last good certificates stay in force and the problem is reported, so a half-written file never
 * empties a domain's set. A file that disappears takes its anchors with it.
 */
public final class AnchorStore implements AutoCloseable {

    /** The directory whose anchors apply to every local domain. */
    public static final String ALL_DOMAINS = "all-domains";

    private static final Logger log = LoggerFactory.getLogger(AnchorStore.class);
    private static final Set<String> EXTENSIONS = Set.of("pem", "crt", "cer", "der", "p7b", "p7c");

    private final Path root;
    private final boolean logging;
    private final Object reloadLock = new Object();
    private volatile AnchorSet current = AnchorSet.EMPTY;
    private Map<Path, LoadedFile> lastGood = Map.of();
    private Map<Path, Object> lastStamp = Map.of();
    private ScheduledExecutorService watcher;

    public AnchorStore(Path root) {
        this(root, true);
    }

    private AnchorStore(Path root, boolean logging) {
        this.root = Objects.requireNonNull(root);
        this.logging = logging;
    }

    /** Reads the directory once without logging, for commands that print the problems themselves. */
    public static AnchorSet read(Path root) {
        return new AnchorStore(root, false).reload();
    }

    /** Reads the directory and returns a store already loaded (no watching yet). */
    public static AnchorStore load(Path root) {
        AnchorStore store = new AnchorStore(root);
        store.reload();
        return store;
    }

    public Path root() {
        return root;
    }

    /** The anchors as last loaded. */
    public AnchorSet current() {
        return current;
    }

    /** Shortcut for {@code current().anchorsFor(domain, direction)}. */
    public List<Anchor> anchorsFor(String domain, Direction direction) {
        return current.anchorsFor(domain, direction);
    }

    /** Reads the whole directory again now and swaps the result in; returns the new set. */
    public AnchorSet reload() {
        synchronized (reloadLock) {
            Map<Path, Object> stamp = stamp();
            List<Anchor> anchors = new ArrayList<>();
            List<AnchorProblem> problems = new ArrayList<>();
            Map<Path, LoadedFile> good = new HashMap<>();
            if (!Files.isDirectory(root)) {
                problems.add(new AnchorProblem(root, "anchor directory does not exist or is not a directory"));
            } else {
                for (Path scopeDir : list(root, problems)) {
                    loadScope(scopeDir, anchors, problems, good);
                }
            }
            AnchorSet set = new AnchorSet(anchors, problems);
            lastGood = good;
            lastStamp = stamp;
            current = set;
            if (logging) {
                problems.forEach(p -> log.warn("anchor skipped: {}", LogSafe.escape(p)));
                log.info("anchors loaded from {}: {} anchors, {} problems", LogSafe.escape(root), anchors.size(), problems.size());
            }
            return set;
        }
    }

    /**
     * Polls the directory every {@code interval} and reloads when a file was added, removed or changed
     * (size, modification time or inode). One daemon thread; {@link #close()} stops it.
     */
    public synchronized void watch(Duration interval) {
        if (watcher != null) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "anchor-watch");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, interval.toMillis());
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Reloads when the directory differs from what the last reload read; true when it reloaded. */
    public boolean reloadIfChanged() {
        try {
            synchronized (reloadLock) {
                if (stamp().equals(lastStamp)) {
                    return false;
                }
            }
            reload();
            return true;
        } catch (RuntimeException e) {
            log.error("anchor reload failed; the previous anchors stay in force", e);
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    private void loadScope(Path scopeDir, List<Anchor> anchors, List<AnchorProblem> problems,
                           Map<Path, LoadedFile> good) {
        String name = scopeDir.getFileName().toString();
        if (name.startsWith(".")) {
            return;
        }
        if (!Files.isDirectory(scopeDir)) {
            problems.add(new AnchorProblem(scopeDir, "not a directory; anchors go in <domain>/incoming/ or "
                    + "<domain>/outgoing/"));
            return;
        }
        Optional<String> domain = name.equals(ALL_DOMAINS) ? Optional.empty()
                : Optional.of(name.toLowerCase(Locale.ROOT));
        for (Path dirOrFile : list(scopeDir, problems)) {
            String child = dirOrFile.getFileName().toString();
            if (child.startsWith(".")) {
                continue;
            }
            Direction direction = switch (child) {
                case "incoming" -> Direction.INCOMING;
                case "outgoing" -> Direction.OUTGOING;
                default -> null;
            };
            if (direction == null || !Files.isDirectory(dirOrFile)) {
                problems.add(new AnchorProblem(dirOrFile, "ignored: only incoming/ and outgoing/ directories "
                        + "are read here"));
                continue;
            }
            for (Path file : list(dirOrFile, problems)) {
                loadFile(file, domain, direction, anchors, problems, good);
            }
        }
    }

    private void loadFile(Path file, Optional<String> domain, Direction direction, List<Anchor> anchors,
                          List<AnchorProblem> problems, Map<Path, LoadedFile> good) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")) {
            return;
        }
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!EXTENSIONS.contains(ext) || !Files.isRegularFile(file)) {
            problems.add(new AnchorProblem(file, "ignored: not a .pem, .crt, .cer, .der, .p7b or .p7c file"));
            return;
        }
        List<X509Certificate> certificates;
        try {
            certificates = Certificates.parse(Files.readAllBytes(file));
        } catch (IOException | CertificateException e) {
            String reason = e instanceof IOException ? "cannot read: " + e : e.getMessage();
            LoadedFile previous = lastGood.get(file);
            if (previous != null) {
                problems.add(new AnchorProblem(file, reason + "; keeping its previous "
                        + previous.certificates().size() + " anchor(s)"));
                good.put(file, previous);
                addAll(previous.certificates(), file, domain, direction, anchors, problems);
            } else {
                problems.add(new AnchorProblem(file, reason));
            }
            return;
        }
        good.put(file, new LoadedFile(certificates));
        addAll(certificates, file, domain, direction, anchors, problems);
    }

    private static void addAll(List<X509Certificate> certificates, Path file, Optional<String> domain,
                               Direction direction, List<Anchor> anchors, List<AnchorProblem> problems) {
        for (X509Certificate certificate : certificates) {
            if (!Certificates.isCa(certificate)) {
                problems.add(new AnchorProblem(file, "not a CA certificate (no basicConstraints cA=true): "
                        + Certificates.describe(certificate)));
                continue;
            }
            anchors.add(new Anchor(certificate, file, domain, direction));
        }
    }

    private static List<Path> list(Path dir, List<AnchorProblem> problems) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(out::add);
        } catch (IOException e) {
            problems.add(new AnchorProblem(dir, "cannot list: " + e));
        }
        out.sort(null);
        return out;
    }

    /** What identifies the directory's state: every path with its size, mtime and file key. */
    private Map<Path, Object> stamp() {
        Map<Path, Object> out = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (var walk = Files.walk(root, 3)) {
            walk.forEach(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    out.put(p, List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey())));
                } catch (IOException e) {
                    out.put(p, "unreadable");
                }
            });
        } catch (IOException | RuntimeException e) {
            out.put(root, "unlistable: " + e);
        }
        return out;
    }

    private record LoadedFile(List<X509Certificate> certificates) {
    }
}
