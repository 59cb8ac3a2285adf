package org.directmilter.milter.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.directmilter.crypto.spool.SpoolFiles;
import org.directmilter.crypto.trust.Anchor;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.milter.metrics.DaemonGauges;

/**
 * The running daemon's parts as the metrics read them at each scrape. Our own certificates' expiry is
 * the one value not read live: the key files are decrypted to read it, so it is refreshed when the
 * expiry warnings are made (start, reload, daily) rather than at every scrape.
 */
final class DaemonState implements DaemonGauges {

    private final IntSupplier connections;
    private final LongSupplier memory;
    private final Path spoolDirectory;
    private final AnchorStore anchorDir;
    private final TrustBundles bundles;
    private volatile Optional<Instant> earliestKeyExpiry = Optional.empty();

    DaemonState(IntSupplier connections, LongSupplier memory, Path spoolDirectory, AnchorStore anchorDir,
                TrustBundles bundles) {
        this.connections = connections;
        this.memory = memory;
        this.spoolDirectory = spoolDirectory;
        this.anchorDir = anchorDir;
        this.bundles = bundles;
    }

    /** What the latest look at the KeyStore found. */
    void keysChecked(Optional<Instant> earliest) {
        earliestKeyExpiry = earliest;
    }

    @Override
    public int openConnections() {
        return connections.getAsInt();
    }

    @Override
    public long spoolBytesInMemory() {
        return memory.getAsLong();
    }

    @Override
    public long spoolBytesOnDisk() {
        try {
            return SpoolFiles.bytesInUse(spoolDirectory);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public Optional<Instant> earliestKeyExpiry() {
        return earliestKeyExpiry;
    }

    @Override
    public Optional<Instant> earliestAnchorExpiry() {
        return Stream.concat(anchorDir.current().anchors().stream(), bundles.current().anchors().stream())
                .map(a -> a.certificate().getNotAfter().toInstant()).min(Instant::compareTo);
    }

    @Override
    public int anchorDirAnchors() {
        return distinct(anchorDir.current().anchors());
    }

    @Override
    public int bundleAnchors() {
        return distinct(bundles.current().anchors());
    }

    @Override
    public List<Bundle> bundles() {
        return bundles.statuses().stream().map(s -> new Bundle(s.name(), s.fetched(), s.stale())).toList();
    }

    /** Certificates, not entries: an anchor serving two domains or both directions counts once. */
    private static int distinct(List<Anchor> anchors) {
        return (int) anchors.stream().map(Anchor::certificate).distinct().count();
    }
}
